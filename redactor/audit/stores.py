"""Which store a trail's target names: a ``postgresql://`` URL or a SQLite file."""

from __future__ import annotations

import os
from typing import Any

from ..config import data_dir
from .trail import Trail, is_url


def open_trail(
    target: str | os.PathLike[str],
    key: str | bytes | None = None,
    *,
    create: bool = True,
    read_only: bool = False,
    host: str | None = None,
    retry_s: float | None = None,
) -> Trail:
    """The trail at ``target``: a ``postgresql://`` URL (``PostgresTrail``), else a SQLite file
    (``AuditTrail``)."""
    if is_url(target):
        from .postgres import PostgresTrail

        return PostgresTrail(str(target), key, create=create, read_only=read_only, host=host, retry_s=retry_s)
    from .store import AuditTrail

    return AuditTrail(target, key, create=create, read_only=read_only, host=host)


def configured_trail(settings: Any, *, create: bool = True) -> Trail:
    """The trail of ``redactor.config.Settings`` — the one way the pipeline and CLI open it:
    ``[audit] url`` (PostgreSQL) when set, else ``[audit] path`` (SQLite, by default
    ``<data dir>/audit.db``)."""
    audit = settings.audit
    key = audit.key.get_secret_value() if audit.key is not None else None
    target = audit.url.get_secret_value() if audit.url is not None else audit.path or data_dir() / "audit.db"
    return open_trail(target, key, create=create, host=audit.host, retry_s=audit.retry_s)
