"""One client for every OpenAI-compatible endpoint: the cloud API and a local llama.cpp server.

The ``openai`` SDK does the HTTP; this module owns what redactor needs around
it: our own bounded retries (exponential backoff with jitter, honouring a
capped ``Retry-After``), and translation of every SDK error at the boundary
into the caller's error class.  Error messages carry the HTTP status and the
SDK error class only: never the response body, which may echo the prompt.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

import openai

from ..errors import BackendError
from .base import Completion, Message, Usage, approx_tokens

# HTTP statuses worth another attempt: request timeout, conflict, rate limit, server errors.
RETRYABLE_STATUS = frozenset({408, 409, 429})


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries.  ``max_retries`` extra attempts after the first one."""

    max_retries: int = 2
    backoff_base_s: float = 0.5
    backoff_max_s: float = 8.0
    retry_after_cap_s: float = 30.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before attempt ``attempt + 1`` (``attempt`` counts from 0)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.retry_after_cap_s)
        ceiling = min(self.backoff_max_s, self.backoff_base_s * (2**attempt))
        # "Equal jitter": at least half the exponential step, so concurrent
        # workers spread out without ever retrying immediately.
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None, kind: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.kind = kind


#: Kinds of failure a caller may raise a more precise error class for (``error_kinds``).
AUTH, NOT_FOUND, UNREACHABLE = "auth", "not_found", "unreachable"
#: The preflight's one-token request, for endpoints that do not list models: no document in it.
PING = [{"role": "user", "content": "ping"}]


def host_of(url: str) -> str:
    host = urlsplit(url).hostname
    if not host:
        raise ValueError("URL has no host")
    return host.lower()


def _retry_after(response: object) -> float | None:
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return float(ms) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:  # the HTTP-date form
        return email.utils.parsedate_to_datetime(value).timestamp() - time.time()
    except (TypeError, ValueError):
        return None


class OpenAICompatibleBackend:
    """A ``Backend`` over any OpenAI-compatible ``/chat/completions`` endpoint.

    ``error`` is the class raised on failure (``CloudError`` for the cloud,
    ``LocalModelError`` for a local server); ``error_kinds`` may name a subclass
    per kind of failure (``auth``: HTTP 401/403, ``not_found``: HTTP 404,
    ``unreachable``: no connection or no answer in time).  ``prices`` is USD
    per 1M tokens by model name.
    """

    def __init__(
        self,
        *,
        name: str,
        base_url: str | None,
        api_key: str,
        model: str,
        timeout_s: float,
        retry: RetryPolicy,
        error: type[BackendError],
        context_tokens: int,
        error_kinds: dict[str, type[BackendError]] | None = None,
        prices: dict[str, dict[str, float]] | None = None,
        max_concurrency: int = 4,
        temperature: float | None = None,
        send_openai_identity: bool = False,
    ) -> None:
        self.name = name
        self.model = model
        self.context_tokens = context_tokens
        self.endpoint_host = host_of(base_url) if base_url else "api.openai.com"
        self.retry = retry
        self._error = error
        self._error_kinds = error_kinds or {}
        self._timeout_s = timeout_s
        self._prices = prices or {}
        self._temperature = temperature
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self._rng = random.Random()
        self._sleep = time.sleep  # tests may replace it to record delays
        # The SDK's own retries are off: ours are bounded, jittered and counted.
        # base_url is always explicit so OPENAI_BASE_URL in the environment is
        # never picked up behind the settings' back.
        # OPENAI_ORG_ID / OPENAI_PROJECT_ID are picked up by the SDK from the
        # environment; only the cloud backend may send them.
        identity = {} if send_openai_identity else {"OpenAI-Organization": openai.omit, "OpenAI-Project": openai.omit}
        self._client = openai.OpenAI(
            base_url=base_url or "https://api.openai.com/v1",
            api_key=api_key,
            timeout=timeout_s,
            max_retries=0,
            default_headers=identity,
        )

    def count_tokens(self, text: str) -> int:
        return approx_tokens(text)

    def complete(self, messages: list[Message], *, max_tokens: int) -> Completion:
        start = time.monotonic()
        with self._slots:
            response, retries = self._with_retries(lambda: self._call(messages, max_tokens))
        return self._completion(response, messages, start, retries=retries)

    def check(self, *, timeout_s: float = 15.0) -> None:
        """One cheap request before a batch: does the endpoint answer, and accept the key?

        Lists the models (``GET /models``); an endpoint that does not list
        models gets a one-token request with no document in it.  Raises what
        ``complete()`` raises (with ``error_kinds``, e.g. ``CloudAuthError``).
        """
        client = self._client.with_options(timeout=min(timeout_s, self._timeout_s))
        try:
            self._with_retries(lambda: self._request(lambda: client.models.list()))
        except BackendError as e:
            if getattr(e, "failure_kind", "") != NOT_FOUND:
                raise
            # Not every compatible server lists models: ask for one token instead.
            self._with_retries(lambda: self._request(
                lambda: client.chat.completions.create(model=self.model, messages=PING, max_tokens=1)))  # type: ignore[arg-type]

    # -- internals ---------------------------------------------------------

    def _with_retries(self, call: Callable[[], object]) -> tuple[object, int]:
        """``call()`` with our bounded retries: (its result, retries used)."""
        attempts = self.retry.max_retries + 1
        last: _Retryable | None = None
        for attempt in range(attempts):
            if last is not None:
                self._sleep(self.retry.delay(attempt - 1, last.retry_after, self._rng))
            try:
                return call(), attempt
            except _Retryable as e:
                last = e
        assert last is not None
        raise self._fail(f"{last.reason}, gave up after {attempts} attempt(s)", last.kind)

    def _fail(self, what: str, kind: str = "") -> BackendError:
        error = self._error_kinds.get(kind, self._error)(f"{self.name} endpoint {self.endpoint_host}: {what}")
        error.failure_kind = kind  # type: ignore[attr-defined]
        return error

    def _call(self, messages: list[Message], max_tokens: int) -> object:
        kwargs: dict[str, object] = {"model": self.model, "messages": messages, "max_tokens": max_tokens}
        if self._temperature is not None:
            kwargs["temperature"] = self._temperature
        return self._request(lambda: self._client.chat.completions.create(**kwargs))  # type: ignore[call-overload]

    def _request(self, send: Callable[[], object]) -> object:
        try:
            return send()
        except (openai.OpenAIError, ValueError) as e:
            failure = self._classify(e)
        # Raised outside the except block on purpose: the SDK's exception (and a
        # JSONDecodeError's ``doc``) holds the response body, which may echo the
        # prompt; it must not ride along as __context__ into logs or tracebacks.
        raise failure

    def _classify(self, e: Exception) -> Exception:
        if isinstance(e, openai.APITimeoutError):
            return _Retryable("request timed out", kind=UNREACHABLE)
        if isinstance(e, openai.APIConnectionError):
            return _Retryable("connection error (APIConnectionError)", kind=UNREACHABLE)
        if isinstance(e, openai.APIStatusError):
            what = f"HTTP {e.status_code} ({type(e).__name__})"
            if e.status_code in RETRYABLE_STATUS or e.status_code >= 500:
                return _Retryable(what, _retry_after(e.response))
            if e.status_code in (401, 403):
                return self._fail(f"{what}: the API key was refused (or has no access)", AUTH)
            if e.status_code == 404:
                return self._fail(f"{what}: check the base URL (it usually ends in /v1) and the model name", NOT_FOUND)
            return self._fail(what)
        if isinstance(e, (openai.APIResponseValidationError, ValueError)):
            return self._fail(f"malformed reply ({type(e).__name__})")
        return self._fail(f"request failed ({type(e).__name__})")

    def _completion(self, response: object, messages: list[Message], start: float, retries: int) -> Completion:
        choices = getattr(response, "choices", None)
        if not choices:
            raise self._fail("malformed reply (no choices)")
        message = getattr(choices[0], "message", None)
        text = getattr(message, "content", None)
        if not isinstance(text, str):
            raise self._fail("malformed reply (no message content)")
        usage = getattr(response, "usage", None)
        if usage is not None and isinstance(getattr(usage, "prompt_tokens", None), int):
            used = Usage(usage.prompt_tokens, usage.completion_tokens or 0)
        else:  # some compatible servers omit usage; estimate rather than record zero
            used = Usage(sum(approx_tokens(m.get("content", "")) for m in messages), approx_tokens(text))
        model = getattr(response, "model", None) or self.model
        cost, known = self._cost(used, model)
        return Completion(
            text=text,
            usage=used,
            model=model,
            latency_ms=(time.monotonic() - start) * 1000,
            backend=self.name,
            endpoint_host=self.endpoint_host,
            cost_usd=cost,
            price_known=known,
            retries=retries,
        )

    def _cost(self, usage: Usage, reply_model: str) -> tuple[float, bool]:
        # The configured name first: the API answers with dated names
        # ("gpt-4o-mini-2024-07-18") that the price table does not list.
        price = self._prices.get(self.model) or self._prices.get(reply_model)
        if price is None:
            return 0.0, False
        per_million = usage.prompt_tokens * price.get("input", 0.0) + usage.completion_tokens * price.get("output", 0.0)
        return per_million / 1e6, True
