"""Input validation of audit events: ``event_record`` turns an ``AuditEvent`` into
the record that will be sealed, and refuses anything that could turn the trail
into a store of personal data (text, values, unexpected forms).  Rejections name
the field, never the value."""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from ..errors import AuditError
from .clock import utc_iso, utc_now
from .event import SOURCES, AuditEvent

ROUTES = frozenset({"cloud", "cloud_redacted", "local", "blocked", "none"})
MAX_REASONS = 50
MAX_REASON_LEN = 200
MAX_SHORT = 200  # run id, model, policy version, ...
MAX_DOC_ID = 4096  # PATH_MAX

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{0,63}$")  # entity types, categories, extra keys
_SLUG = re.compile(r"^[a-z][a-z0-9_\-]{0,31}$")
_CLASS = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,199}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_HOST = re.compile(r"^[A-Za-z0-9.\-:\[\]]{0,253}$")  # host or host:port; no scheme, path or credentials
HOST_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,62}$")  # a host name or replica id
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Words that mean "this field carries content": the trail keeps counts and hashes only.
_FORBIDDEN_WORDS = frozenset(
    "text texts value values mapping mappings content contents raw original originals prompt prompts "
    "completion completions answer answers snippet snippets match matches matched payload body message "
    "messages span spans token_map pseudonym pseudonyms plaintext cleartext secret secrets password".split()
)


def _reject(field: str, why: str) -> AuditError:
    # Never echo the value: it may be the very thing that must not be stored.
    return AuditError(f"audit record rejected: {field} {why}")


def _short(field: str, v: object, limit: int = MAX_SHORT, pattern: re.Pattern[str] | None = None) -> str:
    if not isinstance(v, str):
        raise _reject(field, "must be a string")
    if len(v) > limit:
        raise _reject(field, f"is longer than {limit} characters")
    if _CONTROL.search(v):
        raise _reject(field, "contains control characters")
    if v and pattern is not None and not pattern.fullmatch(v):
        raise _reject(field, "has an unexpected form")
    return v


def _number(field: str, v: object, integer: bool = False, upper: float = math.inf) -> float | int:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and not isinstance(v, int)):
        raise _reject(field, "must be a number" if not integer else "must be an integer")
    if not math.isfinite(v) or v < 0 or v > upper:
        raise _reject(field, "is out of range")
    return v


def _counts(field: str, v: object, score: bool = False) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise _reject(field, "must be a mapping")
    for k, n in v.items():
        if not isinstance(k, str) or not _NAME.fullmatch(k):
            raise _reject(field, "has a key that is not an entity type or category name")
        _number(f"{field}[{k}]", n, integer=not score, upper=1.0 if score else math.inf)
    return dict(v)


def _words(name: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
    parts = [p for p in re.split(r"[_.\-]+", spaced) if p]
    return set(parts) | {"_".join(parts)}


def _extra(v: object, where: str = "extra", depth: int = 0) -> object:
    if isinstance(v, dict):
        if depth > 3:
            raise _reject(where, "is nested too deeply")
        for k, item in v.items():
            if not isinstance(k, str) or not _NAME.fullmatch(k):
                raise _reject(where, "has a key that is not a plain name")
            if _words(k) & _FORBIDDEN_WORDS:
                raise _reject(f"{where}.{k}", "looks like it carries content; the audit trail holds no text or values")
            _extra(item, f"{where}.{k}", depth + 1)
    elif isinstance(v, list):
        if depth > 3 or len(v) > 100:
            raise _reject(where, "is too large")
        for item in v:
            _extra(item, where, depth + 1)
    elif isinstance(v, str):
        _short(where, v, MAX_REASON_LEN)
    elif isinstance(v, float):
        if not math.isfinite(v):
            raise _reject(where, "is not a finite number")
    elif v is not None and not isinstance(v, (bool, int)):
        raise _reject(where, "must be a string, number, boolean, list or mapping")
    return v


def event_record(event: AuditEvent) -> dict[str, Any]:
    """Validate an event and turn it into the record that will be sealed."""
    if not isinstance(event, AuditEvent):
        raise AuditError("audit record rejected: record() takes an AuditEvent")
    d = event.to_dict()
    for f in ("run_id", "policy_version", "policy_name", "model", "tool_version"):
        _short(f, d[f])
    _short("transform", d["transform"], 32, _SLUG)
    if isinstance(d["document_id"], str):  # file names may hold control characters: keep them visible, inert
        d["document_id"] = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", d["document_id"])
    _short("document_id", d["document_id"], MAX_DOC_ID)
    _short("document_sha256", d["document_sha256"], 64, _HEX64)
    _short("task_sha256", d["task_sha256"], 64, _HEX64)
    _short("error_class", d["error_class"], MAX_SHORT, _CLASS)
    _short("endpoint_host", d["endpoint_host"], 253, _HOST)
    _short("outcome", d["outcome"], 32, _SLUG)
    _short("host", d["host"], 63, HOST_LABEL)
    _short("backend", d["backend"], 32, _SLUG)
    if d["source"] and d["source"] not in SOURCES:
        raise _reject("source", f"must be one of {', '.join(SOURCES)}")
    if d["route"] not in ROUTES:
        raise _reject("route", f"must be one of {', '.join(sorted(ROUTES))}")
    if not d["outcome"]:
        raise _reject("outcome", "is empty")
    _number("document_size", d["document_size"], integer=True)
    for f in ("tokens_in", "tokens_out"):
        _number(f, d[f], integer=True)
    for f in ("cost_usd", "latency_ms"):
        _number(f, d[f])
    _counts("entity_counts", d["entity_counts"])
    _counts("category_counts", d["category_counts"])
    _counts("top_scores", d["top_scores"], score=True)
    reasons = d["reasons"]
    if not isinstance(reasons, list) or len(reasons) > MAX_REASONS:
        raise _reject("reasons", f"must be a list of at most {MAX_REASONS} short strings")
    for i, r in enumerate(reasons):
        _short(f"reasons[{i}]", r, MAX_REASON_LEN)
    actions = d["reason_actions"]
    if not isinstance(actions, list) or (actions and len(actions) != len(reasons)):
        raise _reject("reason_actions", "must be empty or give one action per reason")
    for i, a in enumerate(actions):  # a policy action (allow, redact, local, block) or the route a reroute chose
        _short(f"reason_actions[{i}]", a, 32, _SLUG)
    if not isinstance(d["extra"], dict):
        raise _reject("extra", "must be a mapping")
    _extra(d["extra"])
    ts = _short("timestamp", d["timestamp"], 64)
    try:
        d["timestamp"] = utc_iso(datetime.fromisoformat(ts)) if ts else utc_now()
    except ValueError:
        raise _reject("timestamp", "is not an ISO-8601 time") from None
    if not d["tool_version"]:
        from .. import __version__

        d["tool_version"] = __version__
    d["kind"] = "event"
    return d
