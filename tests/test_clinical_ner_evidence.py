"""What the project's clinical NER must show before its reading is kept (redactor/detect/ner_evidence.py),
and where its readings come from.  Every example is invented."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from redactor.detect.candidate import CLINICAL_NER
from redactor.detect.clinical_ner import ENTITIES, ClinicalNerRecognizer
from redactor.detect.ner_evidence import has_evidence


@pytest.fixture(scope="module")
def recognizer() -> ClinicalNerRecognizer:
    return ClinicalNerRecognizer()


def _found(recognizer, text, artifacts=None):
    return [(text[r.start : r.end], r.entity_type) for r in recognizer.analyze(text, list(ENTITIES), artifacts)]


@pytest.mark.parametrize("text, names", [
    ("pt restless, pulling at tele leads, redirected easily by sitter.", []),
    ("Moved to chair with mechanical lift, sat up for an hour.", []),
    ("tummy soft and round, hypoactive bowel sounds, passing flatus.", []),
    ("MAINTAINED IN JUNCTIONAL BEAT MOST OF SHIFT, PACER ON STANDBY.", []),
    ("son bertalan aware. dtr states pt was baking bread last week.", ["bertalan"]),
])
def test_care_phrases_the_model_reads_as_names_are_dropped(recognizer, text, names):
    assert [v for v, _ in _found(recognizer, text)] == names


def test_the_readings_handed_over_in_the_doc_are_used(recognizer):
    text = "sister ilka drove up from thornbury to visit."
    assert _found(recognizer, text)  # the model reads her and the town
    town = (text.index("thornbury"), text.index("thornbury") + len("thornbury"), "LOCATION")
    handed = SimpleNamespace(tokens=SimpleNamespace(user_data={CLINICAL_NER: [town]}))
    assert _found(recognizer, text, handed) == [("thornbury", "LOCATION")]


def _evidence(text, value, label):
    start = text.index(value)
    return has_evidence(text, start, start + len(value), label)


def test_a_care_word_with_a_letter_too_many_is_no_name():
    assert not _evidence("pulls away from thermometter", "thermometter", "LOCATION")
    assert not _evidence("no flutterr on tele", "flutterr", "LOCATION")
    assert _evidence("moved here from quenwick", "quenwick", "LOCATION")


def test_a_place_shape_keeps_ordinary_words_without_care_words():
    assert _evidence("lives at willow hollow since june", "willow hollow", "HEALTHCARE_FACILITY")
    assert _evidence("sent from Quillan Memorial", "Quillan Memorial", "HEALTHCARE_FACILITY")
    assert not _evidence("sent from Cardiac Memorial", "Cardiac Memorial", "HEALTHCARE_FACILITY")
    assert not _evidence("dressing to Left Heel changed", "Left Heel", "HEALTHCARE_FACILITY")


def test_a_person_context_keeps_a_name_that_is_a_word():
    assert _evidence("Note by M. Pellworth at 0800", "M. Pellworth", "PERSON")
    assert _evidence("report given to rn candy", "candy", "PERSON")
    assert not _evidence("report given at 1900 candy", "candy", "PERSON")


def test_a_known_place_that_is_a_word_needs_a_place_cue():
    assert _evidence("plans to return to Dover next week", "Dover", "LOCATION")
    assert not _evidence("Dover sole for lunch", "Dover", "LOCATION")


def test_a_name_and_a_word_for_a_thing_is_an_eponym_not_a_person():
    assert not _evidence("moved to chair with Garrick sling", "Garrick sling", "PERSON")
    assert not _evidence("FENNER OUTPUT LOW", "FENNER OUTPUT", "PERSON")
    assert _evidence("spoke with Garrick Lund today", "Garrick Lund", "PERSON")
