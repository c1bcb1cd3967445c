"""The audit trail: every decision and outcome, hash-chained, with no text or values.

    trail = AuditTrail.from_settings(settings)     # or AuditTrail(path, key=None)
    seq = trail.record(event)                      # AuditEvent -> seq; rejects content-like input
    trail.verify().raise_for_status()              # AuditIntegrityError names the first bad record
    count, head = trail.checkpoint()               # keep "count:head" somewhere else

``chain.py`` seals and checks, ``validate.py`` refuses content-like events,
``store.py`` keeps the SQLite file, ``clock.py`` formats its times, ``report.py``
writes the HTML report (and its per-document CSV) for compliance review, in the
words ``explain.py`` gives rule ids.
"""

from __future__ import annotations

from .chain import Verification
from .event import AuditEvent, AuditSink
from .store import AuditTrail

__all__ = ["AuditEvent", "AuditSink", "AuditTrail", "Verification"]
