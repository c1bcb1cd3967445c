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

