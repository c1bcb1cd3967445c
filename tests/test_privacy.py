"""The privacy property: with the cloud configured, no sensitive value ever reaches it.

Every shipped policy is run over sample_docs and the presidio-research synthetic
set through the real pipeline and the real ``openai`` client, against the
recording server on 127.0.0.1.  Then every request the server recorded (headers
and raw body) is searched for:

- every gold value of a type the policy does not allow out in clear, and
- every value the scanner detected in a document whose findings the policy
  does not allow out in clear.

The local backend here is a real ``LocalBackend`` whose model file is absent,
so every local route fails closed: what matters is what was *sent*.  The local
route itself is exercised with the real model in test_pipeline.py and test_cli_run.py.
"""

from __future__ import annotations

import json

import pytest

from conftest import SAMPLE_DOCS, SAMPLE_LABELS, SYNTH
from redactor.detect.findings import Finding
from redactor.evaluate import DEFAULT_IGNORED
from redactor.ingest import iter_documents
from redactor.policy import builtin_policies, load_policy

TASK = "Summarize this document."
# Gold types of the synthetic set that redactor types as QUASI_IDENTIFIER (places,
# dates, domains, postcodes); a policy may allow those out in clear.
QUASI_GOLD = {"GPE", "LOCATION", "DATE_TIME", "DOMAIN_NAME", "URL", "ZIP_CODE"}


def _allowed_in_clear(policy, entity_type: str, category: str) -> bool:
    return policy.action_for(Finding(entity_type, category, 0, 1, 1.0))[1] == "allow"


def _sample_gold() -> list[tuple[str, str]]:
    data = json.loads(SAMPLE_LABELS.read_text())
    return [(e["type"], e["value"]) for d in data["documents"] for e in d["entities"]]


def _synth():
    return json.loads(SYNTH.read_text())


def _run(pipeline, texts_or_docs):
    detected = []
    for item in texts_or_docs:
        r = pipeline.process(item, TASK, max_tokens=16)
        if r.scan is not None:
            detected += [(f.entity_type, f.category, f.value(r.scan.text)) for f in r.scan.findings]
    return detected


def _leaks(server, policy, gold, detected, categories) -> list[str]:
    leaks = []
    for entity_type, value in gold:
        category = "QUASI_IDENTIFIER" if entity_type in QUASI_GOLD else categories.get(entity_type, "PII")
        if not _allowed_in_clear(policy, entity_type, category) and len(value) > 3 and server.sent_anywhere(value):
            leaks.append(f"gold {entity_type}")
    for entity_type, category, value in detected:
        if not _allowed_in_clear(policy, entity_type, category) and len(value) > 3 and server.sent_anywhere(value):
            leaks.append(f"detected {entity_type}")
    return leaks


@pytest.mark.parametrize("policy_name", sorted(builtin_policies()))
def test_no_sensitive_value_reaches_the_cloud_sample_docs(policy_name, make_pipeline, openai_server, missing_local_model, scanner):
    pipeline = make_pipeline(policy=policy_name, local=missing_local_model)
    docs = list(iter_documents([SAMPLE_DOCS]))
    detected = _run(pipeline, docs)
    assert openai_server.chat_requests, "no document went to the cloud: the test would prove nothing"
    leaks = _leaks(openai_server, pipeline.policy, _sample_gold(), detected, scanner.categories)
    assert leaks == []


@pytest.mark.parametrize("policy_name", sorted(builtin_policies()))
def test_no_sensitive_value_reaches_the_cloud_synthetic_set(policy_name, make_pipeline, openai_server, missing_local_model, scanner):
    pipeline = make_pipeline(policy=policy_name, local=missing_local_model)
    records = _synth()
    detected = _run(pipeline, [r["full_text"] for r in records])
    assert openai_server.chat_requests
    gold = [(s["entity_type"], s["entity_value"]) for r in records for s in r["spans"] if s["entity_type"] not in DEFAULT_IGNORED]
    leaks = _leaks(openai_server, pipeline.policy, gold, detected, scanner.categories)
    assert leaks == [], f"{len(leaks)} values reached the cloud: {sorted(set(leaks))}"
