"""Clinical de-identification on the project's own labels (tests/labeled/clinical.jsonl,
surrogate PHI only; built from clinical.src.txt by tools/build_clinical_labels.py).

Every HIPAA Safe Harbor identifier A-R is labelled there.  Per identifier type, recall
must be at least 0.98 and precision at least 0.90; and at least 0.90 of the clean
clinical questions (eponyms, score names, blood pressures, years, states) must be
allowed to the cloud, as is, under the default policy with a cloud configured.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from redactor.detect.categories import BUILTIN_CATEGORIES, CATEGORIES, GENERAL
from redactor.detect.packs import default_pack_paths, load_packs
from redactor.detect.validators import vin
from redactor.evaluate import Span, read_jsonl, score

LABELS = Path(__file__).parent / "labeled" / "clinical.jsonl"

# Safe Harbor identifier types (what a clinical finding is scored as).  Q, full-face
# photographs, has no form in text.  US_BANK_NUMBER is an account number (J) too; EMPLOYER
# is a name (A), as benchmarks/bench_clinical.py scores it.
PHI_TYPES = frozenset(
    """PERSON LOCATION STREET_ADDRESS ZIP_CODE HEALTHCARE_FACILITY DATE_TIME AGE_OVER_89 PHONE_NUMBER EMAIL_ADDRESS
    US_SSN MEDICAL_RECORD_NUMBER HEALTH_PLAN_ID MEDICARE_MBI ACCOUNT_NUMBER US_BANK_NUMBER CERTIFICATE_NUMBER
    US_DRIVER_LICENSE US_PASSPORT VEHICLE_ID DEVICE_ID URL IP_ADDRESS BIOMETRIC_ID UNIQUE_ID EMPLOYER""".split()
)
# Found by the name, place and address recognizers that issue 9's name residual work
# (detect/names) and the address recognizer own; measured here, asserted there.
NAME_TYPES = frozenset({"PERSON", "LOCATION", "STREET_ADDRESS"})
SAFE_HARBOR = {
    "A names": "PERSON", "B geography below the state": "HEALTHCARE_FACILITY", "C dates": "DATE_TIME",
    "C ages over 89": "AGE_OVER_89", "D/E phone and fax": "PHONE_NUMBER", "F e-mail": "EMAIL_ADDRESS",
    "G SSN": "US_SSN", "H medical record numbers": "MEDICAL_RECORD_NUMBER", "I health plan numbers": "HEALTH_PLAN_ID",
    "J account numbers": "ACCOUNT_NUMBER", "K certificate/licence numbers": "CERTIFICATE_NUMBER",
    "L vehicle identifiers": "VEHICLE_ID", "M device identifiers": "DEVICE_ID", "N URLs": "URL",
    "O IP addresses": "IP_ADDRESS", "P biometric identifiers": "BIOMETRIC_ID", "R other unique codes": "UNIQUE_ID",
}  # fmt: skip


@pytest.fixture(scope="module")
def examples():
    return list(read_jsonl(LABELS))


def _score(scanner, examples, types=PHI_TYPES):
    """Overlap scores of the scanner's findings of ``types`` on labelled examples."""

    def predict(texts):
        return [[Span(f.entity_type, f.start, f.end) for f in r.findings if f.entity_type in types]
                for r in scanner.scan_many(texts)]  # fmt: skip

    return score(examples, predict, ignored=frozenset())


def _assert_clean_go_to_the_cloud(pipeline, examples):
    clean = [e.text for e in examples if not e.gold]
    routes = [pipeline.prepare(t, "Answer the question.").decision.route.value for t in clean]
    assert routes.count("cloud") >= 0.90 * len(clean), [(r, t) for r, t in zip(routes, clean) if r != "cloud"]


@pytest.fixture(scope="module")
def report(scanner, examples):
    return _score(scanner, examples)


def test_labels_cover_every_safe_harbor_identifier(examples):
    gold = {s.entity_type for e in examples for s in e.gold}
    assert set(SAFE_HARBOR.values()) <= gold
    assert gold <= PHI_TYPES
    clean = [e for e in examples if not e.gold]
    assert len(clean) >= 60


@pytest.mark.parametrize("entity_type", sorted((set(SAFE_HARBOR.values()) | {"ZIP_CODE", "MEDICARE_MBI"}) - NAME_TYPES))
def test_recall_and_precision_per_identifier(report, entity_type):
    gold = report.gold[entity_type]
    assert gold.tp + gold.fn > 0
    assert gold.recall >= 0.98, f"{entity_type}: recall {gold.recall:.3f} ({gold.fn} missed)"
    predicted = report.predicted.get(entity_type)
    if predicted is not None and predicted.correct + predicted.fp:
        assert predicted.precision >= 0.90, f"{entity_type}: precision {predicted.precision:.3f}"


@pytest.mark.parametrize("entity_type", sorted(NAME_TYPES))
def test_recall_and_precision_names_and_places(report, entity_type):
    assert report.gold[entity_type].recall >= 0.98
    assert report.predicted[entity_type].precision >= 0.90


def test_clean_questions_report_no_identifier(scanner, examples):
    clean = [e.text for e in examples if not e.gold]
    flagged = [
        (t, [(f.entity_type, t[f.start : f.end]) for f in r.findings if f.entity_type in PHI_TYPES])
        for t, r in zip(clean, scanner.scan_many(clean))
    ]
    flagged = [x for x in flagged if x[1]]
    assert len(flagged) <= 0.05 * len(clean), flagged


def test_clean_clinical_questions_go_to_the_cloud(make_pipeline, examples):
    _assert_clean_go_to_the_cloud(make_pipeline(cloud=True), examples)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Diabetes was first noted in 2019.", {"DATE_YEAR": "2019"}),
        ("She moved from Ohio to Tanzania last spring.", {"REGION": "Tanzania"}),
        ("Seen on March 3, 2024 for follow-up.", {"DATE_TIME": "March 3, 2024"}),
        ("A 92-year-old woman with a hip fracture.", {"AGE_OVER_89": "92-year-old"}),
    ],
)
def test_general_and_safe_harbor_types(scanner, text, expected):
    found = {f.entity_type: text[f.start : f.end] for f in scanner.scan(text).findings}
    for entity_type, value in expected.items():
        assert found.get(entity_type) == value, found


@pytest.mark.parametrize(
    "text,value",
    [
        ("BP 120/80 and HR 72 at rest.", "120/80"),
        ("Pain is 7/10, worse at night.", "7/10"),
        ("Strength 4/5 in the left deltoid.", "4/5"),
        ("Take 1/2 tablet at bedtime.", "1/2"),
        ("MMSE 12/30 on admission.", "12/30"),
    ],
)
def test_readings_and_doses_are_not_dates(scanner, text, value):
    assert value not in [text[f.start : f.end] for f in scanner.scan(text).findings]


@pytest.mark.parametrize(
    "text",
    ["Romberg test was negative.", "Apgar scores were 8 and 9.", "Glasgow coma scale 15.", "Tinel's sign at the wrist.",
     "Kussmaul breathing in DKA.", "Child-Pugh class B cirrhosis.", "Early Parkinson's disease.", "APACHE II of 24.",
     "CURB-65 of 2.", "Hodgkin lymphoma, stage II.", "Positive Babinski sign.", "Cushing syndrome work-up.",
     "LKW 0945 PER HUSBAND. CINCINNATI STROKE SCALE 3/3. HUSBAND'S CELL GIVEN TO REGISTRATION."],
)  # fmt: skip
def test_eponyms_and_scores_are_not_people_or_places(scanner, text):
    found = [(f.entity_type, text[f.start : f.end]) for f in scanner.scan(text).findings]
    assert not [x for x in found if x[0] in ("PERSON", "LOCATION", "HEALTHCARE_FACILITY")], found


def test_a_degree_after_a_name_is_no_state(scanner):
    text = "SURGEON: J. OKAFOR, M.D.\nASSISTANT: T. LUNDQVIST, M.D."
    assert [f for f in scanner.scan(text).findings if f.entity_type == "LOCATION" and "M" in text[f.start : f.end]] == []


def test_honorific_keeps_an_eponym_surname_a_person(scanner):
    text = "Mr. Murphy was seen by Dr. Parkinson on the ward."
    people = [text[f.start : f.end] for f in scanner.scan(text).findings if f.entity_type == "PERSON"]
    assert any("Murphy" in p for p in people) and any("Parkinson" in p for p in people)


def test_ages_up_to_89_are_not_reported(scanner):
    for text in ("An 89-year-old man.", "Age 65, retired.", "Pt is a 45 yo female.", "Infant, age 90 days."):
        assert "AGE_OVER_89" not in [f.entity_type for f in scanner.scan(text).findings], text


def test_vin_check_digit():
    assert vin("1HGCM82633A004352") and vin("1M8GDM9AXKP042788")
    assert not vin("1HGCM82634A004352") and not vin("11111111111111111") and not vin("1HGCM82633A00435")


def test_general_category_and_pack_types():
    assert GENERAL in CATEGORIES
    assert BUILTIN_CATEGORIES["DATE_YEAR"] == BUILTIN_CATEGORIES["REGION"] == GENERAL
    packs = load_packs(default_pack_paths())
    for entity_type in ("AGE_OVER_89", "HEALTHCARE_FACILITY", "VEHICLE_ID", "DEVICE_ID", "BIOMETRIC_ID",
                        "CERTIFICATE_NUMBER", "UNIQUE_ID"):  # fmt: skip
        assert packs.categories[entity_type] == "PII"
    assert packs.categories["ACCOUNT_NUMBER"] == "FINANCIAL"


def test_shipped_policies_allow_general():
    from redactor.policy import load_policy

    for name in ("default", "redact-pii", "strict"):
        assert load_policy(name).categories[GENERAL].action == "allow"


def test_eponym_terms_are_reported_as_clinical_terms(scanner):
    text = "Braden scale 14, Gleason 7, Foley placed, Homans' sign negative, CURB-65 of 2."
    terms = [text[f.start : f.end] for f in scanner.scan(text).findings if f.entity_type == "CLINICAL_TERM"]
    assert {"Braden scale", "Gleason", "Foley", "CURB-65"} <= set(terms)
    assert all(BUILTIN_CATEGORIES["CLINICAL_TERM"] == GENERAL for _ in terms)


def test_a_region_that_is_a_given_name_needs_a_place_cue(scanner):
    moved = "She moved here from Georgia in May."
    gave = "I gave the forms to Georgia at the desk."
    assert "REGION" in [f.entity_type for f in scanner.scan(moved).findings]
    assert "REGION" not in [f.entity_type for f in scanner.scan(gave).findings]


@pytest.mark.parametrize(
    "text,value",
    [
        ("Seen at Mercy Valley Hospital overnight.", "Mercy Valley Hospital"),
        ("Transferred to Our Lady of Lourdes Regional Medical Center.", "Our Lady of Lourdes Regional Medical Center"),
        ("Born at Children's Hospital of Philadelphia.", "Children's Hospital of Philadelphia"),
        ("Admitted to Brigham and Women's Hospital.", "Brigham and Women's Hospital"),
        ("Follow up at Valley Cardiology Associates.", "Valley Cardiology Associates"),
        ("Transferred to St. Luke's for PCI.", "St. Luke's"),
        ("my mom was at good samaritan hospital last night", "good samaritan hospital"),
    ],
)
def test_facility_names(text, value):
    from redactor.detect.facilities import FacilityRecognizer

    assert value in [text[r.start : r.end] for r in FacilityRecognizer().analyze(text, [])]


@pytest.mark.parametrize(
    "text",
    ["Hospital course: uneventful.", "Department of Radiology read the film.", "He went to the General Hospital.",
     "Follow up with Primary Care in 2 weeks.", "my mom was at the hospital last night", "Happy St. Patrick's Day."],
)  # fmt: skip
def test_not_facility_names(text):
    from redactor.detect.facilities import FacilityRecognizer

    assert FacilityRecognizer().analyze(text, []) == []


@pytest.mark.parametrize(
    "text,value",
    [("F/u on 4/30 in clinic.", "4/30"), ("Expires 09/2025.", "09/2025"), ("Labs drawn Aug 2, 2024.", "Aug 2, 2024"),
     ("Seen May 3rd.", "May 3rd"), ("Enrolled 15 Feb 2024.", "15 Feb 2024"), ("Surgery 12-Mar-2024.", "12-Mar-2024"),
     ("visit 1951-07-04 A 80210", "1951-07-04")],
)  # fmt: skip
def test_clinical_dates(scanner, text, value):
    assert value in [text[f.start : f.end] for f in scanner.scan(text).findings if f.entity_type == "DATE_TIME"]


def test_exported_rows_are_read_cell_by_cell(scanner):
    """A pipe or HL7 row: no value runs into the next cell, names split by "^" are names."""
    row = "E0041177|M5530912|QUILLAN^BERNADETTE|1938-02-17|F|80210|2025-06-01 14:20|2025-06-04 09:00|J18.9"
    found = {(f.entity_type, row[f.start : f.end]) for f in scanner.scan(row).findings}
    assert {("PERSON", "QUILLAN^BERNADETTE"), ("DATE_TIME", "1938-02-17"), ("DATE_TIME", "2025-06-01"),
            ("DATE_TIME", "2025-06-04")} <= found, found  # fmt: skip
    assert not [v for t, v in found if t == "PHONE_NUMBER"], found  # "80210|2025-06-01 14" is no phone


@pytest.mark.parametrize(
    "text,zip_code",
    [("New address: 27 Quarry Hill Rd, 05819.", "05819"), ("moved to 4410 NE Sandpiper Ln, Unit 7, 98662", "98662")],
)
def test_a_zip_right_after_a_street(scanner, text, zip_code):
    assert zip_code in [text[f.start : f.end] for f in scanner.scan(text).findings if f.entity_type == "ZIP_CODE"]


def test_a_count_after_a_common_word_is_no_zip(scanner):
    text = "Take 2 tabs on the way, 12345 steps a day is the goal."
    assert not [f for f in scanner.scan(text).findings if f.entity_type == "ZIP_CODE"]


@pytest.mark.parametrize("text,ext", [("Billing office, ext. 3391.", "3391"), ("Pager ext 5-2210", "5-2210"),
                                      ("Ines Ruiz, PharmD  x41872", "x41872")])  # fmt: skip
def test_an_extension_alone_is_part_of_a_phone_number(scanner, text, ext):
    assert ext in [text[f.start : f.end] for f in scanner.scan(text).findings if f.entity_type == "PHONE_NUMBER"]


@pytest.mark.parametrize("text", ["heparin x10000 units", "repeat x3 then stop", "Extension of the knee to 120 degrees"])
def test_doses_and_repeats_are_no_extension(scanner, text):
    assert not [f for f in scanner.scan(text).findings if f.entity_type == "PHONE_NUMBER"]


# Development sets written by other hands, blind to the detector when written (see each
# file's header); the detector has been tuned on them since.  Floors a little under the
# figures measured when they were added (recall 0.96-0.97, precision 0.95-0.98, clean
# questions to the cloud 0.91-1.0), so that a change that loses ground on text not written
# by the authors of the rules fails here.
DEV_SETS = ["clinical_msgs_dev.jsonl", "clinical_notes_dev.jsonl", "clinical_letters_dev.jsonl"]


@pytest.mark.parametrize("name", DEV_SETS)
def test_development_sets_hold_their_ground(scanner, make_pipeline, name):
    examples = list(read_jsonl(LABELS.parent / name))
    # a prescriber's NPI or DEA number is a unique number too
    overall = _score(scanner, examples, PHI_TYPES | {"NPI", "DEA_NUMBER"}).overall
    assert overall.recall >= 0.95 and overall.precision >= 0.94, (name, overall.recall, overall.precision)
    _assert_clean_go_to_the_cloud(make_pipeline(cloud=True), examples)


# Written blind to the detector on 2026-12-07 in ICU nursing-note, discharge-summary and
# radiology-report styles, each measured once before it was tuned on:
# - tests/labeled/clinical_icu_blind.src.txt: recall 0.835, precision 0.933; under `default` no
#   note with PHI would go to the cloud unredacted and 47 of its 60 PHI-free lines may leave;
# - tests/labeled/clinical_blind2.src.txt (another author, measured after the first set's fixes):
#   recall 0.828, precision 0.946; no PHI note to the cloud unredacted, 65 of 75 PHI-free lines;
# - tests/labeled/clinical_blind3.src.txt (a third author): recall 0.849, precision 0.951; no PHI
#   note to the cloud unredacted, 84 of 101 PHI-free lines.
# After the fixes of 2026-12-07 (the third set's second figure still blind to them): 0.933 / 0.962
# and 47; 0.898 / 0.950 and 66; 0.876 / 0.952 and 84.
# - tests/labeled/clinical_blind4.src.txt (a fourth author, prose and templated documents): 0.943 /
#   0.959 on arrival, 131 of 143 PHI-free lines;
# - tests/labeled/clinical_blind5.src.txt (a fifth author; paediatrics, obstetrics, behavioural
#   health, long-term care, clinics, triage, therapies): 0.836 / 0.923 on arrival, 84 of 99.
# - tests/labeled/clinical_blind6.src.txt (a sixth author; ICU nursing notes in the PhysioNet style,
#   EMS run sheets, transfer packets, operative dictations): 0.902 / 0.963 on arrival, 70 of 80.
# - tests/labeled/clinical_blind7.src.txt (a seventh author; ICU notes, discharge summaries, radiology
#   reports): 0.932 / 0.970 on arrival (NER off), 68 of 80; one PHI note to the cloud, which the
#   patient-phi rule of 2026-12-08 keeps local.
# - tests/labeled/clinical_blind8.src.txt (an eighth author; ICU nursing notes only, fragments without a
#   clinical word): 0.930 / 0.974 on arrival (NER on shorthand, the default), 89 of 101; tuned on the
#   same day to 0.983 / 0.980 and 87 (the patient-phi rule keeps two PHI-free lines with a holiday or
#   "June" beside "pt" local).
# As this test scores them late on 2026-12-07 (all six are tuning sets now): 0.951 / 0.963,
# 0.934 / 0.953, 0.923 / 0.957, 0.962 / 0.961, 0.905 / 0.931, 0.932 / 0.969.  Floors a little under that.
@pytest.mark.parametrize("name, recall, precision, clean_leave", [
    ("clinical_icu_blind.jsonl", 0.93, 0.95, 46),
    ("clinical_blind2.jsonl", 0.91, 0.94, 64),
    ("clinical_blind3.jsonl", 0.90, 0.94, 82),
    ("clinical_blind4.jsonl", 0.94, 0.95, 128),
    ("clinical_blind5.jsonl", 0.89, 0.91, 82),
    ("clinical_blind6.jsonl", 0.91, 0.95, 68),
    ("clinical_blind7.jsonl", 0.97, 0.96, 66),
    ("clinical_blind8.jsonl", 0.96, 0.96, 85),
])  # fmt: skip
def test_the_blind_sets_hold_their_ground(scanner, make_pipeline, name, recall, precision, clean_leave):
    from redactor.policy import Route

    examples = list(read_jsonl(LABELS.parent / name))
    overall = _score(scanner, examples, PHI_TYPES | {"NPI", "DEA_NUMBER"}).overall
    assert overall.recall >= recall and overall.precision >= precision, (overall.recall, overall.precision)
    pipeline = make_pipeline(cloud=True)
    routes = [(bool(e.gold), pipeline.prepare(e.text, "Summarize.").decision.route) for e in examples]
    assert not [r for phi, r in routes if phi and r is Route.CLOUD]  # PHI never leaves unredacted
    assert sum(1 for phi, r in routes if not phi and r in (Route.CLOUD, Route.CLOUD_REDACTED)) >= clean_leave
