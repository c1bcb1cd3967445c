"""The OpenAI-compatible upstream (the configured cloud), reached through the ``openai`` SDK.

The upstream key comes from the cloud settings and lives only here: clients
authenticate to the gateway with gateway keys, and their ``Authorization``
header is never forwarded.  The SDK's own retries are off: a 429 goes back to
the client with its ``retry-after``, and the client decides.

Bodies go through the client's generic ``post`` (the SDK's documented way to reach any
endpoint), not its typed ``create`` methods: those walk every message to transform it
(~0.4 ms a message, 9 ms for a 20-turn history) and the gateway forwards the client's JSON,
already scanned and rewritten, as it is.  Answers come back as raw ``httpx`` responses,
read whole or streamed (``httpx`` or ``httpx2``, whichever the SDK is built on).

Every SDK failure is translated at this boundary into ``UpstreamError`` with
the status the client gets (429 stays 429, 5xx → 502, time-out → 504,
connection failure → 502).  Response bodies of failures are not kept: they
may echo the prompt.
"""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

import httpx
import openai

from ..backends.cloud import NO_KEY
from ..backends.openai_compat import host_of
from ..config import CloudSettings
from .errors import UpstreamError

#: Upstream response headers a client may see.
PASSTHROUGH = ("retry-after", "retry-after-ms")
PASSTHROUGH_PREFIX = "x-ratelimit-"
PATHS = {"chat": "/chat/completions", "completions": "/completions", "embeddings": "/embeddings",
         "responses": "/responses", "models": "/models"}


def passthrough_headers(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower() in PASSTHROUGH or k.lower().startswith(PASSTHROUGH_PREFIX)}


def translate(e: Exception) -> UpstreamError:
    if isinstance(e, openai.APITimeoutError):
        return UpstreamError(504, "upstream_timeout", "the upstream did not answer in time")
    if isinstance(e, openai.APIConnectionError):
        return UpstreamError(502, "upstream_unreachable", "the upstream could not be reached")
    if isinstance(e, openai.APIStatusError):
        status, headers = e.status_code, passthrough_headers(e.response.headers)
        if status == 429:
            return UpstreamError(429, "upstream_rate_limited", "the upstream is rate limiting", headers)
        if status >= 500 or status in (401, 403):  # the gateway's own credentials or the upstream failed
            return UpstreamError(502, "upstream_error", f"the upstream failed (HTTP {status})", headers)
        return UpstreamError(status, "upstream_refused", f"the upstream refused the request (HTTP {status}): "
                             f"{_upstream_message(e)}", headers)
    return UpstreamError(502, "upstream_error", f"the upstream failed ({type(e).__name__})")


def _upstream_message(e: openai.APIStatusError) -> str:
    # Only guard-approved text was sent, so the upstream's message can echo nothing sensitive.
    body = e.body if isinstance(e.body, dict) else {}
    message = body.get("message") if isinstance(body.get("message"), str) else ""
    return message[:500] or type(e).__name__


class UpstreamResponse:
    def __init__(self, raw: Any) -> None:  # an httpx(2).Response
        self._raw = raw
        self.headers = passthrough_headers(raw.headers)

    async def json(self) -> dict[str, Any]:
        try:
            data = json.loads(await self._raw.aread())
        except ValueError:
            raise UpstreamError(502, "upstream_protocol_error", "the upstream answer is not JSON") from None
        except openai.OpenAIError as e:
            raise translate(e) from None
        if not isinstance(data, dict):
            raise UpstreamError(502, "upstream_protocol_error", "the upstream answer is not a JSON object")
        return data

    async def iter_bytes(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._raw.aiter_bytes():
                yield chunk
        except (openai.OpenAIError, Exception) as e:  # httpx read errors mid-stream included
            failure = translate(e) if isinstance(e, openai.OpenAIError) else _stream_failure(e)
        else:
            return
        raise failure


def _timeouts() -> tuple[type[BaseException], ...]:
    """Read time-outs of both HTTP stacks the SDK may be built on (openai 3 uses ``httpx2``)."""
    out: list[type[BaseException]] = []
    for name in ("httpx", "httpx2"):
        try:
            out.append(__import__(name).TimeoutException)
        except (ImportError, AttributeError):
            pass
    return tuple(out)


def _stream_failure(e: Exception) -> UpstreamError:
    if isinstance(e, _timeouts()):
        return UpstreamError(504, "upstream_timeout", "the upstream stream stalled")
    return UpstreamError(502, "upstream_error", f"the upstream stream failed ({type(e).__name__})")


class Upstream:
    """One ``AsyncOpenAI`` client for the configured endpoint."""

    def __init__(self, settings: CloudSettings) -> None:
        key = settings.api_key.get_secret_value() if settings.api_key else ""
        base_url = settings.base_url or "https://api.openai.com/v1"
        self.host = host_of(base_url)
        self.timeout_s = settings.timeout_s
        self._client = openai.AsyncOpenAI(base_url=base_url, api_key=key or NO_KEY, timeout=settings.timeout_s,
                                          max_retries=0)

    async def _send(self, endpoint: str, body: dict[str, Any] | None) -> Any:
        c, path = self._client, PATHS[endpoint]
        if body is None:
            return await c.get(path, cast_to=httpx.Response)
        if body.get("stream") is True:  # the body is left unread: the caller streams it
            got = await c.post(path, cast_to=httpx.Response, body=body, stream=True,
                               stream_cls=openai.AsyncStream[object])
            return got.response if isinstance(got, openai.AsyncStream) else got
        return await c.post(path, cast_to=httpx.Response, body=body)

    @asynccontextmanager
    async def open(self, endpoint: str, body: dict[str, Any] | None = None) -> AsyncIterator[UpstreamResponse]:
        """The upstream's answer, open for reading (streamed when ``body`` asks for it);
        ``body`` None: a GET (``models``)."""
        try:
            raw = await self._send(endpoint, body)
        except openai.OpenAIError as e:
            failure = translate(e)
        else:
            try:
                yield UpstreamResponse(raw)
            finally:
                await raw.aclose()
            return
        raise failure

    async def close(self) -> None:
        await self._client.close()
