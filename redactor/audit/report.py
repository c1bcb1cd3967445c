"""The compliance report: one self-contained HTML file read from the audit trail.

No network, no scripts, no fonts or images from elsewhere (a Content-Security-Policy
in the page says so too).  Charts are inline SVG drawn here.  Every value that
comes from the trail goes through ``html.escape``.  Written for a compliance
officer: each section says in plain words what it shows.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from importlib import resources
from string import Template
from typing import Any, TextIO

from ..transforms import TRANSFORMS
from .chain import KEY_MISMATCH, Verification
from .clock import utc_now
from .event import source_of
from .explain import KnownPolicy, deciding, is_reroute, moved_local, rule_words, skipped_words
from .store import AuditTrail

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


# ----------------------------------------------------------------------------- SVG charts


def _axis(v: float) -> tuple[float, float]:
    """A round top for the axis and a round step (1, 2 or 5 x 10^k), 2-5 gridlines."""
    if v <= 0:
        return 1, 1
    raw = v / 4
    exp = 10 ** math.floor(math.log10(raw))
    step = next(m * exp for m in (1, 2, 5, 10) if m * exp >= raw)
    if step < 1:
        step = 1
    return step * math.ceil(v / step), step


def _fmt(n: float) -> str:
    return f"{n:,.0f}" if float(n).is_integer() else f"{n:,.2f}"


def stacked_bars(buckets: list[tuple[str, str, Counter[str]]], series: list[tuple[str, str, str]]) -> str:
    """Vertical stacked bars: one bar per bucket ``(key, label, counts)``, one
    ``rect.bar`` per non-empty segment (tests count them)."""
    w, h, left, right, top, bottom = 900, 300, 48, 12, 12, 46
    pw, ph = w - left - right, h - top - bottom
    peak, step = _axis(max((sum(c.values()) for _, _, c in buckets), default=0))
    slot = pw / max(len(buckets), 1)
    bar_w = max(min(slot * 0.72, 48), 1.5)
    out = [f'<svg class="chart routes" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
           f'aria-label="Documents by route over time">']
    for i in range(int(round(peak / step)) + 1):
        v = step * i
        y = top + ph - ph * v / peak
        out.append(f'<line x1="{left}" x2="{w - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e6ec"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(v)}</text>')
    label_every = max(1, math.ceil(len(buckets) / 12))
    for i, (key, label, counts) in enumerate(buckets):
        x = left + slot * i + (slot - bar_w) / 2
        y = top + ph
        for route, name, color in series:
            n = counts.get(route, 0)
            if not n:
                continue
            bh = ph * n / peak
            y -= bh
            out.append(
                f'<rect class="bar" data-bucket="{escape(key)}" data-route="{escape(route)}" x="{x:.1f}" '
                f'y="{y:.1f}" width="{bar_w:.1f}" height="{bh:.1f}" fill="{color}">'
                f"<title>{escape(label)}: {escape(name)}: {n:,}</title></rect>"
            )
        if i % label_every == 0:
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{h - bottom + 18}" text-anchor="middle">{escape(label)}</text>')
    out.append(f'<line x1="{left}" x2="{w - right}" y1="{top + ph}" y2="{top + ph}" stroke="#8a93a5"/></svg>')
    return "".join(out)


def hbars(items: list[tuple[str, float, str]], unit: str, css: str = "hbar", label_w: int = 300,
          max_chars: int = 42) -> str:
    """Horizontal bars, one ``rect.<css>`` per item ``(label, value, color)``."""
    row, w = 30, 900
    h = row * len(items) + 8
    peak = max((v for _, v, _ in items), default=0) or 1
    out = [f'<svg class="chart {css}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img">']
    for i, (label, v, color) in enumerate(items):
        y = 4 + i * row
        bw = max((w - label_w - 150) * v / peak, 2 if v else 0)
        text = label if len(label) <= max_chars else label[: max_chars - 1] + "…"
        out.append(f'<text x="{label_w - 10}" y="{y + 18}" text-anchor="end">{escape(text)}<title>{escape(label)}</title></text>')
        out.append(
            f'<rect class="{css}" x="{label_w}" y="{y + 4}" width="{bw:.1f}" height="{row - 10}" rx="3" fill="{color}">'
            f"<title>{escape(label)}: {_fmt(v)} {escape(unit)}</title></rect>"
        )
        one = unit[:-1] if v == 1 and unit.endswith("s") else unit
        out.append(f'<text x="{label_w + bw + 8:.1f}" y="{y + 18}">{escape(_fmt(v))} {escape(one)}</text>')
    out.append("</svg>")
    return "".join(out)


def _legend(series: list[tuple[str, str, str]]) -> str:
    return '<div class="legend">' + "".join(
        f'<span><i style="background:{c}"></i>{escape(name)}</span>' for _, name, c in series
    ) + "</div>"


# ----------------------------------------------------------------------------- sections


def _buckets(s: Summary) -> tuple[list[tuple[str, str, Counter[str]]], str]:
    if not s.per_day:
        return [], "day"
    first, last = date.fromisoformat(min(s.per_day)), date.fromisoformat(max(s.per_day))
    weekly = (last - first).days > 62
    buckets: dict[date, Counter[str]] = {}
    d = first - timedelta(days=first.weekday()) if weekly else first
    while d <= last:
        buckets[d] = Counter()
        d += timedelta(days=7 if weekly else 1)
    for day, counts in s.per_day.items():
        dd = date.fromisoformat(day)
        buckets[dd - timedelta(days=dd.weekday()) if weekly else dd].update(counts)
    fmt = (lambda x: f"wk {x.day} {x:%b}") if weekly else (lambda x: f"{x.day} {x:%b}")
    return [(k.isoformat(), fmt(k), c) for k, c in buckets.items()], "week" if weekly else "day"


def _section(title: str, explain: str, body: str, sid: str) -> str:
    return f'<section id="{sid}"><h2>{escape(title)}</h2><p class="explain">{escape(explain)}</p>{body}</section>'


def _badge(kind: str, mark: str, title: str, text: str) -> str:
    return (f'<div class="badge {kind}"><div class="mark">{mark}</div><div><strong>{escape(title)}</strong>'
            f"{text}</div></div>")


def _verification(v: Verification, structure: Verification | None = None, head: tuple[int, str] | None = None) -> str:
    """``v`` is the full check; ``structure`` the keyless one, made when ``v``
    failed only because the reader has no key."""
    end = (f" It still holds the {head[0]:,} records of the checkpoint you gave, unchanged, so none of those was "
           "removed from the end." if head else
           " Whether records were removed from the very end cannot be told from the trail alone: give a checkpoint "
           "kept elsewhere (redactor audit report --head COUNT:HASH, from redactor audit checkpoint) to check that too.")
    pruned = (f" ({v.pruned:,} older records were pruned under the retention policy and are vouched for by a "
              "sealed summary)") if v.pruned else ""
    if structure is not None and structure.ok:
        body = _badge(
            "unknown", "?", "Seals not checked: this report was made without the audit key",
            f"The trail is sealed with a secret key, and whoever made this report does not hold it (the separation "
            f"of duties the documentation recommends). Without the key the seals cannot be recomputed, so this report "
            f"cannot confirm that no record was changed. What could be checked holds: the {structure.count:,} records "
            f"are numbered without gaps, in order, all sealed with the same key, and each one links to the one before "
            f"it{escape(pruned)}. The figures below are what the trail says; to confirm them, ask the key holder to "
            f"run <code>redactor audit verify</code>, or to make this report with the key."
            f'<div class="mono">Head (unconfirmed): {escape(structure.head)}</div>')
    elif v.ok:
        body = _badge(
            "ok", "✓", "Audit trail intact",
            f"All {v.count:,} records check out{escape(pruned)}: none was edited or reordered, and none is missing "
            f"between the first and the last.{escape(end)}"
            f'<div class="mono">Head checkpoint: {escape(v.head)}</div>')
        if not v.keyed:
            body += ('<p class="note">This trail is sealed without a secret key. That catches accidental or clumsy '
                     "edits, but someone with write access could rebuild the whole chain. Set REDACTOR_AUDIT_KEY, and "
                     "keep head checkpoints somewhere else, to close that gap.</p>")
    else:
        bad = structure if structure is not None else v
        body = _badge(
            "bad", "✗", "Audit trail FAILED verification",
            f"{escape(bad.message())}. Records from this point on cannot be trusted as written. Keep a copy of the "
            "database file as evidence and raise it with the system owner.")
    return _section(
        "Can this record be trusted?",
        "Every entry is sealed with a fingerprint of itself and of the entry before it, so changing, "
        "deleting or reordering any entry breaks the seal from that point on. This check covers the whole trail, "
        "not only the period above.",
        body,
        "verification",
    )


def _documents(s: Summary, csv_name: str) -> str:
    only = (" Showing only: " + ", ".join(ROUTE_LABEL.get(r, r).lower() for r in sorted(s.routes)) + ".") if s.routes else ""
    where = f" Every row is also in {csv_name}, next to this report." if csv_name else ""
    explain = ("Each row is one time a document was handled: when, which document, where it went and how the text "
               "was rewritten before it left (if it was), under which policy (its name, and the first digits of its "
               "fingerprint, the version), the rules that decided it in plain words, how it ended, and what handled "
               "it (for the gateway: the client key, the endpoint and the time taken) on which host. A rule's edge is green when it "
               "kept the document local or blocked it, light blue when it masked details, dark blue when it let text "
               "go as written. For a document kept local or blocked only the rules that kept it off the cloud are "
               "listed; for one sent to the cloud, every rule." + only + where
               + (" Requests the gateway refused are not rows here (see Gateway traffic); the CSV has them."
                  if s.refusals else ""))
    if not s.document_rows:
        return _section("Documents, one by one", explain, '<p class="empty">No documents in this period.</p>', "documents")
    rows = []
    for d in s.document_rows:
        policy = (f"{escape(d['policy_name'] or 'name not recorded')}<br>"
                  f'<span class="mono ver">{escape(d["policy_version"][:12])}</span>')
        route = escape(ROUTE_SHORT.get(d["route"], d["route"]))
        if d["transform"]:
            route += f'<span class="line">{escape(TRANSFORM_LABEL.get(d["transform"], d["transform"]))}</span>'
        rules = "".join(f'<li class="{escape(action or "unknown")}">{escape(words)}</li>'
                        for words, action in zip(d["rules_in_words"], d["rule_actions"], strict=True))
        rules = f'<ul class="rules">{rules}</ul>' if rules else ""
        outcome = escape(d["outcome"])
        if d["error_class"]:
            outcome += f'<span class="line">{escape(d["error_class"])}</span>'
        rows.append(
            f'<tr class="doc"><td><span class="when">{escape(d["timestamp"][:16].replace("T", " "))}</span>'
            f'<span class="mono">{escape(d["document_id"])}</span></td>'
            f"<td>{route}</td><td>{policy}</td>"
            f"<td>{rules}</td><td>{outcome}</td>"
            f'<td class="src">{_handled_by(d)}</td></tr>')
    table = ('<table class="docs"><colgroup><col class="doc"><col class="route"><col class="policy"><col class="rules">'
             '<col class="outcome"><col class="src"></colgroup>'
             "<tr><th>Time (UTC), document</th><th>Route, rewritten as</th><th>Policy</th>"
             "<th>Rules that decided it</th><th>Outcome</th><th>Handled by</th></tr>"
             + "".join(rows) + "</table>")
    if s.listed > len(s.document_rows):
        table += (f'<p class="explain">The first {len(s.document_rows):,} of {s.listed:,} rows are shown here'
                  + (f"; {escape(csv_name)} has them all.</p>" if csv_name else ".</p>"))
    notes = "".join(f'<p class="note">{escape(TRANSFORM_EXPLAIN[t])}</p>' for t in sorted(s.transforms) if t in TRANSFORM_EXPLAIN)
    return _section("Documents, one by one", explain, table + notes, "documents")


def _handled_by(d: Mapping[str, Any]) -> str:
    """What handled a document, as HTML: the source, and for the gateway the client key
    (its name where known, and its id), the endpoint and the time taken; the host that wrote it."""
    source = SOURCE_LABEL.get(d["source"], d["source"]).split(" (")[0] if d["source"] else "–"
    host = f'<span class="line mono">on {escape(d["host"])}</span>' if d.get("host") else ""
    if d["source"] != "gateway":
        return escape(source) + host
    lines = [f'<span class="key">{escape(d["client_key_name"])}</span>'] if d["client_key_name"] else []
    lines += [f'<span class="line mono">{escape(str(x))}</span>' for x in (d["client_key_id"], d["endpoint"])]
    return (escape(source) + "".join(lines) + f'<span class="line">{float(d["latency_ms"] or 0):,.0f} ms</span>'
            + host)


_OUTCOME_COLUMNS = [("route.local", "Local"), ("route.cloud_redacted", "Cloud, masked"), ("route.cloud", "Cloud"),
                    ("route.blocked", "Blocked"), ("outcome.failed", "Failed"), ("outcome.refused", "Refused")]


def _tally_table(css: str, first: str, rows: list[tuple[str, str, Counter[str]]],
                 cols: list[tuple[str, str]]) -> str:
    """A table of counts: one row per ``(key, label, tally)``, a column per ``(tally key, heading)``."""
    body = "".join(
        f'<tr class="{css}" data-{css}="{escape(key)}"><td>{escape(label)}</td>'
        f'<td class="num">{tally["records"]:,}</td>'
        + "".join(f'<td class="num">{tally[c]:,}</td>' for c, _ in cols) + "</tr>"
        for key, label, tally in rows)
    return (f'<table class="{css}s"><tr><th>{escape(first)}</th><th class="num">Records</th>'
            + "".join(f'<th class="num">{escape(name)}</th>' for _, name in cols) + "</tr>" + body + "</table>")


def _sources(s: Summary) -> str:
    explain = ("Records by what wrote them: batch runs (redactor run), the gateway that applications call instead "
               "of the cloud (redactor serve), the Python library, and Spark jobs. Requests the gateway refused "
               "(bad keys, limits, unknown paths) are counted apart: nothing was routed for them.")
    if not s.by_source:
        return _section("Where records came from", explain, '<p class="empty">No records in this period.</p>', "sources")
    order = [k for k in SOURCE_LABEL if k in s.by_source] + sorted(set(s.by_source) - set(SOURCE_LABEL))
    table = _tally_table("source", "Source", [(k, SOURCE_LABEL.get(k, k), s.by_source[k]) for k in order],
                         _OUTCOME_COLUMNS)
    return _section("Where records came from", explain, table, "sources")


def _hosts(s: Summary) -> str:
    """The fleet: records per machine or replica (``[audit] host``), by source and by route."""
    if not any(s.by_host):
        return ""  # a trail written before hosts were recorded: nothing to show
    sources = [k for k in SOURCE_LABEL if any(t["source." + k] for t in s.by_host.values())]
    cols = [("source." + k, SOURCE_LABEL[k].split(" (")[0]) for k in sources] + _OUTCOME_COLUMNS
    rows = [(h, h or "Not recorded (older records)", s.by_host[h]) for h in sorted(s.by_host, key=lambda h: (not h, h))]
    return _section(
        "Hosts",
        "Records by the machine or gateway replica that wrote them: its host name, or the replica id it was "
        "given ([audit] host). When several machines share one trail (gateway replicas, batch hosts, Spark "
        "drivers), this is the whole fleet, each with what wrote its records and where they went.",
        _tally_table("host", "Host", rows, cols), "hosts")


def _gateway(s: Summary) -> str:
    if not s.traffic:
        return ""
    rows = []
    for (key, endpoint), t in sorted(s.traffic.items()):
        answered = t.outcomes["ok"]
        failed = t.requests - answered - t.outcomes["refused"] - t.outcomes["blocked"]
        lat = (f"{t.latency.percentile(0.5):,.0f} / {t.latency.percentile(0.95):,.0f}" if t.latency.count else "–")
        name = s.key_names.get(key, "")
        who = f'<span class="mono">{escape(key)}</span>'
        if name:
            who = f'{escape(name)}<br><span class="mono ver">{escape(key)}</span>'
        rows.append(f'<tr class="traffic"><td>{who}</td><td class="mono">{escape(endpoint)}</td>'
                    f'<td class="num">{t.requests:,}</td><td class="num">{answered:,}</td>'
                    f'<td class="num">{t.outcomes["blocked"]:,}</td><td class="num">{failed:,}</td>'
                    f'<td class="num">{t.outcomes["refused"]:,}</td><td class="num">{lat}</td></tr>')
    body = ('<table class="gateway"><tr><th>Client key</th><th>Endpoint</th><th class="num">Requests</th>'
            '<th class="num">Answered</th><th class="num">Blocked</th><th class="num">Failed</th>'
            '<th class="num">Refused</th><th class="num">Latency p50 / p95 (ms)</th></tr>' + "".join(rows) + "</table>")
    if s.refusals:
        body += ('<table class="refusals"><tr><th>Why requests were refused</th><th class="num">Requests</th></tr>'
                 + "".join(f'<tr><td class="mono">{escape(c)}</td><td class="num">{n:,}</td></tr>'
                           for c, n in s.refusals.most_common()) + "</table>")
    return _section(
        "Gateway traffic",
        "Requests applications sent through the gateway, by the client key they used (its name, where the key "
        "store on this machine knows it, and its id; 'none' when the request had no valid key, or the gateway "
        "needs none) and the endpoint. Latency is the time the gateway spent "
        "on a request, model time included (approximate, within 5%). Refused requests were turned away before "
        "anything was sent anywhere: no or a revoked key, the key's limits, an unknown path.",
        body, "gateway")


def render(s: Summary, v: Verification, *, period: str, price_in: float, price_out: float, generated: str,
           structure: Verification | None = None, head: tuple[int, str] | None = None, csv_name: str = "") -> str:
    cards = [
        (f"{s.total:,}", "records"),
        (f"{len(s.documents):,}", "distinct documents"),
        (f"{s.by_route['local']:,}", "kept on the local model"),
        (f"{s.by_route['cloud'] + s.by_route['cloud_redacted']:,}", "sent to a cloud model"),
        (f"{s.by_route['blocked']:,}", "blocked by policy"),
        (f"{sum(s.failures.values()):,}", "failed"),
    ]
    if s.skipped:
        cards.append((f"{s.skipped:,}", "skipped (empty or not text)"))
    if s.interrupted:
        cards.append((f"{s.interrupted:,}", "interrupted (Ctrl-C; a rerun resumes them)"))
    if s.refusals:
        cards.append((f"{sum(s.refusals.values()):,}", "requests refused by the gateway"))
    overview = '<div class="cards">' + "".join(f'<div class="card"><b>{escape(a)}</b><span>{escape(b)}</span></div>' for a, b in cards) + "</div>"
    sections = [
        _verification(v, structure, head),
        _section("Summary", f"What happened to documents in the period covered ({period}, UTC). Each time a "
                 "document is handled leaves one record, so a document processed in several runs counts once per "
                 "run in every figure but the number of distinct documents."
                 + (" Requests the gateway refused before routing anything have records too; they are counted "
                    "apart (the last figure), not as documents." if s.refusals else ""), overview, "summary"),
        _sources(s),
        _hosts(s),
    ]
    if s.traffic:
        sections.append(_gateway(s))

    known = {k for k, _, _ in ROUTES}
    series = ROUTES + [(r, r, OTHER_COLOR) for r in sorted(set(s.by_route) - known)]
    buckets, unit = _buckets(s)
    chart = (stacked_bars(buckets, series) + _legend([x for x in series if s.by_route[x[0]]])) if buckets else '<p class="empty">No documents in this period.</p>'
    sections.append(_section(
        "Where documents went, " + ("week by week" if unit == "week" else "day by day"),
        "Each bar is one " + unit + " (UTC). Its coloured parts show how many documents stayed on the local model "
        "because they held sensitive data, went to a cloud model (some with sensitive details masked first), "
        "or were blocked outright.",
        chart, "routes"))

    cats = [(c, float(n), "#6C5CE7") for c, n in s.category_docs.most_common(12)]
    sections.append(_section(
        "Kinds of sensitive data found",
        "How many records found each category of sensitive information (for example personal identifiers, "
        "financial or health details). Words flagged as possibly identifying (with low confidence) count as "
        "personal identifiers. The trail stores only these counts, never the information itself.",
        hbars(cats, "records", "catbar") if cats else '<p class="empty">No sensitive data was found in this period.</p>',
        "categories"))

    reasons = [(r, float(n), "#009E73") for r, n in s.local_reasons.most_common(10)]
    sections.append(_section(
        "Why documents were kept local",
        "The rules most often responsible for keeping a document on the local model: the policy rules that "
        "said so, and the checks that stopped a send (no cloud configured, the leak guard, a failed cloud call). "
        "Rules that would have let a document out are not counted here. A document can match several rules.",
        hbars(reasons, "records", "reasonbar", label_w=520, max_chars=80) if reasons
        else '<p class="empty">No document was kept local in this period.</p>',
        "reasons"))

    local_tokens, cloud_tokens = s.local_in + s.local_out, s.cloud_in + s.cloud_out
    avoided = (s.local_in * price_in + s.local_out * price_out) / 1e6
    vol = hbars([("Sent to the cloud model", float(cloud_tokens), "#0072B2"),
                 ("Processed on the local model", float(local_tokens), "#009E73")], "tokens", "tokbar")
    money = (f'<table><tr><th>Measure</th><th class="num">Value</th></tr>'
             f'<tr><td>Cloud spend recorded</td><td class="num">${s.cloud_cost:,.4f}</td></tr>'
             f'<tr><td>What the local work would have cost in the cloud</td><td class="num">${avoided:,.4f}</td></tr>'
             f'<tr><td>Price assumed (per 1 million tokens, in / out)</td><td class="num">${price_in:,.2f} / ${price_out:,.2f}</td></tr></table>')
    sections.append(_section(
        "Cloud use and what stayed in-house",
        "Tokens are the units language models are billed in (roughly ¾ of a word each). The first bar is what was "
        "sent to the cloud; the second is work done on the local model, which never left this machine. The cost "
        "below is an estimate at the stated price.",
        vol + money, "tokens"))

    if s.failures:
        fails = hbars([(c, float(n), "#D55E00") for c, n in s.failures.most_common(10)], "failures", "failbar")
        rows = "".join(
            f"<tr><td class=\"num\">{int(r['seq'])}</td><td>{escape(str(r.get('timestamp', ''))[:19].replace('T', ' '))}</td>"
            f"<td class=\"mono\">{escape(str(r.get('document_id', '')))}</td><td>{escape(ROUTE_LABEL.get(str(r.get('route')), str(r.get('route'))))}</td>"
            f"<td>{escape(str(r.get('error_class') or 'unknown'))}</td></tr>"
            for r in s.failure_rows)
        more = sum(s.failures.values()) - len(s.failure_rows)
        fails += ('<table><tr><th class="num">Entry</th><th>Time (UTC)</th><th>Document</th><th>Route</th><th>Error</th></tr>'
                  f"{rows}</table>" + (f'<p class="explain">…and {more:,} more; run <code>redactor audit list --outcome error</code>.</p>' if more > 0 else ""))
    else:
        fails = '<p class="empty">No failures in this period.</p>'
    sections.append(_section(
        "Failures",
        "Documents whose processing did not finish, grouped by the kind of error. A failed document was not "
        "sent anywhere it should not have been; it simply has no answer.",
        fails, "failures"))

    sections.append(_documents(s, csv_name))

    if s.pruned:
        p = s.pruned[0]
        sections.append(_section(
            "Older entries removed under retention",
            "Entries older than the retention cut-off were removed and replaced by one sealed summary, so the "
            "remaining trail still verifies.",
            f"<p>{int(p.get('count', 0)):,} entries from {escape(str(p.get('first_timestamp', ''))[:10])} to "
            f"{escape(str(p.get('last_timestamp', ''))[:10])}, pruned on {escape(str(p.get('pruned_at', ''))[:10])}.</p>",
            "pruned"))

    template = Template(resources.files(__package__).joinpath("report.html").read_text(encoding="utf-8"))
    return template.substitute(
        title=escape("Sensitive-data routing: audit report"),
        subtitle=escape(f"Period covered: {period}. Generated {generated[:19].replace('T', ' ')} UTC."),
        sections="\n".join(sections),
        footer=escape("Produced by redactor from its tamper-evident audit trail. The trail records counts, "
                      "fingerprints and decisions only: no document text and no personal data."),
    )


def build_report(
    trail: AuditTrail,
    *,
    since: str | None = None,
    until: str | None = None,
    price_per_1m: float = 0.15,
    price_out_per_1m: float | None = None,
    routes: Collection[str] = (),
    head: tuple[int, str] | None = None,
    known: Mapping[str, KnownPolicy] | None = None,
    csv_name: str = "",
    key_names: Mapping[str, str] | None = None,
) -> str:
    """The report as an HTML string.  ``since``/``until`` are UTC bounds (see
    ``clock.parse_moment``); prices are USD per 1M tokens (output defaults to input).
    ``routes`` narrows the per-document table; ``head`` is a checkpoint kept out
    of band; ``known`` the policies whose text we have (``explain.known_policies``);
    ``csv_name`` the file the per-document rows were written to, if any; ``key_names``
    the names of gateway keys by id (from the key store: the records hold only ids)."""
    s = Summary(known=known or {}, key_names=key_names or {}, routes=routes)
    for r in trail.iter_records(since=since, until=until):
        s.add(r)
    start = (since or s.first_ts)[:10] or "the beginning"
    end = (until or s.last_ts)[:10] or "now"
    period = f"{start} to {end}" if s.total or since or until else "no records yet"
    v = trail.verify(head=head)
    structure = None
    if not v.ok and v.reason == KEY_MISMATCH and not v.keyed:
        structure = trail.verify(head=head, seals=False)
    return render(
        s,
        v,
        period=period,
        price_in=price_per_1m,
        price_out=price_per_1m if price_out_per_1m is None else price_out_per_1m,
        generated=utc_now(),
        structure=structure,
        head=head,
        csv_name=csv_name,
    )


def document_rows(
    trail: AuditTrail,
    *,
    since: str | None = None,
    until: str | None = None,
    routes: Collection[str] = (),
    known: Mapping[str, KnownPolicy] | None = None,
    key_names: Mapping[str, str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Every per-document row of the period (and routes), streamed, for the CSV."""
    for r in trail.iter_records(since=since, until=until, route=list(routes) or None):
        if r.get("kind") != "pruned":
            yield document_row(r, known or {}, key_names)
