from redactor.guard import check_payload
from redactor.policy import load_policy
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
