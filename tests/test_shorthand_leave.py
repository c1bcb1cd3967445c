"""Issue 17: PHI-free nursing notes the doubt pass held for a word no list knew.

Common ICU terms ("meq", "pca", "crepitus"), a role ending the line before, vent settings, a
long drug or clinical word with two slips of the pen, a short word with a letter too many, a
preposition run into a word and "-otic" from "-osis" are no doubts in a shorthand note; a name
that is also a care word still is one beside a relation word, and a name two slips from an
ordinary word or a city is one too.
Every example is made up in the style of ICU notes (none is taken from a corpus).
"""

from __future__ import annotations

import pytest

from redactor.detect.doubt import find_doubts
from redactor.detect.slips import SlipIndex

# A shorthand note around each line: vitals and drips, so the doubt pass reads it as one.
_NOTE = "NEURO: A+OX3, MAE.\nCV: SR 70-80'S, BP 110-130/60'S, NEO 0.5 MCG/KG/MIN.\nRESP: 2L NC, SATS 96%.\n{}\n"


def doubted(line: str) -> list[str]:
    """The doubts on ``line`` in a note typed as the line is (in lower case, every word no
    list knows is a doubt)."""
    text = (_NOTE.lower() if line.islower() else _NOTE).format(line)
    return [text[d.start : d.end] for d in find_doubts(text)]


@pytest.mark.parametrize(
    "line",
    [
        "lytes: k 3.4, 40 meq kcl po; mg repleted, coags and crea pending.",
        "pain: mso4 via pca, 1 mg ivp x2 for breakthrough.",
        "SKIN: STAGE 2 ON COCCYX WITH ESCHAR, NO CREPITUS, LLE AND RLE WARM.",
        "GU: FOLEY DRAINING TO GRAV, CALC AND PRELIM CULTURES SENT.",
        "RESP: WHEEZY AT APICES, POOR AERATION AT BASES.",
        "gi: senna and colace given, tolerating jello.",
        "resp: expectorated thick sputum, bibasilar crackles. cv: apaced 80. gu: anuric, coude cath.",
    ],
)
def test_common_icu_terms_are_no_doubts(line):
    assert doubted(line) == []


def test_a_role_ending_the_line_before_is_no_person_context():
    # "NP" here is nasal prongs, and it ends its line: the next line's first word is no name
    assert doubted("SATS 95% ON 4L NP.\nGU-FOLEY DRAINING CLEAR YELLOW.") == []


@pytest.mark.parametrize("line", ["vent: a/c 550-14-peep 8, 50%.", "vent: simv 700 12/25 40%."])
def test_numbers_after_a_vent_mode_are_its_settings(line):
    assert doubted(line) == []


@pytest.mark.parametrize(
    "line",
    [
        "ID: VANCOMICINE 1 GM IV Q12H.",  # two slips: vancomycin
        "chest tube tosuction, no leak.",  # run together
        "BACK: KYPHOTIC, SKIN INTACT.",  # kyphosis
        "gu: foleey draining clear urine. gi: soft stoool x1.",  # a letter too many in a short word
        "CV: BP PLUMMETED TO 70S ON TURNING.",
    ],
)
def test_slips_and_run_together_words_are_no_doubts(line):
    assert doubted(line) == []


@pytest.mark.parametrize(
    "line, name",
    [
        ("SOCIAL: WIFE FOLEY AT BEDSIDE, UPDATED.", "FOLEY"),
        ("SOCIAL: SISTER SENNA CALLED, UPDATED.", "SENNA"),
        ("social: spoke with thrush, pt's niece.", "thrush"),
    ],
)
def test_a_care_word_that_is_a_name_stays_a_doubt_beside_a_relation_word(line, name):
    assert name in doubted(line)


def test_two_slips_only_in_a_long_word_with_its_first_letter():
    index = SlipIndex(["intermittent", "vancomycin", "heparin"])
    assert index.near("intermitant")  # a "t" lost, an "e" typed "a"
    assert not index.near("vancomycinxyz")  # three slips
    assert not index.near("hepprin")  # seven letters: too short for two slips
    assert not index.near("mtermittent")  # first letter lost


@pytest.mark.parametrize(
    "line, value",
    [
        ("social: daughter drove in from rockport.", "rockport"),  # a town two slips from "rockford"
        ("K 5.6, KAYEXALATE GIVEN. R. BRANDSEN AWARE.", "BRANDSEN"),  # a surname two slips from "grandson"
    ],
)
def test_a_name_two_slips_from_an_ordinary_word_stays_a_doubt(line, value):
    assert any(value in d for d in doubted(line))
