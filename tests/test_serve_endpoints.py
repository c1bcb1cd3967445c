"""/v1/completions, /v1/embeddings and /v1/responses through the gateway, with the real openai client."""

from __future__ import annotations

import asyncio

import httpx
import openai
import pytest

NAME, EMAIL = "Dana Whitfield", "dana.whitfield@example.com"
ASK = f"Please write to {NAME} at {EMAIL} about the invoice."


def client(gw) -> openai.OpenAI:
    return openai.OpenAI(base_url=gw.base_url, api_key="x", max_retries=0)


def test_legacy_completions_redacted_streamed_and_not(gateway, openai_server):
    gw = gateway()
    c = client(gw)
    openai_server.enqueue("Dear <PERSON_1>, see <EMAIL_ADDRESS_1>.")
    whole = c.completions.create(model="gpt-3.5-turbo-instruct", prompt=ASK, n=2)
    assert [ch.text for ch in whole.choices] == [f"Dear {NAME}, see {EMAIL}."] * 2
    assert openai_server.requests[-1].json["prompt"] == "Please write to <PERSON_1> at <EMAIL_ADDRESS_1> about the invoice."
    openai_server.enqueue("Dear <PERSON_1>, see <EMAIL_ADDRESS_1>.")
    openai_server.sse_write_size = 5
    texts: dict[int, str] = {}
    for chunk in c.completions.create(model="gpt-3.5-turbo-instruct", prompt=ASK, n=2, stream=True):
        for ch in chunk.choices:
            texts[ch.index] = texts.get(ch.index, "") + ch.text
    assert texts == {0: whole.choices[0].text, 1: whole.choices[1].text}
    assert not openai_server.sent_anywhere(NAME) and not openai_server.sent_anywhere(EMAIL)


def test_completions_token_arrays_cannot_be_scanned(gateway, openai_server):
    gw = gateway()
    with pytest.raises(openai.BadRequestError):
        client(gw).completions.create(model="m", prompt=[1, 2, 3])
    assert openai_server.requests == []


def test_clean_embeddings_go_to_the_cloud_unmasked(gateway, openai_server):
    gw = gateway()
    raw = client(gw).embeddings.with_raw_response.create(model="text-embedding-3-small", input=["a red bicycle", "blue sky"])
    assert len(raw.parse().data) == 2 and raw.headers["x-redactor-route"] == "cloud"
    assert openai_server.requests[-1].json["input"] == ["a red bicycle", "blue sky"]


def test_sensitive_embeddings_asked_locally_fail_closed_when_the_local_model_is_missing(gateway, openai_server):
    gw = gateway()  # the local model is missing: a clear 503, never the cloud
    with pytest.raises(openai.InternalServerError) as e:
        client(gw).embeddings.create(model=gw.gateway.local.model_name, input=ASK)
    assert e.value.status_code == 503 and e.value.response.headers["x-redactor-route"] == "local"
    assert openai_server.requests == []


def test_embeddings_blocked_by_policy_is_a_clear_403(gateway, openai_server, tmp_path):
    policy = tmp_path / "block.toml"
    policy.write_text('name = "block-pii"\n[categories.PII]\naction = "block"\n')
    gw = gateway(policy=str(policy))
    with pytest.raises(openai.PermissionDeniedError) as e:
        client(gw).embeddings.create(model="text-embedding-3-small", input=ASK)
    assert "blocked by policy rule category.PII" in str(e.value)
    assert openai_server.requests == []


@pytest.mark.parametrize("field,value", [("previous_response_id", "resp_1"), ("conversation", "conv_1"),
                                         ("background", True), ("store", True)])
def test_responses_refuse_state(gateway, openai_server, field, value):
    gw = gateway()
    r = httpx.post(gw.base_url + "/responses", json={"model": "gpt-4o-mini", "input": "hi", field: value})
    assert r.status_code == 400 and field in r.json()["error"]["message"] and "stateless" in r.json()["error"]["message"]
    assert openai_server.requests == []


def test_responses_are_stateless_redacted_and_restored(gateway, openai_server):
    gw = gateway()
    openai_server.enqueue("Mail <PERSON_1> at <EMAIL_ADDRESS_1>.")
    r = client(gw).responses.create(model="gpt-4o-mini", input=ASK, instructions="Be brief.")
    assert r.output_text == f"Mail {NAME} at {EMAIL}."
    sent = openai_server.requests[-1].json
    assert sent["store"] is False
    assert sent["input"] == "Please write to <PERSON_1> at <EMAIL_ADDRESS_1> about the invoice."
    assert not openai_server.sent_anywhere(NAME)


def test_async_streaming_chat(gateway, openai_server):
    gw = gateway()

    async def run() -> str:
        async with openai.AsyncOpenAI(base_url=gw.base_url, api_key="x", max_retries=0) as c:
            out = []
            async for chunk in await c.chat.completions.create(
                    model="gpt-4o-mini", messages=[{"role": "user", "content": ASK}], stream=True):
                out.append(chunk.choices[0].delta.content or "" if chunk.choices else "")
            return "".join(out)

    assert asyncio.run(run()) == f"Answer about {NAME}, {EMAIL}."


@pytest.mark.parametrize("write_size", [None, 3])
def test_streamed_responses_equal_non_streamed(gateway, openai_server, write_size):
    gw = gateway()
    c = client(gw)
    reply = "Mail <PERSON_1> at <EMAIL_ADDRESS_1>, not <PERSON_2>."
    openai_server.enqueue(reply)
    whole = c.responses.create(model="gpt-4o-mini", input=ASK)
    openai_server.enqueue(reply)
    openai_server.sse_write_size = write_size
    openai_server.stream_piece = 3
    deltas, done_text, completed = [], None, None
    for event in c.responses.create(model="gpt-4o-mini", input=ASK, stream=True):
        if event.type == "response.output_text.delta":
            deltas.append(event.delta)
        elif event.type == "response.output_text.done":
            done_text = event.text
        elif event.type == "response.completed":
            completed = event.response
    assert "".join(deltas) == done_text == completed.output_text == whole.output_text
    assert whole.output_text == f"Mail {NAME} at {EMAIL}, not <PERSON_2>."
    assert openai_server.requests[-1].json["store"] is False
    assert not openai_server.sent_anywhere(NAME)


def test_a_truncated_responses_stream_is_an_error(gateway, openai_server):
    gw = gateway()
    openai_server.malformed_next(1, kind="truncated_sse")
    with pytest.raises(openai.APIError) as e:
        list(client(gw).responses.create(model="gpt-4o-mini", input=ASK, stream=True))
    assert "upstream stream" in str(e.value)


def test_connections_have_nagle_off(gateway, openai_server):
    """uvicorn's sockets of proto 0 (a handed-in socket, or --workers) keep Nagle on, and each
    answer then waits ~40 ms for the client's delayed ACK: the gateway's protocol turns it off."""
    import socket

    gw = gateway()
    with httpx.Client() as c:  # keep-alive: the connection is still open after the answer
        assert c.get(gw.url + "/healthz").status_code == 200
        conns = list(gw._server.server_state.connections)
        assert conns
        for conn in conns:
            sock = conn.transport.get_extra_info("socket")
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
