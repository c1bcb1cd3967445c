"""The shapes clinical text gives identifiers, beyond sentences: records pasted as
tables or HL7, names in forms and signatures, towns beside a cue, streets named
without a number; and the clinical look-alikes that are none of these.  Surrogate
values only."""

from __future__ import annotations

import pytest

from redactor.detect.names import NameRecognizer
from redactor.detect.pii import StreetAddressRecognizer
from redactor.detect.records import RecordRecognizer, column_type


def _found(recognizer, text):
    return {(r.entity_type, text[r.start : r.end]) for r in recognizer.analyze(text, [])}


def _scan(scanner, text, types=None):
    return {(f.entity_type, text[f.start : f.end]) for f in scanner.scan(text).findings
            if types is None or f.entity_type in types}


def test_table_cells_under_identifier_headers():
    text = ("enc_id|mrn|patient_name|dob|sex|zip|dx_primary|phone\n"
            "E0011223|M3300111|DOE^JANE|1950-01-02|F|60601|J18.9|3125550100\n")
    found = _found(RecordRecognizer(), text)
    assert {("UNIQUE_ID", "E0011223"), ("MEDICAL_RECORD_NUMBER", "M3300111"), ("PERSON", "DOE^JANE"),
            ("DATE_TIME", "1950-01-02"), ("ZIP_CODE", "60601"), ("PHONE_NUMBER", "3125550100")} <= found
    assert not {v for _, v in found} & {"F", "J18.9"}


def test_prose_with_commas_is_not_a_table():
    text = "Name, DOB and MRN were verified at the desk.\nShe was seen, examined, and sent home."
    assert _found(RecordRecognizer(), text) == set()


@pytest.mark.parametrize("header,expected", [("patient_id", "UNIQUE_ID"), ("member_id", "HEALTH_PLAN_ID"),
                                             ("drug_name", None), ("admit_date", "DATE_TIME"), ("sex", None)])
def test_column_types(header, expected):
    assert column_type(header) == expected


def test_hl7_fields_by_position():
    text = ("MSH|^~\\&|EPIC|GEN|LAB|GEN|20260101083000||ORU^R01|MSG0001|P|2.5.1\n"
            "PID|1||7700123^^^GEN^MR||ROE^RICHARD^Q||19400105|M|||12 OAK ST^^SPRINGFIELD^IL^62701||(217)555-0100\n"
            "PV1|1|I|4W^401^A^GEN||||1234567893^PATEL^ANITA^^^^MD\n")
    found = _found(RecordRecognizer(), text)
    assert {("MEDICAL_RECORD_NUMBER", "7700123"), ("PERSON", "ROE^RICHARD^Q"), ("DATE_TIME", "19400105"),
            ("PHONE_NUMBER", "(217)555-0100"), ("PERSON", "PATEL^ANITA")} <= found


@pytest.mark.parametrize(
    "text,name",
    [("Physician    : GREENBERG, ELI             Reported", "GREENBERG, ELI"), ("Ordering: BRENNAN, M", "BRENNAN, M"),
     ("Received report from Jordan, RN. Alert.", "Jordan"), ("Discussed with RN Lakshmi at 1400.", "Lakshmi"),
     ("pt seen w daughter maria today", "maria"), ("hi dr. patel, this is about my mom", "patel"),
     ("bp fine today.\n-jt", "jt"), ("please call me back. thanks, bill", "bill")],
)  # fmt: skip
def test_names_in_forms_and_signatures(text, name):
    assert ("PERSON", name) in _found(NameRecognizer(), text)


@pytest.mark.parametrize("text", ["Seattle, WA 98101 and Erie, PA.", "Follow-up list:\n- CBC\n- BMP", "my daughter will drive"])
def test_form_name_look_alikes(text):
    assert not [v for t, v in _found(NameRecognizer(), text) if t == "PERSON" and v in ("Seattle, WA", "Erie", "CBC", "will")]


@pytest.mark.parametrize(
    "text,place",
    [("He lives at 9 Elm Rd in Montpelier and drove in.", "Montpelier"), ("family in Slaton, near Lubbock", "Slaton"),
     ("staying at a shelter in Tacoma. Drives a 2009 Toyota.", "Tacoma"), ("Agency: Deschutes County Fire", "Deschutes County"),
     ("fill history (Riverside Apothecary, Bowling Green, KY)", "Bowling Green")],
)  # fmt: skip
def test_towns_beside_a_cue(scanner, text, place):
    assert any(t == "LOCATION" and place in v for t, v in _scan(scanner, text))


def test_a_car_is_not_a_place(scanner):
    assert ("LOCATION", "Toyota") not in _scan(scanner, "Drives a 2009 Toyota, plate BZR 4471.")


@pytest.mark.parametrize(
    "text,street",
    [("a cafe on Fremont Ave N in Seattle", "Fremont Ave N"), ("stairs to her apt on S Jackson St. Exam: ok", "S Jackson St."),
     ("SEE DR. PATEL AT 7401 MARKET ST, BOARDMAN 44512.", "7401 MARKET ST")],
)  # fmt: skip
def test_streets_named_without_a_number_or_in_capitals(text, street):
    assert any(street in v for _, v in _found(StreetAddressRecognizer(), text))


@pytest.mark.parametrize(
    "text",
    ["shelter in Tacoma. Drives a 2009 Toyota.", "Sacral stage 2 pressure injury.", "Pain 5/10 at rest.",
     "Unit 6 West, Bed 14.", "MICU NOTE - HD#4", "Missed 9 shifts at the warehouse.", "Seen at Kaiser Dr. Lee's office."],
)  # fmt: skip
def test_address_look_alikes_in_notes(text):
    assert _found(StreetAddressRecognizer(), text) == set()


@pytest.mark.parametrize(
    "text",
    ["Labs: WBC 14.2, Na 131, Cr 1.4, Hgb 8.9, Plt 96.", "Growth: Wt 9.8 kg, Len 75.5 cm.", "EtOH 2-3 drinks on weekends.",
     "Neuro: no Babinski, Romberg positive.", "Leads at RA appendage and RV septum.", "PMH: HTN, HLD, OA bilateral knees.",
     "Can Plavix and omeprazole be given together?", "Guillain-Barré vs tick paralysis?"],
)  # fmt: skip
def test_clinical_look_alikes_are_not_people_or_places(scanner, text):
    assert not _scan(scanner, text, ("PERSON", "LOCATION"))


@pytest.mark.parametrize(
    "text,value",
    [("Strength 5/5 on the right and 3/5 on the left.", "3/5"), ("H/H stable 10.4/31.2.", "4/31"), ("CV: RRR, 2/6 SEM.", "2/6"),
     ("Fatigue 6/10 today.", "6/10"), ("approx 70-80 y/o female", "70-80"), ("Hgb/Hct 10/31, platelets 212.", "10/31")],
)  # fmt: skip
def test_readings_and_ranges_are_not_dates(scanner, text, value):
    assert ("DATE_TIME", value) not in _scan(scanner, text)


@pytest.mark.parametrize(
    "text,age", [("She turned 95 last week.", "95"), ("shes 91 so they worry", "91"), ("Resident, age ninety-three.", "ninety-three"),
                 ("His 90th birthday is soon.", "90th")],
)  # fmt: skip
def test_ages_over_89_in_prose(scanner, text, age):
    assert ("AGE_OVER_89", age) in _scan(scanner, text)


def test_billing_codes_and_typing_slips_are_not_doubts():
    from redactor.detect.doubt import find_doubts

    for text in ("Does 93000 include the interpretation, or is that billed as 93010?",
                 "is 3 days of diarhea after antibiotics c diff", "A patient with MS asks about vitamin D."):
        assert find_doubts(text) == [], text
    assert find_doubts("my account 48213 was billed twice")  # an identifier cue keeps the number a doubt
    assert find_doubts("hi this is maria delacroix call me")


@pytest.mark.parametrize(
    "text,value",
    [("on mtx (01/2026-07/2026), then", "01/2026"), ("on mtx (01/2026-07/2026), then", "07/2026"), ("delivery Nov 12-14. Questions", "Nov 12-14"),
     ("I see her on Thursday the 14th at 10:40", "Thursday the 14th"), ("from the 3rd of february visit", "3rd of february")],
)  # fmt: skip
def test_dates_written_in_words_and_spans(scanner, text, value):
    assert ("DATE_TIME", value) in _scan(scanner, text)


def test_ordinals_that_are_not_dates(scanner):
    assert not _scan(scanner, "Celebrating its 10th year; on the 2nd floor for the 3rd time.", ("DATE_TIME",))


@pytest.mark.parametrize(
    "text,value",
    [("Theresa Villanueva-Ortiz, LMFT #104482", "104482"), ("State file no. 2026-0418833", "2026-0418833"),
     ("Incident # PRV-2026-0311 | Reported", "PRV-2026-0311"), ("Case: SP26-14872   Received", "SP26-14872")],
)  # fmt: skip
def test_numbers_behind_identifier_cues(scanner, text, value):
    assert any(v == value for _, v in _scan(scanner, text))


def test_a_given_name_in_the_clinical_word_list_stays_a_name(scanner):
    # "Grace" is in clinical_words.txt for an eponym; NER's "daughter Grace" is still a person
    text = "Discussed the plan with his daughter Grace at the bedside."
    assert ("PERSON", "Grace") in _scan(scanner, text)


@pytest.mark.parametrize("text,name", [("Hope Castellanos was seen in clinic today.", "Hope Castellanos"),
                                       ("Faith Okonjo-Reyes called back about the refill.", "Faith Okonjo-Reyes")])  # fmt: skip
def test_a_given_name_that_is_a_word_opens_a_sentence_before_a_surname(scanner, text, name):
    assert ("PERSON", name) in _scan(scanner, text)


def test_a_word_before_a_disease_eponym_is_not_a_name(scanner):
    assert not [f for f in _scan(scanner, "Early Parkinson's disease, stage 2.") if f[0] == "PERSON"]
