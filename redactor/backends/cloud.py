"""The closed-source cloud API, reached through the ``openai`` SDK.

Only text the policy and the guard have cleared ever reaches this backend.
Without a key or a base URL it cannot be built (``CloudNotConfigured``), so
"cloud not configured" is decided once, up front, never per document.
"""

from __future__ import annotations

from ..config import CloudSettings
from ..errors import CloudError, CloudNotConfigured
from .openai_compat import OpenAICompatibleBackend, RetryPolicy

#: Context windows of the models we know; anything else gets the smallest common one.
CONTEXT_TOKENS = {"gpt-4o-mini": 128_000, "gpt-4o": 128_000, "gpt-4.1-mini": 1_047_576, "gpt-4.1": 1_047_576}
DEFAULT_CONTEXT_TOKENS = 128_000

#: Many OpenAI-compatible servers accept any key but the SDK insists on one.
NO_KEY = "sk-no-key"


class CloudBackend(OpenAICompatibleBackend):
    """``complete()`` against the configured cloud endpoint, with bounded retries.

    Failures after retries raise ``CloudError`` naming the host, the HTTP
    status and the error class, never the payload.
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
                context_tokens=CONTEXT_TOKENS.get(settings.model, DEFAULT_CONTEXT_TOKENS),
                prices=settings.prices,
                max_concurrency=settings.max_concurrency,
                send_openai_identity=True,
            )
        except ValueError:
            raise CloudNotConfigured("cloud.base_url is not a valid URL") from None
