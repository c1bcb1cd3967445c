"""What the report aggregates from the audit trail: per-document rows (and their CSV), the
gateway's traffic and latency, and the ``Summary`` of a period.  No HTML here: ``render.py``
draws it."""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from ..transforms import TRANSFORMS
from .event import source_of
from .explain import KnownPolicy, deciding, is_reroute, moved_local, rule_words, skipped_words

# Okabe-Ito colours: distinguishable with the common forms of colour blindness.
ROUTES: list[tuple[str, str, str]] = [
    ("local", "Kept on the local model", "#009E73"),
    ("cloud_redacted", "Sent to cloud with sensitive details masked", "#56B4E9"),
    ("cloud", "Sent to cloud (nothing sensitive found)", "#0072B2"),
    ("blocked", "Blocked by policy", "#D55E00"),
    ("none", "Not routed (scan only, or failed before a decision)", "#999999"),
]
ROUTE_LABEL = {k: label for k, label, _ in ROUTES}
ROUTE_SHORT = {"local": "local model", "cloud_redacted": "cloud, masked", "cloud": "cloud", "blocked": "blocked",
               "none": "not routed"}
TRANSFORM_LABEL = {t.name: t.label for t in TRANSFORMS.values()}
TRANSFORM_EXPLAIN = {t.name: t.explain for t in TRANSFORMS.values()}
# what the trail's outcome field may say ("interrupted": stopped by Ctrl-C mid-answer, rerun to resume)
OUTCOMES = ("ok", "error", "blocked", "skipped", "refused", "interrupted")
# Where records come from (``event.SOURCES``); "" is a record written before sources were recorded.
SOURCE_LABEL = {"batch": "Batch runs (redactor run)", "gateway": "Gateway (redactor serve)",
                "library": "Library (Python API)", "spark": "Spark jobs", "": "Not recorded (older records)"}
OTHER_COLOR = "#CC79A7"
MAX_FAILURE_ROWS = 50
MAX_DOCUMENT_ROWS = 1000  # in the HTML; the CSV has every row

#: Columns of the per-document CSV written next to the report.
DOCUMENT_FIELDS = [
    "seq", "timestamp", "document_id", "document_sha256", "route", "policy_name", "policy_version", "rules",
    "rules_in_words", "transform", "outcome", "error_class", "run_id", "backend", "model",
    "source", "client_key_id", "client_key_name", "endpoint", "status", "latency_ms", "host",
]


def csv_cell(v: Any) -> Any:
    """A value as a CSV cell: lists joined, mappings as JSON, and never a formula."""
    if isinstance(v, (dict, list)) and v:
        v = "; ".join(map(str, v)) if isinstance(v, list) else json.dumps(v, sort_keys=True)
    elif isinstance(v, (dict, list)):
        v = ""
    # Spreadsheets run cells that start like a formula; a document id must never do that.
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        v = "'" + v
    return v


def rules_of(r: Mapping[str, Any], known: Mapping[str, KnownPolicy]) -> list[tuple[str, str]]:
    """``(rule id, action)`` for each reason of a record.  The action is the one
    recorded, else what the record's policy says (when we have its text), else ""."""
    reasons = [str(x) for x in r.get("reasons") or []]
    actions = [str(x) for x in r.get("reason_actions") or []]
    if len(actions) != len(reasons):
        policy = known.get(str(r.get("policy_version", "")))
        actions = [("local" if is_reroute(x) else policy.action(x) if policy else "") for x in reasons]
    return list(zip(reasons, actions, strict=True))


def document_row(r: Mapping[str, Any], known: Mapping[str, KnownPolicy],
                 key_names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One record as a row of the per-document table and CSV: the rules that decided its
    route (``explain.deciding``; ``audit export`` has every reason)."""
    version = str(r.get("policy_version", ""))
    policy = known.get(version)
    name = str(r.get("policy_name") or (policy.name if policy else ""))
    descriptions = policy.descriptions if policy else {}
    route = str(r.get("route", ""))
    rules = deciding(route, rules_of(r, known))
    words = [rule_words(rule, action, descriptions) for rule, action in rules]
    actions = [action for _, action in rules]
    if r.get("outcome") == "skipped":  # nothing was read: no rule decided anything
        words, actions = [skipped_words(str(r.get("error_class", "")))], ["skipped"]
    return {
        "seq": r.get("seq", ""),
        "timestamp": str(r.get("timestamp", "")),
        "document_id": str(r.get("document_id", "")),
        "document_sha256": str(r.get("document_sha256", "")),
        "route": route,
        "policy_name": name,
        "policy_version": version,
        "rules": [rule for rule, _ in rules],
        "rules_in_words": words,
        "rule_actions": actions,  # the HTML's, not a CSV column
        "transform": str(r.get("transform", "")),
        "outcome": str(r.get("outcome", "")),
        "error_class": str(r.get("error_class", "")),
        "run_id": str(r.get("run_id", "")),
        "backend": str(r.get("backend", "")),
        "model": str(r.get("model", "")),
        **gateway_fields(r, key_names),
        "host": str(r.get("host", "")),
    }


def gateway_fields(r: Mapping[str, Any], key_names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Where a record came from and, for the gateway, which client key asked (its id, and
    its name when ``key_names`` knows it), on which endpoint, with which HTTP status, and
    how long it took."""
    source = source_of(dict(r))
    extra = r.get("extra") if isinstance(r.get("extra"), dict) else {}
    gateway = source == "gateway"
    key_id = str(extra.get("client_key_id", "")) if gateway else ""
    return {
        "source": source,
        "client_key_id": key_id,
        "client_key_name": (key_names or {}).get(key_id, ""),
        "endpoint": str(extra.get("endpoint", "")) if gateway else "",
        "status": extra.get("status", "") if gateway else "",
        "latency_ms": r.get("latency_ms", ""),
    }


class LatencyHistogram:
    """Latencies in log-spaced buckets (5% wide): percentiles within 5% in bounded memory,
    however long the trail."""

    STEP = 1.05

    def __init__(self) -> None:
        self.buckets: Counter[int] = Counter()
        self.count = 0

    def add(self, ms: float) -> None:
        self.buckets[int(math.log(max(ms, 0.0) + 1, self.STEP))] += 1
        self.count += 1

    def percentile(self, q: float) -> float:
        """The upper edge of the bucket holding the q-th percentile (0 < q <= 1)."""
        rank, seen = math.ceil(q * self.count), 0
        for b in sorted(self.buckets):
            seen += self.buckets[b]
            if seen >= rank:
                return self.STEP ** (b + 1) - 1
        return 0.0


@dataclass
class Traffic:
    """One client key on one gateway endpoint."""

    requests: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    latency: LatencyHistogram = field(default_factory=LatencyHistogram)


def write_documents_csv(rows: Iterable[Mapping[str, Any]], stream: TextIO) -> int:
    """The per-document rows as CSV; returns how many were written."""
    writer = csv.DictWriter(stream, DOCUMENT_FIELDS, extrasaction="ignore")
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow({k: csv_cell(row.get(k, "")) for k in DOCUMENT_FIELDS})
        n += 1
    return n


@dataclass
class Summary:
    """What the report shows, gathered in one pass over the trail."""

    known: Mapping[str, KnownPolicy] = field(default_factory=dict)
    key_names: Mapping[str, str] = field(default_factory=dict)  # gateway key id -> its name, where known
    routes: Collection[str] = ()  # the per-document table shows only these routes (all when empty)
    total: int = 0
    documents: set[str] = field(default_factory=set)  # distinct documents, by content hash (else id)
    first_ts: str = ""
    last_ts: str = ""
    by_route: Counter[str] = field(default_factory=Counter)
    per_day: dict[str, Counter[str]] = field(default_factory=dict)
    category_docs: Counter[str] = field(default_factory=Counter)
    category_found: Counter[str] = field(default_factory=Counter)
    local_reasons: Counter[str] = field(default_factory=Counter)
    cloud_in: int = 0
    cloud_out: int = 0
    cloud_cost: float = 0.0
    local_in: int = 0
    local_out: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    failure_rows: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0
    interrupted: int = 0
    pruned: list[dict[str, Any]] = field(default_factory=list)
    document_rows: list[dict[str, Any]] = field(default_factory=list)
    listed: int = 0  # records the per-document table covers (it shows at most MAX_DOCUMENT_ROWS)
    transforms: set[str] = field(default_factory=set)
    by_source: dict[str, Counter[str]] = field(default_factory=dict)  # source -> routes and outcomes
    by_host: dict[str, Counter[str]] = field(default_factory=dict)  # host -> sources, routes and outcomes
    traffic: dict[tuple[str, str], Traffic] = field(default_factory=dict)  # (client key id, endpoint)
    refusals: Counter[str] = field(default_factory=Counter)  # error_class -> refused requests

    def add(self, r: dict[str, Any]) -> None:
        if r.get("kind") == "pruned":
            self.pruned.append(r)
            return
        ts, route = str(r.get("timestamp", "")), str(r.get("route", "none"))
        outcome = str(r.get("outcome") or "")
        g = gateway_fields(r)
        # a summary of refusals not recorded one by one stands for that many
        n = int((r.get("extra") or {}).get("refusals") or 1) if outcome == "refused" else 1
        per_host = self.by_host.setdefault(str(r.get("host") or ""), Counter())
        per_host["source." + g["source"]] += n
        for tally in (self.by_source.setdefault(g["source"], Counter()), per_host):
            tally["records"] += n
            tally["route." + route] += n
            tally["outcome." + ("failed" if outcome not in ("ok", "blocked", "skipped", "refused", "interrupted", "")
                                else outcome)] += n
        if g["source"] == "gateway":
            t = self.traffic.setdefault((g["client_key_id"] or "none", g["endpoint"] or "unknown"), Traffic())
            t.requests += n
            t.outcomes[outcome] += n
            if outcome != "refused":
                t.latency.add(float(r.get("latency_ms") or 0.0))
        if outcome == "refused":
            self.refusals[str(r.get("error_class") or "unknown")] += n
            return  # turned away before routing: not a document handled
        self.total += 1
        self.documents.add(str(r.get("document_sha256") or r.get("document_id") or ""))
        self.first_ts = min(self.first_ts or ts, ts)
        self.last_ts = max(self.last_ts, ts)
        self.by_route[route] += 1
        self.per_day.setdefault(ts[:10], Counter())[route] += 1
        for cat, n in dict(r.get("category_counts") or {}).items():
            if n:
                self.category_docs[cat] += 1
                self.category_found[cat] += int(n)
        if route == "local":
            policy = self.known.get(str(r.get("policy_version", "")))
            descriptions = policy.descriptions if policy else {}
            self.local_reasons.update({rule_words(rule, "", descriptions)
                                       for rule, action in rules_of(r, self.known) if moved_local(rule, action)})
        if not self.routes or route in self.routes:
            self.listed += 1
            if len(self.document_rows) < MAX_DOCUMENT_ROWS:
                self.document_rows.append(document_row(r, self.known, self.key_names))
            if r.get("transform"):
                self.transforms.add(str(r["transform"]))
        backend = str(r.get("backend") or "")
        tin, tout = int(r.get("tokens_in") or 0), int(r.get("tokens_out") or 0)
        if backend == "cloud" or (not backend and route in ("cloud", "cloud_redacted")):
            self.cloud_in, self.cloud_out = self.cloud_in + tin, self.cloud_out + tout
            self.cloud_cost += float(r.get("cost_usd") or 0.0)
        elif backend.startswith("local") or (not backend and route == "local"):
            self.local_in, self.local_out = self.local_in + tin, self.local_out + tout
        if r.get("outcome") == "skipped":
            self.skipped += 1
        elif r.get("outcome") == "interrupted":
            self.interrupted += 1
        elif r.get("outcome") not in ("ok", "blocked", "", None):
            self.failures[str(r.get("error_class") or "unknown")] += 1
            if len(self.failure_rows) < MAX_FAILURE_ROWS:
                self.failure_rows.append(r)
