"""``Trail``: what every audit store does the same way, whatever database holds it.

Appending (read the head and insert the next record in one serialised write),
checkpoints, pruning into a sealed summary, verifying, and reading with filters
are written once here, in SQL that SQLite and PostgreSQL both accept (``?``
placeholders; a store translates them if its driver wants others).  A store
(``store.AuditTrail`` for SQLite, ``postgres.PostgresTrail``) supplies the
connection and the serialised write (``_run``), and the few SQL phrases its
dialect spells differently.

``open_trail`` picks the store from what it is given: a ``postgresql://`` URL or a
file path.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from ..errors import AuditError
from . import chain
from .clock import utc_iso, utc_now
from .event import AuditEvent
from .validate import HOST_LABEL, event_record

# Record fields copied into indexed columns; verify() checks the copies agree.  A record
# written before a column existed lacks the field, and its column holds the default "".
COLUMNS = ("timestamp", "kind", "run_id", "document_id", "route", "outcome", "key_id", "policy_name", "source")
COLUMN_SQL = {"timestamp": "ts"}

_T = TypeVar("_T")


def is_url(target: object) -> bool:
    """Whether ``target`` names a PostgreSQL database rather than a SQLite file."""
    return isinstance(target, str) and target.split("://", 1)[0].lower() in ("postgresql", "postgres")


def mask_url(url: str) -> str:
    """The URL with its password (if any) replaced by ``***``: the only form a message may show."""
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.\-]*://[^/@:]*:)[^/@]*@", r"\1***@", url)


def host_label(host: str | None) -> str:
    """This writer's name in its records: the configured one (``[audit] host``, a replica id),
    else the machine's host name; "" when the host name is not a plain label."""
    name = host if host is not None else socket.gethostname().split(".")[0]
    if host is not None and name and not HOST_LABEL.fullmatch(name):
        raise AuditError("audit.host must be a plain host name or replica id (letters, digits, '.', '_', '-')")
    return name if HOST_LABEL.fullmatch(name or "") else ""


HEAD_SQL = "SELECT seq, hash, prev_hash, kind, key_id FROM records ORDER BY seq DESC LIMIT 1"


def head_of(row: tuple[Any, ...] | None) -> tuple[int, str, str]:
    """``(count, the hash the next record links to, key id)`` from HEAD_SQL's row."""
    if row is None:
        return 0, chain.GENESIS, ""
    seq, h, prev, kind, kid = row
    return seq, chain.link_of(h, prev, kind), kid


def _as_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    seq, prev, h, body = row
    d = json.loads(body)
    d["seq"], d["prev_hash"], d["hash"] = seq, prev, h
    return d


class Trail:
    """An audit store.  Implements ``AuditSink``; safe to share between threads, and any
    number of processes may append at once."""

    #: SQL its dialect spells its own way (the defaults are SQLite's).
    SQL_CONTAINS = "instr(document_id, ?) > 0"
    SQL_CATEGORY = ("EXISTS (SELECT 1 FROM json_each(record, '$.category_counts') "
                    "WHERE upper(key) = upper(?) AND value > 0)")
    SQL_LEGACY_GATEWAY = "json_extract(record, '$.extra.source') = 'gateway'"

    path: Any  # what messages call it: a file path, or a URL without its password
    read_only: bool
    _columns: tuple[str, ...]

    def _setup(self, key: str | bytes | None, host: str | None) -> None:
        self._key = key.encode("utf-8") if isinstance(key, str) else key
        self._key = self._key or None
        self._key_id = chain.key_id(self._key)
        self.host = host_label(host)
        self._lock = threading.RLock()

    # -- what a store supplies ------------------------------------------------

    def _run(self, fn: Callable[[Any], _T], write: bool = False) -> _T:
        """``fn(conn)`` in one transaction; ``write``: serialised with every other writer."""
        raise NotImplementedError

    def _stream(self, conn: Any, sql: str, args: Iterable[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """Rows of a query that may be long, without holding them all in memory."""
        return iter(conn.execute(sql, tuple(args)))

    def _delete_upto(self, conn: Any, upto: int) -> None:
        """Remove records 1..upto (only ``prune`` does, inside its write)."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Trail:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------

    @staticmethod
    def _head(conn: Any) -> tuple[int, str, str]:
        return head_of(conn.execute(HEAD_SQL).fetchone())

    def _append(self, conn: Any, record: dict[str, Any], seq: int, prev: str) -> str:
        """Seal ``record`` as ``seq`` after ``prev`` and insert it; returns its hash."""
        record["seq"] = seq
        body, digest = chain.seal(prev, record, self._key)
        self._insert(conn, (seq, prev, digest, body))
        return digest

    @staticmethod
    def _insert(conn: Any, row: tuple[int, str, str, str]) -> None:
        """Insert a sealed row ``(seq, prev_hash, hash, body)`` as it is, its columns copied from the body."""
        seq, prev, digest, body = row
        record = json.loads(body)
        names = ", ".join(COLUMN_SQL.get(c, c) for c in COLUMNS)
        conn.execute(
            f"INSERT INTO records (seq, {names}, prev_hash, hash, record) VALUES ({', '.join('?' * (len(COLUMNS) + 4))})",
            (seq, *(record.get(c, "") for c in COLUMNS), prev, digest, body),
        )

    def _check_key(self, head_key_id: str, seq: int) -> None:
        if seq and head_key_id != self._key_id:
            if not self._key_id:
                raise AuditError(f"{self.path}: this trail is sealed with a key; set REDACTOR_AUDIT_KEY")
            if not head_key_id:
                raise AuditError(f"{self.path}: this trail was started without a key; start a new trail to use one")
            raise AuditError(f"{self.path}: key mismatch: this trail is sealed with a different key")

    def _prepare(self, event: AuditEvent) -> dict[str, Any]:
        record = event_record(event)
        if self.host and not record.get("host"):
            record["host"] = self.host
        return record

    def record(self, event: AuditEvent) -> int:
        """Append one event; returns its seq.  Raises AuditError on input that does
        not belong in an audit trail (nothing is written then)."""
        return self._append_all([self._prepare(event)])[0]

    def record_many(self, events: Iterable[AuditEvent]) -> list[int]:
        """Append several events in one write (one lock, one commit: all of them or none);
        returns their seqs.  Much faster than ``record`` one by one when many are at hand
        (merging a Spark job's rows).  Every event is checked before anything is written."""
        records = [self._prepare(e) for e in events]
        return self._append_all(records) if records else []

    def _append_all(self, records: list[dict[str, Any]]) -> list[int]:
        def append(conn: Any) -> list[int]:
            seq, prev, kid = self._head(conn)
            self._check_key(kid, seq)
            for i, record in enumerate(records, seq + 1):
                prev = self._append(conn, dict(record), i, prev)
            return list(range(seq + 1, seq + 1 + len(records)))

        return self._run(append, write=True)

    def checkpoint(self) -> tuple[int, str]:
        """Note the current head in the trail's own checkpoints table and return it
        as ``(count, head_hash)``.  Keep a copy out of band: with it, ``verify``
        also catches a trail cut short and re-grown."""
        def note(conn: Any) -> tuple[int, str]:
            count, head, _ = self._head(conn)
            if count:
                conn.execute("INSERT INTO checkpoints (ts, count, head_hash) VALUES (?, ?, ?)", (utc_now(), count, head))
            return count, head

        return self._run(note, write=True)

    def prune(self, before: str | datetime) -> tuple[int, chain.Verification]:
        """Replace the records older than ``before`` (a datetime, or a UTC bound
        from ``parse_moment``) with one sealed summary.  Refuses on a trail that
        does not verify, so pruning can never erase the evidence of tampering.
        Returns ``(rows removed, verification after)``."""
        bound = utc_iso(before) if isinstance(before, datetime) else before
        return self._run(lambda conn: self._prune_in(conn, bound), write=True)

    def _prune_in(self, conn: Any, before: str) -> tuple[int, chain.Verification]:
        self._verify_in(conn, None).raise_for_status()
        last, _, kid = self._head(conn)
        self._check_key(kid, last)
        keep = conn.execute("SELECT MIN(seq) FROM records WHERE kind = 'event' AND ts >= ?", (before,)).fetchone()[0]
        upto = last if keep is None else keep - 1
        first = conn.execute("SELECT seq, kind, record FROM records ORDER BY seq LIMIT 1").fetchone()
        first_kept = first[0] if first else 0
        if upto < 1 or (first[1] == "pruned" and upto <= first_kept):
            return 0, self._verify_in(conn, None)
        seq_h = conn.execute("SELECT hash, prev_hash, kind, ts FROM records WHERE seq = ?", (upto,)).fetchone()
        first_ts = json.loads(first[2]).get("first_timestamp") or json.loads(first[2])["timestamp"]
        removed = conn.execute("SELECT COUNT(*) FROM records WHERE seq <= ?", (upto,)).fetchone()[0]
        summary: dict[str, Any] = {
            "kind": "pruned",
            "timestamp": seq_h[3],
            "pruned_at": utc_now(),
            "count": upto,
            "first_seq": 1,
            "last_seq": upto,
            "head_hash": chain.link_of(seq_h[0], seq_h[1], seq_h[2]),
            "first_timestamp": first_ts,
            "last_timestamp": seq_h[3],
            "before": before,
        }
        self._delete_upto(conn, upto)
        self._append(conn, summary, upto, summary["head_hash"])
        after = self._verify_in(conn, None)
        after.raise_for_status()
        return removed, after

    # -- copying ------------------------------------------------------------

    def _sealed_rows(self, conn: Any) -> Iterator[tuple[int, str, str, str]]:
        return self._stream(conn, "SELECT seq, prev_hash, hash, record FROM records ORDER BY seq")

    def copy_to(self, dest: Trail) -> tuple[int, str]:
        """Copy every record, exactly as sealed, and the internal checkpoints into ``dest``,
        an empty trail, from one consistent snapshot; returns the snapshot's head
        ``(count, head_hash)``.  Check the copy with ``dest.verify(head=<that head>)``."""
        def read(conn: Any) -> tuple[int, str]:
            count, head, _ = self._head(conn)
            checkpoints = conn.execute("SELECT ts, count, head_hash FROM checkpoints ORDER BY id").fetchall()
            dest._receive(self._sealed_rows(conn), checkpoints)
            return count, head

        return self._run(read)

    def _receive(self, rows: Iterable[tuple[int, str, str, str]], checkpoints: list[tuple[str, int, str]]) -> None:
        def write(conn: Any) -> None:
            if conn.execute("SELECT 1 FROM records LIMIT 1").fetchone() is not None:
                raise AuditError(f"{self.path} already holds records: copy into an empty trail")
            for row in rows:
                self._insert(conn, row)
            for cp in checkpoints:
                conn.execute("INSERT INTO checkpoints (ts, count, head_hash) VALUES (?, ?, ?)", tuple(cp))

        self._run(write, write=True)

    # -- reading ------------------------------------------------------------

    def verify(self, head: tuple[int, str] | None = None, *, seals: bool = True) -> chain.Verification:
        """Check the whole chain (and ``head``, a checkpoint kept out of band, plus
        the internal checkpoints).  Never raises for a broken chain: look at
        ``.ok`` or call ``.raise_for_status()``.  ``seals=False``: what can be
        checked without the key (see ``chain.check_chain``)."""
        return self._run(lambda conn: self._verify_in(conn, head, seals))

    def _verify_in(self, conn: Any, head: tuple[int, str] | None, seals: bool = True) -> chain.Verification:
        heads = [(c, h, f"internal checkpoint #{i}")
                 for i, c, h in conn.execute("SELECT id, count, head_hash FROM checkpoints").fetchall()]
        if head is not None:
            heads.append((head[0], head[1], "the given head"))
        present = self._columns
        cols = ", ".join(COLUMN_SQL.get(c, c) for c in present)
        cursor = self._stream(conn, f"SELECT seq, prev_hash, hash, record, {cols} FROM records ORDER BY seq")
        rows = (chain.StoredRow(r[0], r[1], r[2], r[3], dict(zip(present, r[4:], strict=True))) for r in cursor)
        return chain.check_chain(rows, self._key, heads, seals=seals)

    def get(self, seq: int) -> dict[str, Any] | None:
        row = self._run(lambda conn: conn.execute(
            "SELECT seq, prev_hash, hash, record FROM records WHERE seq = ?", (seq,)).fetchone())
        return _as_dict(row) if row else None

    def count(self) -> int:
        return int(self._run(lambda conn: conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]))

    def records(
        self,
        *,
        since: str | None = None,
        until: str | None = None,
        route: str | Iterable[str] | None = None,
        category: str | None = None,
        document: str | None = None,
        document_id: str | None = None,
        outcome: str | None = None,
        run_id: str | None = None,
        source: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
        after: int = 0,
    ) -> list[dict[str, Any]]:
        """Records matching every given filter, oldest first (``newest_first`` for
        the latest ``limit``).  ``since``/``until`` are UTC bounds (``parse_moment``);
        ``route`` is one route or several (any of them); ``source`` as ``event.source_of``
        reads it ("" for records that do not say); ``document`` is part of a document id,
        ``document_id`` a whole one (a gateway request id, ``req_…``)."""
        where: list[str] = []
        args: list[Any] = []
        if source is not None:
            # records written before the column: gateway ones said so in extra.source
            legacy_gateway = self.SQL_LEGACY_GATEWAY
            has = "source" in self._columns
            if source == "gateway":
                where.append(f"({'source = ? OR ' if has else ''}{legacy_gateway})")
                args.extend(["gateway"] if has else [])
            elif source:
                where.append("source = ?" if has else "FALSE")
                args.extend([source] if has else [])
            else:
                where.append(f"({'source = ? AND ' if has else ''}NOT coalesce({legacy_gateway}, FALSE))")
                args.extend([""] if has else [])
        if route is not None:
            routes = [route] if isinstance(route, str) else list(route)
            if routes:
                where.append(f"route IN ({', '.join('?' * len(routes))})")
                args.extend(routes)
        for sql, value in (
            ("seq > ?", after or None),
            ("ts >= ?", since),
            ("ts <= ?", until),
            ("outcome = ?", outcome),
            ("run_id = ?", run_id),
            (self.SQL_CONTAINS, document),
            ("document_id = ?", document_id),
            (self.SQL_CATEGORY, category),
        ):
            if value is not None:
                where.append(sql)
                args.append(value)
        sql = "SELECT seq, prev_hash, hash, record FROM records"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq DESC" if newest_first else " ORDER BY seq"
        if limit:
            sql += " LIMIT ?"
            args.append(int(limit))
        return [_as_dict(r) for r in self._run(lambda conn: conn.execute(sql, tuple(args)).fetchall())]

    def iter_records(self, page: int = 1000, **filters: Any) -> Iterator[dict[str, Any]]:
        """Like ``records`` (oldest first) but streamed a page at a time, for exports and reports."""
        after = 0
        while True:
            batch = self.records(**filters, after=after, limit=page)
            yield from batch
            if len(batch) < page:
                return
            after = batch[-1]["seq"]


def display(target: str | os.PathLike[str]) -> str:
    """How a trail's location may be shown: a file path, or a URL without its password."""
    return mask_url(target) if is_url(target) else str(Path(target).expanduser())
