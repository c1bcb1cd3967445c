"""The gateway's local route with the real llama.cpp model: chat (streamed and not), legacy
completions, embeddings, and ``local/`` model requests; nothing reaches the upstream."""

from __future__ import annotations

import openai
import pytest

pytestmark = pytest.mark.slow

NAME = "Dana Whitfield"
SENSITIVE = [{"role": "user", "content": f"{NAME} was diagnosed with diabetes in March. Summarise in one sentence."}]


@pytest.fixture
def local_gateway(gateway, local_backend):
    return gateway(policy="redact-pii", local=local_backend)


def client(gw) -> openai.OpenAI:
    return openai.OpenAI(base_url=gw.base_url, api_key="x", max_retries=0, timeout=300)


def test_sensitive_chat_is_answered_locally(local_gateway, openai_server):
    raw = client(local_gateway).chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=SENSITIVE,
                                                                           max_tokens=24)
    answer = raw.parse()
    assert raw.headers["x-redactor-route"] == "local"
    assert answer.model == local_gateway.gateway.local.model_name and answer.model.startswith("local/")
    assert answer.choices[0].message.content.strip()
    assert openai_server.requests == []
    record = local_gateway.gateway.audit.records()[-1]
    assert record["backend"] == "local" and record["endpoint_host"] == "in-process" and record["tokens_out"] > 0


def test_local_route_streams(local_gateway, openai_server):
    c = client(local_gateway)
    chunks = list(c.chat.completions.create(model="gpt-4o-mini", messages=SENSITIVE, max_tokens=16, stream=True))
    text = "".join(ch.choices[0].delta.content or "" for ch in chunks if ch.choices)
    assert text.strip() and len(chunks) > 3  # piece by piece, not one block
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert openai_server.requests == []


def test_a_local_model_request_stays_local_even_when_clean(local_gateway, openai_server):
    model = local_gateway.gateway.local.model_name
    r = client(local_gateway).chat.completions.create(model=model, messages=[{"role": "user", "content": "Say hello."}],
                                                      max_tokens=8)
    assert r.model == model and openai_server.requests == []
    assert "client-requested-local" in local_gateway.gateway.audit.records()[-1]["reasons"]


def test_legacy_completion_locally(local_gateway, openai_server):
    r = client(local_gateway).completions.create(model="gpt-3.5-turbo-instruct", prompt=SENSITIVE[0]["content"], max_tokens=8)
    assert r.choices[0].text.strip() and openai_server.requests == []


def test_sensitive_embeddings_asked_of_the_local_model_are_computed_locally(local_gateway, openai_server):
    local = local_gateway.gateway.local.model_name
    r = client(local_gateway).embeddings.create(model=local, input=[SENSITIVE[0]["content"], "x"])
    assert len(r.data) == 2 and len(r.data[0].embedding) > 16
    assert r.model == local_gateway.gateway.local.model_name
    assert openai_server.requests == []


def test_local_responses_stream(local_gateway, openai_server):
    c = client(local_gateway)
    deltas, completed = [], None
    for event in c.responses.create(model="gpt-4o-mini", input=SENSITIVE[0]["content"], max_output_tokens=16, stream=True):
        if event.type == "response.output_text.delta":
            deltas.append(event.delta)
        elif event.type == "response.completed":
            completed = event.response
    assert "".join(deltas).strip() and completed.output_text == "".join(deltas)
    assert completed.model.startswith("local/") and openai_server.requests == []


def _ready(gw, until: str, within_s: float = 120) -> dict:
    import time

    import httpx

    deadline = time.monotonic() + within_s
    while True:
        r = httpx.get(gw.url + "/readyz")
        if r.json()["status"] == until or time.monotonic() > deadline:
            return {"status_code": r.status_code, **r.json()}
        time.sleep(0.05)


def test_ready_means_the_local_model_is_loaded(gateway, local_model_path):
    """``/healthz`` is liveness; ``/readyz`` is false until the local model can answer, which the
    gateway loads when it starts (a fresh backend here: nothing loaded before the gateway)."""
    import httpx

    from redactor.backends.local import LocalBackend
    from redactor.config import LocalSettings

    backend = LocalBackend(LocalSettings(model=str(local_model_path)))
    gw = gateway(local=backend)
    assert httpx.get(gw.url + "/healthz").json()["status"] == "ok"
    ready = _ready(gw, "ready")
    assert ready == {"status_code": 200, "status": "ready", "local_model": gw.gateway.local.model_name}
    assert backend._llm is not None  # loaded before any request asked for it


def test_not_ready_while_loading_and_when_the_model_is_missing(gateway):
    import threading

    import httpx

    release = threading.Event()

    class SlowToLoad:  # a backend whose load takes until the test says so
        model = "slow.gguf"

        def count_tokens(self, text: str) -> int:
            release.wait(60)
            return 1

    gw = gateway(local=SlowToLoad())
    r = httpx.get(gw.url + "/readyz")
    assert (r.status_code, r.json()["status"]) == (503, "starting")
    release.set()
    assert _ready(gw, "ready")["status_code"] == 200

    missing = gateway()  # the fixture's model file does not exist
    state = _ready(missing, "unavailable")
    assert (state["status_code"], state["status"]) == (503, "unavailable")
    assert "local model" in state["reason"]
    assert httpx.get(missing.url + "/healthz").status_code == 200
