"""The gateway's chat endpoint, driven by the real openai client (sync, async, streaming)
against the gateway in a uvicorn thread, whose upstream is the recording server."""

from __future__ import annotations

import asyncio
import json

import httpx
import openai
import pytest

NAME, EMAIL = "Dana Whitfield", "dana.whitfield@example.com"
ASK = f"Please write to {NAME} at {EMAIL} about the invoice."
MSGS = [{"role": "user", "content": ASK}]


def client(gw, **kw) -> openai.OpenAI:
    return openai.OpenAI(base_url=gw.base_url, api_key=kw.pop("api_key", "anything"), max_retries=0, **kw)


def leaked(openai_server, *values: str) -> list[str]:
    return [v for v in values if openai_server.sent_anywhere(v)]


def test_clean_request_goes_upstream_as_is(gateway, openai_server):
    gw = gateway()
    openai_server.enqueue("Paris.")
    raw = client(gw).chat.completions.with_raw_response.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "What is the capital of France?"}])
    assert raw.parse().choices[0].message.content == "Paris."
    assert raw.headers["x-redactor-route"] == "cloud"
    sent = openai_server.chat_requests[-1]
    assert sent.messages == [{"role": "user", "content": "What is the capital of France?"}]
    assert sent.json["model"] == "gpt-4o-mini"
    assert sent.authorization == "Bearer sk-test-key-123"  # the gateway's upstream key, not the client's


def test_redacted_round_trip_headers_and_audit(gateway, openai_server, tmp_path):
    gw = gateway()
    raw = client(gw, api_key="client-secret").chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MSGS)
    answer = raw.parse().choices[0].message.content
    assert NAME in answer and EMAIL in answer  # restored
    assert leaked(openai_server, NAME, EMAIL, "Whitfield", "client-secret") == []
    user = openai_server.chat_requests[-1].messages[-1]["content"]
    assert user == "Please write to <PERSON_1> at <EMAIL_ADDRESS_1> about the invoice."
    h = raw.headers
    assert h["x-redactor-route"] == "cloud_redacted"
    assert h["x-redactor-entities"] == "EMAIL_ADDRESS=1,PERSON=1"
    assert h["x-request-id"].startswith("req_") and h["x-redactor-decision"] == h["x-request-id"]
    assert h["x-redactor-policy"] == gw.gateway.policy.version
    record = gw.gateway.audit.records()[-1]
    assert record["document_id"] == h["x-redactor-decision"]
    assert record["route"] == "cloud_redacted" and record["outcome"] == "ok"
    assert record["source"] == "gateway" and record["extra"]["client_key_id"] == "none"
    assert record["tokens_in"] > 0 and record["entity_counts"] == {"EMAIL_ADDRESS": 1, "PERSON": 1}
    stored = (tmp_path / "audit.db").read_bytes()
    assert NAME.encode() not in stored and EMAIL.encode() not in stored
    assert gw.gateway.audit.verify().ok


def test_async_client(gateway, openai_server):
    gw = gateway()

    async def ask():
        async with openai.AsyncOpenAI(base_url=gw.base_url, api_key="x", max_retries=0) as c:
            return await asyncio.gather(*[c.chat.completions.create(model="gpt-4o-mini", messages=MSGS) for _ in range(5)])

    answers = asyncio.run(ask())
    assert all(NAME in a.choices[0].message.content for a in answers)
    assert leaked(openai_server, NAME, EMAIL) == []


def _streamed(stream) -> tuple[dict[int, str], dict[tuple[int, int], str]]:
    texts: dict[int, str] = {}
    args: dict[tuple[int, int], str] = {}
    for chunk in stream:
        for ch in chunk.choices:
            texts[ch.index] = texts.get(ch.index, "") + (ch.delta.content or "")
            for call in ch.delta.tool_calls or []:
                key = (ch.index, call.index)
                args[key] = args.get(key, "") + (call.function.arguments or "")
    return texts, args


TOOL_REPLY = {
    "content": "Writing to <PERSON_1> now, cc [person 1].",
    "tool_calls": [
        {"name": "send_mail", "arguments": json.dumps({"to": "<EMAIL_ADDRESS_1>", "name": "<PERSON_1>"})},
        {"name": "log", "arguments": json.dumps({"who": "PERSON_1", "other": "<PERSON_2>"})},
    ],
}


@pytest.mark.parametrize("write_size", [None, 1, 3, 7])
def test_streamed_equals_non_streamed_with_tools_and_n(gateway, openai_server, write_size):
    gw = gateway()
    c = client(gw)
    openai_server.enqueue(TOOL_REPLY)
    whole = c.chat.completions.create(model="gpt-4o-mini", messages=MSGS, n=2)
    openai_server.enqueue(TOOL_REPLY)
    openai_server.sse_write_size = write_size  # events, lines and characters split across reads
    openai_server.stream_piece = 3
    raw = c.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MSGS, n=2, stream=True)
    assert raw.headers["x-redactor-route"] == "cloud_redacted"
    texts, args = _streamed(raw.parse())
    for choice in whole.choices:
        assert texts[choice.index] == choice.message.content == f"Writing to {NAME} now, cc {NAME}."
        for k, call in enumerate(choice.message.tool_calls):
            assert args[(choice.index, k)] == call.function.arguments
    assert json.loads(args[(0, 0)]) == {"to": EMAIL, "name": NAME}
    # a placeholder the gateway did not issue is never "restored"
    assert json.loads(args[(1, 1)]) == {"who": NAME, "other": "<PERSON_2>"}
    assert leaked(openai_server, NAME, EMAIL) == []


def test_value_with_quotes_is_escaped_in_tool_arguments(gateway, openai_server):
    gw = gateway()
    text = 'Contact "Dana" Whitfield at dana.whitfield@example.com today.'
    openai_server.enqueue({"content": None, "tool_calls": [{"name": "f", "arguments": '{"to": "<EMAIL_ADDRESS_1>"}'}]})
    r = client(gw).chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": text}])
    assert json.loads(r.choices[0].message.tool_calls[0].function.arguments) == {"to": EMAIL}


def test_three_turns_with_tool_calls_keep_their_placeholders(gateway, openai_server):
    """One placeholder per value over the whole conversation, numbered by first appearance;
    restored values coming back as history are hidden again; the same history is sent the same way."""
    gw = gateway()
    c = client(gw)
    tools = [{"type": "function", "function": {"name": "lookup", "description": "Look up an account",
                                               "parameters": {"type": "object", "properties": {"email": {"type": "string"}}}}}]
    history = [{"role": "system", "content": "You are a billing assistant."}, *MSGS]
    openai_server.enqueue({"content": None, "tool_calls": [{"name": "lookup", "arguments": '{"email": "<EMAIL_ADDRESS_1>"}'}]})
    first = c.chat.completions.create(model="gpt-4o-mini", messages=history, tools=tools)
    call = first.choices[0].message.tool_calls[0]
    assert json.loads(call.function.arguments) == {"email": EMAIL}
    history += [first.choices[0].message.model_dump(exclude_none=True),
                {"role": "tool", "tool_call_id": call.id, "content": f"{NAME}: account 4471, owner Marcus Oyelaran"}]
    openai_server.enqueue("<PERSON_1> and <PERSON_2> share the account.")
    second = c.chat.completions.create(model="gpt-4o-mini", messages=history, tools=tools)
    assert second.choices[0].message.content == f"{NAME} and Marcus Oyelaran share the account."
    history += [{"role": "assistant", "content": second.choices[0].message.content},
                {"role": "user", "content": f"Thanks, please write to {NAME} too."}]
    third = c.chat.completions.create(model="gpt-4o-mini", messages=history, tools=tools)
    assert NAME in third.choices[0].message.content

    sent = [r.messages for r in openai_server.chat_requests]
    assert len(sent) == 3
    # turn 2 and 3 start with exactly what turn 1 sent (prompt caches keep working)
    assert sent[1][: len(sent[0])] == sent[0] and sent[2][: len(sent[1])] == sent[1]
    assert sent[0][0]["role"] == "system" and "placeholders" in sent[0][0]["content"]  # the gateway's note
    assert sent[1][3]["tool_calls"][0]["function"]["arguments"] == '{"email": "<EMAIL_ADDRESS_1>"}'
    assert sent[1][4]["content"] == "<PERSON_1>: account 4471, owner <PERSON_2>"
    assert sent[2][5]["content"] == "<PERSON_1> and <PERSON_2> share the account."
    assert sent[2][6]["content"] == "Thanks, please write to <PERSON_1> too."
    assert leaked(openai_server, NAME, EMAIL, "Whitfield", "Oyelaran") == []


def test_unscannable_content_part_is_refused(gateway, openai_server):
    gw = gateway()
    msg = [{"role": "user", "content": [{"type": "text", "text": "What is this?"},
                                        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}]
    with pytest.raises(openai.BadRequestError) as e:
        client(gw).chat.completions.create(model="gpt-4o-mini", messages=msg)
    assert "cannot be scanned" in str(e.value)
    assert openai_server.chat_requests == []


def test_blocked_by_policy_is_403_with_the_rule(gateway, openai_server, tmp_path):
    policy = tmp_path / "block.toml"
    policy.write_text('name = "block-pii"\n[categories.PII]\naction = "block"\n')
    gw = gateway(policy=str(policy))
    with pytest.raises(openai.PermissionDeniedError) as e:
        client(gw).chat.completions.create(model="gpt-4o-mini", messages=MSGS)
    assert "category.PII" in str(e.value)
    assert e.value.response.headers["x-redactor-route"] == "blocked"
    assert openai_server.chat_requests == []
    assert gw.gateway.audit.records()[-1]["route"] == "blocked"


def test_unknown_paths_are_404_and_never_forwarded(gateway, openai_server):
    gw = gateway()
    for method, path in [("POST", "/v1/audio/transcriptions"), ("GET", "/v1/files"), ("POST", "/v1/chat/completions/x"),
                         ("POST", "/anything")]:
        r = httpx.request(method, gw.url + path, json={"model": "m", "messages": MSGS})
        assert r.status_code == 404, path
        assert r.json()["error"]["code"] == "not_found"
    assert openai_server.requests == []


def test_healthz_models_and_metrics(gateway, openai_server):
    gw = gateway()
    assert httpx.get(gw.url + "/healthz").json()["status"] == "ok"
    ids = [m.id for m in client(gw).models.list()]
    assert "gpt-4o-mini" in ids and gw.gateway.local.model_name in ids and gw.gateway.local.model_name.startswith("local/")
    client(gw).chat.completions.create(model="gpt-4o-mini", messages=MSGS)
    text = httpx.get(gw.url + "/metrics").text
    assert 'redactor_gateway_requests_total{endpoint="chat.completions",route="cloud_redacted",outcome="ok"} 1' in text
    assert "redactor_gateway_request_seconds_bucket" in text and "redactor_gateway_local_queue_depth 0" in text
    assert NAME not in text and EMAIL not in text


def test_upstream_rate_limit_headers_pass_through(gateway, openai_server):
    gw = gateway()
    openai_server.reply_headers = {"x-ratelimit-remaining-requests": "42", "x-upstream-private": "no"}
    raw = client(gw).chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MSGS)
    assert raw.headers["x-ratelimit-remaining-requests"] == "42"
    assert "x-upstream-private" not in raw.headers


def test_doubts_are_computed_once_per_text_and_only_for_the_same_findings(scanner, monkeypatch):
    """The scan cache's doubt memo returns exactly what find_doubts returns, and reuses it only
    for the very findings it was computed from (the leak guard's filtered findings recompute)."""
    from redactor.detect.doubt import find_doubts
    from redactor.serve import scancache
    from redactor.serve.scancache import ScanCache

    calls = []
    monkeypatch.setattr(scancache, "find_doubts", lambda text, findings: calls.append(1) or find_doubts(text, findings))
    cache = ScanCache(scanner)
    text = "The Quorvane rollout: ask Dana Whitfield, dana.whitfield@example.com, before Friday."
    scanned = cache.get(text)
    assert calls == []  # a local route never needs them
    first = cache.doubts(text, scanned.findings)
    assert first == tuple(find_doubts(text, scanned.findings)) and first
    assert cache.doubts(text, list(scanned.findings)) is first and len(calls) == 1
    fewer = scanned.findings[1:]
    assert cache.doubts(text, fewer) == tuple(find_doubts(text, fewer)) and len(calls) == 2
    assert cache.doubts(text, scanned.findings) is first  # the memo is kept for the scan's own findings
