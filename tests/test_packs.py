"""Recognizer packs: every shipped recognizer finds a real value and ignores a lookalike;
bad packs fail loudly, naming the file and the field.  No spaCy: recognizers are
called directly with ``nlp_artifacts=None``."""

from __future__ import annotations

import random
import textwrap
import time
from pathlib import Path

import pytest
from presidio_analyzer import EntityRecognizer, PatternRecognizer, RecognizerResult

from redactor.detect.packs import (
    LexiconRecognizer,
    PackRecognizer,
    PackSet,
    default_pack_paths,
    load_packs,
)
from redactor.errors import ConfigError, PackError


@pytest.fixture(scope="module")
def packs() -> PackSet:
    return load_packs(default_pack_paths())


def by_name(packs: PackSet, name: str) -> EntityRecognizer:
    return next(r for r in packs.recognizers if r.name == name)


def run(recognizer: EntityRecognizer, text: str) -> list[RecognizerResult]:
    return recognizer.analyze(text, entities=recognizer.supported_entities, nlp_artifacts=None)


def spans(recognizer: EntityRecognizer, text: str) -> list[str]:
    return [text[r.start : r.end] for r in run(recognizer, text)]


# (recognizer, text with a real value, the value, minimum score, lookalikes that must not be reported)
CASES = [
    ("credit_card", "Please charge my Visa 4111 1111 1111 1111 for the renewal.", "4111 1111 1111 1111", 0.85,
     ["Please charge my Visa 4111 1111 1111 1112 for the renewal.", "Order 0000 0000 0000 0000 shipped."]),
    ("credit_card_uatp", "My credit card: 122000000000003, exp 04/29.", "122000000000003", 0.85,
     ["Order 122000000000003 shipped.", "My credit card: 122000000000004."]),
    ("iban", "Wire the refund to DE89 3704 0044 0532 0130 00 by Friday.", "DE89 3704 0044 0532 0130 00", 0.85,
     ["Wire the refund to DE89 3704 0044 0532 0130 01 by Friday.", "Part number AB12 CDEF GHIJ KLMN."]),
    ("aba_routing", "Our bank routing number is 021000021 for payroll.", "021000021", 0.85,
     ["Our bank routing number is 021000022 for payroll."]),
    ("us_bank_account", "Deposit it into checking account 0012345678 please.", "0012345678", 0.6,
     ["Shipment 0012345678 left the warehouse.", "Call 0012345678 about your account."]),
    ("swift_bic", "Beneficiary bank SWIFT/BIC: NWBKGB2L, London.", "NWBKGB2L", 0.6,
     ["Beneficiary bank SWIFT/BIC: NWBKZZ2L, London.", "Send the NWBKGB2L file.", "MEDICARE HOSPITALS report"]),
    ("us_ein", "The employer's EIN is 12-3456789 on the W-2.", "12-3456789", 0.85,
     ["The employer's EIN is 07-3456789 on the W-2."]),
    ("us_ein_undashed", "Federal tax ID (EIN): 123456789.", "123456789", 0.6,
     ["Federal tax ID (EIN): 073456789.", "Invoice 123456789 is overdue."]),
    ("us_itin", "Her ITIN is 912-70-1234 per the IRS letter.", "912-70-1234", 0.85,
     ["Her ITIN is 912-93-1234 per the IRS letter.", "Call 912-70-12345 now."]),
    ("us_itin_undashed", "ITIN: 912701234 (individual taxpayer).", "912701234", 0.6,
     ["ITIN: 912931234.", "Invoice 912701234 is overdue."]),
    ("cusip", "Sell the bonds, CUSIP 037833100, at market.", "037833100", 0.6,
     ["Sell the bonds, CUSIP 037833101, at market.", "Ticket 037833100 was closed.",
      "Social Security number 037833100 on file."]),
    ("isin", "The fund holds ISIN US0378331005 as its top position.", "US0378331005", 0.85,
     ["The fund holds ISIN US0378331006 as its top position."]),
    ("crypto_btc", "Send 0.5 BTC to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa today.", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", 0.85,
     ["Send 0.5 BTC to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb today.",
      "Pay to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp now."]),
    ("crypto_eth", "My wallet is 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed on mainnet.",
     "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", 0.85,
     ["My wallet is 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD on mainnet."]),
    ("medical_record_number", "Patient seen today, MRN: 00482913, follow up in 2 weeks.", "00482913", 0.6,
     ["Invoice 00482913 was paid in full.", "Flowchart 00482913."]),
    ("npi", "Referring provider NPI: 1234567893.", "1234567893", 0.85,
     ["Referring provider NPI: 1234567894.", "Call 1300 123 456 today."]),
    ("dea_number", "Prescriber DEA # AB1234563 signed the order.", "AB1234563", 0.85,
     ["Prescriber DEA # AB1234564 signed the order.", "Prescriber DEA # IB1234563 signed the order."]),
    ("icd10_code", "Diagnosis: essential hypertension, I10.", "I10", 0.6,
     ["Room A12 is booked for the offsite.", "Diagnosis: B12 deficiency.", "Diagnosis: hypertension, i10."]),
    ("icd10_code_decimal", "Assessment: type 2 diabetes without complications (E11.9).", "E11.9", 0.85,
     ["Version 3.2.1 ships today.", "See table S1.2 and figure 4.5.", "Ratio E11.95.3 was noted."]),
    ("icd10_code_in_parentheses", "Essential hypertension (I10), stable on lisinopril.", "I10", 0.5,
     ["Take vitamin (B12) daily.", "Essential hypertension (i10).", "Essential hypertension (I10A)."]),
    ("medicare_mbi", "Medicare MBI 1EG4-TE5-MK73 verified at intake.", "1EG4-TE5-MK73", 0.85,
     ["Medicare MBI 1EG4-TE5-MB73 verified at intake.", "Medicare MBI 1SG4-TE5-MK73 verified at intake."]),
    ("health_plan_id", "Insurance: Aetna PPO, Member ID: XYZ123456789.", "XYZ123456789", 0.6,
     ["Tracking code XYZ123456789 arrived.", "Member ID: pending."]),
    ("medication", "She was started on metformin 500 mg twice daily.", "metformin", 0.6,
     ["She pumped iron at the gym.", "The metformins trial"]),
    ("medical_condition", "History of congestive heart failure, stable.", "congestive heart failure", 0.6,
     ["He bought new hearing aids.", "A cold day in Chicago, a stroke of luck."]),
    ("medical_procedure", "S/P CABG X3, DOING WELL.", "CABG", 0.6,
     ["Peg called about the cabinet.", "A dichotomy of views; spectroscopy lab."]),
    ("medical_procedure_by_suffix", "She is s/p laparoscopic cholecystectomy.", "cholecystectomy", 0.6,
     ["A dichotomy of views.", "Spectroscopy and telescopy."]),
    ("patient_mention", "Pt's son will visit 4/2.", "Pt's", 0.6,
     ["Please be patient.", "Use 12 pt type.", "Set lang=pt-BR.", "See example.com.pt/help."]),
    ("history_year", "PMH: CAD, S/P MI '92, HTN.", "'92", 0.6,
     ["HR 80S, MI 3.5 MG.", "CABG AT 0800 TOMORROW.", "PE 12 MM."]),
    ("us_driver_license", "My driver's license number is 6940579.", "6940579", 0.6,
     ["Order number 6940579 shipped.", "The license plate reads 7ABC123."]),
    ("us_passport", "Passport No. 912803456, issued 2019.", "912803456", 0.6,
     ["Invoice 912803456 is overdue.", "Passport photos cost 15 dollars."]),
    ("age_over_89", "A 93-year-old woman fell at home.", "93-year-old", 0.8,
     ["An 89-year-old woman fell at home.", "Infant, age 90 days.", "BP 92/60, 95 kg."]),
    ("healthcare_facility_name", "Transferred from MGH last night.", "MGH", 0.6,
     ["Transferred from mgh last night.", "The MGHX group met."]),
    ("dictation_initials", "Sincerely,\nPriya Anand, MD\nPA/kw\ncc: Dr. Lowe", "PA/kw", 0.6,
     ["Call ER/or page the MD on call.", "Glucose 110 mg/dl, MD aware.", "Dictated by the MD: BP/HR stable today."]),
    ("healthcare_facility_acronym", "Transferred from Hollis County to KRMC for cath.", "KRMC", 0.6,
     ["Transferred to IMC for monitoring.", "OA of the CMC joint.", "KRMC was founded in 1990."]),
    ("healthcare_facility_acronym_h", "Admitted to BRH overnight.", "BRH", 0.6,
     ["Echo shows LVH; transferred to the floor.", "BRH results pending."]),
    ("account_number", "Acct #: KL-220915 (self-pay).", "KL-220915", 0.6,
     ["Ticket KL-220915 was closed.", "Acct #: pending."]),
    ("hospital_account_number", "Guarantor account 400981127 is past due.", "400981127", 0.6,
     ["Invoice 400981127 is past due."]),
    ("vehicle_vin", "Vehicle VIN 1HGCM82633A004352 was towed.", "1HGCM82633A004352", 0.85,
     ["Vehicle VIN 1HGCM82634A004352 was towed.", "Code 11111111111111111 sent."]),
    ("vehicle_vin_with_context", "VIN: WVWZZZ1JZXW000001, imported.", "WVWZZZ1JZXW000001", 0.6,
     ["Batch WVWZZZ1JZXW000001 imported."]),
    ("licence_plate", "Licence plate 7KJP294 was seen at the scene.", "7KJP294", 0.6,
     ["ORIF with plate at L4-L5.", "Part 7KJP294 was shipped."]),
    ("device_udi", "UDI (01)00643169007222(17)260128(21)BOH20151P on the box.",
     "(01)00643169007222(17)260128(21)BOH20151P", 0.85, ["Call (01) 555 0100."]),
    ("device_mac_address", "Pump Wi-Fi MAC 00:1A:2B:3C:4D:5E registered.", "00:1A:2B:3C:4D:5E", 0.7,
     ["Time 12:30:45 logged.", "Hash 00:1A:2B:3C:4D registered.", "Null MAC 00:00:00:00:00:00 logged.",
      "Build 2023.1105.0001 shipped.", "Mixed 10:2F:33-AC-29-C3 logged."]),
    ("device_serial", "Pacemaker serial no. RNB602211S, implanted 2021.", "RNB602211S", 0.6,
     ["Pacemaker model RNB602211S, implanted 2021.", "Serial no. pending."]),
    ("biometric_id", "Fingerprint ID FP-0082-7741 stored.", "FP-0082-7741", 0.6,
     ["Reference FP-0082-7741 stored.", "Fingerprint on file."]),
    ("certificate_number", "Death certificate no. 2024-0031877 issued.", "2024-0031877", 0.6,
     ["Invoice 2024-0031877 issued.", "Certificate on file."]),
    ("professional_licence", "Signed: Dana Fife, LMFT #104482", "104482", 0.6,
     ["BP 120/80, RR 16, PT 2x/week.", "Room # 10448 was cleaned."]),
    ("unique_id_after_id", "Scanned under media ID MED-0098123-RS today.", "MED-0098123-RS", 0.55,
     ["Photo ID checked at 0915.", "ID 2 of 3 verified.", "Pt ID verified x2."]),
    ("unique_id_transaction", "Rx #: 6620418 atorvastatin 40 mg", "6620418", 0.55,
     ["Rx: 1000 mg metformin.", "Order #4111111111111112 was refunded.", "order 3 units of PRBC"]),
    ("unique_id", "Accession: S24-118305, hemoglobin A1c.", "S24-118305", 0.55,
     ["Room S24-118305 is booked.", "Accession: 2024-04-02."]),
    ("employer", "Employer: Quillfeather Plastics, 2nd shift.", "Quillfeather Plastics", 0.5,
     ["Employer: Retired", "she works at night", "Employer: unknown"]),
]  # fmt: skip


def test_every_shipped_recognizer_has_a_case(packs):
    assert {r.name for r in packs.recognizers} == {c[0] for c in CASES}


@pytest.mark.parametrize("name,text,value,min_score,lookalikes", CASES, ids=[c[0] for c in CASES])
def test_finds_real_value_and_ignores_lookalikes(packs, name, text, value, min_score, lookalikes):
    recognizer = by_name(packs, name)
    results = run(recognizer, text)
    assert [text[r.start : r.end] for r in results] == [value]
    assert min_score <= results[0].score <= 1.0
    assert results[0].recognition_metadata[RecognizerResult.RECOGNIZER_NAME_KEY] == name
    for lookalike in lookalikes:
        found = [lookalike[r.start : r.end] for r in run(recognizer, lookalike)]
        assert not found, lookalike


def test_entity_types_and_categories(packs):
    financial = {"CREDIT_CARD", "IBAN_CODE", "ABA_ROUTING_NUMBER", "US_BANK_NUMBER", "SWIFT_CODE", "US_EIN",
                 "US_ITIN", "CUSIP", "ISIN", "CRYPTO"}  # fmt: skip
    health = {"MEDICAL_RECORD_NUMBER", "NPI", "DEA_NUMBER", "ICD10_CODE", "MEDICARE_MBI", "HEALTH_PLAN_ID",
              "MEDICATION", "MEDICAL_CONDITION", "MEDICAL_PROCEDURE"}  # fmt: skip
    financial |= {"ACCOUNT_NUMBER"}
    pii = {"US_DRIVER_LICENSE", "US_PASSPORT", "AGE_OVER_89", "HEALTHCARE_FACILITY", "VEHICLE_ID", "DEVICE_ID",
           "BIOMETRIC_ID", "CERTIFICATE_NUMBER", "UNIQUE_ID", "PERSON", "EMPLOYER"}  # fmt: skip
    general = {"DATE_YEAR", "PATIENT_MENTION"}  # a year in a medical history ("MI '92"); "pt", "the patient"
    assert packs.categories == {**{t: "FINANCIAL" for t in financial}, **{t: "HEALTH" for t in health},
                                **{t: "PII" for t in pii}, **{t: "GENERAL" for t in general}}


def test_recognizer_classes(packs):
    for r in packs.recognizers:
        assert isinstance(r, LexiconRecognizer if r.name in ("medication", "medical_condition", "medical_procedure", "healthcare_facility_name") else PackRecognizer)
    assert isinstance(by_name(packs, "credit_card"), PatternRecognizer)
    assert by_name(packs, "credit_card").validate_result("4111111111111111") is True
    assert by_name(packs, "credit_card").validate_result("4111111111111112") is False
    assert by_name(packs, "us_bank_account").validate_result("12345678") is None


# -- scoring and context --------------------------------------------------------------------


def test_context_raises_weak_checksum_scores(packs):
    aba = by_name(packs, "aba_routing")
    bare = run(aba, "Reference 021000021 attached.")
    boosted = run(aba, "ABA 021000021 attached.")
    assert bare and bare[0].score < 0.6
    assert boosted and boosted[0].score >= 0.85
    npi = by_name(packs, "npi")
    assert run(npi, "Call 1234567893.")[0].score < 0.6


def test_context_required_window_is_whole_word_and_bounded(packs):
    mrn = by_name(packs, "medical_record_number")
    assert spans(mrn, "Medical record number 00482913") == ["00482913"]
    assert spans(mrn, "MR# 00482913") == ["00482913"]
    assert spans(mrn, "flowchart 00482913") == []  # not the whole word "chart"
    assert spans(mrn, "MRN" + " filler" * 20 + " 00482913") == []  # outside the window
    # the word labels the nearest identifier only
    assert spans(mrn, "MRN: 00482913, seen by Dr. Lee (NPI 1234567893, DEA AB1234563)") == ["00482913"]


def test_context_words_match_variants(packs):
    plan = by_name(packs, "health_plan_id")
    for label in ["Member ID:", "MEMBER-ID", "member#", "Group #", "Policy No.", "Subscriber ID"]:
        assert spans(plan, f"{label} W2847562913") == ["W2847562913"], label


def test_context_required_lists_chain(packs):
    icd = by_name(packs, "icd10_code")
    text = "ICD-10: E11.9, I10, J45.909 and K21.9"
    assert spans(icd, text) == ["E11.9", "I10", "J45.909", "K21.9"]
    # a list after an unrelated sentence does not inherit the context
    text = "ICD-10: E11.9. The facilities crew will meet on Thursday in rooms A10 and B11, and A12 too"
    assert spans(icd, text) == ["E11.9"]


def test_context_after_zero_looks_only_before(packs):
    bank = by_name(packs, "us_bank_account")
    assert spans(bank, "Call 5551234567 about your account") == []
    assert spans(bank, "Acct no. 5551234567") == ["5551234567"]


def test_results_are_marked_as_context_scored(packs):
    # Presidio's lemma enhancer must not boost a second time.
    result = run(by_name(packs, "npi"), "Provider NPI 1234567893")[0]
    assert result.recognition_metadata[RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY] is True


def test_entities_filter(packs):
    assert by_name(packs, "credit_card").analyze("4111 1111 1111 1111", entities=["NPI"], nlp_artifacts=None) == []


def test_failing_match_is_trimmed_to_a_valid_one(packs):
    card = by_name(packs, "credit_card")
    assert spans(card, "Card 4111 1111 1111 1111 123 exp 12/27") == ["4111 1111 1111 1111"]
    iban = by_name(packs, "iban")
    assert spans(iban, "Pay BE68 5390 0754 7034 EUR 100") == ["BE68 5390 0754 7034"]


def test_card_formats(packs):
    card = by_name(packs, "credit_card")
    for value in ["4111-1111-1111-1111", "5555555555554444", "3782 822463 10005", "3056 930902 5904"]:
        assert spans(card, f"card: {value}.") == [value], value
    assert spans(card, "Mixed 4111 1111-1111 1111 separators") == []
    assert spans(card, "Price 4111111111111111.50 total") == []


def test_iban_without_spaces_and_other_countries(packs):
    iban = by_name(packs, "iban")
    for value in ["GB82WEST12345698765432", "NO93 8601 1117 947", "MT84 MALT 0110 0001 2345 MTLC AST0 01S"]:
        assert spans(iban, f"IBAN {value}") == [value], value


def test_crypto_variants(packs):
    btc = by_name(packs, "crypto_btc")
    for value in ["3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
                  "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"]:  # fmt: skip
        assert spans(btc, f"to {value}.") == [value]
    eth = by_name(packs, "crypto_eth")
    assert spans(eth, "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359") == ["0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359"]


def test_swift_eleven_chars_and_case(packs):
    swift = by_name(packs, "swift_bic")
    assert spans(swift, "BIC: DEUTDEFF500") == ["DEUTDEFF500"]
    assert spans(swift, "bic: deutdeff") == []  # codes are written in capitals


def test_mrn_ignores_iso_dates(packs):
    assert spans(by_name(packs, "medical_record_number"), "Chart reviewed 2024-03-15.") == []
    assert spans(by_name(packs, "medical_record_number"), "Chart # 123-45-6789") == ["123-45-6789"]


# -- lexicons -----------------------------------------------------------------------------------


def test_lexicon_longest_match_and_variants(packs):
    cond = by_name(packs, "medical_condition")
    assert spans(cond, "Type 2 diabetes mellitus, uncontrolled.") == ["Type 2 diabetes mellitus"]
    assert spans(cond, "type-2 diabetes") == ["type-2 diabetes"]
    assert spans(cond, "congestive heart\nfailure") == ["congestive heart\nfailure"]
    assert spans(cond, "Crohn's disease and Hepatitis C.") == ["Crohn's disease", "Hepatitis C"]
    assert spans(cond, "Hepatitis Clinic") == ["Hepatitis"]


def test_lexicon_capitals_rule(packs):
    cond = by_name(packs, "medical_condition")
    assert spans(cond, "HIV positive; AIDS defining illness; COPD") == ["HIV", "AIDS", "COPD"]
    assert spans(cond, "visual aids and hiv") == []


def test_lexicon_word_boundaries(packs):
    med = by_name(packs, "medication")
    assert spans(med, "Lasix-induced hypokalemia; Lasixx; preLasix") == ["Lasix"]
    assert spans(med, "OZEMPIC and ozempic") == ["OZEMPIC", "ozempic"]


def test_shipped_lexicons_are_sizeable(packs):
    assert by_name(packs, "medication").term_count >= 1000
    assert by_name(packs, "medical_condition").term_count >= 500


def test_lexicon_is_fast_with_thousands_of_terms(tmp_path):
    rng = random.Random(3)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(5, 10))) for _ in range(5000)]
    terms = [w if i % 3 else f"{w} {words[i - 1]}" for i, w in enumerate(words)]
    (tmp_path / "lexicons").mkdir()
    (tmp_path / "lexicons" / "big.txt").write_text("\n".join(terms), encoding="utf-8")
    pack = tmp_path / "big.yaml"
    pack.write_text(_pack_yaml("- {name: big, entity_type: BIG, category: OTHER, lexicon: big.txt}"), encoding="utf-8")
    recognizer = load_packs([pack]).recognizers[0]
    text = " ".join(rng.choice(words) if rng.random() < 0.05 else "filler" for _ in range(40_000))
    started = time.perf_counter()
    results = run(recognizer, text)
    assert time.perf_counter() - started < 2.0
    assert len(results) > 1000


# -- pack loading and errors -------------------------------------------------------------------


def _pack_yaml(entries: str) -> str:
    return "version: 1\nrecognizers:\n" + textwrap.indent(textwrap.dedent(entries).strip(), "  ") + "\n"


GOOD_ENTRY = """
- name: ticket
  entity_type: TICKET_ID
  category: OTHER
  patterns:
    - {name: t, regex: 'TCK-\\d{6}', score: 0.7}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_a_single_file_and_a_folder(tmp_path):
    path = write(tmp_path, "a.yaml", _pack_yaml(GOOD_ENTRY))
    for source in (path, tmp_path, str(path)):
        packset = load_packs([source])
        assert [r.name for r in packset.recognizers] == ["ticket"]
        assert packset.categories == {"TICKET_ID": "OTHER"}
    assert spans(packset.recognizers[0], "see TCK-123456") == ["TCK-123456"]


def test_later_pack_replaces_or_disables_by_name(tmp_path):
    write(tmp_path, "a.yaml", _pack_yaml(GOOD_ENTRY))
    write(tmp_path, "b.yaml", _pack_yaml(GOOD_ENTRY.replace("score: 0.7", "score: 0.9")))
    packset = load_packs([tmp_path])
    assert len(packset.recognizers) == 1 and run(packset.recognizers[0], "TCK-123456")[0].score == 0.9
    write(tmp_path, "c.yaml", _pack_yaml(GOOD_ENTRY + "  enabled: false\n"))
    assert load_packs([tmp_path]).recognizers == []


def test_site_pack_can_override_a_shipped_recognizer(tmp_path):
    write(tmp_path, "site.yaml", _pack_yaml("- {name: npi, entity_type: NPI, category: HEALTH, enabled: false, "
                                            "patterns: [{name: x, regex: x, score: 0.5}]}"))  # fmt: skip
    packset = load_packs([*default_pack_paths(), tmp_path])
    assert "npi" not in {r.name for r in packset.recognizers}
    assert packset.categories["NPI"] == "HEALTH"


@pytest.mark.parametrize(
    "entries,expected",
    [
        (GOOD_ENTRY + "  colour: red\n", ["recognizers[0] (ticket).colour", "Extra inputs"]),
        (GOOD_ENTRY + "  validator: crc99\n", ["recognizers[0] (ticket).validator", "unknown validator"]),
        (GOOD_ENTRY.replace("category: OTHER", "category: SECRET"), ["recognizers[0] (ticket).category"]),
        (GOOD_ENTRY.replace("TCK-", "TCK-("), ["patterns[0] (t).regex", "invalid regex"]),
        (GOOD_ENTRY.replace("score: 0.7", "score: 1.7"), ["patterns[0] (t).score"]),
        (GOOD_ENTRY.replace("entity_type: TICKET_ID", "entity_type: ticket id"), ["entity_type"]),
        (GOOD_ENTRY.replace("  entity_type: TICKET_ID\n", ""), ["recognizers[0] (ticket).entity_type", "required"]),
        (GOOD_ENTRY + "  context_required: true\n", ["context_required needs context"]),
        (GOOD_ENTRY + "  lexicon: terms.txt\n", ["either patterns or lexicon"]),
        (GOOD_ENTRY + "  lexicon: ../../etc/passwd\n", ["recognizers[0] (ticket).lexicon"]),
        (GOOD_ENTRY + "  context_window: 0\n", ["context_window"]),
        (GOOD_ENTRY + GOOD_ENTRY, ["duplicate name", "ticket"]),
    ],
    ids=["extra", "validator", "category", "regex", "score", "entity", "missing", "ctx", "both", "path", "window", "dup"],
)
def test_bad_pack_names_file_and_field(tmp_path, entries, expected):
    path = write(tmp_path, "bad.yaml", _pack_yaml(entries))
    with pytest.raises(PackError) as excinfo:
        load_packs([path])
    message = str(excinfo.value)
    assert str(path) in message
    for fragment in expected:
        assert fragment in message
    assert isinstance(excinfo.value, ConfigError) and excinfo.value.exit_code == 2


def test_bad_top_level(tmp_path):
    cases = {
        "empty.yaml": "",
        "list.yaml": "- a\n- b\n",
        "broken.yaml": "version: 1\nrecognizers: [\n",
        "extra.yaml": "version: 1\nrecognisers: []\n",
        "version.yaml": "version: 2\nrecognizers: []\n",
    }
    for name, body in cases.items():
        with pytest.raises(PackError, match=name):
            load_packs([write(tmp_path, name, body)])
    with pytest.raises(PackError, match="line 3"):
        load_packs([tmp_path / "broken.yaml"])
    with pytest.raises(PackError, match="not found"):
        load_packs([tmp_path / "missing.yaml"])


def test_missing_or_empty_lexicon(tmp_path):
    entry = "- {name: terms, entity_type: TERM, category: OTHER, lexicon: nothere.txt}"
    with pytest.raises(PackError, match=r"terms: lexicon: file nothere.txt not found"):
        load_packs([write(tmp_path, "p.yaml", _pack_yaml(entry))])
    (tmp_path / "lexicons").mkdir()
    (tmp_path / "lexicons" / "nothere.txt").write_text("# only a comment\n\n", encoding="utf-8")
    with pytest.raises(PackError, match="has no terms"):
        load_packs([tmp_path / "p.yaml"])


def test_one_category_per_entity_type(tmp_path):
    write(tmp_path, "a.yaml", _pack_yaml(GOOD_ENTRY))
    write(tmp_path, "b.yaml", _pack_yaml(GOOD_ENTRY.replace("name: ticket", "name: ticket2").replace("OTHER", "PII")))
    with pytest.raises(PackError, match=r"b.yaml: recognizer ticket2: category: TICKET_ID is PII"):
        load_packs([tmp_path])


def test_invalid_score_keeps_failed_matches(tmp_path):
    entry = """
    - name: card
      entity_type: CARD
      category: FINANCIAL
      validator: luhn
      invalid_score: 0.3
      patterns: [{name: c, regex: '\\d{16}', score: 0.9}]
    """
    recognizer = load_packs([write(tmp_path, "p.yaml", _pack_yaml(entry))]).recognizers[0]
    assert [round(r.score, 2) for r in run(recognizer, "4111111111111111 4111111111111112")] == [0.9, 0.3]


def test_runaway_regex_fails_loudly(tmp_path, monkeypatch):
    import redactor.detect.packs as packs_module

    entry = "- {name: slow, entity_type: SLOW, category: OTHER, patterns: [{name: bad, regex: '(a|aa)+$', score: 0.5}]}"
    recognizer = load_packs([write(tmp_path, "p.yaml", _pack_yaml(entry))]).recognizers[0]
    monkeypatch.setattr(packs_module, "REGEX_TIMEOUT_S", 0.05)
    with pytest.raises(PackError, match="slow: pattern bad took over"):
        run(recognizer, "a" * 34 + "!")


def test_context_required_one_per_line_lists_chain(packs):
    icd = by_name(packs, "icd10_code")
    text = "DIAGNOSIS (ICD-10)\n  A. E11.65   Type 2 diabetes mellitus\n  B. I10      Essential hypertension\n"
    assert spans(icd, text) == ["E11.65", "I10"]
    # a code in running text on the next line does not inherit the heading
    text = "DIAGNOSIS (ICD-10): E11.65\nThe facilities crew will meet on Thursday afternoon in room A10."
    assert spans(icd, text) == ["E11.65"]


def test_iban_typed_in_lower_case(packs):
    iban = by_name(packs, "iban")
    assert spans(iban, "my iban is gb42nawi04454264788619") == ["gb42nawi04454264788619"]
    assert spans(iban, "my iban is gb42nawi04454264788618") == []


def test_column_names_with_underscores_carry_context(packs):
    bank = by_name(packs, "us_bank_account")
    assert spans(bank, "bank_routing: 021000021\nbank_account: 918300274615") == ["918300274615"]
    assert spans(bank, "order_total: 918300274615") == []
