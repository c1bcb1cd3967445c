"""CloudBackend and LocalServerBackend through the real openai client against the recording server."""

from __future__ import annotations

import pytest

from redactor.backends import CloudBackend, LocalServerBackend, complete_long
from redactor.backends.openai_compat import RetryPolicy
from redactor.config import CloudSettings, LocalSettings
from redactor.errors import CloudError, CloudNotConfigured, EndpointNotAllowed, LocalModelError

KEY = "sk-test-cloud-key-0123456789"
FAST = RetryPolicy(max_retries=2, backoff_base_s=0.001, backoff_max_s=0.01, retry_after_cap_s=0.05)
MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Summarise <PERSON_1>'s memo."}]


def cloud(server, *, retry: RetryPolicy = FAST, **overrides) -> CloudBackend:
    settings = CloudSettings(api_key=KEY, base_url=server.base_url, **overrides)
    return CloudBackend(settings, retry=retry)


def test_success_records_usage_cost_and_endpoint(openai_server):
    openai_server.enqueue("The memo from <PERSON_1> is about budgets.")
    done = cloud(openai_server).complete(MESSAGES, max_tokens=50)

    assert done.text == "The memo from <PERSON_1> is about budgets."
    assert done.backend == "cloud" and done.endpoint_host == "127.0.0.1"
    assert done.usage.prompt_tokens > 0 and done.usage.completion_tokens > 0
    expected = (done.usage.prompt_tokens * 0.15 + done.usage.completion_tokens * 0.60) / 1e6
    assert done.cost_usd == pytest.approx(expected) and done.price_known
    assert done.retries == 0 and done.latency_ms > 0

    (request,) = openai_server.chat_requests
    assert request.path == "/v1/chat/completions"
    assert request.json["messages"] == MESSAGES
    assert request.json["max_tokens"] == 50 and request.json["model"] == "gpt-4o-mini"


def test_default_reply_repeats_placeholders(openai_server):
    done = cloud(openai_server).complete(MESSAGES, max_tokens=20)
    assert "<PERSON_1>" in done.text


def test_unknown_model_costs_zero_and_says_so(openai_server):
    done = cloud(openai_server, model="some-local-llama").complete(MESSAGES, max_tokens=5)
    assert done.cost_usd == 0.0 and not done.price_known


def test_authorization_header_carries_the_configured_key(openai_server):
    cloud(openai_server).complete(MESSAGES, max_tokens=5)
    assert openai_server.requests[0].authorization == f"Bearer {KEY}"


def test_base_url_without_key_sends_a_dummy_key(openai_server):
    CloudBackend(CloudSettings(base_url=openai_server.base_url), retry=FAST).complete(MESSAGES, max_tokens=5)
    assert openai_server.requests[0].authorization == "Bearer sk-no-key"


def test_rate_limit_is_retried_and_counted(openai_server):
    openai_server.fail_next(1, status=429, retry_after=0.01)
    openai_server.enqueue("fine")
    done = cloud(openai_server).complete(MESSAGES, max_tokens=5)
    assert done.text == "fine" and done.retries == 1
    assert len(openai_server.chat_requests) == 2


def test_retry_after_is_respected_but_capped(openai_server):
    backend = cloud(openai_server)
    delays: list[float] = []
    backend._sleep = delays.append
    openai_server.fail_next(1, status=429, retry_after=3600)
    backend.complete(MESSAGES, max_tokens=5)
    assert delays == [FAST.retry_after_cap_s]


def test_backoff_grows_and_has_jitter():
    import random

    policy = RetryPolicy(max_retries=5, backoff_base_s=1.0, backoff_max_s=8.0)
    rng = random.Random(7)
    for attempt, ceiling in enumerate([1, 2, 4, 8, 8]):
        delays = {policy.delay(attempt, None, rng) for _ in range(20)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays) and len(delays) > 1


def test_server_errors_exhaust_retries_then_cloud_error(openai_server):
    openai_server.fail_next(FAST.max_retries + 1, status=500)
    with pytest.raises(CloudError, match=r"HTTP 500 \(InternalServerError\).*3 attempt") as caught:
        cloud(openai_server).complete(MESSAGES, max_tokens=5)
    assert len(openai_server.chat_requests) == FAST.max_retries + 1
    assert caught.value.__context__ is None and caught.value.__cause__ is None


def test_503_then_success(openai_server):
    openai_server.fail_next(2, status=503)
    assert cloud(openai_server).complete(MESSAGES, max_tokens=5).retries == 2


def test_client_errors_are_not_retried(openai_server):
    openai_server.fail_next(1, status=401)
    with pytest.raises(CloudError, match="HTTP 401"):
        cloud(openai_server).complete(MESSAGES, max_tokens=5)
    assert len(openai_server.chat_requests) == 1


def test_timeout_is_retried_then_cloud_error(openai_server):
    openai_server.timeout_next(2, seconds=2.0)
    retry = RetryPolicy(max_retries=1, backoff_base_s=0.001, backoff_max_s=0.01)
    with pytest.raises(CloudError, match="timed out.*2 attempt"):
        cloud(openai_server, timeout_s=0.2, retry=retry).complete(MESSAGES, max_tokens=5)
    assert len(openai_server.chat_requests) == 2


def test_connection_refused_is_a_cloud_error():
    settings = CloudSettings(api_key=KEY, base_url="http://127.0.0.1:9/v1")
    with pytest.raises(CloudError, match="connection error"):
        CloudBackend(settings, retry=RetryPolicy(max_retries=1, backoff_base_s=0.001)).complete(MESSAGES, max_tokens=5)


@pytest.mark.parametrize("kind", ["not_json", "no_choices"])
def test_malformed_reply_is_a_cloud_error(openai_server, kind):
    openai_server.malformed_next(1, kind=kind)
    with pytest.raises(CloudError, match="malformed reply") as caught:
        cloud(openai_server).complete(MESSAGES, max_tokens=5)
    assert caught.value.__context__ is None


def test_error_messages_never_carry_the_payload_or_key(openai_server):
    openai_server.fail_next(3, status=500)
    with pytest.raises(CloudError) as caught:
        cloud(openai_server).complete(MESSAGES, max_tokens=5)
    text = str(caught.value)
    assert "PERSON_1" not in text and "memo" not in text and KEY not in text and "injected" not in text


def test_not_configured():
    with pytest.raises(CloudNotConfigured):
        CloudBackend(CloudSettings())


def test_context_window_and_token_estimate(openai_server):
    backend = cloud(openai_server)
    assert backend.context_tokens == 128_000 and backend.count_tokens("abcdefgh") == 2


# -- the local-server backend ----------------------------------------------


def test_local_server_never_sends_the_cloud_key(openai_server, monkeypatch):
    # ...even when the cloud credentials are in the environment.
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_ADMIN_KEY", "sk-admin-key")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-secret")
    settings = LocalSettings(model="local-gguf", server_url=openai_server.base_url)
    done = LocalServerBackend(settings).complete(MESSAGES, max_tokens=5)
    assert done.backend == "local_server" and done.cost_usd == 0.0
    assert openai_server.requests[0].authorization == "Bearer sk-no-key"
    assert not any(openai_server.sent_anywhere(v) for v in (KEY, "sk-admin-key", "org-secret"))


def test_local_server_uses_its_own_key(openai_server):
    settings = LocalSettings(server_url=openai_server.base_url)
    LocalServerBackend(settings, api_key="sk-local-server").complete(MESSAGES, max_tokens=5)
    assert openai_server.requests[0].authorization == "Bearer sk-local-server"


def test_local_server_failure_is_a_local_model_error(openai_server):
    openai_server.fail_next(5, status=500)
    settings = LocalSettings(server_url=openai_server.base_url)
    with pytest.raises(LocalModelError, match="HTTP 500"):
        LocalServerBackend(settings, retry=FAST).complete(MESSAGES, max_tokens=5)


@pytest.mark.parametrize(
    "url",
    ["https://api.openai.com/v1", "http://10.0.0.5:8080/v1", "http://localhost.evil.example/v1", "ftp://127.0.0.1/"],
)
def test_local_server_host_not_allowed(url):
    with pytest.raises(EndpointNotAllowed):
        LocalServerBackend(LocalSettings(server_url=url))


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/v1", "http://127.1.2.3/v1", "http://[::1]:8080/v1", "http://LOCALHOST/v1"]
)
def test_local_server_loopback_allowed(url):
    assert LocalServerBackend(LocalSettings(server_url=url)).endpoint_host


def test_local_server_allow_list():
    settings = LocalSettings(server_url="http://gpu-box.internal:8080/v1", allowed_hosts=["GPU-box.internal"])
    assert LocalServerBackend(settings).endpoint_host == "gpu-box.internal"


# -- long documents over an HTTP backend --------------------------------------


def test_complete_long_over_http_splits_and_sends_every_part(openai_server):
    backend = cloud(openai_server)
    backend.context_tokens = 400  # pretend a small window so the document needs parts
    sentences = [f"Sentence {i:04d} talks about the quarterly budget." for i in range(200)]
    document = " ".join(sentences)
    done = complete_long(backend, system="Be brief.", task="List the topics.", document=document, max_tokens=40)

    requests = openai_server.chat_requests
    assert done.calls == len(requests) > 2
    sent = "".join(r.json["messages"][-1]["content"] for r in requests)
    assert all(s in sent for s in sentences)  # nothing truncated
    assert "Combine them" in requests[-1].json["messages"][-1]["content"]


# -- the preflight: one cheap request before a batch (issue 8) -----------------------------


def test_check_lists_models_and_sends_no_document(openai_server):
    cloud(openai_server).check()
    assert [(r.method, r.path) for r in openai_server.requests] == [("GET", "/v1/models")]
    assert openai_server.requests[0].authorization == f"Bearer {KEY}"


def test_check_falls_back_to_a_one_token_ping_when_models_are_not_listed(openai_server):
    openai_server.models = None
    cloud(openai_server).check()
    [ping] = openai_server.chat_requests
    assert ping.messages == [{"role": "user", "content": "ping"}] and ping.json["max_tokens"] == 1


def test_check_names_a_refused_key_a_wrong_url_and_a_dead_host(openai_server):
    from redactor.errors import CloudAuthError, CloudEndpointNotFound, CloudUnreachable

    openai_server.require_key("sk-another-key")
    with pytest.raises(CloudAuthError, match=r"HTTP 401 \(AuthenticationError\): the API key was refused") as caught:
        cloud(openai_server).check()
    assert KEY not in str(caught.value)
    openai_server.require_key(None)
    with pytest.raises(CloudEndpointNotFound, match=r"HTTP 404 .*ends in /v1"):
        CloudBackend(CloudSettings(api_key=KEY, base_url=openai_server.url + "/api"), retry=FAST).check()
    with pytest.raises(CloudUnreachable, match="connection error"):
        CloudBackend(CloudSettings(api_key=KEY, base_url="http://127.0.0.1:9/v1"), retry=FAST).check()
    # the same classes come out of complete(): the pipeline records cloud-failed.<class>
    openai_server.require_key("sk-another-key")
    with pytest.raises(CloudAuthError):
        cloud(openai_server).complete(MESSAGES, max_tokens=5)
