"""Issue 17: names and years that nursing shorthand writes by context alone.

Every example is made up in the style of ICU notes (none is taken from a corpus).
"""

from __future__ import annotations

import pytest


def values(scanner, text: str, kind: str) -> list[str]:
    return [text[f.start : f.end] for f in scanner.scan(text).findings if f.entity_type == kind]


@pytest.mark.parametrize(
    "text, name",
    [
        # after "DR", a surname that is also a word
        ("BP TRENDING DOWN, NEO INCREASED PER DR. BARKER. UO 30CC/HR, MAE, SATS 97%.", "BARKER"),
        ("bp trending down, neo increased per dr. barker. uo 30cc/hr, mae, sats 97%.", "barker"),
        ("HR 110S ST. SPOKE AT LENGTH WITH DR SMALL AND DR FOX ABOUT GOALS. NGT TO LCWS.", "SMALL"),
        # a role before a surname
        ("K 3.1, REPLETED. HO DRUMMOND AWARE OF LOW UO, NS BOLUS GIVEN. MAE, SATS 95%.", "DRUMMOND"),
        ("k 3.1 repleted. house staff elena drummond aware of low uo. mae, sats 95%.", "elena drummond"),
        ("lasix given, resident okafor at bedside for aline placement. sbp 100s, mae.", "okafor"),
    ],
)
def test_clinicians_after_a_title_or_role(scanner, text, name):
    assert name in values(scanner, text, "PERSON")


@pytest.mark.parametrize(
    "text",
    [
        "K 3.1, REPLETED. HO AWARE OF LOW UO, RESIDENT PAGED. DR WILL CALL BACK. SATS 95%, MAE.",
        "k 3.1 repleted. resident paged, fellow aware. pa line in place, sbp 100s, mae.",
    ],
)
def test_roles_and_actions_are_not_names(scanner, text):
    assert values(scanner, text, "PERSON") == []


@pytest.mark.parametrize(
    "text, year",
    [
        ("PMH: CAD S/P MI '97, CABG X3 '01, HTN, DM.", "'97"),
        ("PMH: CAD S/P MI '97, CABG X3 '01, HTN, DM.", "'01"),
        ("pmh: cva 88', iddm, s/p cholecystectomy 79'.", "79'"),
        ("PMH: BREAST CA S/P L MASTECTOMY IN 1996, HTN.", "1996"),
        ("hx: mi in '03 and redo cabg in '09, copd.", "'09"),
    ],
)
def test_years_of_a_medical_history(scanner, text, year):
    found = values(scanner, text, "DATE_YEAR")
    assert any(year.strip("'") in v for v in found), found


@pytest.mark.parametrize(
    "text",
    [
        "HR 70S NSR, SBP 90S. NEXT PTT DUE AT 2000, HEPARIN AT 900U/HR. MAE, SATS 96%.",
        "nsr 80s, sbp 100s, extubated @ 2030, sats 97% on 4l nc, mae. labs at 2100.",
    ],
)
def test_clock_times_in_shorthand_are_no_years(scanner, text):
    assert values(scanner, text, "DATE_YEAR") == [] and values(scanner, text, "DATE_TIME") == []


_VITALS = "NEURO: A+OX3, MAE. CV: HR 80-90S SR, BP 110-130/60S. RESP: 4L NC SATS 95-97%.\n"


@pytest.mark.parametrize(
    "line, name",
    [
        ("HO OCONNELL NOTIFIED OF UO 15CC/HR X2.", "OCONNELL"),
        ("bp soft.ho mcdonald at bedside, ns 500cc bolus.", "mcdonald"),
        ("SOCIAL: HUSBAND PIOTR AND DTR AGATA IN UNTIL 2000.", "AGATA"),
    ],
)
def test_a_frequent_surname_after_a_role_and_a_second_relative(scanner, line, name):
    assert name in values(scanner, _VITALS + line, "PERSON")


@pytest.mark.parametrize("signed", ["jk rn", "KW RRT", "mw np."])
def test_initials_signing_a_note_on_their_own_line(scanner, signed):
    text = _VITALS + "pt resting comfortably, family updated.\n" + signed
    assert values(scanner, text, "PERSON") == [signed.split()[0]]


@pytest.mark.parametrize("line", ["HO AWARE OF K 3.1, REPLETED.", "RESIDENT WELL INFORMED.", "HO PAGED X2."])
def test_a_role_before_a_word_is_no_name(scanner, line):
    assert values(scanner, _VITALS + line, "PERSON") == []
