"""A real OpenAI-compatible HTTP server on 127.0.0.1 that records every request.

Tests point the real ``openai`` client (through ``CloudBackend`` or the CLI) at
it and then read ``server.requests`` to prove what did, and did not, leave the
process: headers (including ``Authorization``), the raw body bytes and the
parsed JSON of every call.

Replies are scriptable::

    server.enqueue("first reply", "second reply")   # else the default reply
    server.fail_next(2, status=429, retry_after=1)  # faults come before replies
    server.timeout_next(1, seconds=2.0)             # answer too late
    server.malformed_next(1, kind="not_json")       # or kind="no_choices"
    server.responder = lambda body: "..."           # compute replies
    server.require_key("sk-right")                  # any other key: HTTP 401, on every path

``GET /v1/models`` lists ``server.models`` (a preflight's cheap request; set
it to None for a server that does not list models); every other path but
the ones listed below answers 404.

Also (for the gateway's tests): a scripted reply may be a dict with ``content``
and ``tool_calls`` (``[{"name": ..., "arguments": ...}]``); ``"stream": true``
requests get SSE replies, cut into deltas of ``stream_piece`` characters and
written ``sse_write_size`` bytes at a time (so events, lines and UTF-8
characters are split across network reads); ``n`` gives that many choices;
``reply_headers`` are added to every answer; ``malformed_next(kind="bad_sse")``
or ``"truncated_sse"`` breaks a stream.  ``/v1/completions``, ``/v1/embeddings``,
``/v1/models`` and ``/v1/responses`` answer in OpenAI's shapes too.

The default reply repeats the placeholders (``<PERSON_1>``) found in the last
user message, verbatim, so restore can be tested end to end.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*_\d+>")
CHAT_PATHS = ("/v1/chat/completions", "/chat/completions")
COMPLETION_PATHS = ("/v1/completions", "/completions")
EMBEDDING_PATHS = ("/v1/embeddings", "/embeddings")
RESPONSE_PATHS = ("/v1/responses", "/responses")
MODELS_PATHS = ("/v1/models", "/models")
SCRIPTED_PATHS = CHAT_PATHS + COMPLETION_PATHS + EMBEDDING_PATHS + RESPONSE_PATHS
MALFORMED_KINDS = ("not_json", "no_choices", "bad_sse", "truncated_sse")


_TRANSPORT_HEADERS = frozenset({"host", "content-length"})


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes
    json: Any = None

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")

    @property
    def messages(self) -> list[dict[str, str]]:
        return (self.json or {}).get("messages", []) if isinstance(self.json, dict) else []

    def contains(self, value: str) -> bool:
        """True if ``value`` appears anywhere in what was sent: headers or body (raw or JSON-escaped)."""
        if value in self.body.decode("utf-8", "replace"):
            return True
        escaped = json.dumps(value)[1:-1]
        if escaped in self.body.decode("utf-8", "replace"):
            return True
        # the transport's own headers carry numbers of their own ("host: 127.0.0.1:39417",
        # "content-length: 694"): a short value found there is not a leak
        return any(value in v for k, v in self.headers.items() if k.lower() not in _TRANSPORT_HEADERS)


@dataclass
class _Fault:
    kind: str  # "status" | "timeout" | "malformed"
    status: int = 500
    retry_after: float | None = None
    seconds: float = 0.0
    malformed: str = "not_json"


def default_reply(body: dict[str, Any]) -> str:
    user = [m.get("content", "") for m in body.get("messages", []) if m.get("role") == "user"]
    found = list(dict.fromkeys(PLACEHOLDER.findall(user[-1] if user else "")))
    return "Answer about " + ", ".join(found) + "." if found else "Answer: nothing to report."


@dataclass
class _State:
    requests: list[RecordedRequest] = field(default_factory=list)
    replies: deque[Any] = field(default_factory=deque)
    faults: deque[_Fault] = field(default_factory=deque)
    key: str | None = None  # require_key(): the only Authorization accepted


class OpenAIServer:
    """Start with ``start()`` (or as a context manager); ``base_url`` ends in ``/v1``."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._lock = threading.Lock()
        self._state = _State()
        self._closing = threading.Event()
        self.responder: Callable[[dict[str, Any]], str] = default_reply
        self.models: list[str] | None = ["gpt-4o-mini", "gpt-4o"]  # None: /models answers 404
        self.stream_piece = 4  # characters per streamed delta
        self.sse_write_size: int | None = None  # bytes per socket write of a stream (None: one write per event)
        self.reply_headers: dict[str, str] = {}
        self._httpd = ThreadingHTTPServer((host, 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    def start(self) -> "OpenAIServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="openai-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()  # wakes handlers sleeping in timeout_next
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "OpenAIServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting ---------------------------------------------------------

    def enqueue(self, *texts: str | dict[str, Any]) -> None:
        with self._lock:
            self._state.replies.extend(texts)

    def fail_next(self, n: int = 1, status: int = 500, retry_after: float | None = None) -> None:
        self._add_faults(n, _Fault("status", status=status, retry_after=retry_after))

    def timeout_next(self, n: int = 1, seconds: float = 2.0) -> None:
        self._add_faults(n, _Fault("timeout", seconds=seconds))

    def malformed_next(self, n: int = 1, kind: str = "not_json") -> None:
        if kind not in MALFORMED_KINDS:
            raise ValueError(f"kind is one of {', '.join(MALFORMED_KINDS)}")
        self._add_faults(n, _Fault("malformed", malformed=kind))

    def require_key(self, key: str | None) -> None:
        """Answer 401 to any request without ``Authorization: Bearer <key>`` (None: accept any)."""
        with self._lock:
            self._state.key = key

    def _add_faults(self, n: int, fault: _Fault) -> None:
        with self._lock:
            self._state.faults.extend([fault] * n)

    def reset(self) -> None:
        """Forget recordings and scripts (the server keeps running)."""
        with self._lock:
            self._state = _State()
        self.responder = default_reply
        self.models = ["gpt-4o-mini", "gpt-4o"]
        self.stream_piece = 4
        self.sse_write_size = None
        self.reply_headers = {}

    # -- what was received -------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._state.requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path in CHAT_PATHS]

    def sent_anywhere(self, value: str) -> bool:
        """True if ``value`` reached the server in any request, header or body."""
        return any(r.contains(value) for r in self.requests)

    # -- used by the handler -----------------------------------------------

    def _authorized(self, request: RecordedRequest) -> bool:
        key = self._state.key
        return key is None or request.authorization == f"Bearer {key}"

    def _record(self, request: RecordedRequest) -> tuple[_Fault | None, Any]:
        with self._lock:
            self._state.requests.append(request)
            if request.path not in SCRIPTED_PATHS or not self._authorized(request):
                return None, None
            if self._state.faults:
                return self._state.faults.popleft(), None
            return None, self._state.replies.popleft() if self._state.replies else None


def _usage(prompt_chars: int, text: str) -> dict[str, int]:
    usage = {"prompt_tokens": math.ceil(prompt_chars / 4), "completion_tokens": math.ceil(len(text) / 4)}
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    return usage


def _as_message(reply: str | dict[str, Any]) -> dict[str, Any]:
    """A scripted reply (text, or ``{"content", "tool_calls": [{"name", "arguments"}]}``) as an assistant message."""
    if isinstance(reply, str):
        return {"role": "assistant", "content": reply}
    message: dict[str, Any] = {"role": "assistant", "content": reply.get("content")}
    calls = reply.get("tool_calls") or []
    if calls:
        message["tool_calls"] = [
            {"id": f"call_{i}", "type": "function", "function": {"name": c["name"], "arguments": c["arguments"]}}
            for i, c in enumerate(calls)
        ]
    return message


def _chat_reply(body: dict[str, Any], reply: str | dict[str, Any]) -> dict[str, Any]:
    prompt_chars = sum(len(str(m.get("content", ""))) for m in body.get("messages", []))
    message = _as_message(reply)
    n = body.get("n") or 1
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "test-model"),
        "choices": [
            {"index": i, "message": message, "finish_reason": "tool_calls" if message.get("tool_calls") else "stop"}
            for i in range(n)
        ],
        "usage": _usage(prompt_chars, message.get("content") or ""),
    }


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _chat_stream(body: dict[str, Any], reply: str | dict[str, Any], piece: int) -> list[dict[str, Any]]:
    """The chunks of a streamed chat reply: role, content deltas, tool-call deltas, finish; per choice."""
    message = _as_message(reply)
    base = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": body.get("model", "test-model")}
    chunks = []
    for i in range(body.get("n") or 1):
        chunks.append({**base, "choices": [{"index": i, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]})
        if message.get("content"):
            for p in _pieces(message["content"], piece):
                chunks.append({**base, "choices": [{"index": i, "delta": {"content": p}, "finish_reason": None}]})
        for k, call in enumerate(message.get("tool_calls") or []):
            head = {"index": k, "id": call["id"], "type": "function", "function": {"name": call["function"]["name"], "arguments": ""}}
            chunks.append({**base, "choices": [{"index": i, "delta": {"tool_calls": [head]}, "finish_reason": None}]})
            for p in _pieces(call["function"]["arguments"], piece):
                delta = {"tool_calls": [{"index": k, "function": {"arguments": p}}]}
                chunks.append({**base, "choices": [{"index": i, "delta": delta, "finish_reason": None}]})
        finish = "tool_calls" if message.get("tool_calls") else "stop"
        chunks.append({**base, "choices": [{"index": i, "delta": {}, "finish_reason": finish}]})
    return chunks


def _completion_reply(body: dict[str, Any], text: str) -> dict[str, Any]:
    n = body.get("n") or 1
    return {
        "id": "cmpl-test", "object": "text_completion", "created": int(time.time()), "model": body.get("model", "test-model"),
        "choices": [{"index": i, "text": text, "finish_reason": "stop", "logprobs": None} for i in range(n)],
        "usage": _usage(len(str(body.get("prompt", ""))), text),
    }


def _completion_stream(body: dict[str, Any], text: str, piece: int) -> list[dict[str, Any]]:
    base = {"id": "cmpl-test", "object": "text_completion", "created": int(time.time()), "model": body.get("model", "test-model")}
    chunks = []
    for i in range(body.get("n") or 1):
        for p in _pieces(text, piece):
            chunks.append({**base, "choices": [{"index": i, "text": p, "finish_reason": None, "logprobs": None}]})
        chunks.append({**base, "choices": [{"index": i, "text": "", "finish_reason": "stop", "logprobs": None}]})
    return chunks


def _as_chat_body(body: dict[str, Any]) -> dict[str, Any]:
    """A legacy or Responses request seen as chat messages, for ``responder``."""
    if "messages" in body:
        return body
    if "prompt" in body:
        prompt = body["prompt"]
        return {"messages": [{"role": "user", "content": prompt if isinstance(prompt, str) else "\n".join(prompt)}]}
    value = body.get("input")
    if isinstance(value, str):
        return {"messages": [{"role": "user", "content": value}]}
    messages = []
    for item in value or []:
        content = item.get("content", item.get("output", ""))
        if isinstance(content, list):
            content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
        messages.append({"role": item.get("role", "user"), "content": content})
    return {"messages": messages}


def _response_reply(body: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "id": "resp_test", "object": "response", "created_at": int(time.time()), "status": "completed",
        "model": body.get("model", "test-model"),
        "output": [{"type": "message", "id": "msg_test", "status": "completed", "role": "assistant",
                    "content": [{"type": "output_text", "text": text, "annotations": []}]}],
        "parallel_tool_calls": False, "tool_choice": "auto", "tools": [], "store": body.get("store", True),
        "usage": {"input_tokens": 1, "output_tokens": math.ceil(len(text) / 4), "total_tokens": 1 + math.ceil(len(text) / 4),
                  "input_tokens_details": {"cached_tokens": 0}, "output_tokens_details": {"reasoning_tokens": 0}},
    }


def _response_stream(body: dict[str, Any], text: str, piece: int) -> list[dict[str, Any]]:
    """The events of a streamed Responses reply (it ends with response.completed, no [DONE])."""
    done = _response_reply(body, text)
    where = {"item_id": "msg_test", "output_index": 0, "content_index": 0}
    part = {"type": "output_text", "text": "", "annotations": []}
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": {**done, "status": "in_progress", "output": []}},
        {"type": "response.output_item.added", "output_index": 0,
         "item": {**done["output"][0], "status": "in_progress", "content": []}},
        {"type": "response.content_part.added", **where, "part": part},
    ]
    events += [{"type": "response.output_text.delta", **where, "delta": p} for p in _pieces(text, piece)]
    events += [
        {"type": "response.output_text.done", **where, "text": text},
        {"type": "response.content_part.done", **where, "part": {**part, "text": text}},
        {"type": "response.output_item.done", "output_index": 0, "item": done["output"][0]},
        {"type": "response.completed", "response": done},
    ]
    return [{**e, "sequence_number": i} for i, e in enumerate(events)]


def _embedding_reply(body: dict[str, Any]) -> dict[str, Any]:
    value = body.get("input")
    texts = [value] if isinstance(value, str) else list(value or [])
    data = []
    for i, t in enumerate(texts):
        digest = hashlib.sha256(str(t).encode()).digest()
        data.append({"object": "embedding", "index": i, "embedding": [b / 255 for b in digest[:8]]})
    return {"object": "list", "data": data, "model": body.get("model", "test-embedding"),
            "usage": {"prompt_tokens": len(texts), "total_tokens": len(texts)}}


def _make_handler(server: OpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers at shutdown

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def _handle(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = None
            path = self.path.split("?", 1)[0]
            recorded = RecordedRequest(
                method=self.command,
                path=path,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=raw,
                json=parsed,
            )
            fault, scripted = server._record(recorded)
            if not server._authorized(recorded):
                error = {"message": "Incorrect API key provided", "type": "invalid_request_error", "code": "invalid_api_key"}
                return self._send(401, {"error": error})
            if path in MODELS_PATHS and self.command == "GET" and server.models is not None:
                models = [{"id": m, "object": "model", "created": 0, "owned_by": "test"} for m in server.models]
                return self._send(200, {"object": "list", "data": models})
            if path not in SCRIPTED_PATHS:
                return self._send(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
            if not isinstance(parsed, dict):
                return self._send(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
            if fault is not None and fault.kind == "status":
                headers = {"retry-after": str(fault.retry_after)} if fault.retry_after is not None else {}
                error = {"message": f"injected {fault.status}", "type": "server_error", "code": None}
                return self._send(fault.status, {"error": error}, headers)
            stream = parsed.get("stream") is True
            if fault is not None and fault.kind == "malformed" and not (stream and fault.malformed in ("bad_sse", "truncated_sse")):
                if fault.malformed == "no_choices":
                    return self._send(200, {"id": "x", "object": "chat.completion", "model": "m", "choices": []})
                return self._send_raw(200, b'{"id": "x", "choices": [ {"trunc', "application/json")
            if fault is not None and fault.kind == "timeout":
                if server._closing.wait(fault.seconds):
                    return
            if path in EMBEDDING_PATHS:
                return self._send(200, _embedding_reply(parsed))
            reply = scripted if scripted is not None else server.responder(_as_chat_body(parsed))
            text = reply if isinstance(reply, str) else (reply.get("content") or "")
            if path in RESPONSE_PATHS and not stream:
                return self._send(200, _response_reply(parsed, text))
            if path in RESPONSE_PATHS:
                events = _response_stream(parsed, text, server.stream_piece)
                data = b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)
                if fault is not None and fault.malformed == "truncated_sse":
                    data = data[: len(data) // 2]
                return self._send_stream(data, server.sse_write_size)
            legacy = path in COMPLETION_PATHS
            if not stream:
                return self._send(200, _completion_reply(parsed, text) if legacy else _chat_reply(parsed, reply))
            chunks = _completion_stream(parsed, text, server.stream_piece) if legacy else \
                _chat_stream(parsed, reply, server.stream_piece)
            data = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks)
            if fault is not None and fault.malformed == "bad_sse":
                data = data[: len(data) // 2] + b"data: {not json\n\n"
            if fault is None or fault.malformed != "truncated_sse":
                data += b"data: [DONE]\n\n"
            else:
                data = data[: len(data) // 2]
            self._send_stream(data, server.sse_write_size)

        def _send_stream(self, data: bytes, write_size: int | None) -> None:
            try:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                for k, v in server.reply_headers.items():
                    self.send_header(k, v)
                self.end_headers()
                step = write_size or len(data)
                for i in range(0, len(data), step):
                    self.wfile.write(data[i : i + step])
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            self._send_raw(status, json.dumps(payload).encode(), "application/json", headers)

        def _send_raw(self, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
            try:
                self.send_response(status)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(data)))
                for k, v in {**(server.reply_headers if status == 200 else {}), **(headers or {})}.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to tell it

    return Handler
