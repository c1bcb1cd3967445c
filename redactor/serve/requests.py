"""One gateway request as its audit record sees it: ``Ctx`` (never text), the error the
client gets (``GatewayError``, an OpenAI-shaped body), the outcome it is recorded with,
and the ``AuditEvent`` built from it, or from a window of refusals summarised as one."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from .. import __version__
from ..audit.event import AuditEvent
from ..policy import Policy, Route
from ..transforms import transform_of
from .conversation import Routed
from .keys import GatewayKey

NO_KEY_ID = "none"


#: Codes of requests the gateway turns away itself, before or instead of dispatching them:
#: their records say outcome ``refused`` (and a flood of them is summarised: ``RecordBudget``).
REFUSALS = frozenset({"origin_not_allowed", "invalid_api_key", "rate_limit", "concurrency_limit", "local_queue_full",
                      "not_found", "method_not_allowed", "stateful_request", "invalid_json", "invalid_request",
                      "body_too_large", "unknown_field", "embedding_input_kept_local"})


def outcome_of(code: str) -> str:
    if code == "blocked_by_policy":
        return "blocked"  # as in batch runs: the policy's answer, not a failure
    return "refused" if code in REFUSALS else "error"


@dataclass
class Ctx:
    """One request, as the audit record and the response headers need it (never text)."""

    id: str
    endpoint: str
    start: float
    key: GatewayKey | None = None
    policy: Policy | None = None
    routed: Routed | None = None
    stream: bool = False
    backend: str = ""
    model: str = ""
    host: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    upstream_headers: dict[str, str] = field(default_factory=dict)
    cleanup: list[Callable[[], None]] = field(default_factory=list)
    done: bool = False

    def usage(self, usage: Any, *, responses: bool = False) -> None:
        if isinstance(usage, dict):
            self.tokens_in = int(usage.get("input_tokens" if responses else "prompt_tokens") or 0)
            self.tokens_out = int(usage.get("output_tokens" if responses else "completion_tokens") or 0)


def error_body(code: str, message: str, status: int) -> dict[str, Any]:
    kind = "invalid_request_error" if status < 500 and status not in (429,) else "redactor_error"
    if status == 429:
        kind = "rate_limit_error"
    return {"error": {"message": message, "type": kind, "code": code, "param": None}}


def request_event(ctx: Ctx, run_id: str, policy: Policy, outcome: str, status: int, error_class: str,
                  key_id: str) -> AuditEvent:
    """The request's one record: what was decided and how it ended, never text."""
    r = ctx.routed
    return AuditEvent(
        run_id=run_id,
        document_id=ctx.id,
        document_sha256=r.sha256 if r else "",
        document_size=r.size if r else 0,
        entity_counts=r.entity_counts if r else {},
        category_counts=r.category_counts if r else {},
        top_scores=r.top_scores if r else {},
        route=r.route.value if r else "none",
        reasons=r.decision.rule_ids if r else [],
        reason_actions=[x.action for x in r.decision.reasons] if r else [],
        policy_version=policy.version,
        policy_name=policy.name,
        transform=transform_of(policy).name if r and r.route is Route.CLOUD_REDACTED and r.mapping else "",
        outcome=outcome,
        error_class=_error_class(error_class),
        backend=ctx.backend,
        model=ctx.model[:200],
        endpoint_host=ctx.host,
        tokens_in=ctx.tokens_in,
        tokens_out=ctx.tokens_out,
        latency_ms=round((time.perf_counter() - ctx.start) * 1000, 1),
        tool_version=__version__,
        extra={"endpoint": ctx.endpoint, "client_key_id": key_id, "status": status, "stream": ctx.stream},
        source="gateway",
    )


def refusals_event(run_id: str, policy: Policy, endpoint: str, error_class: str, key_id: str, n: int) -> AuditEvent:
    """The refusals of one kind in one window that were not recorded one by one."""
    return AuditEvent(
        run_id=run_id, document_id=request_id("refusals_"), document_sha256="", document_size=0,
        entity_counts={}, category_counts={}, top_scores={}, route="none", reasons=["refusals-summarised"],
        policy_version=policy.version, policy_name=policy.name, outcome="refused",
        error_class=_error_class(error_class), tool_version=__version__, source="gateway",
        extra={"endpoint": endpoint, "client_key_id": key_id, "refusals": n, "window_s": 60})


def request_id(prefix: str = "req_") -> str:
    return prefix + uuid.uuid4().hex[:20]


def _error_class(value: str) -> str:
    return value if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]{0,199}", value or "") else ""


