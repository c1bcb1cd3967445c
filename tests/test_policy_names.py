"""A policy may only name categories and entity types that exist.

A misspelt name never matches a finding, so what it meant falls through to a
more permissive rule: ``[categories.HELTH]`` with ``unknown_entity = "allow"``
once sent a note with an MRN and a diagnosis to the cloud in clear.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from redactor.cli.main import cli
from redactor.config import DetectSettings
from redactor.detect.registry import build_registry
from redactor.errors import PolicyError
from redactor.pipeline import Pipeline
from redactor.policy import Policy, builtin_policies, load_policy
from conftest import make_settings

MISSPELT_HEALTH = """
name = "typo"
unknown_entity = "allow"
low_confidence = "allow"

[categories.HELTH]
action = "local"
"""

PERMISSIVE = """
name = "permissive"
unknown_entity = "allow"
low_confidence = "allow"

[categories.HEALTH]
action = "allow"
"""

NOTE = "Clinic note. MRN: 00482913. Diagnosis: type 2 diabetes mellitus (E11.9), well controlled on metformin."
TASK = "Summarize this note."

BADGE_PACK = """
version: 1
recognizers:
  - name: employee_badge
    entity_type: EMPLOYEE_BADGE
    category: PII
    patterns: [{name: badge, regex: 'EB-\\d{6}', score: 0.9}]
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_misspelt_category_does_not_load_and_names_the_key_and_the_fix(tmp_path: Path):
    with pytest.raises(PolicyError) as e:
        load_policy(write(tmp_path, "typo.toml", MISSPELT_HEALTH))
    assert "categories.HELTH" in str(e.value) and "did you mean HEALTH?" in str(e.value)
    assert "typo.toml" in str(e.value)


@pytest.mark.parametrize(
    "body, key, fix",
    [
        ('[entities.MEDICAL_RECORD_NUMBR]\naction = "local"\n', "entities.MEDICAL_RECORD_NUMBR", "MEDICAL_RECORD_NUMBER"),
        ('[entities.us_ssn]\naction = "local"\n', "entities.us_ssn", "US_SSN"),
        ('[[combinations]]\nid = "x"\nif_all = ["HEALTH"]\nif_any = ["PII", "FINANCAL"]\naction = "local"\n',
         "combinations[0] (x).if_any: FINANCAL", "FINANCIAL"),
        ('[[combinations]]\nid = "x"\nif_all = ["DIAGNOSIS_CODE"]\naction = "local"\n',
         "combinations[0] (x).if_all: DIAGNOSIS_CODE", "known:"),
    ],
)
def test_unknown_entity_types_and_combination_names_are_errors(tmp_path: Path, body: str, key: str, fix: str):
    with pytest.raises(PolicyError) as e:
        load_policy(write(tmp_path, "p.toml", 'name = "p"\n' + body))
    assert key in str(e.value) and fix in str(e.value)


def test_types_of_custom_packs_are_known_when_the_settings_name_the_pack(tmp_path: Path):
    pack = write(tmp_path, "badges.yaml", BADGE_PACK)
    policy = write(tmp_path, "p.toml", 'name = "p"\n[entities.EMPLOYEE_BADGE]\naction = "block"\n')
    with pytest.raises(PolicyError, match="entities.EMPLOYEE_BADGE"):
        load_policy(policy)
    assert load_policy(policy, DetectSettings(packs=[pack])).entities["EMPLOYEE_BADGE"].action == "block"


def test_every_type_a_scanner_can_report_is_known(scanner):
    """known_entity_types reads YAML and tables only; it must not miss what the real registry builds."""
    from redactor.detect.categories import known_entity_types

    known = known_entity_types(DetectSettings())
    assert set(scanner.supported_entities) <= set(known)
    assert known["MEDICAL_RECORD_NUMBER"] == "HEALTH" and known["UNVERIFIED"] == "PII"
    bare = build_registry(DetectSettings(use_default_packs=False)).registry.get_supported_entities(["en"])
    assert set(bare) <= set(known_entity_types(DetectSettings(use_default_packs=False)))


def test_shipped_policies_name_only_known_types():
    for name in ("default", "redact-pii", "strict"):
        load_policy(name, DetectSettings())


def test_policy_check_exits_2_on_a_misspelt_category(tmp_path: Path):
    r = CliRunner().invoke(cli, ["policy", "check", str(write(tmp_path, "typo.toml", MISSPELT_HEALTH))])
    assert r.exit_code == 2, r.output
    assert "categories.HELTH" in r.stderr and "HEALTH" in r.stderr


def test_policy_check_reads_the_packs_of_the_settings(tmp_path: Path):
    pack = write(tmp_path, "badges.yaml", BADGE_PACK)
    config = write(tmp_path, "config.toml", f'[detect]\npacks = ["{pack}"]\n')
    policy = write(tmp_path, "p.toml", 'name = "p"\n[entities.EMPLOYEE_BADGE]\naction = "block"\n')
    assert CliRunner().invoke(cli, ["policy", "check", str(policy)]).exit_code == 2
    r = CliRunner().invoke(cli, ["policy", "check", str(policy), "--config", str(config)])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(cli, ["policy", "show", str(policy), "--config", str(config)])
    assert r.exit_code == 0 and "EMPLOYEE_BADGE" in r.output


def test_a_pipeline_refuses_a_policy_object_with_unknown_names(openai_server):
    policy = Policy(name="typo", unknown_entity="allow", categories={"HELTH": {"action": "local"}})
    with pytest.raises(PolicyError, match="categories.HELTH"):
        Pipeline(make_settings(openai_server), policy=policy)


def test_the_misspelt_policy_cannot_be_the_run_policy(tmp_path: Path, make_pipeline):
    with pytest.raises(PolicyError, match="categories.HELTH"):
        make_pipeline(policy=str(write(tmp_path, "typo.toml", MISSPELT_HEALTH)))


def test_a_permissive_policy_does_not_send_an_mrn_in_clear(tmp_path: Path, make_pipeline, openai_server, missing_local_model):
    """HEALTH allowed, unknown allowed: the leak guard still refuses the MRN; the note stays local."""
    pipeline = make_pipeline(policy=str(write(tmp_path, "permissive.toml", PERMISSIVE)), local=missing_local_model)
    r = pipeline.process(NOTE, TASK, max_tokens=16)
    assert openai_server.requests == []
    assert r.route == "local" and "guard.identifier.MEDICAL_RECORD_NUMBER" in r.decision.rule_ids
    assert r.outcome == "error"  # the local model is absent: the note fails, it is not sent instead


def test_naming_the_mrn_as_allowed_lets_the_note_out(tmp_path: Path, make_pipeline, openai_server, missing_local_model):
    """The control: the guard lets an identifier out when the policy allows that type by name."""
    body = PERMISSIVE + '\n[entities.MEDICAL_RECORD_NUMBER]\naction = "allow"\n'
    pipeline = make_pipeline(policy=str(write(tmp_path, "named.toml", body)), local=missing_local_model)
    r = pipeline.process(NOTE, TASK, max_tokens=16)
    assert (r.outcome, r.route) == ("ok", "cloud")
    assert openai_server.sent_anywhere("00482913")


def test_run_with_a_misspelt_policy_stops_before_any_document(tmp_path: Path, openai_server):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "note.txt").write_text(NOTE)
    env = {"OPENAI_BASE_URL": openai_server.base_url, "OPENAI_API_KEY": "sk-test-key-123"}
    r = CliRunner().invoke(cli, ["run", str(docs), "--task", TASK, "--out", str(tmp_path / "out"),
                                 "--policy", str(write(tmp_path, "typo.toml", MISSPELT_HEALTH))], env=env)
    assert r.exit_code == 2 and "categories.HELTH" in r.stderr and "did you mean HEALTH?" in r.stderr
    assert openai_server.requests == []
    r = CliRunner().invoke(cli, ["scan", str(docs), "--policy", str(tmp_path / "typo.toml")])
    assert r.exit_code == 2 and "categories.HELTH" in r.stderr


def test_checking_names_loads_neither_spacy_nor_presidio():
    """`policy check` reads the packs' YAML; it must stay a quick command."""
    import subprocess
    import sys

    code = (
        "import sys; from redactor.policy import load_policy; load_policy('default'); "
        "print(sorted(m for m in ('spacy', 'presidio_analyzer') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("command", ["run", "scan", "serve"])
def test_help_names_every_shipped_policy(command):
    out = CliRunner().invoke(cli, [command, "--help"], terminal_width=400).output
    assert all(name in out for name in builtin_policies()), out
