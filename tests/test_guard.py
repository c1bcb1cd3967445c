import pytest

from redactor.guard import check_payload
from redactor.policy import Policy, Rule, load_policy
from redactor.transform import Mapping


def msgs(task: str, doc: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": "You are careful."}, {"role": "user", "content": f"{task}\n\nDocument:\n{doc}"}]


def test_clean_payload_passes(scanner):
    v = check_payload(msgs("Summarize", "The office moves to the third floor next quarter."), scanner, load_policy())
    assert v.ok, v.reason


def test_sensitive_task_text_is_caught(scanner):
    v = check_payload(msgs("Email the summary to jane.doe@example.com", "Quarterly roadmap."), scanner, load_policy())
    assert not v.ok and v.reason == "guard.category.PII"


def test_placeholders_are_not_findings(scanner):
    v = check_payload(msgs("Summarize", "<PERSON_1> asked <PERSON_2> to call <PHONE_NUMBER_1>."), scanner, load_policy("redact-pii"))
    assert v.ok, v.reason


def test_a_mapping_value_left_in_clear_is_refused_whatever_the_scanner_says(scanner):
    mapping = Mapping()
    mapping.token_for("PERSON", "zebra unicorn")  # nothing a scanner would flag
    v = check_payload(msgs("Summarize", "<PERSON_1> likes the Zebra  Unicorn brand."), scanner, load_policy("redact-pii"), mapping)
    assert not v.ok and v.reason == "guard.mapping-value-in-payload"


# -- strong identifiers: refused whatever the policy's categories say --------------------------

OPEN = Policy(
    name="open", unknown_entity="allow", low_confidence="allow",
    categories={c: {"action": "allow"} for c in ("PII", "FINANCIAL", "HEALTH", "CREDENTIAL", "QUASI_IDENTIFIER", "UNKNOWN")},
)


@pytest.mark.parametrize(
    "doc, entity_type",
    [
        ("Please charge my Visa 4111 1111 1111 1111 for the renewal.", "CREDIT_CARD"),
        ("Wire it to IBAN GB82WEST12345698765432 by Friday.", "IBAN_CODE"),
        ("Our bank routing number is 021000021 for payroll.", "ABA_ROUTING_NUMBER"),
        ("Her SSN 536-22-1987 is on file.", "US_SSN"),
        ("Referring provider NPI: 1234567893.", "NPI"),
        ("Prescriber DEA # AB1234563 signed the order.", "DEA_NUMBER"),
        ("Medicare MBI 1EG4-TE5-MK73 verified at intake.", "MEDICARE_MBI"),
        ("Clinic note. MRN: 00482913. Follow-up in two weeks.", "MEDICAL_RECORD_NUMBER"),
        ("Member ID: XKP-448812-07 is active.", "HEALTH_PLAN_ID"),
    ],
)
def test_a_strong_identifier_stops_the_send_under_any_policy(scanner, doc: str, entity_type: str):
    v = check_payload(msgs("Summarize", doc), scanner, OPEN)
    assert not v.ok and v.reason == f"guard.identifier.{entity_type}"
    named = OPEN.model_copy(update={"entities": {entity_type: Rule(action="allow")}})
    v = check_payload(msgs("Summarize", doc), scanner, named)
    assert v.ok, v.reason


def test_an_allow_rule_below_its_min_score_does_not_name_the_identifier(scanner):
    doc = "Referring provider NPI: 1234567893."
    strict_named = OPEN.model_copy(update={"entities": {"NPI": Rule(action="allow", min_score=1.0)}})
    v = check_payload(msgs("Summarize", doc), scanner, strict_named)
    assert not v.ok and v.reason == "guard.identifier.NPI"


def test_identifiers_in_placeholders_are_not_in_clear(scanner):
    v = check_payload(msgs("Summarize", "Card <CREDIT_CARD_1> and MRN <MEDICAL_RECORD_NUMBER_1> were updated."), scanner, OPEN)
    assert v.ok, v.reason
