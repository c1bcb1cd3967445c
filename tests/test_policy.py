from pathlib import Path

import pytest

from redactor.detect.findings import Finding
from redactor.errors import PolicyError
from redactor.policy import Route, builtin_policies, decide, load_policy


def f(entity: str, category: str, score: float = 0.9) -> Finding:
    return Finding(entity, category, 0, 4, score, "test")


@pytest.fixture(scope="module")
def default():
    return load_policy()


def test_clean_text_goes_to_cloud(default):
    d = decide([], default)
    assert d.route is Route.CLOUD and d.rule_ids == ["clean"]


@pytest.mark.parametrize("category", ["PII", "FINANCIAL", "HEALTH", "UNKNOWN"])
def test_default_keeps_sensitive_local(default, category):
    entity = {"HEALTH": "NPI"}.get(category, "X_" + category)
    assert decide([f(entity, category)], default).route is Route.LOCAL


def test_credentials_are_blocked(default):
    assert decide([f("API_KEY", "CREDENTIAL")], default).route is Route.BLOCKED


def test_condition_alone_may_go_out_but_with_an_identifier_is_phi(default):
    assert decide([f("MEDICAL_CONDITION", "HEALTH")], default).route is Route.CLOUD
    d = decide([f("MEDICAL_CONDITION", "HEALTH"), f("DATE_TIME", "QUASI_IDENTIFIER")], default)
    assert d.route is Route.LOCAL
    assert d.rule_ids[0] == "combination.phi"


def test_unknown_entity_type_takes_the_safe_route(default):
    d = decide([f("SOMETHING_NEW", "NOT_A_CATEGORY")], default)
    assert d.route is Route.LOCAL and d.rule_ids == ["unknown_entity"]


def test_reasons_name_rule_and_counts(default):
    d = decide([f("PERSON", "PII"), f("PERSON", "PII"), f("US_SSN", "PII")], default)
    assert d.reasons[0].rule == "category.PII"
    assert d.reasons[0].entities == {"PERSON": 2, "US_SSN": 1}
    assert "PERSON×2" in str(d.reasons[0])


def test_low_confidence_is_a_doubt_not_ignored():
    p = load_policy("redact-pii")
    d = decide([f("PERSON", "PII", 0.2)], p)
    assert d.route is Route.CLOUD_REDACTED
    assert d.rule_ids == ["low_confidence(category.PII)"]


def test_redact_is_opt_in_per_category():
    p = load_policy("redact-pii")
    assert decide([f("PERSON", "PII")], p).route is Route.CLOUD_REDACTED
    assert decide([f("PERSON", "PII"), f("NPI", "HEALTH")], p).route is Route.LOCAL


def test_version_is_stable_and_changes_with_content(tmp_path: Path, default):
    assert load_policy().version == default.version
    text = builtin_policies()["default"].read_text().replace('min_score = 0.5', 'min_score = 0.6', 1)
    (tmp_path / "p.toml").write_text(text)
    assert load_policy(tmp_path / "p.toml").version != default.version


def test_all_shipped_policies_are_valid():
    assert {"default", "redact-pii", "strict"} <= set(builtin_policies())
    for name in builtin_policies():
        assert len(load_policy(name).version) == 64


@pytest.mark.parametrize(
    "body, field",
    [
        ('name = "x"\nunknown_entiy = "local"\n', "unknown_entiy"),
        ('name = "x"\n[categories.PII]\naction = "send"\n', "categories.PII.action"),
        ('name = "x"\n[categories.PII]\naction = "local"\nmin_score = 2\n', "categories.PII.min_score"),
    ],
)
def test_errors_name_the_field(tmp_path: Path, body: str, field: str):
    (tmp_path / "bad.toml").write_text(body)
    with pytest.raises(PolicyError, match=field.replace(".", r"\.")):
        load_policy(tmp_path / "bad.toml")


def test_missing_policy_file():
    with pytest.raises(PolicyError, match="not found"):
        load_policy("/nonexistent/policy.toml")
