"""The OpenAI-compatible upstream (the configured cloud), reached through the ``openai`` SDK.

The upstream key comes from the cloud settings and lives only here: clients
authenticate to the gateway with gateway keys, and their ``Authorization``
header is never forwarded.  The SDK's own retries are off: a 429 goes back to
the client with its ``retry-after``, and the client decides.

Every SDK failure is translated at this boundary into ``UpstreamError`` with
the status the client gets (429 stays 429, 5xx → 502, time-out → 504,
connection failure → 502).  Response bodies of failures are not kept: they
may echo the prompt.
"""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

import openai

from ..backends.cloud import NO_KEY
from ..backends.openai_compat import host_of
from ..config import CloudSettings

#: Upstream response headers a client may see.
PASSTHROUGH = ("retry-after", "retry-after-ms")
PASSTHROUGH_PREFIX = "x-ratelimit-"


class UpstreamError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


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
    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self.headers = passthrough_headers(raw.headers)

    async def json(self) -> dict[str, Any]:
        try:
            data = json.loads(await self._raw.read())
        except ValueError:
            raise UpstreamError(502, "upstream_protocol_error", "the upstream answer is not JSON") from None
        except openai.OpenAIError as e:
            raise translate(e) from None
        if not isinstance(data, dict):
            raise UpstreamError(502, "upstream_protocol_error", "the upstream answer is not a JSON object")
        return data

    async def iter_bytes(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._raw.iter_bytes():
                yield chunk
        except (openai.OpenAIError, Exception) as e:  # httpx read errors mid-stream included
            failure = translate(e) if isinstance(e, openai.OpenAIError) else _stream_failure(e)
        else:
            return
        raise failure


def _stream_failure(e: Exception) -> UpstreamError:
    import httpx

    if isinstance(e, httpx.TimeoutException):
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

    def _call(self, endpoint: str, body: dict[str, Any]) -> Any:
        rest = {k: v for k, v in body.items()}
        c = self._client
        if endpoint == "chat":
            return c.chat.completions.with_streaming_response.create(
                model=rest.pop("model"), messages=rest.pop("messages"), extra_body=rest)
        if endpoint == "completions":
            return c.completions.with_streaming_response.create(
                model=rest.pop("model"), prompt=rest.pop("prompt"), extra_body=rest)
        if endpoint == "embeddings":
            return c.embeddings.with_streaming_response.create(
                model=rest.pop("model"), input=rest.pop("input"), extra_body=rest)
        if endpoint == "responses":
            return c.responses.with_streaming_response.create(extra_body=rest)
        if endpoint == "models":
            return c.models.with_streaming_response.list()
        raise ValueError(endpoint)

    @asynccontextmanager
    async def open(self, endpoint: str, body: dict[str, Any] | None = None) -> AsyncIterator[UpstreamResponse]:
        """The upstream's answer, open for reading (streamed or not)."""
        try:
            cm = self._call(endpoint, body or {})
            raw = await cm.__aenter__()
        except openai.OpenAIError as e:
            failure = translate(e)
        else:
            try:
                yield UpstreamResponse(raw)
            finally:
                await cm.__aexit__(None, None, None)
            return
        raise failure

    async def close(self) -> None:
        await self._client.close()
