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
        # a bare internal extension is a phone number
        ("T. VOSKUIJLEN RN CM X3-4471", "3-4471"),
        ("case mgr p. lindqvist-oyelaran x6-2035", "6-2035"),
        ("renal fellow aware, paged re: potassium, #2-8816.", "2-8816"),
        ("Questions: call the unit at x 5521.", "5521"),
    ],
)
def test_an_extension_is_part_of_its_phone_number_in_a_note(scanner, line, phone):
    assert phone in values(scanner, _NOTE.format(line), "PHONE_NUMBER")


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
        # a surname named with a title, then alone
        ("pt s/p cabg, neo 0.5, sats 97% on 2l. dr wojtaszek aware of low uo.\n"
         "lasix 20 iv x1 per wojtaszek, uo now 60cc/hr.", "wojtaszek"),
        ("NEO 0.5, SATS 97% ON 2L. DR WOJTASZEK AWARE OF LOW UO.\n"
         "LASIX 20 IV X1 PER WOJTASZEK, UO NOW 60CC/HR. WOJTASZEK TO SEE PT IN AM.", "WOJTASZEK"),
    ],
)
def test_a_later_bare_mention_is_the_facility_or_person_named_before(scanner, text, word):
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


# -- doubts on nursing words -----------------------------------------------------------


def doubted(text: str) -> list[str]:
    from redactor.detect.doubt import find_doubts

    return [text[d.start : d.end] for d in find_doubts(text)]


_VITALS = "BP 110/60, HR 80, SATS 97% ON 2L NC, NGT TO LCWS, NEO GTT.\n{}\n"


@pytest.mark.parametrize(
    "line, word",
    [
        # a clinical word in a form the word lists lack
        ("GU: ANURIC, FOR HD IN AM.", "ANURIC"),
        ("resp: tachypneic to 30s with exertion, sx for thick secretions.", "tachypneic"),
        ("renal: dialyzed yesterday, net neg 2l.", "dialyzed"),
        ("resp: using incentive spirometer q1h.", "spirometer"),
        ("skin: coccyx intact, old dressing whitish.", "whitish"),
        ("RESP: BREATHING UNLABORED ON 2L.", "UNLABORED"),
        # glued to a number or an abbreviation, or clipped
        ("ID: TYLENOL650MG PR X1 FOR T 101.", "TYLENOL650MG"),
        ("CV: AVpaced 70, no ectopy.", "AVpaced"),
        ("CV: HEMODY STABLE ON NEO.", "HEMODY"),
        # lab strings and ranges behind a vital sign
        ("resp: tidal volumes 850-1000 on ps 10.", "850-1000"),
        ("resp: abg on ps 5 was 7.36-41-96.", "7.36-41-96"),
        # a header, a relation word after another, a digit after a relation word, "called" as phoned
        ("COMFORT: MSO4 2MG IV X1 WITH RELIEF.", "COMFORT"),
        ("SOCIAL: WIFE, SON VISITED, UPDATED.", "SON"),
        ("GI: C/O CONSTIPATION, GIVEN MOM X1.", "X1"),
        ("NEURO: NEW L WEAKNESS, MD CALLED NEURO TO EVALUATE.", "NEURO"),
    ],
)
def test_nursing_words_are_no_doubts(line, word):
    assert word not in doubted(_VITALS.format(line))


@pytest.mark.parametrize(
    "line, word",
    [
        ("SOCIAL: SEEN BY ZORVANIC TODAY.", "ZORVANIC"),  # an unknown surname ending like "anuric"
        ("ACC AB4471 SENT TO LAB.", "AB4471"),  # letters and four digits: a code, not a dose
        ("social: son at 232-4567 tonight.", "232-4567"),  # a local number, no vital sign before it
        ("SOCIAL: DTR CALLED ZABRINSKA, UPDATED.", "ZABRINSKA"),  # "called" then a name
    ],
)
def test_names_and_numbers_stay_doubts_in_a_note(line, word):
    assert word in doubted(_VITALS.format(line))


def test_a_vowelless_abbreviation_and_a_derived_word_are_no_doubts():
    text = "cv: sr to st 100s, svr 900, pcwp 14, pulses dopplerable.\nresp: 2l nc, sats 97%, ngt to lcws, neo gtt.\n"
    assert not {"st", "svr", "pcwp", "dopplerable"} & set(doubted(text))


def test_a_saints_abbreviation_stays_a_doubt():
    text = "access: r ij hd cath placed at st. wendeline's, flushes well.\nresp: 2l nc, sats 97%, ngt to lcws, neo gtt.\n"
    assert "st" in doubted(text)


def test_a_later_mention_keeps_its_capital_in_a_cased_text():
    """A person only spaCy read is marked again where the name recurs, but in a text written with
    capitals not where it recurs in lower case: that is the ordinary word ("a salesperson")."""
    from redactor.detect.candidate import Candidate
    from redactor.detect.mentions import later_mentions

    def again(text: str, name: str) -> list[str]:
        first = Candidate("PERSON", text.index(name), text.index(name) + len(name), 0.85, "SpacyRecognizer")
        return [text[c.start : c.end] for c in later_mentions(text, [first])]

    assert again("Awarded Kowalczyk of the Month. Ask Kowalczyk or a kowalczyk.", "Kowalczyk") == ["Kowalczyk"]
    assert again("seen by kowalczyk today, kowalczyk aware of k 3.1", "kowalczyk") == ["kowalczyk"]


@pytest.mark.parametrize(
    "text, person",
    [
        ("TUBE FEEDS AT GOAL PER DIETITIAN. TOM FOLEY RRT", "TOM FOLEY"),
        ("vent weaned to ps overnight. nina swan rrt", "nina swan"),
        ("Turned q2h, skin intact. Paul Baker, RN", "Paul Baker"),
    ],
)
def test_a_signature_whose_surname_is_a_clinical_word_is_a_person(scanner, text, person):
    """A given name, a surname a name list holds and a credential sign the note, though the
    surname is an eponym or a word (Foley catheter, Swan-Ganz, Baker's cyst)."""
    assert values(scanner, text, "PERSON") == [person]


def test_a_run_on_sentence_before_a_placeholder_is_no_url(scanner):
    """The leak guard reads a rewritten payload again: "street.pt <PERSON_1>" runs on as
    "street.pt said" did, and is no web address there either."""
    for text in ("heard yelling in the street.pt said he was fine.", "heard yelling in the street.pt <PERSON_1> said"):
        assert values(scanner, text, "URL") == []


@pytest.mark.parametrize(
    "text, person",
    [
        ('Patient: Teodora Vance (goes by "TJ")   Age: 9 yr', "TJ"),
        ("pt okonjo (goes by bisi) for swallow eval", "bisi"),
        ("HIS BROTHER, AKA SLIM, BRINGS MEALS", "SLIM"),
    ],
)
def test_a_nickname_after_goes_by_or_aka_is_a_person(scanner, text, person):
    assert person in values(scanner, text, "PERSON")


@pytest.mark.parametrize("text, person", [("Patient: Ryu, Seo-yeon   MRN 5501234", "Ryu, Seo-yeon"),
                                          ("Re: Adeyemo, Kunle  DOB 4/4/1961", "Adeyemo, Kunle")])
def test_surname_first_after_a_name_label_is_a_person(scanner, text, person):
    assert person in values(scanner, text, "PERSON")


@pytest.mark.parametrize("text, person", [("last seen by his case manager (odile) on 4/2.", "odile"),
                                          ("CASE MGR BRENNAGH TO CALL THE VNA", "BRENNAGH")])
def test_a_name_after_a_case_manager_or_social_worker_is_a_person(scanner, text, person):
    assert values(scanner, text, "PERSON") == [person]


def test_a_case_manager_who_is_aware_names_nobody(scanner):
    assert values(scanner, "CASE MANAGER AWARE OF DISPO PLAN", "PERSON") == []


@pytest.mark.parametrize(
    "text, person",
    [
        ("DIET CONSULT 4/2: PT CHOI, DA-EUN, 58F, DAY 3 ON VENT", "CHOI, DA-EUN"),
        ("WOUND CARE DONE BY TEAM. KOVACS,RN", "KOVACS"),
        ("needs snf placement,cm lou harmon aware,family agrees", "lou harmon"),
        ("SEEN AND EXAMINED, PLAN PER NP ADEBAYO.", "ADEBAYO"),
    ],
)
def test_names_after_a_patient_label_a_case_manager_or_an_np_and_before_a_glued_credential(scanner, text, person):
    assert person in values(scanner, text, "PERSON")


@pytest.mark.parametrize("text", ["pt febrile overnight, cx sent", "lesion 3 cm wide, 2 cm deep", "NP AWARE OF K 3.1"])
def test_clinical_words_after_pt_and_sizes_in_cm_name_nobody(scanner, text):
    assert values(scanner, text, "PERSON") == []


_CASED = "BP 120/80, HR 72, SpO2 98% RA, Foley out, NGT d/c'd, lasix given. {}"


def test_two_capitalised_words_before_a_facility_head_in_a_cased_note_name_it(scanner):
    text = _CASED.format("Home with outpatient PT at Tidal Drift Physical Therapy starting 3/27.")
    assert "Tidal Drift Physical Therapy" in values(scanner, text, "HEALTHCARE_FACILITY")


def test_a_capitalised_order_before_a_facility_head_names_nothing(scanner):
    text = _CASED.format("Continue Chest Physical Therapy daily.")
    assert values(scanner, text, "HEALTHCARE_FACILITY") == []
