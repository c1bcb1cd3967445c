"""Streamed answers: the upstream's SSE events restored as they pass, and the local model's
pieces as chat, completion or Responses events.

Each producer yields the bytes of its events and raises ``GatewayError`` when the stream fails
(an upstream error event, a stream cut before its last event, a placeholder left open, the
local model failing); the gateway turns that into an error event and ends the request's record
(``Gateway._stream``).  ``ClosingStream`` releases the request's resources even when the client
leaves before the first byte.
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Awaitable, Callable

from starlette.responses import StreamingResponse

from ..backends.base import Completion, Usage
from ..transform import Mapping
from . import answers
from .errors import UpstreamError, UpstreamProtocolError
from .requests import Ctx
from .restore_stream import RESPONSE_END, ChunkRestorer, ResponseEventRestorer, SSEParser, parse_event, sse
from .upstream import UpstreamResponse


async def cloud_events(ctx: Ctx, endpoint: str, resp: UpstreamResponse, mapping: Mapping | None) -> AsyncIterator[bytes]:
    """The upstream's events, placeholders restored (held back only while one may still be forming)."""
    responses = endpoint == "responses"
    restorer: Any = None
    if mapping is not None and len(mapping):
        restorer = ResponseEventRestorer(mapping) if responses else \
            ChunkRestorer(mapping, "chat" if endpoint == "chat" else "completions")
    state: dict[str, Any] = {"done": False, "template": {}}

    def handle(data: str) -> list[bytes]:
        if state["done"]:
            return []
        if data == "[DONE]" and not responses:
            state["done"] = True
            return []
        obj = parse_event(data)
        if responses:
            if obj.get("type") == "error":
                raise UpstreamError(502, "upstream_error", "the upstream reported an error mid-stream")
            events = restorer.event(obj) if restorer is not None else [obj]
            if obj.get("type") in RESPONSE_END:
                state["done"] = True
                ctx.usage((obj.get("response") or {}).get("usage"), responses=True)
            return [sse(e, str(e.get("type", ""))) for e in events]
        if "error" in obj and not obj.get("choices"):
            raise UpstreamError(502, "upstream_error", "the upstream reported an error mid-stream")
        state["template"] = {k: obj[k] for k in ("id", "object", "created", "model") if k in obj}
        if restorer is not None:
            restorer.chunk(obj)
        ctx.usage(obj.get("usage"))
        return [sse(obj)]

    parser = SSEParser()
    async for raw in resp.iter_bytes():
        for data in parser.feed(raw):
            for part in handle(data):
                yield part
    for data in parser.finish():
        for part in handle(data):
            yield part
    if not state["done"]:
        raise UpstreamProtocolError("the upstream stream ended before its last event")
    if isinstance(restorer, ChunkRestorer):
        for c in restorer.finish(state["template"]):
            yield sse(c)
    elif restorer is not None:
        restorer.finish()


async def _joined(head: list[str], pieces: AsyncIterator[str]) -> AsyncIterator[str]:
    for piece in head:
        yield piece
    async for piece in pieces:
        yield piece


async def local_chunks(ctx: Ctx, kind: str, streams: list[AsyncIterator[str]], head: list[str]) -> AsyncIterator[bytes]:
    """Chat or completion chunks, one stream per choice (``head``: the first stream's first pieces)."""
    for i, pieces in enumerate(streams):
        yield sse(answers.chunk(ctx.id, ctx.model, kind, i, "" if kind == "chat" else None, role=True))
        async for piece in _joined(head if i == 0 else [], pieces):
            ctx.tokens_out += 1
            yield sse(answers.chunk(ctx.id, ctx.model, kind, i, piece))
        yield sse(answers.chunk(ctx.id, ctx.model, kind, i, None, finish="stop"))


async def local_response_events(ctx: Ctx, model_name: str, head: list[str],
                                pieces: AsyncIterator[str]) -> AsyncIterator[bytes]:
    """A local answer as Responses stream events: created, text deltas, text done, completed."""
    skeleton = answers.local_response(ctx.id, model_name, Completion("", Usage(), ctx.model, 0, "local", ""))
    created = {**skeleton, "status": "in_progress", "output": []}
    yield sse({"type": "response.created", "response": created}, "response.created")
    where = {"item_id": f"msg_{ctx.id}", "output_index": 0, "content_index": 0}
    text = []
    async for piece in _joined(head, pieces):
        text.append(piece)
        ctx.tokens_out += 1
        yield sse({"type": "response.output_text.delta", **where, "delta": piece}, "response.output_text.delta")
    full = "".join(text)
    yield sse({"type": "response.output_text.done", **where, "text": full}, "response.output_text.done")
    done = answers.local_response(ctx.id, model_name,
                                  Completion(full, Usage(0, ctx.tokens_out), ctx.model, 0, "local", "in-process"))
    yield sse({"type": "response.completed", "response": done}, "response.completed")


class ClosingStream(StreamingResponse):
    """A stream whose resources (upstream connection, key and queue places, the audit record)
    are released even when the client leaves before the first byte: a generator that never
    started never runs its ``finally``."""

    def __init__(self, content: AsyncIterator[bytes], close: Callable[[], Awaitable[None]], **kw: Any) -> None:
        super().__init__(content, media_type="text/event-stream",
                         headers={"cache-control": "no-cache", "x-accel-buffering": "no"}, **kw)
        self._close = close

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._close()
