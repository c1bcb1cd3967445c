"""Requests the gateway refuses — before authentication, before routing — each leave one record
in the same hash-chained trail (outcome ``refused``, a reason code, the key id when known; never
the presented key, the path or any text), and a flood of them cannot grow the trail without bound."""

from __future__ import annotations

import threading
import time

import httpx
import openai
import pytest

from redactor.serve.keys import KeyStore

NAME = "Dana Whitfield"
MSGS = [{"role": "user", "content": f"Please write to {NAME} at dana.whitfield@example.com about the invoice."}]
BODY = {"model": "gpt-4o-mini", "messages": MSGS}


def refusals(gw) -> list[dict]:
    return [r for r in gw.gateway.audit.records() if r["outcome"] == "refused"]


def assert_clean_trail(gw, tmp_path, *secrets: str) -> None:
    """The trail verifies and holds none of the presented secrets, values or paths."""
    gw.gateway.audit.verify().raise_for_status()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("audit.db*"))
    for s in (*secrets, NAME, "dana.whitfield", "/v1/secret-path"):
        assert s.encode() not in raw


def test_every_refusal_before_routing_leaves_one_record(gateway, openai_server, redactor_home, tmp_path):
    from redactor.serve.app import GatewayOptions

    store = KeyStore()
    revoked_row, revoked = store.create(name="old")
    store.revoke(revoked_row.id)
    limited_row, limited = store.create(rpm=1)
    gw = gateway(keys=store, options=GatewayOptions(allow_origins=["https://app.example"]))
    chat = gw.base_url + "/chat/completions"
    wrong = "rdk-not-a-real-key-0123456789"

    cases = [  # (request, status, error_class, key id)
        (lambda: httpx.post(chat, json=BODY), 401, "invalid_api_key.missing", "none"),
        (lambda: httpx.post(chat, json=BODY, headers={"authorization": f"Bearer {wrong}"}), 401,
         "invalid_api_key.unknown", "none"),
        (lambda: httpx.post(chat, json=BODY, headers={"authorization": f"Bearer {revoked}"}), 401,
         "invalid_api_key.revoked", revoked_row.id),
        (lambda: httpx.get(gw.base_url + "/models", headers={"authorization": f"Bearer {wrong}"}), 401,
         "invalid_api_key.unknown", "none"),
        (lambda: httpx.post(chat, json=BODY, headers={"origin": "https://evil.example",
                                                      "authorization": f"Bearer {limited}"}), 403,
         "origin_not_allowed", limited_row.id),
        (lambda: httpx.post(gw.url + "/v1/secret-path", json=BODY, headers={"authorization": f"Bearer {limited}"}),
         404, "not_found", limited_row.id),
        (lambda: httpx.post(gw.base_url + "/responses", headers={"authorization": f"Bearer {limited}"},
                            json={"model": "gpt-4o-mini", "input": "hi", "previous_response_id": "resp_1"}),
         400, "stateful_request", limited_row.id),  # uses the key's one request this minute
        (lambda: httpx.post(chat, json=BODY, headers={"authorization": f"Bearer {limited}"}), 429, "rate_limit",
         limited_row.id),
    ]
    for send, status, error_class, key_id in cases:
        before = len(gw.gateway.audit.records())
        r = send()
        assert r.status_code == status, (error_class, r.text)
        new = gw.gateway.audit.records()[before:]
        assert len(new) == 1, error_class
        rec = new[0]
        assert (rec["outcome"], rec["error_class"], rec["route"]) == ("refused", error_class, "none")
        assert rec["extra"]["client_key_id"] == key_id and rec["extra"]["status"] == status
        assert rec["source"] == "gateway" and rec["document_id"] == r.headers["x-request-id"]
        assert rec["document_sha256"] == "" and rec["entity_counts"] == {}
    assert refusals(gw)[5]["extra"]["endpoint"] == "unknown"  # the 404's path is not recorded
    assert openai_server.requests == []
    assert_clean_trail(gw, tmp_path, wrong, revoked, limited)


def test_concurrency_and_queue_refusals_are_recorded(gateway, openai_server, redactor_home, tmp_path):
    from redactor.serve.app import GatewayOptions

    store = KeyStore()
    row, key = store.create(concurrency=1)
    gw = gateway(keys=store, options=GatewayOptions(local_queue=1))
    c = openai.OpenAI(base_url=gw.base_url, api_key=key, max_retries=0)
    openai_server.timeout_next(1, seconds=2)
    first = threading.Thread(target=lambda: c.chat.completions.create(model="gpt-4o-mini", messages=MSGS))
    first.start()
    while not openai_server.chat_requests:
        time.sleep(0.01)
    try:
        with pytest.raises(openai.RateLimitError):
            c.chat.completions.create(model="gpt-4o-mini", messages=MSGS)
    finally:
        first.join()
    gw.gateway.local.admit()  # the local queue's one place is taken
    try:
        with pytest.raises(openai.InternalServerError):
            c.chat.completions.create(model="gpt-4o-mini",
                                      messages=[{"role": "user", "content": f"{NAME} has diabetes; her plan?"}])
    finally:
        gw.gateway.local.leave()
    got = [(r["error_class"], r["route"], r["extra"]["status"], r["extra"]["client_key_id"]) for r in refusals(gw)]
    assert got == [("concurrency_limit", "none", 429, row.id), ("local_queue_full", "local", 503, row.id)]
    assert_clean_trail(gw, tmp_path, key)


def test_a_flood_of_refusals_is_summarised_not_recorded_one_by_one(gateway, openai_server, redactor_home, tmp_path):
    from redactor.serve.app import GatewayOptions

    store = KeyStore()
    store.create()
    gw = gateway(keys=store, options=GatewayOptions(refusal_records_per_minute=3))
    for i in range(10):
        r = httpx.post(gw.base_url + "/chat/completions", json=BODY, headers={"authorization": f"Bearer rdk-guess-{i}"})
        assert r.status_code == 401
    assert len(refusals(gw)) == 3  # the rest are counted, not recorded one by one
    assert 'outcome="refused"} 10' in httpx.get(gw.url + "/metrics").text  # metrics count them all
    gw.stop()  # stopping writes the window's count
    summary = refusals(gw)[-1]
    assert summary["reasons"] == ["refusals-summarised"] and summary["error_class"] == "invalid_api_key.unknown"
    assert summary["extra"]["refusals"] == 7 and summary["extra"]["endpoint"] == "chat.completions"
    assert len(refusals(gw)) == 4
    assert_clean_trail(gw, tmp_path, *(f"rdk-guess-{i}" for i in range(10)))


def test_a_policy_block_is_outcome_blocked(gateway, openai_server, tmp_path):
    policy = tmp_path / "block.toml"
    policy.write_text('name = "block-pii"\n[categories.PII]\naction = "block"\n')
    gw = gateway(policy=str(policy))
    r = httpx.post(gw.base_url + "/chat/completions", json=BODY)
    assert r.status_code == 403
    rec = gw.gateway.audit.records()[-1]
    assert (rec["outcome"], rec["route"], rec["error_class"]) == ("blocked", "blocked", "blocked_by_policy")
