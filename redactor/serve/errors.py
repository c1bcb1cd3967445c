"""The gateway's errors: one base, inside redactor's error tree, that one handler maps to a response.

    RedactorError
    └── GatewayError            a request answered with an error: status, OpenAI ``code``, headers
        ├── BadRequest          400 invalid_request: the body cannot be scanned as given
        ├── Refused             429/503 with retry-after: a key's limits, the local queue
        ├── LocalUnavailable    503 (or 400 context_length_exceeded): the local model cannot answer
        ├── UpstreamError       the upstream failed or refused (429 stays 429, 5xx → 502, time-out → 504)
        │   └── UpstreamProtocolError   502: an answer or stream that cannot be parsed
        └── UnfinishedPlaceholder       502: a stream ended inside a placeholder the gateway issued

Messages name fields, rules and error classes, never values; ``detail`` refines ``code`` in the
audit record only (``invalid_api_key.revoked``): the client sees ``code``.
"""

from __future__ import annotations

import math

from ..errors import RedactorError


class GatewayError(RedactorError):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None,
                 detail: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, dict(headers or {})
        self.error_class = f"{code}.{detail}" if detail else code


class BadRequest(GatewayError):
    def __init__(self, message: str) -> None:
        super().__init__(400, "invalid_request", message)


class Refused(GatewayError):
    def __init__(self, status: int, code: str, message: str, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(status, code, message, {"retry-after": str(self.retry_after)})


class LocalUnavailable(GatewayError):
    pass


class UpstreamError(GatewayError):
    pass


class UpstreamProtocolError(UpstreamError):
    def __init__(self, message: str) -> None:
        super().__init__(502, "upstream_protocol_error", message)


class UnfinishedPlaceholder(GatewayError):
    def __init__(self, message: str) -> None:
        super().__init__(502, "unfinished_placeholder", message)
