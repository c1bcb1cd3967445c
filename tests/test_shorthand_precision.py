"""False alarms in ICU nursing shorthand (issue 17): verbs of care beside drugs, clinical
words that name lists also hold, devices named after people, units, doses, settings and
frequencies, run-on sentences.  Each case asserts that the shorthand is no finding and,
beside it, that a real name, place or date in the same shape is still found.  Every note
here is made up in the style of nursing notes, in capitals and in lower case; none comes
from a labelled corpus."""

from __future__ import annotations

import pytest

IDENTIFYING = {"PERSON", "LOCATION", "HEALTHCARE_FACILITY", "DATE_TIME", "PHONE_NUMBER", "STREET_ADDRESS", "URL",
               "UNIQUE_ID", "DEVICE_ID", "SWIFT_CODE"}
# enough vitals, lines and drips that the note reads as shorthand
VITALS = " BP 104/60 HR 88 SR, SATS 96% ON 2L NC. NGT TO LIS."


def _found(scanner, text):
    return {(f.entity_type, text[f.start : f.end]) for f in scanner.scan(text).findings if f.entity_type in IDENTIFYING}


def _hit(scanner, text, value):
    """A finding that covers ``value`` (or sits inside it)."""
    start = text.index(value)
    end = start + len(value)
    return [(t, v) for t, v in _found(scanner, text) for s in [text.find(v)] if s < end and start < s + len(v)]


def _both_cases(pairs):
    return [p for a, b in pairs for p in ((a, b), (a.lower(), b.lower()))]


@pytest.mark.parametrize("text", [
    "Pt rested overnight. Given Albuterol and flovent inhalers as ordered, volumes 500-600.",
    "Tmax 100.9. Given Tylenol x1 for back ache, blood cultures sent.",
])
def test_a_verb_of_giving_beside_a_drug_is_no_name_in_prose(scanner, text):
    assert not [f for f in _found(scanner, text) if f[0] == "PERSON"], _found(scanner, text)


def test_a_title_keeps_the_name_beside_a_drug(scanner):
    text = "Tmax 100.9. Tylenol given, Dr. Given aware and will follow."
    assert ("PERSON", "Given") in _found(scanner, text) or any("Given" in v for t, v in _found(scanner, text)
                                                                if t == "PERSON"), _found(scanner, text)


@pytest.mark.parametrize("text", [
    "Resp: sxned sm to md amt thick yellow, spoke to md and rn re plan.",
    "RECURRENT LOW FLOW ALARMS. RETURNED TO O.R. FOR CANNULA REPOSITION.",
])
def test_abbreviations_in_any_case_are_no_places(scanner, text):
    assert not [f for f in _found(scanner, text) if f[0] == "LOCATION"], _found(scanner, text)


def test_a_state_after_a_town_is_still_a_place(scanner):
    text = "Social: sister lives in Frederick, MD and visits weekly."
    assert any(t == "LOCATION" and "Frederick" in v for t, v in _found(scanner, text)), _found(scanner, text)


@pytest.mark.parametrize("text", [
    "87 yo female with PMH of COPD presents with a 4-5 day history of increasing SOB.",
    "CRACKLES 1/4 UP BILAT, IV LASIX GIVEN.",
    "P: GIVE 1/2 NPH THIS AM, COVER WITH SLIDING SCALE.",
])
def test_durations_and_fractions_are_no_dates_in_any_note(scanner, text):
    assert not [f for f in _found(scanner, text) if f[0] == "DATE_TIME"], _found(scanner, text)


@pytest.mark.parametrize("text", [
    "Unable to treat patient today, will f/u tomorrow.\nPager: #54321\nTime: 10:00am",
    "Hickman still flushes with good blood return. Con't to work with family for home.",
])
def test_labels_and_contractions_are_no_names(scanner, text):
    assert not [f for f in _found(scanner, text) if f[0] == "PERSON"], _found(scanner, text)


@pytest.mark.parametrize("text", [
    "hickman cath examined by interventional radiology, cath ok. dr patel spoke with husband.",
    "HICKMAN CATH EXAMINED BY INTERVENTIONAL RADIOLOGY, CATH OK. DR PATEL SPOKE WITH HUSBAND.",
])
def test_an_eponym_before_cath_is_a_device(scanner, text):
    assert not [f for f in _found(scanner, text) if f[0] == "PERSON" and "ickman" in f[1].lower()], _found(scanner, text)


def test_a_state_one_retires_to_is_no_identifier(scanner):
    text = "social: they summer in the north and retire to florida in the winter months. bp 110/60 hr 80 sats 97% ngt"
    assert not [f for f in _found(scanner, text) if "florida" in f[1]], _found(scanner, text)
