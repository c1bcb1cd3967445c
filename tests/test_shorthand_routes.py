"""Issue 17: what the routes do with nursing notes in shorthand.

A note whose health information is a procedure ("CABG", "TRACH", "thoracentesis") and
whose only identifier is a date is PHI: it stays local under ``default``.  A note with
no PHI, written in nursing shorthand, raises no doubt, so it may leave; a name beside a
role or a relation word still does.  Every example is made up in the style of ICU notes.
"""

from __future__ import annotations

import pytest

from redactor.detect.doubt import find_doubts
from redactor.policy import Route, load_policy
from redactor.prepare import prepare

DEFAULT = load_policy("default")


def route(scanner, text: str, policy=DEFAULT) -> Route:
    return prepare(text, "Summarize this note.", scanner, policy, cloud_configured=True).decision.route


@pytest.mark.parametrize(
    "text",
    [
        "RESP CARE: 7.5 TRACH IN PLACE, ON TRACH MASK .35 SINCE 9/14 AM. SX FOR SCANT WHITE.",
        "Pt to go to the OR 11/3 for CABG and AVR, consent signed.",
        "pt tolerated thoracentesis 4/22, 900cc removed. will follow up tomorrow.",
        "PT S/P PTCA 2/17, STABLE OVERNIGHT, ASA GIVEN.",
    ],
)
def test_a_procedure_and_a_date_stay_local(scanner, text):
    assert route(scanner, text) is Route.LOCAL


@pytest.mark.parametrize(
    "text",
    [
        "What is the usual recovery after a cholecystectomy?",
        "Explain CABG to a patient in plain words.",
    ],
)
def test_a_procedure_alone_may_leave(scanner, text):
    assert route(scanner, text) is Route.CLOUD


SHORTHAND_WITHOUT_PHI = [
    # vocabulary of charting, inflected, in capitals
    "NEURO: SEDATED ON PROPOFOL, AROUSABLE TO VOICE, MAE. CV: HR 80-90'S NSR, NO ECTOPY. "
    "BP 100-120/60'S. RESP: WEANED TO PSV 10/5, SATS 96-99%. ABD DISTENDED, +FLATUS. "
    "FOLEY DRAINING AMBER URINE. SKIN REDDENED ON COCCYX, DUODERM APPLIED. PLEASE SEE CAREVUE FLOWSHEET.",
    # slips of the pen in capitals, counts and units run into words
    "CV: NSR NO ECTOPY, EXTREMITEIS WARM. RESP: LS WITH CRACKELS, O2 SATS 95% ON 4L, SX X3 FOR THICK TAN. "
    "GI: TOL TF AT GOAL, OOB TO CHAIR X1. SHIFT 1900-0700.",
    # all lower case
    "npn 7p-7a. neuro: sedated, mae, perrla. cv: nsr 70-80s, no ectopy, sbp 98-110. resp: weaned to cpap, "
    "sats 97-99%, suctioned x2 for mod amts. gi: abd distended, tol tf. gu: foley draining amber urine, uo 40-60cc/hr. "
    "lytes repleted. bair hugger on for temp 95.8.",
]


@pytest.mark.parametrize("text", SHORTHAND_WITHOUT_PHI)
def test_shorthand_without_phi_raises_no_doubt(scanner, text):
    found = scanner.scan(text).findings
    assert [text[d.start : d.end] for d in find_doubts(text, found)] == []


@pytest.mark.parametrize(
    "text, name",
    [
        ("BP 110/70 HR 88 SATS 97% ON 2L NC. MAE. WIFE HOPE IN TO VISIT, UPDATED.", "HOPE"),
        ("bp 110/70 hr 88 sats 97% on 2l nc. mae. spoke with teodor re plan.", "teodor"),
        ("BP 110/70 HR 88 SATS 97% ON 2L NC. K 3.2 REPLETED. HO BRANNIGAN AWARE.", "BRANNIGAN"),
        ("BP 110/70 HR 88 SATS 97% ON 2L NC. TO MEET R. OKONKWO FROM CASE MGMT.", "R. OKONKWO"),
        ("bp 110/70 hr 88 sats 97% on 2l nc. mae. bronched by dr. farrow this am.", "farrow"),
    ],
)
def test_a_name_beside_a_role_or_relation_stays_a_doubt(scanner, text, name):
    found = scanner.scan(text).findings
    spans = [(f.start, f.end) for f in found if f.category != "QUASI_IDENTIFIER"]
    spans += [(d.start, d.end) for d in find_doubts(text, found)]
    at = text.index(name)
    assert any(a <= at and at + len(name) <= b for a, b in spans)


def test_a_shorthand_note_without_phi_may_leave_under_default(scanner):
    text = SHORTHAND_WITHOUT_PHI[0]
    assert route(scanner, text) is Route.CLOUD


def test_ranges_and_shifts_are_no_identifiers_only_in_shorthand():
    note = "SHIFT 1900-0700. HR 90-110, SATS 98-100%, K 3.22-4.25 RANGE. BP 100/60 MAE SX NGT"
    prose = "Please call 1900-0700 about the order."
    assert find_doubts(note) == []
    assert [prose[d.start : d.end] for d in find_doubts(prose)] == ["1900-0700"]


def test_a_function_word_as_a_line_label_is_no_speaker_name():
    text = "in: 2400cc out: 3100cc for shift.\nMay: called back at noon."
    doubted = [text[d.start : d.end] for d in find_doubts(text)]
    assert "in" not in doubted and "May" in doubted  # "May" is a given name and no function word


@pytest.mark.parametrize(
    "text",
    [
        "pt's son will come by between 4/2 and 4/5, flying in from reno.",
        "PT'S WIFE CALLED AT 1400, WILL VISIT 6/9.",
        "Patient's brother lives in Tulsa and will be here on 8/14.",
        "pts niece phoned, coming sat 10/3.",
    ],
)
def test_a_patient_with_a_date_or_a_place_stays_local_without_a_health_word(scanner, text):
    """Being someone's patient is health information: "pt", "the patient" with any identifier
    is PHI, even in a line of family logistics that holds no clinical word."""
    decision = prepare(text, "Summarize this note.", scanner, DEFAULT, cloud_configured=True).decision
    assert decision.route is Route.LOCAL
    assert "combination.patient-phi" in decision.rule_ids


@pytest.mark.parametrize(
    "text",
    [
        "Thank you for being patient; your order ships 4/2.",
        "Please be patient with the new system until 6/1.",
        "The site is at example.com.pt and opens 6/1.",
        "Set lang=pt-BR before 6/1.",
        "Use 12 pt font for the report due 6/1.",
        "Explain CABG to a patient in plain words.",
    ],
)
def test_patient_as_an_adjective_or_pt_as_a_code_is_no_patient(scanner, text):
    assert route(scanner, text) is Route.CLOUD


def test_a_patient_mention_is_left_in_clear_by_safe_harbor(scanner):
    text = "pt's daughter visits 4/2 from reno."
    p = prepare(text, "Summarize this note.", scanner, load_policy("hipaa-safe-harbor"), cloud_configured=True)
    assert p.decision.route is Route.CLOUD_REDACTED
    assert p.outgoing_text.startswith("pt's daughter visits ") and "4/2" not in p.outgoing_text
