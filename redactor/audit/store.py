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

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from ..errors import AuditError
from .chain import Verification
from .clock import utc_now
from .trail import COLUMN_SQL, COLUMNS, Trail

BUSY_TIMEOUT_S = 30.0
_T = TypeVar("_T")


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


class AuditTrail(Trail):
    """The SQLite audit store (``trail.Trail`` has what every store does).  Safe to share
    between threads, and any number of processes may append to the same file.

    ``create=False`` opens an existing trail only (read commands must not
    conjure an empty one).  ``read_only=True`` never writes (an auditor with
    read access only); an existing trail that cannot be opened for writing falls
    back to it by itself.  ``host`` names this writer in its records (default: the
    machine's host name)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        key: str | bytes | None = None,
        *,
        create: bool = True,
        read_only: bool = False,
        host: str | None = None,
    ) -> None:
        self.path = Path(path).expanduser()
        self._setup(key, host)
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
        return tuple(c for c in COLUMNS if COLUMN_SQL.get(c, c) in have)

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

    def _run(self, fn: Callable[[sqlite3.Connection], _T], write: bool = False) -> _T:
        # BEGIN IMMEDIATE takes the write lock before the head is read: one chain, whoever appends
        with self._transaction("IMMEDIATE" if write else "DEFERRED") as conn:
            return fn(conn)

    def _delete_upto(self, conn: sqlite3.Connection, upto: int) -> None:
        conn.execute("DROP TRIGGER records_no_delete")
        conn.execute("DELETE FROM records WHERE seq <= ?", (upto,))
        conn.execute(_guard_sql("DELETE"))

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def prune(self, before: str | datetime) -> tuple[int, Verification]:
        removed, after = super().prune(before)
        with self._lock, _translated(self.path):
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # drop old pages from the WAL too
        return removed, after

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
