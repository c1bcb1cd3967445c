"""The compliance report: one self-contained HTML file read from the audit trail.

``summary.py`` aggregates the records of a period, ``render.py`` draws them as HTML
(inline SVG, no scripts, nothing from elsewhere); this module reads the trail and
joins the two, and streams the per-document rows for the CSV.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any

from .chain import KEY_MISMATCH
from .clock import utc_now
from .explain import KnownPolicy
from .render import render
from .trail import Trail
from .summary import Summary, document_row


def build_report(
    trail: Trail,
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
    trail: Trail,
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
