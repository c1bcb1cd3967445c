"""Streaming restore, property-style: every placeholder split at every position gives the
non-streamed answer; SSE bytes split at every byte; placeholders not issued stay as they are."""

from __future__ import annotations

import json

import pytest

from redactor.serve.answers import restore_chat
from redactor.serve.restore_stream import ChunkRestorer, SSEParser, TextRestorer, UnfinishedPlaceholder, sse
from redactor.transform import Mapping, restore


def mapping() -> Mapping:
    m = Mapping()
    m.token_for("PERSON", "Dana Whitfield")
    m.token_for("PERSON", "Zoë Ångström")
    m.token_for("EMAIL_ADDRESS", "dana@example.com")
    m.token_for("US_BANK_NUMBER", "123456789")
    for i in range(9):  # a tenth person, so <PERSON_1> and <PERSON_10> both exist
        m.token_for("PERSON", f"Extra Person{i}")
    return m


ANSWERS = [
    "Hello <PERSON_1>, mail <EMAIL_ADDRESS_1>.",
    "<PERSON_2> and <PERSON_10> met [person 1] and {PERSON-2} and **PERSON_1**.",
    "Account <US_BANK_NUMBER_1> (not <BANK_NUMBER_1>), ends <PERSON_1",
    "Unissued <PERSON_99> and <DATE_1> and <EMAIL_ADDRESS_2> stay; PERSON_12 too.",
    "émoji 😀 then <PERSON_2>😀 and ü<EMAIL_ADDRESS_1>ü",
    "No placeholders at all, just < and > and PERSONS.",
    "",
]


def streamed(text: str, cuts: list[int], m: Mapping, *, json_escape: bool = False) -> str:
    r = TextRestorer(m, json_escape=json_escape)
    pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]
    return "".join(r.feed(p) for p in pieces) + r.finish()


@pytest.mark.parametrize("answer", ANSWERS)
def test_every_split_position_equals_restore(answer):
    m = mapping()
    expected = restore(answer, m)
    for i in range(len(answer) + 1):
        assert streamed(answer, [i], m) == expected, i
    for i in range(0, len(answer) + 1, 3):  # two cuts
        for j in range(i, len(answer) + 1, 2):
            assert streamed(answer, [i, j], m) == expected, (i, j)


def test_one_character_at_a_time():
    m = mapping()
    for answer in ANSWERS:
        assert streamed(answer, list(range(1, len(answer))), m) == restore(answer, m)


def test_only_what_could_be_a_placeholder_is_held_back():
    r = TextRestorer(mapping())
    assert r.feed("Dear ") == "Dear "
    assert r.feed("<PER") == ""  # could be <PERSON_1>
    assert r.feed("SON_1> and <X") == "Dana Whitfield and <X"
    assert r.feed("YZ> ok") == "YZ> ok"
    assert r.feed(" then per") == " then "  # a bare "person 1" is restored too, so "per" waits
    assert r.feed("haps.") + r.finish() == "perhaps."


def test_spaces_around_a_bare_placeholder_are_kept():
    m = mapping()
    answer = "Dear PERSON_1 and person 2, hi"
    assert restore(answer, m) == "Dear Dana Whitfield and Zoë Ångström, hi"
    assert streamed(answer, [5, 13], m) == restore(answer, m)


def test_unissued_placeholders_are_never_restored():
    m = Mapping()
    m.token_for("PERSON", "Dana Whitfield")
    assert streamed("<PERSON_2> <PERSON_12> <EMAIL_1>", [3, 9], m) == "<PERSON_2> <PERSON_12> <EMAIL_1>"


@pytest.mark.parametrize("tail", ["<PERS", "<PERSON_", "<person", "<EMAIL_ADD"])
def test_stream_ending_inside_a_placeholder_is_an_error(tail):
    r = TextRestorer(mapping())
    r.feed("Hello " + tail)
    with pytest.raises(UnfinishedPlaceholder):
        r.finish()


def test_a_lone_bracket_at_the_end_is_text():
    r = TextRestorer(mapping())
    assert r.feed("a < b <") + r.finish() == "a < b <"


def test_surrogate_pair_split_between_deltas_is_held():
    r = TextRestorer(mapping())
    out = r.feed("x\ud83d")  # half of 😀, as a JSON \\ud83d escape split between two deltas would give
    assert out == "x"
    assert r.feed("\ude00 <PERSON_1>!") == "\ud83d\ude00 Dana Whitfield!"


def test_json_escaped_values_in_tool_arguments():
    m = Mapping()
    m.token_for("PERSON", 'Dana "D" Whitfield\\')
    args = '{"name": "<PERSON_1>"}'
    for i in range(len(args) + 1):
        assert json.loads(streamed(args, [i], m, json_escape=True)) == {"name": 'Dana "D" Whitfield\\'}


# ----------------------------------------------------------------------------- chunks and SSE bytes


def chat_chunks(text_by_choice: dict[int, str], args_by_call: dict[tuple[int, int], str], piece: int) -> list[dict]:
    out = []
    for i, text in text_by_choice.items():
        for a in range(0, len(text), piece):
            out.append({"id": "c", "object": "chat.completion.chunk", "choices": [{"index": i, "delta": {"content": text[a:a + piece]}}]})
        for (ci, k), args in args_by_call.items():
            if ci != i:
                continue
            for a in range(0, len(args), piece):
                out.append({"id": "c", "object": "chat.completion.chunk",
                            "choices": [{"index": i, "delta": {"tool_calls": [{"index": k, "function": {"arguments": args[a:a + piece]}}]}}]})
        out.append({"id": "c", "object": "chat.completion.chunk", "choices": [{"index": i, "delta": {}, "finish_reason": "stop"}]})
    return out


def interleave(chunks: list[dict]) -> list[dict]:
    """Choices streamed interleaved, as n>1 upstreams do."""
    by_choice: dict[int, list[dict]] = {}
    for c in chunks:
        by_choice.setdefault(c["choices"][0]["index"], []).append(c)
    out, queues = [], list(by_choice.values())
    while any(queues):
        for q in queues:
            if q:
                out.append(q.pop(0))
    return out


def collect(chunks: list[dict]) -> tuple[dict[int, str], dict[tuple[int, int], str]]:
    texts: dict[int, str] = {}
    args: dict[tuple[int, int], str] = {}
    for c in chunks:
        for ch in c["choices"]:
            d = ch.get("delta", {})
            texts[ch["index"]] = texts.get(ch["index"], "") + (d.get("content") or "")
            for call in d.get("tool_calls") or []:
                key = (ch["index"], call["index"])
                args[key] = args.get(key, "") + call["function"].get("arguments", "")
    return texts, args


@pytest.mark.parametrize("piece", [1, 2, 5, 11])
def test_n_choices_and_tool_calls_have_their_own_buffers(piece):
    m = mapping()
    texts = {0: ANSWERS[0], 1: ANSWERS[1], 2: ANSWERS[4]}
    args = {(0, 0): '{"to": "<EMAIL_ADDRESS_1>"}', (0, 1): '{"who": "<PERSON_2>"}', (2, 0): '{"x": "[PERSON 1]"}'}
    restorer = ChunkRestorer(m)
    out = [restorer.chunk(json.loads(json.dumps(c))) for c in interleave(chat_chunks(texts, args, piece))]
    out += restorer.finish({"id": "c"})
    got_texts, got_args = collect(out)
    # the non-streamed answer, restored by the non-streaming path
    whole = {"choices": [{"index": i, "message": {"content": t, "tool_calls": [
        {"function": {"arguments": a}} for (ci, _), a in sorted(args.items()) if ci == i]}} for i, t in texts.items()]}
    restore_chat(whole, m)
    for ch in whole["choices"]:
        assert got_texts[ch["index"]] == ch["message"]["content"]
        for k, call in enumerate(ch["message"]["tool_calls"]):
            assert got_args[(ch["index"], k)] == call["function"]["arguments"]


def test_sse_split_at_every_byte_gives_the_same_events():
    events = [{"choices": [{"index": 0, "delta": {"content": "Zoë 😀 <PERSON_1>"}}]}, {"x": "ü\nnewline"}]
    data = b"".join(sse(e) for e in events) + b": keep-alive comment\r\n\r\n" + b"data: [DONE]\r\n\r\n"
    expected = [json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in events] + ["[DONE]"]
    for i in range(len(data) + 1):
        for j in range(i, len(data) + 1, 5):
            p = SSEParser()
            got = p.feed(data[:i]) + p.feed(data[i:j]) + p.feed(data[j:]) + p.finish()
            assert got == expected, (i, j)


def test_sse_multi_line_data_and_a_last_event_without_blank_line():
    p = SSEParser()
    assert p.feed(b"event: x\ndata: a\ndata: b\n\ndata: c") == ["a\nb"]
    assert p.finish() == ["c"]


def test_responses_events_split_at_every_position():
    from redactor.serve.restore_stream import ResponseEventRestorer

    m = mapping()
    text = ANSWERS[1]
    args = '{"to": "<EMAIL_ADDRESS_1>", "who": "<PERSON_2>"}'
    expected_text, expected_args = restore(text, m), json.dumps({"to": "dana@example.com", "who": "Zoë Ångström"})
    for i in range(len(text) + 1):
        r = ResponseEventRestorer(m)
        where = {"output_index": 0, "content_index": 0}
        events = [{"type": "response.output_text.delta", **where, "delta": text[:i]},
                  {"type": "response.output_text.delta", **where, "delta": text[i:]},
                  {"type": "response.output_text.done", **where, "text": text},
                  {"type": "response.function_call_arguments.delta", "output_index": 1, "delta": args[: i % len(args)]},
                  {"type": "response.function_call_arguments.delta", "output_index": 1, "delta": args[i % len(args):]},
                  {"type": "response.function_call_arguments.done", "output_index": 1, "arguments": args}]
        out = [e for ev in events for e in r.event(json.loads(json.dumps(ev)))]
        r.finish()
        deltas = "".join(e["delta"] for e in out if e["type"] == "response.output_text.delta")
        arg_deltas = "".join(e["delta"] for e in out if e["type"] == "response.function_call_arguments.delta")
        done = next(e for e in out if e["type"] == "response.output_text.done")
        done_args = next(e for e in out if e["type"] == "response.function_call_arguments.done")
        assert deltas == done["text"] == expected_text, i
        assert json.loads(arg_deltas) == json.loads(done_args["arguments"]) == json.loads(expected_args), i
