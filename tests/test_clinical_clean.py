"""Clean clinical questions go to the cloud: the general rules behind it (issue 9).

A question with no identifier in it must not be kept local or pseudonymised because
the scanner or the doubt pass took clinical vocabulary for a name or a number for an
identifier.  Each test names one general rule, and each rule has its counter-example:
what the rule must still hold back.  The sentences are written for these tests.
"""

from __future__ import annotations

import pytest

from redactor.detect.doubt import find_doubts
from redactor.detect.findings import Finding
from redactor.prepare import decide_with_doubts
from redactor.policy import Route, decide, load_policy


@pytest.fixture(scope="module")
def default():
    return load_policy("default")


def doubts(scanner, text: str) -> list[str]:
    scan = scanner.scan(text)
    return [text[f.start : f.end] for f in find_doubts(text, scan.findings)]


def route(scanner, policy, text: str) -> Route:
    return decide_with_doubts(scanner.scan(text), policy)[0].route


def persons(scanner, text: str) -> list[str]:
    return [text[f.start : f.end] for f in scanner.scan(text).findings if f.entity_type in ("PERSON", "LOCATION")]


# -- the doubt pass knows medical vocabulary ------------------------------------------------


@pytest.mark.parametrize(
    "text,word",
    [
        ("Haptoglobin low and reticulocytes up: is this hemolysis?", "Haptoglobin"),  # MeSH
        ("Should a nephrologist see someone with persistent proteinuria?", "nephrologist"),
        ("Does the gastrocnemius strain need imaging?", "gastrocnemius"),
        ("Is the rash macular or papular on exam?", "papular"),
        ("What causes postprandial hypoglycemia after bariatric surgery?", "postprandial"),
        ("Can hypercalcemia be paraneoplastic?", "paraneoplastic"),  # a prefix before a known word
        ("What is the usual dose of the paediatric formulation?", "paediatric"),  # British spelling
        ("how bad is a ldh of 900 with normal bilirubin", "ldh"),  # a lab abbreviation in lower case
        ("my spo2 dropped to 91 on the stairs is that ok", "spo2"),
        ("Is a GCS of E2V2M5 an indication to intubate?", "E2V2M5"),  # a coma scale by components
        ("Distinguishing gout from pseudogout at the bedside?", "Distinguishing"),  # an inflected word
    ],
)
def test_medical_words_are_not_doubted(scanner, text, word):
    assert word not in doubts(scanner, text)


@pytest.mark.parametrize(
    "text,word",
    [
        ("is it normal to have a headahce after the flu shot", "headahce"),  # one letter swapped
        ("what helps with constipaton on opioids", "constipaton"),  # one letter missing
        ("can parkinsons cause drooling", "parkinsons"),  # a disease eponym without its apostrophe
    ],
)
def test_lower_case_typos_of_known_words_are_not_doubted(scanner, text, word):
    assert word not in doubts(scanner, text)


def bare_doubts(text: str) -> list[str]:
    """The doubt pass alone, as if no recognizer had found anything."""
    return [text[f.start : f.end] for f in find_doubts(text, [])]


def test_names_are_still_doubted():
    """A name is never derived from a known word: a given name in lower-case text, a
    surname after a title, and a known name one letter away from a word stay doubts."""
    assert "kowalczyk" in bare_doubts("pls tell dr kowalczyk the rash is back")
    assert "Oyelaran" in bare_doubts("Ask Oyelaran whether the biopsy came back.")
    assert "winona" in bare_doubts("winona said the dressing needs changing")


@pytest.mark.parametrize(
    "text,word",
    [
        ("What do the USPSTF criteria say about lung screening?", "USPSTF"),  # one vowel: an acronym
        ("Are NSAIDs safe with a GFR of 40?", "NSAIDs"),  # an acronym's plural
        ("Summarise the DELIVER-HF trial for residents.", "DELIVER-HF"),
        ("Which ICD-10 chapter covers injuries?", "ICD-10"),  # a short number part
    ],
)
def test_acronyms_are_not_doubted(scanner, text, word):
    assert word not in doubts(scanner, text)


def test_a_name_in_capitals_is_still_doubted():
    assert "ABERNATHY" in bare_doubts("PATIENT ABERNATHY SEEN IN CLINIC TODAY")


def test_a_code_with_digits_is_no_acronym():
    assert "KRT-4471" in bare_doubts("Hospice ID KRT-4471 on file.")


def test_a_given_name_in_capitals_inside_a_sentence_is_doubted():
    assert "MARISOL" in bare_doubts("Your refill for MARISOL is ready at the counter.")


# -- "MS" is a disease, a drug or milliseconds, not a title -----------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Do MS relapses respond to plasma exchange?",
        "Is a PR interval of 220 ms worrying in an athlete?",
        "Which MS drugs need JCV antibody monitoring?",
    ],
)
def test_ms_is_not_a_title(scanner, text):
    assert doubts(scanner, text) == []


def test_ms_before_a_capitalised_name_is_a_title():
    assert "Hale" in bare_doubts("Please ask Ms Hale about her inhaler technique.")
    assert "hale" in bare_doubts("please ask ms. hale about the inhaler")


# -- procedure codes are not identifiers -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Is CPT 99204 or 99205 right for a 70-minute new patient visit?",
        "Can 36415 be billed with a venipuncture done by the lab?",
        "Which modifier goes on 20552 when two muscles are injected?",
    ],
)
def test_five_digit_numbers_behind_a_billing_cue_are_codes(scanner, text):
    assert [d for d in doubts(scanner, text) if d.isdigit()] == []


@pytest.mark.parametrize(
    "text,number",
    [
        ("Her access code is 48213, please call.", "48213"),  # "code" alone is no billing cue
        ("Bill the visit to Salem, MA 01970 please.", "01970"),  # a state before it: a ZIP code
        ("Reference 44871 was attached to the chart.", "44871"),
    ],
)
def test_other_five_digit_numbers_stay_doubts(scanner, text, number):
    scan = scanner.scan(text)
    covered = [text[f.start : f.end] for f in scan.findings] + doubts(scanner, text)
    assert any(number in c for c in covered)


# -- ICD-10 codes are health information, not identifiers ---------------------------------------


def test_an_icd10_code_alone_may_go_to_the_cloud(scanner, default):
    assert route(scanner, default, "Is I50.22 the code for chronic systolic heart failure?") is Route.CLOUD


def test_an_icd10_code_with_an_identifier_is_phi(default):
    icd = Finding("ICD10_CODE", "HEALTH", 0, 5, 0.9)
    assert decide([icd], default).route is Route.CLOUD
    assert decide([icd, Finding("PERSON", "PII", 10, 15, 0.9)], default).route is Route.LOCAL
    assert decide([icd, Finding("DATE_TIME", "QUASI_IDENTIFIER", 10, 15, 0.9)], default).route is Route.LOCAL


def test_redact_pii_allows_an_icd10_code_alone(scanner):
    policy = load_policy("redact-pii")
    assert route(scanner, policy, "Should E66.01 be coded with a BMI code?") is Route.CLOUD


# -- names that are not names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Would Eliquis 5 twice daily be too much at 58 kg?",  # a drug and a dose
        "Na 128 and Mg 1.4 on the morning labs, replete first?",  # lab values
        "Should Xarelto and aspirin be combined after a stent?",  # a verb before a drug
        "Can Ozempic be stopped before surgery?",
        "Tinel positive at the elbow, what else should I examine?",  # an eponym sign and its finding
        "Is Creutzfeldt-Jakob ever seen in young adults?",  # a disease named by eponyms
        "Explain the Framingham risk score to a student.",
    ],
)
def test_clinical_phrases_are_not_people(scanner, text):
    assert persons(scanner, text) == []


def test_a_name_next_to_a_drug_is_still_a_person(scanner):
    text = "Did Margaret Okonkwo pick up the Eliquis 5 mg refill?"
    assert any("Okonkwo" in p for p in persons(scanner, text))


@pytest.mark.parametrize(
    "text,name",
    [
        ("Dr. Ines Varga, DDS / asst Trixie R.", "Trixie"),  # a nickname and an initial
    ],
)
def test_initials_and_bare_abbreviations_keep_the_finding(scanner, text, name):
    assert any(name in p for p in persons(scanner, text))


def test_a_lab_value_is_not_a_date(scanner):
    text = "ldl 3.4 on atorvastatin, should the dose go up"
    assert [f.entity_type for f in scanner.scan(text).findings if f.entity_type == "DATE_TIME"] == []


def test_a_dotted_date_is_still_found(scanner):
    text = "Seen again on 11.24.2026 for the wound check."
    assert any("11.24.2026" in text[f.start : f.end] for f in scanner.scan(text).findings)


@pytest.mark.parametrize(
    "text,value,is_lab_value",
    [
        ("hgb 8.1 this morning", "hgb 8.1", True),
        ("Potassium 3.1 after diuresis", "3.1", True),
        ("Seen on 3.14 again", "3.14", False),  # after "on" it may be a date
        ("Seen 3.14.2026", "3.14.2026", False),
    ],
)
def test_lab_value_rule(text, value, is_lab_value):
    from redactor.detect.clinical import _lab_value
    from redactor.detect.refine import Candidate

    start = text.index(value)
    assert _lab_value(text, Candidate("DATE_TIME", start, start + len(value), 0.85, "SpacyRecognizer")) is is_lab_value


def test_a_verb_after_doctor_in_lower_case_is_not_a_name(scanner):
    assert persons(scanner, "my doctor told me to stop the metformin before the scan") == []


def test_the_eponym_town_stays_a_place(scanner):
    assert any("Framingham" in p for p in persons(scanner, "She moved to Framingham last year."))


# -- the end result: clean questions go out as they are --------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Ferritin 9 and transferrin saturation 6%, oral or IV iron?",
        "Which inhaler technique errors are most common in older adults?",
        "what does a high rdw mean on a cbc",
        "Is CPT 99406 billable for a 5-minute smoking cessation talk?",
        "Is K21.9 the right code for reflux without esophagitis?",
        "How are MS patients screened before natalizumab?",
    ],
)
def test_clean_clinical_questions_go_to_the_cloud(scanner, default, text):
    assert route(scanner, default, text) is Route.CLOUD


@pytest.mark.parametrize(
    "text",
    ["Vancomycin AUC goal is 400-600, is a trough of 15-20 still useful?",
     "pt on q6h vitals, resp rate 22, sats 91% on 2L",
     "Rose bengal staining and Schirmer test in dry eye",
     "Church groups often run free clinics for uninsured adults."],
)  # fmt: skip
def test_ranges_abbreviations_and_dyes_are_not_doubted(scanner, text):
    policy = load_policy("default")
    assert route(scanner, policy, text) is Route.CLOUD


def test_a_number_pair_behind_an_identifier_cue_stays_a_doubt():
    assert find_doubts("claim # 104-188 was denied") and not find_doubts("glucose 104-188 today")
