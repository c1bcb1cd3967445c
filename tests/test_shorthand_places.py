"""Places in ICU nursing shorthand (issue 17): hospitals, wards named after people or
places, and towns, found by the cue in front of them in ALL CAPS and in lower case; and
the units and shorthand that stand behind the same cues and are no place.  Every note
here is made up in the style of real nursing notes; no name, place or phrase comes
from a labelled corpus."""

from __future__ import annotations

import pytest

from redactor.detect.shorthand import is_shorthand

PLACES = {"LOCATION", "HEALTHCARE_FACILITY"}
# Enough vitals and lines that every note below reads as shorthand.
VITALS = " HR 80S SR, BP 110/60, SATS 96% 2L NC. FOLEY DRAINING CLEAR. NGT TO LIS."


def _places(scanner, text, types=PLACES):
    return [text[f.start : f.end] for f in scanner.scan(text).findings if f.entity_type in types]


def _cases(rows):
    """Each note in ALL CAPS and in lower case, with its place in the same case."""
    out = []
    for text, place in rows:
        out += [pytest.param(text.upper() + VITALS, place.upper(), id=f"CAPS-{place}"),
                pytest.param((text + VITALS).lower(), place.lower(), id=f"lower-{place}")]
    return out


def _found(scanner, text, place, types=PLACES):
    assert is_shorthand(text)
    got = _places(scanner, text, types)
    return all(any(w in v.split() or w in v for v in got) for w in place.split()), got


# -- a sentence in capitals before a head word is no facility name --------------------

@pytest.mark.parametrize("text", [
    "ANXIOUS TO LEAVE MICU AND GO TO REHAB. NEURO: A&OX3, MAE.",
    "SOCIAL: WIFE CALLED. PATIENT SCREENED BY REHAB, MAY LEAVE FRI.",
    "P: CONT WITH CARDIAC REHAB, DC CT'S WHEN OUTPUT LESS.",
    "PMH: BREAST CA. SHE BECAME SEPTIC AND HAD PROLONGED HOSPITAL STAY IN 2001.",
    "DC'D FROM REHAB TO HOME LAST MONTH, NOW READMITTED.",
])
def test_a_sentence_in_capitals_before_a_head_is_no_facility(scanner, text):
    text += VITALS
    assert is_shorthand(text)
    assert not _places(scanner, text), _places(scanner, text)


@pytest.mark.parametrize("text, place", [
    ("FOUND DOWN IN ST AGATHA HOSPITAL, TRANSFERRED FOR CATH.", "ST AGATHA HOSPITAL"),
    ("SCREENED BY TOWSON REHAB, BED OFFERED FOR MONDAY.", "TOWSON REHAB"),
])
def test_a_name_in_capitals_before_a_head_is_a_facility(scanner, text, place):
    text += VITALS
    assert place in _places(scanner, text), _places(scanner, text)


