"""``AuditTrail``: the append-only, hash-chained SQLite store behind every decision.

One SQLite file (``<data_dir>/audit.db`` unless configured), WAL mode, schema
migrated on open (a ``_migrations`` table and ordered migration functions, as in
simonw/llm).  Appends from many threads or processes form one chain because the
head is read and the next record inserted inside a single ``BEGIN IMMEDIATE``
transaction; a writer killed mid-append leaves either the whole record or none
of it (SQLite's atomic commit), so the trail still verifies.

Sealing and checking live in ``chain.py``; refusing anything that could turn the
trail into a store of personal data lives in ``validate.py``; this module moves
rows in and out.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import AuditError
from . import chain
from .clock import utc_iso, utc_now
from .event import AuditEvent
from .validate import event_record

BUSY_TIMEOUT_S = 30.0

# Record fields copied into indexed columns; verify() checks the copies agree.  A record
# written before a column existed lacks the field, and its column holds the default "".
COLUMNS = ("timestamp", "kind", "run_id", "document_id", "route", "outcome", "key_id", "policy_name", "source")
_COLUMN_SQL = {"timestamp": "ts"}


# ----------------------------------------------------------------------------- migrations


def m001_records(conn: sqlite3.Connection) -> None:
    conn.execute(
        """CREATE TABLE records (
            seq INTEGER PRIMARY KEY,
            ts TEXT NOT NULL, kind TEXT NOT NULL, run_id TEXT NOT NULL, document_id TEXT NOT NULL,
            route TEXT NOT NULL, outcome TEXT NOT NULL, key_id TEXT NOT NULL,
            prev_hash TEXT NOT NULL, hash TEXT NOT NULL, record TEXT NOT NULL)"""
    )
    for col in ("ts", "run_id", "document_id", "route", "outcome"):
        conn.execute(f"CREATE INDEX records_{col} ON records({col})")
    conn.execute(
        "CREATE TABLE checkpoints (id INTEGER PRIMARY KEY, ts TEXT NOT NULL, count INTEGER NOT NULL, head_hash TEXT NOT NULL)"
    )


def m002_append_only_guard(conn: sqlite3.Connection) -> None:
    # A guard against accidents, not attackers (they can drop it): verify() is the real check.
    for op in ("UPDATE", "DELETE"):
        conn.execute(_guard_sql(op))


def _guard_sql(op: str) -> str:
    return (
        f"CREATE TRIGGER records_no_{op.lower()} BEFORE {op} ON records "
        f"BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END"
    )


def m003_policy_name(conn: sqlite3.Connection) -> None:
    # Adding a column rewrites no record: older records keep their seals and read back without the field.
    conn.execute("ALTER TABLE records ADD COLUMN policy_name TEXT NOT NULL DEFAULT ''")
    conn.execute("CREATE INDEX records_policy_name ON records(policy_name)")


def m004_source(conn: sqlite3.Connection) -> None:
    # What wrote the record (gateway, batch, library, spark): ``audit list --source``.  Older
    # records keep "" here and in their seal; ``event.source_of`` reads what they did say.
    conn.execute("ALTER TABLE records ADD COLUMN source TEXT NOT NULL DEFAULT ''")
    conn.execute("CREATE INDEX records_source ON records(source)")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [m001_records, m002_append_only_guard, m003_policy_name,
                                                          m004_source]
# A reader without write access can still read a trail that lacks these (they only add columns).
_READ_WITHOUT = frozenset({"m003_policy_name", "m004_source"})


def migrate(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {r[0] for r in conn.execute("SELECT name FROM _migrations")}
    for fn in MIGRATIONS:
        if fn.__name__ not in done:
            fn(conn)
            conn.execute("INSERT INTO _migrations VALUES (?, ?)", (fn.__name__, utc_now()))


# ----------------------------------------------------------------------------- the store


@contextmanager
def _translated(path: Path) -> Iterator[None]:
    """sqlite3 errors become AuditError at this boundary, in one line."""
    try:
        yield
    except sqlite3.DatabaseError as e:
        msg = str(e)
        if "not a database" in msg or "malformed" in msg:
            raise AuditError(f"{path}: not a readable audit database (the file is corrupt or not SQLite)") from None
        raise AuditError(f"{path}: audit database error: {msg}") from None


class AuditTrail:
    """The audit store.  Implements ``AuditSink``; safe to share between threads,
    and any number of processes may append to the same file.

    ``create=False`` opens an existing trail only (read commands must not
    conjure an empty one).  ``read_only=True`` never writes (an auditor with
    read access only); an existing trail that cannot be opened for writing falls
    back to it by itself."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        key: str | bytes | None = None,
        *,
        create: bool = True,
        read_only: bool = False,
    ) -> None:
        self.path = Path(path).expanduser()
        self._key = key.encode("utf-8") if isinstance(key, str) else key
        self._key = self._key or None
        self._key_id = chain.key_id(self._key)
        self._lock = threading.RLock()
        self._stale: list[sqlite3.Connection] = []
        self.read_only = read_only
        if (read_only or not create) and not self.path.is_file():
            raise AuditError(f"no audit trail at {self.path}")
        if create and not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = self._connect()
        except AuditError as e:
            if read_only or create or not ("readonly" in str(e) or "unable to open" in str(e)):
                raise
            self.read_only = True
            self._conn = self._connect()

    @classmethod
    def from_settings(cls, settings: Any, *, create: bool = True) -> AuditTrail:
        """Build from ``redactor.config.Settings`` (path, key) — the one way the pipeline and CLI open it."""
        from ..config import data_dir

        audit = settings.audit
        key = audit.key.get_secret_value() if audit.key is not None else None
        return cls(audit.path or data_dir() / "audit.db", key=key, create=create)

    # -- connection ---------------------------------------------------------

    @staticmethod
    def _open(target: str, uri: bool = False) -> sqlite3.Connection:
        conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False, uri=uri)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        return conn

    def _open_read_only(self) -> sqlite3.Connection:
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        conn = self._open(uri, uri=True)
        try:
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
            return conn
        except sqlite3.OperationalError:
            conn.close()
            if Path(f"{self.path}-wal").exists():
                raise
        # No -wal file: no writer is mid-flight.  In a directory we may not write,
        # SQLite cannot create the -shm it wants for WAL, so read the file as it is.
        return self._open(uri + "&immutable=1", uri=True)

    def _connect(self) -> sqlite3.Connection:
        self._pid = os.getpid()
        with _translated(self.path):
            conn = self._open_read_only() if self.read_only else self._open(str(self.path))
            try:
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                if tables and "_migrations" not in tables:
                    raise AuditError(f"{self.path}: this SQLite file is not a redactor audit trail")
                if self.read_only:
                    done = {r[0] for r in conn.execute("SELECT name FROM _migrations")} if tables else set()
                    if not done >= {fn.__name__ for fn in MIGRATIONS} - _READ_WITHOUT:
                        raise AuditError(f"{self.path}: open this trail once with write access to upgrade its schema")
                    self._columns = self._present_columns(conn)
                    return conn
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")  # a recorded decision survives power loss
                conn.execute("PRAGMA secure_delete = ON")  # pruned rows are overwritten, not just unlinked
                conn.execute("BEGIN IMMEDIATE")
                try:
                    migrate(conn)
                    conn.execute("COMMIT")
                    self._columns = self._present_columns(conn)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            except BaseException:
                conn.close()
                raise
        return conn

    @staticmethod
    def _present_columns(conn: sqlite3.Connection) -> tuple[str, ...]:
        have = {r[1] for r in conn.execute("PRAGMA table_info(records)")}
        return tuple(c for c in COLUMNS if _COLUMN_SQL.get(c, c) in have)

    @contextmanager
    def _transaction(self, mode: str = "IMMEDIATE") -> Iterator[sqlite3.Connection]:
        with self._lock, _translated(self.path):
            if os.getpid() != self._pid:  # forked: a SQLite handle must not cross fork()
                self._stale.append(self._conn)
                self._conn = self._connect()
            conn = self._conn
            conn.execute(f"BEGIN {mode}")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> AuditTrail:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------

    @staticmethod
    def _head(conn: sqlite3.Connection) -> tuple[int, str, str]:
        row = conn.execute("SELECT seq, hash, prev_hash, kind, key_id FROM records ORDER BY seq DESC LIMIT 1").fetchone()
        if row is None:
            return 0, chain.GENESIS, ""
        seq, h, prev, kind, kid = row
        return seq, chain.link_of(h, prev, kind), kid

    def _append(self, conn: sqlite3.Connection, record: dict[str, Any], seq: int, prev: str) -> None:
        record["seq"] = seq
        body, digest = chain.seal(prev, record, self._key)
        names = ", ".join(_COLUMN_SQL.get(c, c) for c in COLUMNS)
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

    def record(self, event: AuditEvent) -> int:
        """Append one event; returns its seq.  Raises AuditError on input that does
        not belong in an audit trail (nothing is written then)."""
        record = event_record(event)
        with self._transaction() as conn:
            seq, prev, kid = self._head(conn)
            self._check_key(kid, seq)
            self._append(conn, record, seq + 1, prev)
            return seq + 1

    def checkpoint(self) -> tuple[int, str]:
        """Note the current head in the trail's own checkpoints table and return it
        as ``(count, head_hash)``.  Keep a copy out of band: with it, ``verify``
        also catches a trail cut short and re-grown."""
        with self._transaction() as conn:
            count, head, _ = self._head(conn)
            if count:
                conn.execute(
                    "INSERT INTO checkpoints (ts, count, head_hash) VALUES (?, ?, ?)", (utc_now(), count, head)
                )
            return count, head

    def prune(self, before: str | datetime) -> tuple[int, chain.Verification]:
        """Replace the records older than ``before`` (a datetime, or a UTC bound
        from ``parse_moment``) with one sealed summary.  Refuses on a trail that
        does not verify, so pruning can never erase the evidence of tampering.
        Returns ``(rows removed, verification after)``."""
        if isinstance(before, datetime):
            before = utc_iso(before)
        with self._transaction() as conn:
            self._verify_in(conn, None).raise_for_status()
            last, _, kid = self._head(conn)
            self._check_key(kid, last)
            keep = conn.execute(
                "SELECT MIN(seq) FROM records WHERE kind = 'event' AND ts >= ?", (before,)
            ).fetchone()[0]
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
            conn.execute("DROP TRIGGER records_no_delete")
            conn.execute("DELETE FROM records WHERE seq <= ?", (upto,))
            conn.execute(_guard_sql("DELETE"))
            self._append(conn, summary, upto, summary["head_hash"])
            after = self._verify_in(conn, None)
            after.raise_for_status()
        with self._lock, _translated(self.path):
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # drop old pages from the WAL too
        return removed, after

    # -- reading ------------------------------------------------------------

    def verify(self, head: tuple[int, str] | None = None, *, seals: bool = True) -> chain.Verification:
        """Check the whole chain (and ``head``, a checkpoint kept out of band, plus
        the internal checkpoints).  Never raises for a broken chain: look at
        ``.ok`` or call ``.raise_for_status()``.  ``seals=False``: what can be
        checked without the key (see ``chain.check_chain``)."""
        with self._transaction("DEFERRED") as conn:
            return self._verify_in(conn, head, seals)

    def _verify_in(self, conn: sqlite3.Connection, head: tuple[int, str] | None, seals: bool = True) -> chain.Verification:
        heads = [(c, h, f"internal checkpoint #{i}") for i, c, h in conn.execute("SELECT id, count, head_hash FROM checkpoints")]
        if head is not None:
            heads.append((head[0], head[1], "the given head"))
        present = self._columns
        cols = ", ".join(_COLUMN_SQL.get(c, c) for c in present)
        cursor = conn.execute(f"SELECT seq, prev_hash, hash, record, {cols} FROM records ORDER BY seq")
        rows = (
            chain.StoredRow(r[0], r[1], r[2], r[3], dict(zip(present, r[4:], strict=True))) for r in cursor
        )
        return chain.check_chain(rows, self._key, heads, seals=seals)

    def backup(self, dest: str | os.PathLike[str]) -> tuple[int, str]:
        """Copy the trail to a new file ``dest`` as one consistent snapshot, with SQLite's
        online backup API, and return the snapshot's head ``(count, head_hash)``.

        Unlike a file copy of ``audit.db``, it includes the records still in the write-ahead
        log (``audit.db-wal``), and writers may go on appending meanwhile.  The copy is one
        self-contained file (no ``-wal`` beside it).  Check it with
        ``AuditTrail(dest, key=...).verify(head=<the returned head>)``."""
        dest = Path(dest).expanduser()
        if dest.exists():
            raise AuditError(f"{dest} already exists: back up to a new file")
        with self._transaction("DEFERRED") as conn:
            count, head, _ = self._head(conn)  # read in the same snapshot the copy is taken from
            try:
                with _translated(dest):
                    target = sqlite3.connect(dest, isolation_level=None)
                    try:
                        conn.backup(target)
                        target.execute("PRAGMA journal_mode = DELETE")
                    finally:
                        target.close()
            except BaseException:
                dest.unlink(missing_ok=True)
                raise
        return count, head

    def get(self, seq: int) -> dict[str, Any] | None:
        with self._transaction("DEFERRED") as conn:
            row = conn.execute("SELECT seq, prev_hash, hash, record FROM records WHERE seq = ?", (seq,)).fetchone()
        return _as_dict(row) if row else None

    def count(self) -> int:
        with self._transaction("DEFERRED") as conn:
            return conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]

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
            legacy_gateway = "json_extract(record, '$.extra.source') = 'gateway'"
            has = "source" in self._columns
            if source == "gateway":
                where.append(f"({'source = ? OR ' if has else ''}{legacy_gateway})")
                args.extend(["gateway"] if has else [])
            elif source:
                where.append("source = ?" if has else "0")
                args.extend([source] if has else [])
            else:
                where.append(f"({'source = ? AND ' if has else ''}coalesce({legacy_gateway}, 0) = 0)")
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
            ("instr(document_id, ?) > 0", document),
            ("document_id = ?", document_id),
            (
                "EXISTS (SELECT 1 FROM json_each(record, '$.category_counts') WHERE upper(key) = upper(?) AND value > 0)",
                category,
            ),
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
        with self._transaction("DEFERRED") as conn:
            return [_as_dict(r) for r in conn.execute(sql, args)]

    def iter_records(self, page: int = 1000, **filters: Any) -> Iterator[dict[str, Any]]:
        """Like ``records`` (oldest first) but streamed a page at a time, for exports and reports."""
        after = 0
        while True:
            batch = self.records(**filters, after=after, limit=page)
            yield from batch
            if len(batch) < page:
                return
            after = batch[-1]["seq"]


def _as_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    seq, prev, h, body = row
    d = json.loads(body)
    d["seq"], d["prev_hash"], d["hash"] = seq, prev, h
    return d
