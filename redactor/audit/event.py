"""The one shape every decision and outcome takes on its way to the audit trail.

It holds counts, hashes, rule ids and metering — never text, values or the
pseudonym mapping.  Fields added later have defaults, and records written
before them simply lack them (readers use ``.get``), so old trails still verify.  The pipeline builds one ``AuditEvent`` per document outcome
and hands it to an ``AuditSink``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class AuditEvent:
    run_id: str
    document_id: str
    document_sha256: str
    document_size: int
    entity_counts: dict[str, int]
    category_counts: dict[str, int]
    top_scores: dict[str, float]
    route: str  # cloud | cloud_redacted | local | blocked | none (scan-only / failed before decide)
    reasons: list[str]  # rule ids and short machine reasons, never values
    policy_version: str  # sha256 of the policy's canonical form
    outcome: str  # ok | error | skipped (an empty or binary file: nothing to answer)
    error_class: str = ""
    backend: str = ""  # cloud | local | local_server | ""
    model: str = ""
    endpoint_host: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0
    task_sha256: str = ""
    tool_version: str = ""
    timestamp: str = ""  # UTC ISO-8601, filled by the sink if empty
    extra: dict[str, object] = field(default_factory=dict)
    policy_name: str = ""  # the policy's ``name``, for people; ``policy_version`` is what pins it
    transform: str = ""  # how text was rewritten for the cloud ("pseudonymize", ...); "" when it was not
    reason_actions: list[str] = field(default_factory=list)  # the action of each reason, same order
    source: str = ""  # what wrote it: one of SOURCES ("" in records written before sources)
    host: str = ""  # which machine or replica wrote it (``[audit] host``); "": the store fills in its own

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


#: What writes audit records: ``redactor run`` (batch), ``redactor serve`` (gateway), the Spark
#: helper (spark), the library API (library, ``Pipeline``'s default).
SOURCES = ("batch", "gateway", "library", "spark")


def source_of(record: dict[str, object]) -> str:
    """The source of a stored record; records written before ``source`` say it where they can
    (gateway records carried ``extra.source``), else "" (not recorded)."""
    source = record.get("source")
    if isinstance(source, str) and source:
        return source
    extra = record.get("extra")
    if isinstance(extra, dict) and extra.get("source") == "gateway":
        return "gateway"
    return ""


class AuditSink(Protocol):
    def record(self, event: AuditEvent) -> int | None: ...
