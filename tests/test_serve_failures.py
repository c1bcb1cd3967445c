"""The gateway fails closed: each failure mode, with the real openai client."""

from __future__ import annotations

import threading

import httpx
import openai
import pytest

from redactor.errors import AuditError

NAME, EMAIL = "Dana Whitfield", "dana.whitfield@example.com"
MSGS = [{"role": "user", "content": f"Please write to {NAME} at {EMAIL} about the invoice."}]
SENSITIVE = [{"role": "user", "content": f"{NAME} was diagnosed with diabetes; summarise her treatment plan."}]


def client(gw) -> openai.OpenAI:
    return openai.OpenAI(base_url=gw.base_url, api_key="x", max_retries=0)


class BrokenScanner:
    def scan_many(self, texts):
        raise RuntimeError(f"detector exploded on {texts}")


class StuckScanner:
    def __init__(self) -> None:
        self.release = threading.Event()

    def scan_many(self, texts):
        self.release.wait(10)
        raise RuntimeError("too late")


class FailingAudit:
    def record(self, event):
        raise AuditError("audit store unusable: disk full")


def test_detector_error_is_503_and_nothing_is_forwarded(gateway, openai_server):
    gw = gateway(scanner_=BrokenScanner())
    with pytest.raises(openai.InternalServerError) as e:
        client(gw).chat.completions.create(model="gpt-4o-mini", messages=MSGS)
    assert e.value.status_code == 503 and "detector failed (RuntimeError)" in str(e.value)
    assert NAME not in str(e.value)
    assert openai_server.requests == []
    record = gw.gateway.audit.records()[-1]
    assert record["outcome"] == "error" and record["route"] == "none" and record["extra"]["status"] == 503


def test_detector_timeout_is_503_and_nothing_is_forwarded(gateway, openai_server):
    from redactor.serve.app import GatewayOptions

    stuck = StuckScanner()
    gw = gateway(scanner_=stuck, options=GatewayOptions(scan_timeout_s=0.2))
    try:
        with pytest.raises(openai.InternalServerError) as e:
            client(gw).chat.completions.create(model="gpt-4o-mini", messages=MSGS)
        assert e.value.status_code == 503 and e.value.response.headers["retry-after"]
        assert e.value.body["code"] == "detector_timeout"
    finally:
        stuck.release.set()
    assert openai_server.requests == []


@pytest.mark.parametrize("stream", [False, True])
def test_local_model_unavailable_is_503_never_the_cloud(gateway, openai_server, stream):
    gw = gateway()  # the local model's GGUF is missing
    with pytest.raises(openai.InternalServerError) as e:
        r = client(gw).chat.completions.create(model="gpt-4o-mini", messages=SENSITIVE, stream=stream)
        if stream:
            list(r)
    assert "local model" in str(e.value)
    assert openai_server.requests == []


def test_audit_write_failure_fails_the_request(gateway, openai_server):
    gw = gateway(audit=FailingAudit())
    with pytest.raises(openai.InternalServerError) as e:
        client(gw).chat.completions.create(model="gpt-4o-mini", messages=MSGS)
    assert e.value.status_code == 503 and e.value.body["code"] == "audit_failed"
    assert e.value.response.headers["retry-after"] == "5"
    assert NAME not in e.value.response.text


def test_audit_write_failure_ends_a_stream_with_an_error(gateway, openai_server):
    gw = gateway(audit=FailingAudit())
    stream = client(gw).chat.completions.create(model="gpt-4o-mini", messages=MSGS, stream=True)
    with pytest.raises(openai.APIError) as e:
        list(stream)
    assert "audit record could not be written" in str(e.value)


def test_upstream_429_passes_its_retry_after(gateway, openai_server):
    gw = gateway()
    openai_server.fail_next(1, status=429, retry_after=7)
    with pytest.raises(openai.RateLimitError) as e:
        client(gw).chat.completions.create(model="gpt-4o-mini", messages=MSGS)
    assert e.value.response.headers["retry-after"] == "7"
    assert len(openai_server.chat_requests) == 1  # no retries behind the client's back


# upstream 5xx -> 502: tests/test_serve_fallback.py (with and without the fallback)


def test_upstream_timeout_is_504(gateway, openai_server):
    gw = gateway(fallback=False)
    gw.gateway.upstream._client = gw.gateway.upstream._client.with_options(timeout=0.5)
    openai_server.timeout_next(1, seconds=3)
    with pytest.raises(openai.APIStatusError) as e:
        client(gw).chat.completions.create(model="gpt-4o-mini", messages=MSGS)
    assert e.value.status_code == 504


@pytest.mark.parametrize("kind", ["bad_sse", "truncated_sse"])
def test_an_upstream_stream_that_cannot_be_parsed_is_an_error(gateway, openai_server, kind):
    gw = gateway()
    openai_server.malformed_next(1, kind=kind)
    stream = client(gw).chat.completions.create(model="gpt-4o-mini", messages=MSGS, stream=True)
    with pytest.raises(openai.APIError) as e:
        list(stream)
    assert "upstream" in str(e.value)
    assert gw.gateway.audit.records()[-1]["outcome"] == "error"


def test_malformed_non_streamed_answer_is_502(gateway, openai_server):
    gw = gateway(fallback=False)
    openai_server.malformed_next(1, kind="not_json")
    with pytest.raises(openai.APIStatusError) as e:
        client(gw).chat.completions.create(model="gpt-4o-mini", messages=MSGS)
    assert e.value.status_code == 502


def test_stream_ending_inside_a_placeholder_is_an_error_event(gateway, openai_server):
    gw = gateway()
    openai_server.enqueue("Writing to <PERSON_1> and <PERS")
    stream = client(gw).chat.completions.create(model="gpt-4o-mini", messages=MSGS, stream=True)
    got = []
    with pytest.raises(openai.APIError) as e:
        for chunk in stream:
            got.append(chunk.choices[0].delta.content or "")
    assert "inside a placeholder" in str(e.value)
    assert "".join(got) == f"Writing to {NAME} and "


def test_bad_json_body_is_400(gateway, openai_server):
    gw = gateway()
    r = httpx.post(gw.base_url + "/chat/completions", content=b"{nope", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_json"
    r = httpx.post(gw.base_url + "/chat/completions", json={"messages": MSGS})
    assert r.status_code == 400 and "model" in r.json()["error"]["message"]
    assert openai_server.requests == []


def test_fields_that_cannot_be_masked_keep_the_request_away_from_the_cloud(gateway, openai_server):
    gw = gateway()  # the local model is missing, so "local" shows as a 503
    clean = [{"role": "user", "content": "Write a haiku about autumn."}]
    with pytest.raises(openai.InternalServerError) as e:
        client(gw).chat.completions.create(model="gpt-4o-mini", messages=clean, stop=[f"Regards, {NAME}"])
    assert e.value.response.headers["x-redactor-route"] == "local"
    assert "unmaskable-field" in gw.gateway.audit.records()[-1]["reasons"]
    assert openai_server.requests == []


def test_model_names_are_names(gateway, openai_server):
    gw = gateway()
    with pytest.raises(openai.BadRequestError):
        client(gw).chat.completions.create(model=f"ask {NAME}", messages=MSGS)
    assert openai_server.requests == []


def test_a_stalled_upstream_stream_is_a_timeout_whatever_http_stack_the_sdk_uses():
    from redactor.serve.upstream import _stream_failure

    for name in ("httpx", "httpx2"):
        mod = pytest.importorskip(name)
        assert _stream_failure(mod.ReadTimeout("stalled")).status == 504
        assert _stream_failure(mod.ReadError("reset")).status == 502
