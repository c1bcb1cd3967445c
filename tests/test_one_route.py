"""One route, wired once: the batch run's prepare stage and the gateway's give the same text
the same route, the same reasons, the same redacted entity types and the same audit counts,
under every shipped policy (``prepare.py``); and the gateway applies the policy's transform
(HIPAA Safe Harbor forms), end to end through the recording upstream."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import httpx
import pytest

from redactor.evaluate import read_jsonl, read_presidio_json
from redactor.policy import builtin_policies, load_policy
from redactor.prepare import prepare
from redactor.serve.conversation import chat_slots, route_conversation
from redactor.serve.scancache import ScanCache

DATA = Path(__file__).parent
TEXTS = [e.text for e in itertools.chain(
    itertools.islice(read_presidio_json(DATA / "data" / "synth_dataset_v2.json"), 0, 400, 8),
    itertools.islice(read_jsonl(DATA / "labeled" / "clinical.jsonl"), 0, 205, 4),
    itertools.islice(read_jsonl(DATA / "labeled" / "clinical_notes_dev.jsonl"), 0, 89, 3),
    itertools.islice(read_jsonl(DATA / "labeled" / "financial_health.jsonl"), 0, 87, 4),
)] + [
    "Seen 03/14/2019 at 14:30 for follow-up; next visit 4/2.",
    "Pt born 1931, lives in Salem OR 97301; call 503-555-0142.",
]


def _types(mapping) -> list[str]:
    return sorted({token.strip("<>").rsplit("_", 1)[0] for token in mapping.tokens}) if mapping else []


@pytest.mark.parametrize("policy_name", sorted(builtin_policies()))
def test_batch_and_gateway_decide_the_same_text_the_same_way(scanner, policy_name):
    policy = load_policy(policy_name)
    cache = ScanCache(scanner)
    differ = []
    for i, text in enumerate(TEXTS):
        batch = prepare(text, "Answer the question.", scanner, policy, cloud_configured=True, scan=scanner.scan(text))
        gw = route_conversation(chat_slots({"messages": [{"role": "user", "content": text}]}), policy, cache,
                                cloud_configured=True)
        found = batch.scan.findings + batch.doubts
        same = (batch.decision.route == gw.decision.route and batch.decision.rule_ids == gw.decision.rule_ids
                and _types(batch.mapping) == _types(gw.mapping)
                and dict(sorted(Counter(f.entity_type for f in found).items())) == gw.entity_counts)
        if not same:
            differ.append((i, batch.decision.route.value, gw.decision.route.value, batch.decision.rule_ids[-1:],
                           gw.decision.rule_ids[-1:]))
    assert differ == [], f"{len(differ)} of {len(TEXTS)} differ: {differ[:5]}"


def test_the_gateway_under_safe_harbor_sends_the_safe_harbor_forms_and_restores(gateway, openai_server):
    gw = gateway(policy="hipaa-safe-harbor")
    ask = "Mr. Dale Whitcombe was admitted on 03/14/2019 at 14:30. He lives in Dorchester, MA 02124. Please summarize."
    openai_server.enqueue("<PERSON_1> was admitted on <DATE_TIME_1> (2019).")
    r = httpx.post(gw.base_url + "/chat/completions", timeout=60,
                   json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": ask}]})
    assert r.status_code == 200, r.text
    assert r.headers["x-redactor-route"] == "cloud_redacted"
    sent = openai_server.requests[-1].json["messages"]
    assert "<DATE_TIME_1> (2019)" in sent[-1]["content"]  # a date keeps only its year
    for value in ("Whitcombe", "03/14/2019", "14:30", "Dorchester", "02124"):
        assert not openai_server.sent_anywhere(value), value
    assert "such as a year" in sent[0]["content"]  # the transform's note to the model
    assert r.json()["choices"][0]["message"]["content"].startswith("Dale Whitcombe was admitted on 03/14/2019")
    rec = gw.gateway.audit.records()[-1]
    assert (rec["transform"], rec["policy_name"]) == ("hipaa-safe-harbor", "hipaa-safe-harbor")
