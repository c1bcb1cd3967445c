"""The project's own clinical NER (redactor/detect/clinical_ner.py): loads from package data,
reads names in any case, and ``detect.clinical_ner`` turns it off.  Every example is invented."""

from __future__ import annotations

from pathlib import Path

import pytest

import redactor
from redactor.config import DetectSettings
from redactor.detect.candidate import CLINICAL_NER
from redactor.detect.clinical_ner import ENTITIES, MODEL_DIR, ClinicalNerRecognizer, load_model
from redactor.detect.registry import build_registry
from redactor.errors import ModelNotFoundError


@pytest.fixture(scope="module")
def recognizer() -> ClinicalNerRecognizer:
    r = ClinicalNerRecognizer()
    r.load()
    return r


def _found(recognizer, text):
    return {(text[r.start : r.end], r.entity_type) for r in recognizer.analyze(text, list(ENTITIES))}


def _has(found, word, entity_type):
    """A finding of that type holds the word (where a span ends is the refinement's business)."""
    return any(t == entity_type and word in v.split() for v, t in found)


def test_the_model_is_package_data_and_loads_offline(monkeypatch):
    assert MODEL_DIR.is_relative_to(Path(redactor.__file__).parent)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr("socket.socket.connect", lambda *a, **k: pytest.fail("network"))
    nlp = load_model.__wrapped__(MODEL_DIR)
    assert set(nlp.get_pipe("ner").labels) == set(ENTITIES)
    size = sum(f.stat().st_size for f in MODEL_DIR.rglob("*") if f.is_file())
    assert size < 5_000_000


def test_capitals(recognizer):
    text = "CT OUTPUT 40CC/HR,DR VASQUELLO AWARE.WIFE ODALYS AT BEDSIDE,DRIVING BACK TO MARLBORO."
    found = _found(recognizer, text)
    assert _has(found, "VASQUELLO", "PERSON") and _has(found, "ODALYS", "PERSON") and _has(found, "MARLBORO", "LOCATION")


def test_lower_case(recognizer):
    text = "pt to start chemo at brightwater regional next wk. son teodor will drive her in from oakfield."
    found = _found(recognizer, text)
    assert _has(found, "teodor", "PERSON") and _has(found, "brightwater", "HEALTHCARE_FACILITY")


def test_title_case(recognizer):
    text = "Seen by Dr. Halvorsen at Brightwater Regional Hospital; f/u with her PCP in two weeks."
    found = _found(recognizer, text)
    assert _has(found, "Halvorsen", "PERSON") and ("Brightwater Regional Hospital", "HEALTHCARE_FACILITY") in found


def test_nothing_in_a_note_with_no_names(recognizer):
    text = "Afebrile overnight. Lungs clear. Continue lasix 40 mg daily, recheck K and Mg in the morning."
    assert _found(recognizer, text) == set()


def test_a_setting_turns_it_off():
    def names(on):
        return {r.name for r in build_registry(DetectSettings(clinical_ner=on)).registry.recognizers}

    assert CLINICAL_NER in names(True)
    assert CLINICAL_NER not in names(False)


def test_a_missing_model_says_how_to_rebuild_or_turn_it_off(tmp_path):
    with pytest.raises(ModelNotFoundError, match="train_clinical_ner.py|clinical_ner = false"):
        load_model(tmp_path)


def _refined(text, value, entity_type, recognizer=CLINICAL_NER):
    from presidio_analyzer import RecognizerResult

    from redactor.detect.refine import refine

    start = text.index(value)
    meta = {RecognizerResult.RECOGNIZER_NAME_KEY: recognizer}
    raw = [RecognizerResult(entity_type, start, start + len(value), 0.5, recognition_metadata=meta)]
    return [(text[c.start : c.end], c.entity_type) for c in refine(text, raw, 0.4)]


def test_a_lower_case_word_after_in_is_no_place_unless_the_lexicons_know_it():
    """Trained on lower-cased copies, the NER reads "in <word>" as a place; in cased text only
    a known place stays (a prompt's "in brackets" kept every rewritten note local)."""
    assert _refined("A placeholder may be followed, in brackets, by its kind.", "brackets", "LOCATION") == []
    assert _refined("She moved back in with her sister in chicago last May.", "chicago", "LOCATION") == [
        ("chicago", "LOCATION")]


def test_a_name_with_a_lower_case_word_in_cased_text_is_none():
    assert _refined("Follow-up: Pulmonary clinic in six weeks. Dr. Okafor to call.", "Pulmonary clinic", "PERSON") == []
    assert _refined("Follow-up with Dr. Anneke van Dalen in six weeks.", "Anneke van Dalen", "PERSON") == [
        ("Anneke van Dalen", "PERSON")]
    assert _refined("follow-up with dr. anneke dalen in six weeks.", "anneke dalen", "PERSON") == [
        ("anneke dalen", "PERSON")]


def test_care_words_and_initials_are_no_name():
    assert _refined("swan d/c'd at 1100 per team, cordis left in.", "swan d", "PERSON") == []
    assert _refined("swan d/c'd at 1100 per team; wife margit updated.", "margit", "PERSON") == [("margit", "PERSON")]


def test_the_scanner_runs_it_over_the_batch_and_hands_its_readings_over_in_the_doc():
    """One ``nlp.pipe`` over the batch beside spaCy's, not one call per text (a third of the cost),
    in spaCy's vocab (one table of lexemes): what it reads is the same."""
    from redactor.detect.scanner import Scanner

    texts = ["WIFE ODALYS AT BEDSIDE,DRIVING BACK TO MARLBORO.", "son teodor will drive her in from oakfield."]
    nlp = load_model()
    expected = [[(e.start_char, e.end_char, e.label_) for e in nlp(t).ents] for t in texts]
    engine = Scanner(DetectSettings(clinical_ner=True))._nlp
    assert engine.beside[CLINICAL_NER].vocab is engine.nlp["en"].vocab
    assert [art.tokens.user_data[CLINICAL_NER] for art in engine.pipe(texts)] == expected
    off = Scanner(DetectSettings(clinical_ner=False))._nlp.pipe(texts)
    assert all(CLINICAL_NER not in art.tokens.user_data for art in off)


def test_by_default_it_reads_notes_in_shorthand_and_leaves_prose_to_the_rules():
    """``detect.clinical_ner = "shorthand"`` (the default): the batch's shorthand notes go through the
    model, prose gets no readings (and costs nothing); ``true`` reads both."""
    from redactor.detect.scanner import Scanner

    note = "NEURO: A+OX3. CV: HR 80S SR, BP 110/60. RESP: 2L NC, SATS 96%. WIFE ODALYS AT BEDSIDE."
    prose = "Letter to Teodor Varga of Oakfield about the visit."
    assert DetectSettings().clinical_ner == "shorthand"
    nlp = load_model()
    readings = [[(e.start_char, e.end_char, e.label_) for e in nlp(t).ents] for t in (note, prose)]
    default = [art.tokens.user_data[CLINICAL_NER] for art in Scanner(DetectSettings())._nlp.pipe([note, prose])]
    assert default == [readings[0], []] and readings[0] and readings[1]
    every = [art.tokens.user_data[CLINICAL_NER] for art in Scanner(DetectSettings(clinical_ner=True))._nlp.pipe([note, prose])]
    assert every == readings
    assert ClinicalNerRecognizer(only_shorthand=True).reads(note) and not ClinicalNerRecognizer(only_shorthand=True).reads(prose)


def test_its_reading_yields_to_a_cue_and_a_care_word_is_no_place():
    """In a shorthand note (where it now reads by default) a town that a cue found stays a town,
    and "assisted in bath" names no place."""
    from redactor.detect.scanner import Scanner

    vitals = " HR 80S, BP 120/70, SATS 96% ON 2L NC, NGT TO LIS."
    scanner = Scanner(DetectSettings())
    town = "transport by framingham fire, eta 1400." + vitals
    assert [(f.entity_type, town[f.start:f.end]) for f in scanner.scan(town).findings if f.entity_type != "DATE_TIME"] == [
        ("LOCATION", "framingham")]
    bath = "assisted in bath. oob in chair, then back in bed." + vitals
    assert [f for f in scanner.scan(bath).findings if f.entity_type in ("LOCATION", "PERSON")] == []
