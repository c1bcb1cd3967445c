"""Every string that leaves the machine was scanned as part of the conversation, or the request
is refused (redactor/serve/fields.py): fields nobody listed, schema names and values, message
extras and headers, on every endpoint, streamed or not — checked on what the recording upstream
received, and by random bodies with planted values."""

from __future__ import annotations

import copy
import json
import random

import httpx
import openai
import pytest

from redactor.serve.fields import show_path, unknown_fields, unread

NAME, SSN, DIAGNOSIS = "Dana Whitfield", "219-09-9999", "type 2 diabetes"
SECRET = f"Patient {NAME}, SSN {SSN}, has {DIAGNOSIS}."
CLEAN = "What is the capital of France?"
CHAT_BODY = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": CLEAN}]}


def post(gw, path: str, body: dict, **headers: str) -> httpx.Response:
    return httpx.post(gw.base_url + path, json=body, headers=headers, timeout=60)


def leaked(openai_server, *values: str) -> list[str]:
    return [v for v in values if openai_server.sent_anywhere(v)]


def tool(parameters: dict, name: str = "lookup") -> dict:
    return {"type": "function", "function": {"name": name, "description": "Look a record up.", "parameters": parameters}}


# the shapes a new user tried: a clean visible question, the values elsewhere in the body
SHAPES = {
    "unknown top-level field": ("/chat/completions", {**CHAT_BODY, "documents": [{"text": SECRET}]}),
    "nested in an unknown object": ("/chat/completions", {**CHAT_BODY, "chat_template_kwargs": {"context": {"note": SECRET}}}),
    "unknown field in a message": ("/chat/completions", {**CHAT_BODY, "messages": [
        {"role": "user", "content": CLEAN, "annotations": [{"type": "note", "text": SECRET}]}]}),
    "tool schema enum": ("/chat/completions", {**CHAT_BODY, "tools": [tool(
        {"type": "object", "properties": {"who": {"type": "string", "enum": [NAME, SSN]}}})]}),
    "tool schema default": ("/chat/completions", {**CHAT_BODY, "tools": [tool(
        {"type": "object", "properties": {"who": {"type": "string", "default": SECRET}}})]}),
    "tool schema property name": ("/chat/completions", {**CHAT_BODY, "tools": [tool(
        {"type": "object", "properties": {SECRET: {"type": "string"}}})]}),
    "response_format schema": ("/chat/completions", {**CHAT_BODY, "response_format": {
        "type": "json_schema", "json_schema": {"name": f"record of {NAME} {SSN}", "schema": {
            "type": "object", "properties": {"ssn": {"type": "string", "const": SSN, "default": NAME}}}}}}),
    "embeddings unknown field": ("/embeddings", {"model": "text-embedding-3-small", "input": CLEAN,
                                                 "extra": {"patient": SECRET}}),
    "responses unknown field": ("/responses", {"model": "gpt-4o-mini", "input": CLEAN, "context": [SECRET]}),
    "completions unknown field": ("/completions", {"model": "gpt-3.5-turbo-instruct", "prompt": CLEAN,
                                                   "notes": {"about": SECRET}}),
    "a sentence in a numeric field": ("/chat/completions", {**CHAT_BODY, "temperature": SECRET}),
    "an unknown role": ("/chat/completions", {**CHAT_BODY, "messages": [{"role": SECRET, "content": CLEAN}]}),
}


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("policy", ["default", "redact-pii"])
def test_values_outside_the_conversation_never_reach_the_upstream(gateway, openai_server, shape, policy):
    gw = gateway(policy=policy)
    path, body = SHAPES[shape]
    r = post(gw, path, body)
    assert leaked(openai_server, NAME, SSN) == [], (shape, r.status_code)
    assert r.headers["x-redactor-route"] != "cloud", shape  # the values were seen
    assert "US_SSN" in r.headers["x-redactor-entities"] or "PERSON" in r.headers["x-redactor-entities"], shape


def test_an_unknown_field_is_masked_in_place_on_the_redacted_route(gateway, openai_server):
    gw = gateway(policy="redact-pii")
    openai_server.enqueue("Paris.")
    r = post(gw, "/chat/completions", {**CHAT_BODY, "documents": [{"text": f"Write to {NAME} at dana@example.com"}]})
    assert r.status_code == 200 and r.headers["x-redactor-route"] == "cloud_redacted"
    sent = openai_server.requests[-1].json
    assert sent["documents"][0]["text"] == "Write to <PERSON_1> at <EMAIL_ADDRESS_1>"
    assert leaked(openai_server, NAME, "dana@example.com") == []


def test_a_clean_request_with_tools_and_options_still_goes_to_the_cloud_unchanged(gateway, openai_server):
    gw = gateway(policy="default")
    openai_server.enqueue("Paris.")
    body = {**CHAT_BODY, "temperature": 0.2, "top_p": 1, "stream": False, "n": 1, "seed": 7, "user": "team-7",
            "metadata": {"job": "geography-quiz"}, "tool_choice": "auto", "parallel_tool_calls": True,
            "response_format": {"type": "json_object"},
            "tools": [tool({"type": "object", "properties": {"city": {"type": "string", "description": "A city name"},
                                                             "units": {"type": "string", "enum": ["metric", "imperial"]}},
                            "required": ["city"], "additionalProperties": False}, name="get_weather")]}
    r = post(gw, "/chat/completions", body)
    assert r.status_code == 200 and r.headers["x-redactor-route"] == "cloud"
    assert openai_server.requests[-1].json == body


def test_streamed_requests_obey_the_same_rule(gateway, openai_server):
    gw = gateway(policy="redact-pii")
    body = {**CHAT_BODY, "stream": True, "documents": [SECRET],
            "tools": [tool({"type": "object", "properties": {"x": {"type": "string", "enum": [SSN]}}})]}
    with httpx.stream("POST", gw.base_url + "/chat/completions", json=body, timeout=60) as r:
        r.read()
    assert r.headers["x-redactor-route"] == "local"  # the enum cannot be masked
    assert leaked(openai_server, NAME, SSN) == []


def test_client_headers_are_never_forwarded_upstream(gateway, openai_server):
    gw = gateway(policy="default")
    openai_server.enqueue("Paris.")
    c = openai.OpenAI(base_url=gw.base_url, api_key="client-key-not-for-upstream", max_retries=0,
                      default_headers={"X-Patient": SECRET, "OpenAI-Organization": f"org-{SSN}"})
    c.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": CLEAN}])
    assert len(openai_server.requests) == 1
    assert leaked(openai_server, NAME, SSN, "client-key-not-for-upstream") == []


# ----------------------------------------------------------------------------- refuse mode


def refusing(gateway, **kw):
    from redactor.config import GatewaySettings

    gw = gateway(**kw)
    gw.gateway.settings = gw.gateway.settings.model_copy(update={"gateway": GatewaySettings(unknown_fields="refuse")})
    return gw


def test_refuse_mode_names_the_field_never_its_value(gateway, openai_server, tmp_path):
    gw = refusing(gateway, policy="default")
    body = {**CHAT_BODY, "documents": [SECRET], SECRET: 1,
            "messages": [{"role": "user", "content": CLEAN, "annotations": []}]}
    r = post(gw, "/chat/completions", body)
    assert r.status_code == 400 and r.json()["error"]["code"] == "unknown_field"
    message = r.json()["error"]["message"]
    assert "messages[0].annotations" in message and "documents" in message and "<key>" in message
    assert NAME not in message and SSN not in message
    assert openai_server.requests == []
    rec = gw.gateway.audit.records()[-1]
    assert (rec["outcome"], rec["error_class"]) == ("refused", "unknown_field")


def test_refuse_mode_lets_every_listed_field_through(gateway, openai_server):
    gw = refusing(gateway, policy="default")
    openai_server.enqueue("Paris.")
    body = {**CHAT_BODY, "temperature": 0.1, "max_completion_tokens": 20, "metadata": {"k": "v"},
            "stream_options": None, "tools": [tool({"type": "object", "properties": {}})]}
    assert post(gw, "/chat/completions", body).status_code == 200


# ----------------------------------------------------------------------------- embeddings


def test_a_sensitive_embedding_is_refused_not_switched_to_another_vector_space(gateway, openai_server):
    gw = gateway(policy="redact-pii")
    r = post(gw, "/embeddings", {"model": "text-embedding-3-small", "input": ["a red bicycle", SECRET]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "embedding_input_kept_local"
    assert NAME not in r.text and SSN not in r.text and "local/" in r.text
    assert openai_server.requests == []
    rec = gw.gateway.audit.records()[-1]
    assert (rec["outcome"], rec["route"]) == ("refused", "local")
    assert rec["reasons"][-1] == "embeddings-not-switched"


def test_embeddings_are_all_local_when_configured(gateway, openai_server, local_backend):
    from redactor.config import GatewaySettings

    gw = gateway(policy="redact-pii", local=local_backend)
    gw.gateway.settings = gw.gateway.settings.model_copy(update={"gateway": GatewaySettings(embeddings="local")})
    dims = set()
    for text in ("a red bicycle", SECRET):  # clean ones too: one vector space
        r = post(gw, "/embeddings", {"model": "text-embedding-3-small", "input": text})
        assert r.status_code == 200 and r.headers["x-redactor-route"] == "local"
        assert r.json()["model"] == gw.gateway.local.model_name
        dims.add(len(r.json()["data"][0]["embedding"]))
    assert len(dims) == 1 and openai_server.requests == []


# ----------------------------------------------------------------------------- the allowlist itself


def test_the_allowlist_passes_only_numbers_enums_and_the_model():
    body = {**CHAT_BODY, "temperature": 0.3, "stream": True, "reasoning_effort": "low",
            "messages": [{"role": "user", "content": CLEAN, "name": "ana"}], "metadata": {"team": "x"},
            "logit_bias": {"50256": -100}}
    texts = [leaf.text for leaf in unread("chat.completions", body, {("messages", 0, "content")})]
    assert sorted(texts) == sorted(["ana", "team", "x", "50256", "-100"])
    assert unknown_fields("chat.completions", body) == []


def test_every_conversation_text_field_is_taken_by_the_readers():
    """A TEXT leaf of the schema the reader did not take would be scanned only, not masked:
    the readers take every one of them on a body that has them all."""
    from redactor.serve.conversation import chat_slots

    body = {"model": "m", "messages": [
        {"role": "user", "content": [{"type": "text", "text": "a"}]},
        {"role": "assistant", "content": "b", "tool_calls": [{"id": "c1", "type": "function",
                                                               "function": {"name": "f", "arguments": "{}"}}],
         "function_call": {"name": "f", "arguments": "{}"}}]}
    slots = chat_slots(body)
    taken = {s.path for s in slots if s.maskable}
    assert {("messages", 0, "content", 0, "text"), ("messages", 1, "content"),
            ("messages", 1, "tool_calls", 0, "function", "arguments"),
            ("messages", 1, "function_call", "arguments")} <= taken


def test_paths_show_names_never_values():
    assert show_path(("messages", 0, "annotations")) == "messages[0].annotations"
    assert show_path(("documents", SECRET)) == "documents.<key>"


# ----------------------------------------------------------------------------- random bodies

PLANTED = ["dana.whitfield@example.com", "4111 1111 1111 1111", "GB82 WEST 1234 5698 7654 32", f"SSN {SSN}",
           "card 5500 0000 0000 0004", "ana.ruiz@mail.example.org"]
WORDS = ["alpha", "report", "blue", "summary", "weather", "quarterly", "items", "the", "total", "green", "river"]


def _random_text(rng: random.Random, planted: list[str]) -> str:
    words = rng.choices(WORDS, k=rng.randint(1, 6))
    if rng.random() < 0.3:
        value = rng.choice(PLANTED)
        planted.append(value)
        words.insert(rng.randint(0, len(words)), value)
    return " ".join(words)


def _random_value(rng: random.Random, depth: int, planted: list[str]):
    kind = rng.random()
    if depth > 3 or kind < 0.35:
        return _random_text(rng, planted)
    if kind < 0.45:
        return rng.choice([rng.randint(-5, 10**6), rng.random(), True, None])
    if kind < 0.7:
        return [_random_value(rng, depth + 1, planted) for _ in range(rng.randint(0, 3))]
    return {_random_key(rng, planted): _random_value(rng, depth + 1, planted) for _ in range(rng.randint(0, 3))}


def _random_key(rng: random.Random, planted: list[str]) -> str:
    if rng.random() < 0.15:
        value = rng.choice(PLANTED)
        planted.append(value)
        return value
    return "_".join(rng.choices(WORDS, k=rng.randint(1, 2)))


def _plant(rng: random.Random, body: dict, planted: list[str]) -> dict:
    """Random subtrees in random places: the top level, a message, a tool's schema, metadata."""
    body = copy.deepcopy(body)
    places = [body, *[m for m in body.get("messages", []) if isinstance(m, dict)]]
    for t in body.get("tools", []):
        places.append(t["function"]["parameters"]["properties"])
    for _ in range(rng.randint(1, 4)):
        target = rng.choice(places)
        target[_random_key(rng, planted)] = _random_value(rng, 0, planted)
    if rng.random() < 0.3:
        body["metadata"] = {_random_key(rng, planted): _random_text(rng, planted)}
    return body


BASES = [
    ("/chat/completions", {**CHAT_BODY, "tools": [tool({"type": "object", "properties": {"q": {"type": "string"}}})]}),
    ("/chat/completions", {**CHAT_BODY, "stream": True}),
    ("/completions", {"model": "gpt-3.5-turbo-instruct", "prompt": CLEAN}),
    ("/embeddings", {"model": "text-embedding-3-small", "input": [CLEAN]}),
    ("/responses", {"model": "gpt-4o-mini", "input": CLEAN}),
]


@pytest.mark.parametrize("policy", ["default", "redact-pii"])
def test_random_bodies_never_carry_a_planted_value_upstream(gateway, openai_server, policy):
    gw = gateway(policy=policy)
    rng = random.Random(f"fields-{policy}")
    routes: dict[str, int] = {}
    planted_requests = 0
    for i in range(60):
        path, base = BASES[i % len(BASES)]
        planted: list[str] = []
        body = _plant(rng, base, planted)
        before = len(openai_server.requests)
        openai_server.enqueue("ok")
        with httpx.stream("POST", gw.base_url + path, json=body, timeout=60) as r:
            r.read()
        route = r.headers.get("x-redactor-route", "none")
        routes[route] = routes.get(route, 0) + 1
        sent = openai_server.requests[before:]
        for value in set(planted):
            assert not any(req.contains(value) for req in sent), (i, route, json.dumps(body)[:300])
        planted_requests += bool(planted)
    assert routes.get("cloud", 0) + routes.get("cloud_redacted", 0) >= 10, routes  # the property is not vacuous
    assert planted_requests >= 20
