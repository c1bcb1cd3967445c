"""The compliance report's HTML: inline SVG charts and the sections, from a ``Summary``.

No network, no scripts, no fonts or images from elsewhere (a Content-Security-Policy
in the page says so too).  Every value that comes from the trail goes through
``html.escape``.  Written for a compliance officer: each section says in plain words
what it shows.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta
from html import escape
from importlib import resources
from string import Template
from typing import Any

from .chain import Verification

from .summary import OTHER_COLOR, ROUTES, ROUTE_LABEL, ROUTE_SHORT, SOURCE_LABEL, Summary, TRANSFORM_EXPLAIN, TRANSFORM_LABEL


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
