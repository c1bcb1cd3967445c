"""The closed-source cloud API, reached through the ``openai`` SDK.

Only text the policy and the guard have cleared ever reaches this backend.
Without a key or a base URL it cannot be built (``CloudNotConfigured``), so
"cloud not configured" is decided once, up front, never per document.
"""

from __future__ import annotations

from ..config import CloudSettings
from ..errors import CloudAuthError, CloudEndpointNotFound, CloudError, CloudNotConfigured, CloudUnreachable
from .base import Completion, Message, approx_tokens
from .openai_compat import AUTH, NOT_FOUND, UNREACHABLE, OpenAICompatibleBackend, RetryPolicy

#: Context windows of the models we know; anything else gets the smallest common one.
CONTEXT_TOKENS = {"gpt-4o-mini": 128_000, "gpt-4o": 128_000, "gpt-4.1-mini": 1_047_576, "gpt-4.1": 1_047_576}
DEFAULT_CONTEXT_TOKENS = 128_000

#: Many OpenAI-compatible servers accept any key but the SDK insists on one.
NO_KEY = "sk-no-key"


class CloudBackend(OpenAICompatibleBackend):
    """``complete()`` against the configured cloud endpoint, with bounded retries.

    Failures after retries raise ``CloudError`` (or the subclass for a refused
    key, a wrong URL, an unreachable host) naming the host, the HTTP status and
    the error class, never the payload.  ``check()`` asks the endpoint once
    before a batch.
    """

    def __init__(self, settings: CloudSettings, *, retry: RetryPolicy | None = None) -> None:
        if not settings.configured:
            raise CloudNotConfigured("cloud not configured: set OPENAI_API_KEY or cloud.base_url")
        key = settings.api_key.get_secret_value() if settings.api_key else ""
        if not key and not settings.base_url:  # pragma: no cover - `configured` already says no
            raise CloudNotConfigured("cloud not configured: no API key")
        try:
            super().__init__(
                name="cloud",
                base_url=settings.base_url,
                api_key=key or NO_KEY,
                model=settings.model,
                timeout_s=settings.timeout_s,
                retry=retry or RetryPolicy(max_retries=settings.max_retries),
                error=CloudError,
                error_kinds={AUTH: CloudAuthError, NOT_FOUND: CloudEndpointNotFound, UNREACHABLE: CloudUnreachable},
                context_tokens=CONTEXT_TOKENS.get(settings.model, DEFAULT_CONTEXT_TOKENS),
                prices=settings.prices,
                max_concurrency=settings.max_concurrency,
                send_openai_identity=True,
            )
        except ValueError:
            raise CloudNotConfigured("cloud.base_url is not a valid URL") from None


class UnavailableCloud:
    """The cloud after its preflight failed, when ``cloud.fallback_to_local`` is on.

    Every call raises the preflight's error at once, with no network: the
    pipeline falls back to local per document and records why
    (``cloud-failed.<ErrorClass>``), as for an outage in mid-run.
    """

    name = "cloud"

    def __init__(self, backend: CloudBackend, error: CloudError) -> None:
        self.model = backend.model
        self.context_tokens = backend.context_tokens
        self.endpoint_host = backend.endpoint_host
        self.error = error

    def count_tokens(self, text: str) -> int:
        return approx_tokens(text)

    def complete(self, messages: list[Message], *, max_tokens: int) -> Completion:
        raise type(self.error)(str(self.error))
