"""``cloud.fallback_to_local`` in the gateway: a request the policy let go to the cloud whose
upstream is down is answered by the real local model, and says so; never the reverse.

The upstream is the recording server (its faults scripted) and the client the real ``openai``
client.  Tests that need an answer from the local model use the real llama.cpp model.
"""

from __future__ import annotations

import socket

import openai
import pytest

NAME, EMAIL = "Dana Whitfield", "dana.whitfield@example.com"
REDACTABLE = [{"role": "user", "content": f"Please write to {NAME} at {EMAIL} about the invoice."}]
CLEAN = [{"role": "user", "content": "Write one sentence about autumn leaves."}]


def client(gw) -> openai.OpenAI:
    return openai.OpenAI(base_url=gw.base_url, api_key="x", max_retries=0, timeout=300)


def unreachable(gw) -> None:
    """Point the gateway's upstream at a loopback port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    up = gw.gateway.upstream
    up._client = up._client.with_options(base_url=f"http://127.0.0.1:{port}/v1")


def last(gw) -> dict:
    return gw.gateway.audit.records()[-1]


# ----------------------------------------------------------------------------- without the local model


@pytest.mark.parametrize("status", [500, 503])
def test_fallback_off_keeps_the_upstream_failure(gateway, openai_server, status):
    gw = gateway(fallback=False)
    openai_server.fail_next(1, status=status)
    with pytest.raises(openai.APIStatusError) as e:
        client(gw).chat.completions.create(model="gpt-4o-mini", messages=CLEAN)
    assert e.value.status_code == 502 and e.value.response.headers["x-redactor-route"] == "cloud"
    record = last(gw)
    assert record["route"] == "cloud" and not any(r.startswith("cloud-failed") for r in record["reasons"])
    assert record["extra"]["status"] == 502


def test_a_failed_fallback_reports_the_upstream_failure(gateway, openai_server):
    """The local model is missing: the client's request was fine, so it sees the upstream's 502,
    and the record shows the attempt (route local, cloud-failed.*)."""
    gw = gateway(fallback=True)
    openai_server.fail_next(1, status=500)
    with pytest.raises(openai.APIStatusError) as e:
        client(gw).chat.completions.create(model="gpt-4o-mini", messages=REDACTABLE)
    assert e.value.status_code == 502 and e.value.body["code"] == "upstream_error"
    assert "local fallback could not answer either (local_model_unavailable)" in e.value.body["message"]
    assert NAME not in e.value.response.text
    record = last(gw)
    assert record["route"] == "local" and "cloud-failed.upstream_error" in record["reasons"]
    assert record["outcome"] == "error" and record["extra"]["status"] == 502


def test_upstream_429_is_never_a_fallback(gateway, openai_server, local_backend):
    gw = gateway(fallback=True, local=local_backend)
    calls = local_backend.calls
    openai_server.fail_next(1, status=429, retry_after=7)
    with pytest.raises(openai.RateLimitError) as e:
        client(gw).chat.completions.create(model="gpt-4o-mini", messages=REDACTABLE)
    assert e.value.response.headers["retry-after"] == "7"
    assert e.value.response.headers["x-redactor-route"] == "cloud_redacted"
    assert local_backend.calls == calls
    assert not any(r.startswith("cloud-failed") for r in last(gw)["reasons"])


def test_a_blocked_request_never_falls_back(gateway, openai_server, local_backend, tmp_path):
    policy = tmp_path / "block.toml"
    policy.write_text('name = "block-pii"\n[categories.PII]\naction = "block"\n')
    gw = gateway(policy=str(policy), fallback=True, local=local_backend)
    calls = local_backend.calls
    openai_server.fail_next(1, status=503)
    with pytest.raises(openai.PermissionDeniedError):
        client(gw).chat.completions.create(model="gpt-4o-mini", messages=REDACTABLE)
    assert local_backend.calls == calls and openai_server.chat_requests == []
    assert last(gw)["route"] == "blocked"


def test_an_upstream_refusal_is_not_an_outage(gateway, openai_server, local_backend):
    """A 400 from the upstream is about the request, not the cloud's health: no fallback."""
    gw = gateway(fallback=True, local=local_backend)
    calls = local_backend.calls
    openai_server.fail_next(1, status=400)
    with pytest.raises(openai.BadRequestError):
        client(gw).chat.completions.create(model="gpt-4o-mini", messages=CLEAN)
    assert local_backend.calls == calls


# ----------------------------------------------------------------------------- with the real local model


@pytest.mark.slow
def test_upstream_5xx_falls_back_to_the_local_model(gateway, openai_server, local_backend):
    gw = gateway(fallback=True, local=local_backend)
    openai_server.fail_next(1, status=503)
    raw = client(gw).chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=CLEAN, max_tokens=16)
    answer = raw.parse()
    assert raw.headers["x-redactor-route"] == "local"
    assert answer.model.startswith("local/") and answer.choices[0].message.content.strip()
    assert len(openai_server.chat_requests) == 1  # tried once, then answered here
    record = last(gw)
    assert record["document_id"] == raw.headers["x-redactor-decision"]
    assert record["route"] == "local" and record["outcome"] == "ok" and record["backend"] == "local"
    assert record["reasons"][-1] == "cloud-failed.upstream_error" and record["reason_actions"][-1] == "local"
    assert record["reasons"][0] == "clean"  # the policy's own decision stays on record, before the reroute


@pytest.mark.slow
def test_unreachable_upstream_falls_back_for_a_pseudonymised_request(gateway, openai_server, local_backend):
    gw = gateway(fallback=True, local=local_backend)
    unreachable(gw)
    raw = client(gw).chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=REDACTABLE, max_tokens=16)
    assert raw.headers["x-redactor-route"] == "local" and raw.parse().model.startswith("local/")
    record = last(gw)
    assert "cloud-failed.upstream_unreachable" in record["reasons"] and record["transform"] == ""
    assert openai_server.requests == []


@pytest.mark.slow
def test_upstream_timeout_falls_back_and_streams_locally(gateway, openai_server, local_backend):
    gw = gateway(fallback=True, local=local_backend)
    gw.gateway.upstream._client = gw.gateway.upstream._client.with_options(timeout=0.5)
    openai_server.timeout_next(1, seconds=3)
    c = client(gw)
    with c.chat.completions.with_streaming_response.create(model="gpt-4o-mini", messages=REDACTABLE, max_tokens=12,
                                                           stream=True) as raw:
        assert raw.headers["x-redactor-route"] == "local"
        chunks = list(raw.parse())
    text = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
    assert text.strip() and chunks[0].model.startswith("local/")
    assert "cloud-failed.upstream_timeout" in last(gw)["reasons"] and last(gw)["outcome"] == "ok"


@pytest.mark.slow
def test_responses_and_legacy_completions_fall_back_too(gateway, openai_server, local_backend):
    gw = gateway(fallback=True, local=local_backend)
    c = client(gw)
    openai_server.fail_next(1, status=500)
    r = c.responses.create(model="gpt-4o-mini", input=CLEAN[0]["content"], max_output_tokens=12)
    assert r.model.startswith("local/") and r.output_text.strip()
    assert "cloud-failed.upstream_error" in last(gw)["reasons"]
    openai_server.fail_next(1, status=502)
    r = c.completions.create(model="gpt-3.5-turbo-instruct", prompt=CLEAN[0]["content"], max_tokens=8)
    assert r.model.startswith("local/")
    assert "cloud-failed.upstream_error" in last(gw)["reasons"]


def test_embeddings_never_fall_back(gateway, openai_server, local_backend):
    """Vectors from another model are not interchangeable with the upstream's: the client gets the 502."""
    gw = gateway(fallback=True, local=local_backend)
    openai_server.fail_next(1, status=500)
    with pytest.raises(openai.APIStatusError) as e:
        client(gw).embeddings.create(model="text-embedding-3-small", input="autumn leaves")
    assert e.value.status_code == 502 and e.value.response.headers["x-redactor-route"] == "cloud"
