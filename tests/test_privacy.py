"""The privacy property: with the cloud configured, no sensitive value ever reaches it.

Every shipped policy is run over sample_docs and the presidio-research synthetic
set through the real pipeline and the real ``openai`` client, against the
recording server on 127.0.0.1.  Then every request the server recorded (headers
and raw body) is searched for:

- every gold value of a type the policy does not allow out in clear, and
- every value the scanner detected in a document whose findings the policy
  does not allow out in clear.

On sample_docs (realistic documents) nothing may leak.  On the synthetic set no
detected value may leak, and gold values that every detector missed are held to
the measured residual (``MAX_SYNTH_MISSES``).

The local backend here is a real ``LocalBackend`` whose model file is absent,
so every local route fails closed: what matters is what was *sent*.  The local
route itself is exercised with the real model in test_pipeline.py and test_cli_run.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SAMPLE_DOCS, SAMPLE_LABELS, SYNTH
from redactor.detect.findings import Finding
from redactor.detect.clinical import general_type
from redactor.evaluate import DEFAULT_IGNORED
from redactor.ingest import iter_documents
from redactor.policy import builtin_policies

TASK = "Summarize this document."
# Gold types of the synthetic set that redactor types as QUASI_IDENTIFIER (places,
# dates, domains, postcodes); a policy may allow those out in clear.
QUASI_GOLD = {"GPE", "LOCATION", "DATE_TIME", "DOMAIN_NAME", "URL", "ZIP_CODE"}
# The residual the synthetic set still leaks (see the test below); raising it is a decision.
# Measured 6 on every quiet run; about one run in eight under heavy CPU load adds a 7th (the
# house number "333" of "333 Golfskálinn 78"), a nondeterminism whose cause is still open.
MAX_SYNTH_MISSES = 7


def _allowed_in_clear(policy, entity_type: str, category: str) -> bool:
    return policy.action_for(Finding(entity_type, category, 0, 1, 1.0))[1] == "allow"


def _sample_gold() -> dict[str, list[tuple[str, str]]]:
    data = json.loads(SAMPLE_LABELS.read_text())
    return {d["file"]: [(e["type"], e["value"]) for e in d["entities"]] for d in data["documents"]}


def _leaks(pipeline, server, items, categories) -> list[str]:
    """Process each (document, gold values) pair; check what was sent *for that document*."""
    policy, leaks = pipeline.policy, []
    for doc, gold in items:
        before = len(server.requests)
        r = pipeline.process(doc, TASK, max_tokens=16)
        sent = server.requests[before:]
        if not sent:
            continue
        detected = [(f.entity_type, f.category, f.value(r.scan.text)) for f in r.scan.findings] if r.scan else []
        for entity_type, value in gold:
            category = "QUASI_IDENTIFIER" if entity_type in QUASI_GOLD else categories.get(entity_type, "PII")
            if entity_type in QUASI_GOLD and general_type(value):
                category = "GENERAL"  # a year alone, a state or a country: not a Safe Harbor identifier
            if not _allowed_in_clear(policy, entity_type, category) and any(q.contains(value) for q in sent):
                leaks.append(f"gold {entity_type}")
        for entity_type, category, value in detected:
            if not _allowed_in_clear(policy, entity_type, category) and any(q.contains(value) for q in sent):
                leaks.append(f"detected {entity_type}")
    return leaks


@pytest.mark.parametrize("policy_name", sorted(builtin_policies()))
def test_no_sensitive_value_reaches_the_cloud_sample_docs(policy_name, make_pipeline, openai_server, missing_local_model, scanner):
    pipeline = make_pipeline(policy=policy_name, local=missing_local_model)
    gold = _sample_gold()
    items = [(doc, gold[Path(doc.id.split("#")[0]).name]) for doc in iter_documents([SAMPLE_DOCS])]
    leaks = _leaks(pipeline, openai_server, items, scanner.categories)
    assert openai_server.chat_requests, "no document went to the cloud: the test would prove nothing"
    assert leaks == []


@pytest.mark.parametrize("policy_name", sorted(builtin_policies()))
def test_no_sensitive_value_reaches_the_cloud_synthetic_set(policy_name, make_pipeline, openai_server, missing_local_model, scanner):
    pipeline = make_pipeline(policy=policy_name, local=missing_local_model)
    records = json.loads(SYNTH.read_text())
    items = [
        (r["full_text"], [(s["entity_type"], s["entity_value"]) for s in r["spans"] if s["entity_type"] not in DEFAULT_IGNORED])
        for r in records
    ]
    leaks = _leaks(pipeline, openai_server, items, scanner.categories)
    assert openai_server.chat_requests
    assert [x for x in leaks if x.startswith("detected")] == []
    # Every gold value a detector misses is caught by the doubt pass except a few names that
    # are also ordinary English words, sentence-initial or typed in lower case ("Walker began
    # writing...", "White", "Key") and one address typed in lower case ("33 avenue de
    # Provence"). Measured: default 2, redact-pii 6 (two of them one record), strict 0 of 1,788.
    sensitive = sum(1 for _, g in items for t, _ in g if t not in QUASI_GOLD)
    assert len(leaks) <= MAX_SYNTH_MISSES, f"{len(leaks)} of {sensitive} values reached the cloud: {sorted(set(leaks))}"
