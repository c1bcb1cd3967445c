"""Issue 17: gaps on ICU notes — phone extensions, second mentions, doubts on nursing words.

Every example is made up in the style of ICU notes (none is taken from a corpus).
"""

from __future__ import annotations

import pytest


def values(scanner, text: str, kind: str) -> list[str]:
    return [text[f.start : f.end] for f in scanner.scan(text).findings if f.entity_type == kind]


# A shorthand note around each phone: vitals and drips, so the shorthand safe patterns run.
_NOTE = "NEURO: A+OX3, MAE.\nCV: SR 70-80'S, BP 110-130/60'S, NEO 0.5 MCG/KG/MIN.\nRESP: 2L NC, SATS 96%.\n{}\n"


@pytest.mark.parametrize(
    "line, phone",
    [
        ("SOCIAL: BROTHER ASKS FOR A CALL AT WORK 978-555-0144 X2290.", "978-555-0144 X2290"),
        ("SOCIAL: BROTHER ASKS FOR A CALL AT WORK 978-555-0144 EXT 31.", "978-555-0144 EXT 31"),
        ("Social: sister's office (774) 555-0123 x 4410 if no answer at home.", "(774) 555-0123 x 4410"),
        ("Social: accepting MD at the rehab (508-555-0166 x3327), report called.", "508-555-0166 x3327"),
    ],
)
def test_an_extension_is_part_of_its_phone_number_in_a_note(scanner, line, phone):
    assert phone in values(scanner, _NOTE.format(line), "PHONE_NUMBER")


@pytest.mark.parametrize(
    "line, number",
    [
        ("T. VOSKUIJLEN RN CM X3-4471", "3-4471"),
        ("case mgr p. lindqvist-oyelaran x6-2035", "6-2035"),
        ("renal fellow aware, paged re: potassium, #2-8816.", "2-8816"),
        ("Questions: call the unit at x 5521.", "5521"),
    ],
)
def test_a_bare_internal_extension_is_a_phone_number(scanner, line, number):
    assert number in values(scanner, _NOTE.format(line), "PHONE_NUMBER")


@pytest.mark.parametrize(
    "line",
    [
        "GI: TF AT GOAL, FREE H2O 250 X4 DAILY.",
        "RESP: VENT AC 500 X 16, PEEP 5, ABG 7.41/38/96.",
        "Heme: 2 u prbc x 2 today, hct 24 -> 29.",
        "Lines: #20 L FA, #18 R AC; TLC R IJ.",
    ],
)
def test_counts_and_line_sizes_are_no_extensions(scanner, line):
    assert values(scanner, _NOTE.format(line), "PHONE_NUMBER") == []


# -- second mentions -------------------------------------------------------------------


def named(scanner, text: str, word: str) -> int:
    """How many of ``word``'s occurrences a person or facility finding holds."""
    found = [text[f.start:f.end] for f in scanner.scan(text).findings if f.entity_type in ("PERSON", "HEALTHCARE_FACILITY")]
    return sum(v.count(word) for v in found)


@pytest.mark.parametrize(
    "text, word",
    [
        ("pt transferred from Tamsworth Rehab 3/2 with urosepsis, neo 0.5, sats 97% on 2l.\n"
         "tamsworth called for update. plan back to tamsworth when stable.", "tamsworth"),
        ("Pt transferred from Tamsworth Rehab with urosepsis. Lasix 20 IV given.\n"
         "Tamsworth called for an update; plan: back to Tamsworth when stable.", "Tamsworth"),
        ("HPI: 71 yo M sent from Quillan Valley Hospital for NSTEMI, heparin gtt.\n"
         "F/U: cardiology at quillan, 11/20.", "uillan"),
    ],
)
def test_a_later_bare_mention_of_a_facility_is_that_facility(scanner, text, word):
    assert named(scanner, text, word) == text.count(word)


@pytest.mark.parametrize(
    "text, word",
    [
        ("pt s/p cabg, neo 0.5, sats 97% on 2l. dr wojtaszek aware of low uo.\n"
         "lasix 20 iv x1 per wojtaszek, uo now 60cc/hr.", "wojtaszek"),
        ("NEO 0.5, SATS 97% ON 2L. DR WOJTASZEK AWARE OF LOW UO.\n"
         "LASIX 20 IV X1 PER WOJTASZEK, UO NOW 60CC/HR. WOJTASZEK TO SEE PT IN AM.", "WOJTASZEK"),
    ],
)
def test_a_later_bare_mention_of_a_surname_is_that_person(scanner, text, word):
    assert named(scanner, text, word) == text.count(word)


@pytest.mark.parametrize(
    "text, word",
    [
        # a surname that is also a word: its later bare use is the word
        ("NEO 0.5, SATS 97% ON 2L. DR THRUSH AWARE OF LOW UO.\nMOUTH CARE FOR THRUSH, NYSTATIN SWISH.", "THRUSH"),
        # a facility's word of care is not the facility
        ("Pt transferred from Tamsworth Rehab with urosepsis.\nPT/OT consult placed for rehab needs.", "rehab"),
    ],
)
def test_ordinary_words_of_a_name_are_not_propagated(scanner, text, word):
    last = text.rindex(word)
    found = [f for f in scanner.scan(text).findings if f.entity_type in ("PERSON", "HEALTHCARE_FACILITY")]
    assert not any(f.start <= last < f.end for f in found)
