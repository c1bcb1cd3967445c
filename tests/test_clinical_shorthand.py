"""ICU nursing shorthand (issue 17): PHI found by context in capitals and lower case, and
the shapes of shorthand that are not PHI.  Every note here is made up in the style of
real nursing notes; no name, place or phrase comes from a labelled corpus."""

from __future__ import annotations

import pytest

from redactor.detect.shorthand import is_shorthand

IDENTIFYING = {"PERSON", "LOCATION", "HEALTHCARE_FACILITY", "DATE_TIME", "PHONE_NUMBER", "STREET_ADDRESS", "URL",
               "UNIQUE_ID", "DEVICE_ID", "SWIFT_CODE"}


def _found(scanner, text):
    return {(f.entity_type, text[f.start : f.end]) for f in scanner.scan(text).findings if f.entity_type in IDENTIFYING}


def _values(scanner, text):
    return {v for _, v in _found(scanner, text)}


# -- missed names -------------------------------------------------------------------------

@pytest.mark.parametrize("text, name", [
    ("CV: HR 90-110 ST. SBP 88. R. OKAFOR AWARE, NEO STARTED AT 40MCG.", "R. OKAFOR"),
    ("RESP: PS 10/5 40%. PER DR LINDQVIST WEAN TO CPAP IN AM. NGT TO LCS.", "LINDQVIST"),
    ("neuro: a&ox3, mae. seen by m. ferris np, lasix 40 iv given. foley draining clear.", "m. ferris"),
    ("Vent settings unchanged, sx'd for thick tan via ett. ABG 7.38/41/92.\nAna Ruiz RRT", "Ana Ruiz"),
    ("GI: TF AT GOAL 60CC/HR. HEPARIN GTT AT 900U/HR, PTT DUE 2200. DRS HALVORSEN AND BRANDT AT BEDSIDE.",
     "HALVORSEN"),
    ("bp 100-120/60s on levo .08. k repleted. plan per dr. wojcik, cont cvvh. ngt to lws.", "wojcik"),
])
def test_clinicians_by_title_initial_or_credential(scanner, text, name):
    assert any(name in v or v in name and len(v) > 2 for v in _values(scanner, text)), _found(scanner, text)


@pytest.mark.parametrize("text, name", [
    ("SOCIAL: DAUGHTER-MAYA CALLED X2, UPDATED RE PLAN. PT FULL CODE. BP 96/50, NEO AT 0.5.", "MAYA"),
    ("social: wife helen in to visit, spoke with tomasz (son) re goals of care. vss, afeb. ngt clamped.", "helen"),
    ("social: wife helen in to visit, spoke with tomasz (son) re goals of care. vss, afeb. ngt clamped.", "tomasz"),
    ("SOCIAL: CAREGIVER, BEATRIZ, AT BEDSIDE MOST OF SHIFT. HR 80S SR. FOLEY PATENT. SATS 95% 4L NC.", "BEATRIZ"),
])
def test_relatives_after_a_relation_word(scanner, text, name):
    assert name in _values(scanner, text), _found(scanner, text)


# -- missed places, dates and phones --------------------------------------------------------

@pytest.mark.parametrize("text, place", [
    ("72 YO M S/P FALL AT HOME, ADMITTED TO SJH THEN TRANSFERRED HERE FOR CATH. BP 140/70, HR 60S.", "SJH"),
    ("pt stable, sbp 110s, off neo. plan: transfer to whitmore 4 in am if bed available. ngt dc'd.", "whitmore 4"),
    ("PT MEDFLIGHTED FROM KELLERMAN MED CTR WITH STEMI. HEPARIN GTT 1000U/HR. SATS 98% 2L NC.",
     "KELLERMAN MED CTR"),
])
def test_hospitals_and_wards_after_admission_and_transfer_cues(scanner, text, place):
    assert any(place in v for v in _values(scanner, text)), _found(scanner, text)


@pytest.mark.parametrize("text, date", [
    ("PMH: HTN, DM2, S/P CABG 4/97, AFIB. ALLERGIES: PCN. BP 130/60 HR 70S SR. LASIX 40 IV GIVEN.", "4/97"),
    ("pmh: copd, mi (11/03), chf ef 30%. vss, sats 94% 3l nc, ngt to lws, foley draining.", "11/03"),
])
def test_month_and_two_digit_year_in_a_history(scanner, text, date):
    assert date in _values(scanner, text), _found(scanner, text)


@pytest.mark.parametrize("text, phone", [
    ("PT SEEN FOR MOBILITY, OOB TO CHAIR WITH ASSIST X2.\nPager #40417\nTime: 2:10pm", "40417"),
    ("resp therapy eval done, sats 93% 4l nc. pg 31877 with questions.", "31877"),
    ("paged neuro ir dr oduya (pgr 5523). accepted, sats 93% 4l nc.", "5523"),
    # a number written with slashes; not a ventilator triple ("SIMV 100/500/1000")
    ("DTR ASKS FOR CALL IF ANY CHANGE 413/555/0128. SIMV 100/500/1000, SATS 96%.", "413/555/0128"),
])
def test_pager_and_slashed_phone_numbers(scanner, text, phone):
    assert ("PHONE_NUMBER", phone) in _found(scanner, text)


# -- false alarms ----------------------------------------------------------------------------

CLEAN_NOTES = [
    # capitalised clinical words and system headers
    "NEURO: A&OX3, MAE. CV: HR 70-90'S SR, NO ECTOPY. GU: FOLEY DRAINING CLEAR AMBER URINE. ENDO: RISS. "
    "GIVEN NS BOLUS 500CC FOR SBP 80S WITH GOOD EFFECT.",
    "Endo: FS 180, covered per scale. Wean vent as tolerated. Neo weaned to off at 1400. Swan pulled back to CVP.",
    # 24-hour times, vital and lab ranges, vent settings, fractions
    "RESP: PS 12/5/40%, TV 450-500, RR 18-22. SX'D AT 1830 FOR THICK TAN. ABG 7.41-38-96. LABS DUE 2000. "
    "MAE 5/5. IVF D5 1/2 NS AT 75CC/HR. CRACKLES 1/3 UP BILAT.",
    # run-on sentences and doses read as addresses
    "lungs clear.no edema. conts on dopa at 5mcg, hep at 900u/hr, ptt 62. via face tent, rr 20s, sats 95%. "
    "pt tolerating tf.abd soft.",
    "CONT ON NEO AND A RATE 14 ON AC. PTT 67 AT 0400. O2 WEANED TO 2L NC, SATS 96%. 3 WAY FOLEY IN PLACE.",
    # abbreviations that are also states or towns
    "resp: 2l nc, sats 97%. abd soft, nd, nt. vt 500, peep 5. pt up to chair, tolerated well.",
]


@pytest.mark.parametrize("text", CLEAN_NOTES)
def test_shorthand_without_phi_finds_nothing(scanner, text):
    assert is_shorthand(text)
    assert not _found(scanner, text)


def test_a_word_that_is_a_name_needs_context(scanner):
    """"Foley" the catheter is no one; a clinician named Foley is someone."""
    assert not _found(scanner, "GU: FOLEY TO GRAVITY, DRAINING 40CC/HR. BP 110/60, HR 80S. LASIX 20 IV GIVEN.")
    found = _values(scanner, "GU: FOLEY TO GRAVITY, UO 40CC/HR. DR FOLEY AWARE OF LOW UO, LASIX 20 IV GIVEN.")
    assert any("FOLEY" in v for v in found), found


def test_prose_is_not_shorthand():
    assert not is_shorthand("Will you review the May budget? Main Street Partners and Apple Inc. sent guidelines.")


@pytest.mark.parametrize("text, name", [
    ("PT RESTING.UPDATED BY NP K. ABERNATHY. BP 110/60 HR 70S SATS 96% 2L NC.", "K. ABERNATHY"),
    ("plan for rehab, case mgr d. vasquez-lind following. hr 80s, foley draining.", "d. vasquez-lind"),
    ("hr 90s on neo gtt, seen by renal fellow t. oyelaran, cvvh to start.", "t. oyelaran"),
])  # fmt: skip
def test_clinicians_by_role_then_initial_and_surname(scanner, text, name):
    assert any(t == "PERSON" and name in v for t, v in _found(scanner, text)), _found(scanner, text)
