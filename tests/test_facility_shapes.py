"""Facility names as clinical notes write them, in any case: a name before a specialty and a
firm word ("Gannet Bay Birthing Associates"), behind a follow-up or disposition label, and the
clinical phrases of the same shape that name nothing.  Every note here is made up; no name,
place or phrase comes from a labelled corpus."""

from __future__ import annotations

import pytest

FACILITY = "HEALTHCARE_FACILITY"


def _facilities(scanner, text):
    return [text[f.start : f.end] for f in scanner.scan(text).findings if f.entity_type == FACILITY]


def _covered(scanner, text, name):
    """Some finding, of any type, covers every word of ``name``."""
    spans = [(f.start, f.end) for f in scanner.scan(text).findings]
    start = text.index(name)
    return any(s <= start and start + len(name) <= e for s, e in spans)


# -- a specialty before a firm word, a phone number or a date -------------------------

@pytest.mark.parametrize("text, name", [
    ("F/U: DR NAKASHIMA BRAMBLEFORD CARDIOLOGY 1-800-555-0199 IN 3 WKS.", "BRAMBLEFORD CARDIOLOGY"),
    ("Follow-up: Dr. Okonjo Wrexley Cardiology 555-555-0142 in 2 weeks.", "Wrexley Cardiology"),
    ("f/u: thistlebrook endocrine associates, dr wen 1/4 at 2pm", "thistlebrook endocrine associates"),
    ("Follow-up: Dr. Ana Ruiz at Gannet Bay Birthing Associates 1/9, (555)555-0101.", "Gannet Bay Birthing Associates"),
    ("Follow-up: colonoscopy at Stonemoor Digestive Health 2/2/2027; PCP 1 week.", "Stonemoor Digestive Health"),
    ("f/u dr lim 2 wks & cardiac rehab at wrenfield cardiovascular center.", "wrenfield cardiovascular center"),
    ("Follow-up: Dr. Obi (pulm) at Tamarisk Pulmonary 3/4 at 9am.", "Tamarisk Pulmonary"),
    ("disposition: glenharrow rehab hospital, accepting md dr voss.", "glenharrow rehab hospital"),
])
def test_a_name_before_a_specialty_is_a_facility(scanner, text, name):
    assert name in _facilities(scanner, text), _facilities(scanner, text)


@pytest.mark.parametrize("text", [
    "PMH: chronic pulmonary disease, on 2L home O2.",
    "Consult Pulmonary for bronchoscopy in am.",
    "Cardiovascular: RRR, no murmurs. Digestive health counselling given.",
    "f/u: cardiology associates 2 wks, pcp in 1 wk.",
    "f/u: neuromuscular clinic w/ dr abara in 6 wks; emg 1/19.",
    "dispo: home with vna, pt and ot following.",
    "F/U: CARDIOLOGY 555-555-0111 2 WKS; CARDIAC REHAB.",
])
def test_a_clinical_phrase_before_a_specialty_names_nothing(scanner, text):
    assert _facilities(scanner, text) == []


# -- a facility's initials, defined in brackets in any case or used alone -------------

def test_a_lower_case_abbreviation_defined_after_a_facility_is_that_facility(scanner):
    text = ("disposition: thornaby rehab hospital (trh), accepting md dr quist.\n"
            "f/u: trh will call family 12/20; pt aware.")
    assert _facilities(scanner, text).count("trh") == 2, _facilities(scanner, text)


def test_the_initials_of_a_facility_used_alone_are_that_facility(scanner):
    text = ("Events: Pt admitted from Wicklow Heath Rehab 12/2 with fever.\n"
            "Dispo: likely back to WHR when stable, case mgr following.")
    assert "WHR" in _facilities(scanner, text), _facilities(scanner, text)


@pytest.mark.parametrize("text", [
    "Admitted from Carrow Hill Fields Hospital 3/1. Hx CHF, on lasix; CHF clinic to follow.",
    "Seen at Morley Regional (mr) in march. mr. vance aware.",
])
def test_initials_that_spell_a_clinical_abbreviation_or_a_title_are_no_facility(scanner, text):
    got = _facilities(scanner, text)
    assert "CHF" not in got and "mr" not in got, got


# -- a bare name behind a cue that says it is a place of care ---------------------------

@pytest.mark.parametrize("text, name", [
    ("COMPARISON: OSH FILM FROM DUNMORE VALE 12/9/26.", "DUNMORE VALE"),
    ("Comparison: outside MRI from Wyndhaven dated 2/26/2009 and MRI 11/2.", "Wyndhaven"),
    ("ER 11/30 THEN TRANSFERRED HERE.MRN FROM BELLCOTE 00-48213-7.", "BELLCOTE"),
    ("S/P CRANIOTOMY 12/3 W/ DR ABARA.PRIOR CABG AT THORNLEY IN 5/09.", "THORNLEY"),
    ("now w/ vt storm.transferred from ellerby 12/15.shocked x4 at osh.", "ellerby"),
    ("nursing note\npt transferred from dunmore vale icu 12/10 for ecmo eval.", "dunmore vale"),
    ("FAMILY ASKING ABOUT TRANSFER TO ASHBY-KERR CLOSER TO HOME,CASE MGMT AWARE.", "ASHBY-KERR"),
    ("DISPO: GARNET HOLLOW,REPORT TO NIKOS RN 555-555-0170.", "GARNET HOLLOW"),
    ("dispo: ltac screening,wexcombe accepted pt for bed on 12/12.", "wexcombe"),
    ("Spoke w/ case mgr. Tallisford admissions (Rhea) called back, bed Fri.", "Tallisford"),
    ("dispo: screening for rehab,brisworth and st. ode's both reviewing.pt prefers brisworth.", "brisworth"),
    ("dispo: screening for rehab,brisworth and st. ode's both reviewing.pt prefers brisworth.", "st. ode's"),
])
def test_a_bare_name_behind_a_cue_of_care_is_a_facility(scanner, text, name):
    assert name in _facilities(scanner, text), _facilities(scanner, text)


@pytest.mark.parametrize("text", [
    "transferred from ICU 12/10, back to baseline.",
    "Dispo: home with VNA.\nfilm from today and MRI from 12/3 reviewed.",
    "Outside records from PCP dated 3/4; CT from OSH 12/2.",
    "transferred to stepdown 12/3, return to OR 12/4.",
    "dispo: screening for rehab, PT and OT reviewing.",
    "DISPO: TBD.\nMaria accepted pt for tomorrow; Dr. Quist accepted pt to MICU.",
    "pt lives at home; seen at clinic in 3/09 and at noon on 4/2.",
    "pt found at bedsde on 12/3, resting comfortably.",
    "labs from this am 12/3 and cultures from line 12/2 pending.",
])
def test_a_clinical_phrase_behind_the_same_cues_names_no_facility(scanner, text):
    assert _facilities(scanner, text) == []


def test_a_care_home_after_a_bare_from_is_a_facility_named_again_by_its_first_word(scanner):
    text = ("NPN 7A-7P\nPT IS A 99 YO M FROM HASKETT HOUSE,DNR/DNI,ADMITTED W/ ASPIRATION PNA.\n"
            "SOCIAL: FAMILY HOPES HE CAN RETURN TO HASKETT FOR HIS BIRTHDAY.")
    got = _facilities(scanner, text)
    assert "HASKETT HOUSE" in got and "HASKETT" in got, got


@pytest.mark.parametrize("text", ["pt came from daughter's house, lives at home.",
                                  "PT FROM WHITE HOUSE AREA? NO, FROM HOME. HOUSE FIRE LAST WEEK."])
def test_a_relatives_house_after_a_bare_from_is_no_facility(scanner, text):
    assert _facilities(scanner, text) == []


@pytest.mark.parametrize("text, name", [
    ("94 yo f from lotus row (assisted living in ridgefield) admitted with fall.", "lotus row"),
    ("95 YO M BIBA FROM ASPEN HOLLOW (NURSING HOME IN MILFORD) WITH FEVER.", "ASPEN HOLLOW"),
    ("Admitted From: Quill Terrace (long-term care)\nBrief HPI: fall.", "Quill Terrace"),
    ("Her thyroid ultrasound from Gorse Point Imaging dated 2 March 2024 showed a nodule.", "Gorse Point Imaging"),
])
def test_a_name_with_its_kind_in_brackets_is_a_facility(scanner, text, name):
    assert name in _facilities(scanner, text), _facilities(scanner, text)


@pytest.mark.parametrize("text", ["lives at home (assisted living declined), wife at bedside.",
                                  "d/c to home (rehab declined); pt from the floor (snf eval pending)."])
def test_a_kind_in_brackets_after_a_clinical_phrase_names_no_facility(scanner, text):
    assert _facilities(scanner, text) == []


# -- a choice between two, a front door or bed office, a clinician's practice ---------

@pytest.mark.parametrize("text, names", [
    ("dispo: will need rehab, screening for thistlewood rehab vs orland cove", ["thistlewood rehab", "orland cove"]),
    ("DISPO: SNF. REFERRALS TO BRACKENHOLT OR MERRIDALE PARK.", ["BRACKENHOLT", "MERRIDALE PARK"]),
    ("pt 3/2 at home, readmitted via hbh ew for sternal drainage.", ["hbh"]),
    ("BIBA FROM HOME VIA OSTERLY ED WITH UROSEPSIS.", ["OSTERLY"]),
    ("PT PREFERS TO BE CLOSER TO HOME. PKM BED BOARD NOTIFIED, ACCEPTING MD DR. LI.", ["PKM"]),
    ("dr okafor d/w rcmc transfer ctr, no beds today.", ["rcmc"]),
    ("pt's hiv doc is dr quist at tamberly health.", ["tamberly health"]),
    ("59 yo f esrd on hd mwf at larchmont (chair 4), admitted with clotted av graft.", ["larchmont"]),
    ("HPI: 60M with ESRD on HD TTS at Larchmont Dialysis presented with clotted AVG.", ["Larchmont Dialysis"]),
    ("PT USED TO BE SEEN AT OLD MILL FAMILY PRACTICE BUT NOW GOES TO HAZELBROOK VALE.", ["HAZELBROOK VALE"]),
    ("SW CALLED WRENHOLT MANOR @ 555-555-0190, SPOKE W/ RAMONA.", ["WRENHOLT MANOR"]),
    ("FAMILY ASKS WHETHER PT SHOULD BE TRANSFERRED BACK TO QUENBY WHERE HIS PULMONOLOGIST IS.", ["QUENBY"]),
])
def test_a_name_or_its_letters_behind_a_screening_a_door_or_a_doctor_is_a_facility(scanner, text, names):
    found = _facilities(scanner, text)
    assert all(n in found for n in names), found


@pytest.mark.parametrize("text", [
    "psych: screening for depression vs anxiety, sw following.",
    "dispo: screening for acute rehab vs snf, pt/ot following.",
    "CAME IN VIA OSH ED, THEN VIA ICU ER? NO.",
    "ICU admissions full tonight; PT admissions paperwork done.",
    "CT W/ L SDH, TRANSFERRED HERE. PRIOR ADMISSIONS THERE 4/97 (CHOLECYSTECTOMY).",
    "f/u dr smith at home health in 2 wks.",
    "referred to pt vs ot.",
    "hd at bedside today, hd mwf at home via pd? no. HD AT 0800.",
    "pt goes to bathroom with assist, went to sleep at 2200. GOES TO FLOOR.",
    "pt went to Boston. son went to church.",
    "pt transferred back to floor where family met him. PAST MEDICAL @ BEDSIDE REVIEWED.",
])
def test_the_same_cues_before_clinical_words_name_no_facility(scanner, text):
    assert _facilities(scanner, text) == []
