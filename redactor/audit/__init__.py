"""The audit trail: every decision and outcome, hash-chained, with no text or values.

    trail = configured_trail(settings)             # the configured store: [audit] url, else path
    trail = open_trail("postgresql://…" or path, key=None)   # PostgresTrail, or AuditTrail (SQLite)
    seq = trail.record(event)                      # AuditEvent -> seq; rejects content-like input
    trail.verify().raise_for_status()              # AuditIntegrityError names the first bad record
    count, head = trail.checkpoint()               # keep "count:head" somewhere else

``chain.py`` seals and checks, ``validate.py`` refuses content-like events,
``stores.py`` opens the store a target or the settings name, ``trail.py`` appends,
prunes, copies, verifies and reads in any store, ``store.py`` keeps the SQLite file,
``postgres.py`` (with ``pg_schema.py``: schema, migrations, roles) a fleet's trail in
PostgreSQL, ``clock.py`` formats its times, ``report.py`` writes the HTML report
for compliance review (``summary.py`` aggregates the records and the per-document
CSV, ``render.py`` draws the page), in the words ``explain.py`` gives rule ids.
"""

from __future__ import annotations

from .chain import Verification
from .event import AuditEvent, AuditSink
from .store import AuditTrail
from .stores import configured_trail, open_trail
from .trail import Trail

__all__ = ["AuditEvent", "AuditSink", "AuditTrail", "Trail", "Verification", "configured_trail", "open_trail"]
