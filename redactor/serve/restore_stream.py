"""Streaming re-identification: SSE in, SSE out, placeholders restored as they complete.

``SSEParser`` turns upstream bytes into event payloads, whatever the network
reads cut: an event, a line or a UTF-8 character may be split across reads.

``TextRestorer`` restores one stream of text (one choice's content, or one
tool call's arguments).  It emits everything except the tail that could still
be the start of a placeholder this request issued, recognised with the same
tolerant forms as ``transform.restore`` (``<PERSON_1>``, ``[person 1]``...), so
the streamed answer equals the non-streamed one.  Placeholders the gateway did
not issue are never touched.  A placeholder still open (``<PERS``) when its
stream ends raises ``UnfinishedPlaceholder``: the client gets an error event,
not a guess.  The ``regex`` module (already a Presidio dependency) gives the
partial matching this needs.

``ChunkRestorer`` applies restorers to chat or legacy completion chunks, with a
separate buffer per choice index and per tool-call index.
"""

from __future__ import annotations

import json
from typing import Any

import regex

from ..transform import Mapping, _token_pattern
from .answers import json_escaped, restore_response
from .errors import UnfinishedPlaceholder, UpstreamProtocolError


def placeholder_regex(mapping: Mapping) -> regex.Pattern[str]:
    # longest type names first so <US_BANK_NUMBER_1> is not read as <BANK_NUMBER_1> (as in restore())
    tokens = sorted(mapping.tokens, key=len, reverse=True)
    return regex.compile("|".join(f"(?P<t{i}>{_token_pattern(t)})" for i, t in enumerate(tokens)), regex.IGNORECASE)


class TextRestorer:
    """One text stream.  ``feed()`` returns what may be emitted now; ``finish()`` the rest."""

    def __init__(self, mapping: Mapping, pattern: regex.Pattern[str] | None = None, *, json_escape: bool = False) -> None:
        self._tokens = sorted(mapping.tokens, key=len, reverse=True)
        source = json_escaped(mapping) if json_escape else mapping
        self._values = [source._by_token[t] for t in self._tokens]
        self._pattern = pattern if pattern is not None else placeholder_regex(mapping)
        self._buf = ""

    def _value(self, m: regex.Match[str]) -> str:
        return self._values[int(m.lastgroup[1:])]  # type: ignore[index]

    def feed(self, text: str) -> str:
        if not self._tokens:
            return text
        buf = self._buf + text
        out: list[str] = []
        pos = 0
        while True:
            m = self._pattern.search(buf, pos, partial=True)
            if m is None:
                out.append(buf[pos:])
                pos = len(buf)
                break
            out.append(buf[pos : m.start()])
            if m.partial or m.end() == len(buf):  # could still grow: hold it back
                pos = m.start()
                break
            out.append(self._value(m))
            pos = m.end()
        self._buf = buf[pos:]
        emitted = "".join(out)
        if emitted and "\ud800" <= emitted[-1] <= "\udbff":  # half a surrogate pair: wait for the other
            emitted, self._buf = emitted[:-1], emitted[-1] + self._buf
        return emitted

    def finish(self) -> str:
        buf, self._buf = self._buf, ""
        if not self._tokens or not buf:
            return buf
        out: list[str] = []
        pos = 0
        for m in self._pattern.finditer(buf):
            out.append(buf[pos : m.start()])
            out.append(self._value(m))
            pos = m.end()
        rest = buf[pos:]
        lt = rest.rfind("<")
        if lt >= 0:
            tail = rest[lt:].casefold()
            if len(tail) >= 2 and any(len(tail) < len(t) and t.casefold().startswith(tail) for t in self._tokens):
                raise UnfinishedPlaceholder("the stream ended inside a placeholder")
        out.append(rest)
        return "".join(out)


class ChunkRestorer:
    """Restores ``chat.completion.chunk`` (``kind="chat"``) or legacy ``text_completion`` chunks in place."""

    def __init__(self, mapping: Mapping, kind: str = "chat") -> None:
        self.mapping = mapping
        self.kind = kind
        self._pattern = placeholder_regex(mapping) if len(mapping) else None
        self._buffers: dict[tuple[Any, ...], TextRestorer] = {}
        self._finished: set[int] = set()

    def _restorer(self, key: tuple[Any, ...]) -> TextRestorer:
        if key not in self._buffers:
            self._buffers[key] = TextRestorer(self.mapping, self._pattern, json_escape=key[0] == "t")
        return self._buffers[key]

    def chunk(self, obj: dict[str, Any]) -> dict[str, Any]:
        for choice in obj.get("choices") or []:
            if not isinstance(choice, dict):
                raise UpstreamProtocolError("a chunk's choice is not an object")
            idx = choice.get("index", 0)
            if self.kind == "chat":
                self._chat_choice(idx, choice)
            elif isinstance(choice.get("text"), str):
                choice["text"] = self._restorer(("c", idx)).feed(choice["text"])
            if choice.get("finish_reason"):
                self._flush_choice(idx, choice)
        return obj

    def _chat_choice(self, idx: int, choice: dict[str, Any]) -> None:
        delta = choice.get("delta")
        if not isinstance(delta, dict):
            return
        if isinstance(delta.get("content"), str):
            delta["content"] = self._restorer(("c", idx)).feed(delta["content"])
        for call in delta.get("tool_calls") or []:
            fn = call.get("function") if isinstance(call, dict) else None
            if isinstance(fn, dict) and isinstance(fn.get("arguments"), str):
                fn["arguments"] = self._restorer(("t", idx, call.get("index", 0))).feed(fn["arguments"])

    def _flush_choice(self, idx: int, choice: dict[str, Any]) -> None:
        self._finished.add(idx)
        for key in [k for k in self._buffers if k[1] == idx]:
            rest = self._buffers.pop(key).finish()
            if not rest:
                continue
            if self.kind != "chat":
                choice["text"] = (choice.get("text") or "") + rest
                continue
            delta = choice.setdefault("delta", {})
            if key[0] == "c":
                delta["content"] = (delta.get("content") or "") + rest
            else:
                calls = delta.setdefault("tool_calls", [])
                call = next((c for c in calls if c.get("index", 0) == key[2]), None)
                if call is None:
                    call = {"index": key[2], "function": {"arguments": ""}}
                    calls.append(call)
                fn = call.setdefault("function", {})
                fn["arguments"] = (fn.get("arguments") or "") + rest

    def finish(self, template: dict[str, Any]) -> list[dict[str, Any]]:
        """Chunks carrying what is still held for choices the upstream never finished."""
        out = []
        for idx in sorted({k[1] for k in self._buffers}):
            choice: dict[str, Any] = {"index": idx, "finish_reason": None}
            if self.kind == "chat":
                choice["delta"] = {}
            self._flush_choice(idx, choice)
            if choice.get("delta") or choice.get("text"):
                out.append({**template, "choices": [choice]})
        return out


#: Events that end a Responses stream (it has no ``[DONE]``).
RESPONSE_END = ("response.completed", "response.incomplete", "response.failed")


class ResponseEventRestorer:
    """Restores Responses API stream events: text and argument deltas through buffers per
    output item and content part, and the full texts in ``*.done`` and ``response.*`` events."""

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self._pattern = placeholder_regex(mapping)
        self._buffers: dict[tuple[Any, ...], TextRestorer] = {}

    def _buffer(self, key: tuple[Any, ...]) -> TextRestorer:
        if key not in self._buffers:
            self._buffers[key] = TextRestorer(self.mapping, self._pattern, json_escape=key[0] == "a")
        return self._buffers[key]

    def event(self, obj: dict[str, Any]) -> list[dict[str, Any]]:
        kind = obj.get("type")
        if kind == "response.output_text.delta" and isinstance(obj.get("delta"), str):
            obj["delta"] = self._buffer(("t", obj.get("output_index"), obj.get("content_index"))).feed(obj["delta"])
        elif kind == "response.function_call_arguments.delta" and isinstance(obj.get("delta"), str):
            obj["delta"] = self._buffer(("a", obj.get("output_index"))).feed(obj["delta"])
        elif kind in ("response.output_text.done", "response.function_call_arguments.done"):
            text = kind == "response.output_text.done"
            key = ("t", obj.get("output_index"), obj.get("content_index")) if text else ("a", obj.get("output_index"))
            rest = self._buffers.pop(key).finish() if key in self._buffers else ""
            field = "text" if text else "arguments"
            wrapper = {"type": "response", "output": [{"type": "message", "content": [{"text": obj.get(field)}]}] if text
                       else [{"type": "function_call", "arguments": obj.get(field)}]}
            restore_response(wrapper, self.mapping)
            obj[field] = wrapper["output"][0]["content"][0]["text"] if text else wrapper["output"][0]["arguments"]
            if rest:
                delta = {k: v for k, v in obj.items() if k not in ("text", "arguments", "logprobs")}
                delta["type"] = kind.replace(".done", ".delta")
                return [{**delta, "delta": rest}, obj]
        elif kind in ("response.content_part.added", "response.content_part.done") and isinstance(obj.get("part"), dict):
            wrapper = {"output": [{"type": "message", "content": [obj["part"]]}]}
            restore_response(wrapper, self.mapping)
        elif kind in ("response.output_item.added", "response.output_item.done") and isinstance(obj.get("item"), dict):
            restore_response({"output": [obj["item"]]}, self.mapping)
        elif isinstance(obj.get("response"), dict):
            restore_response(obj["response"], self.mapping)
        return [obj]

    def finish(self) -> None:
        for buffer in self._buffers.values():
            buffer.finish()  # raises on an unfinished placeholder
        self._buffers.clear()


class SSEParser:
    """Bytes in, ``data`` payloads of complete events out (``[DONE]`` included, comments dropped)."""

    def __init__(self) -> None:
        self._pending = b""
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[str]:
        self._pending += chunk
        events: list[str] = []
        while True:
            nl = self._pending.find(b"\n")
            if nl < 0:
                break
            raw, self._pending = self._pending[:nl], self._pending[nl + 1 :]
            self._line(raw.rstrip(b"\r"), events)
        return events

    def finish(self) -> list[str]:
        events: list[str] = []
        if self._pending.strip():
            self._line(self._pending.rstrip(b"\r"), events)
        self._pending = b""
        self._line(b"", events)
        return events

    def _line(self, raw: bytes, events: list[str]) -> None:
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise UpstreamProtocolError("the upstream stream is not valid UTF-8") from None
        if not line:
            if self._data:
                events.append("\n".join(self._data))
                self._data = []
            return
        if line.startswith(":"):
            return
        name, _, value = line.partition(":")
        if name == "data":
            self._data.append(value[1:] if value.startswith(" ") else value)


def parse_event(data: str) -> dict[str, Any]:
    try:
        obj = json.loads(data)
    except ValueError:
        raise UpstreamProtocolError("an upstream stream event is not JSON") from None
    if not isinstance(obj, dict):
        raise UpstreamProtocolError("an upstream stream event is not a JSON object")
    return obj


def sse(obj: dict[str, Any] | str, event: str | None = None) -> bytes:
    data = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {data}\n\n".encode("utf-8", "surrogatepass")


def error_event(message: str, code: str) -> bytes:
    return sse({"error": {"message": message, "type": "redactor_error", "code": code}})


