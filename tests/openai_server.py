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
chat completions answers 404.

The default reply repeats the placeholders (``<PERSON_1>``) found in the last
user message, verbatim, so restore can be tested end to end.
"""

from __future__ import annotations

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
MODELS_PATHS = ("/v1/models", "/models")


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
        return any(value in v for v in self.headers.values())


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
    replies: deque[str] = field(default_factory=deque)
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

    def enqueue(self, *texts: str) -> None:
        with self._lock:
            self._state.replies.extend(texts)

    def fail_next(self, n: int = 1, status: int = 500, retry_after: float | None = None) -> None:
        self._add_faults(n, _Fault("status", status=status, retry_after=retry_after))

    def timeout_next(self, n: int = 1, seconds: float = 2.0) -> None:
        self._add_faults(n, _Fault("timeout", seconds=seconds))

    def malformed_next(self, n: int = 1, kind: str = "not_json") -> None:
        if kind not in ("not_json", "no_choices"):
            raise ValueError("kind is 'not_json' or 'no_choices'")
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

    def _record(self, request: RecordedRequest) -> tuple[_Fault | None, str | None]:
        with self._lock:
            self._state.requests.append(request)
            if request.path not in CHAT_PATHS or not self._authorized(request):
                return None, None
            if self._state.faults:
                return self._state.faults.popleft(), None
            return None, self._state.replies.popleft() if self._state.replies else None


def _chat_reply(body: dict[str, Any], text: str) -> dict[str, Any]:
    prompt_chars = sum(len(str(m.get("content", ""))) for m in body.get("messages", []))
    usage = {"prompt_tokens": math.ceil(prompt_chars / 4), "completion_tokens": math.ceil(len(text) / 4)}
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "test-model"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": usage,
    }


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
            if path not in CHAT_PATHS:
                return self._send(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
            if not isinstance(parsed, dict):
                return self._send(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
            if fault is not None and fault.kind == "status":
                headers = {"retry-after": str(fault.retry_after)} if fault.retry_after is not None else {}
                error = {"message": f"injected {fault.status}", "type": "server_error", "code": None}
                return self._send(fault.status, {"error": error}, headers)
            if fault is not None and fault.kind == "malformed":
                if fault.malformed == "no_choices":
                    return self._send(200, {"id": "x", "object": "chat.completion", "model": "m", "choices": []})
                return self._send_raw(200, b'{"id": "x", "choices": [ {"trunc', "application/json")
            if fault is not None and fault.kind == "timeout":
                if server._closing.wait(fault.seconds):
                    return
            text = scripted if scripted is not None else server.responder(parsed)
            self._send(200, _chat_reply(parsed, text))

        def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            self._send_raw(status, json.dumps(payload).encode(), "application/json", headers)

        def _send_raw(self, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
            try:
                self.send_response(status)
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to tell it

    return Handler
