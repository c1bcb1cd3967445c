"""``PostgresTrail``: the fleet's one audit trail in PostgreSQL (psycopg 3).

Same records, seals, checkpoints and commands as the SQLite trail (``trail.Trail``
holds that logic; this module moves rows).  The design, and why:

- **One chain, appends serialised by a transaction-scoped advisory lock.**  A writer
  takes ``pg_advisory_xact_lock``, reads the head, inserts the next record and commits;
  the lock is released at commit, after the record is visible.  Advisory locks need no
  privilege, so the writer role keeps only SELECT and INSERT.  ``seq`` is the primary
  key: even a writer that skipped the lock could not fork the chain, only fail.
- **Acknowledged means durable**: every session runs with ``synchronous_commit = on``,
  and ``record()`` returns only after COMMIT did.
- **Crash safety**: a writer killed mid-append leaves an open transaction that the
  server rolls back when its connection drops, releasing the lock; nothing half-written
  is ever visible.  A hung writer is cut off by ``idle_in_transaction_session_timeout``.
- **Reconnects**: a lost connection (the server restarted, the network dropped) is
  retried for ``retry_s`` seconds with a growing pause.  When a COMMIT's answer was
  lost, the retry first looks for the record it sent (its seq and hash) before
  appending again: nothing acknowledged is lost, nothing is written twice.
- Reads run in one ``REPEATABLE READ`` snapshot, long ones through a server-side
  cursor, so ``verify`` and ``report`` hold one page in memory at a time.

psycopg errors become ``AuditError`` here, and no message shows the URL's password.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from ..errors import AuditError, ConfigError
from .pg_schema import MIGRATIONS, MIGRATIONS_TABLE, SCHEMA, roles_sql
from . import chain
from .trail import COLUMNS, HEAD_SQL, Trail, head_of, mask_url

try:
    import psycopg
    from psycopg import errors as pg_errors
except ImportError:  # pragma: no cover - the optional dependency
    psycopg = None  # type: ignore[assignment]

_T = TypeVar("_T")

#: The advisory lock every append (and checkpoint, prune, copy) of a trail takes: one chain.
APPEND_LOCK = 0x7265_6461_6374  # "redact"
MIGRATE_LOCK = APPEND_LOCK + 1
LOCK_TIMEOUT_S = 30  # as long as SQLite's busy timeout
IDLE_IN_TRANSACTION_S = 60  # a writer that stops mid-append (not killed) lets go of the lock after this
CONNECT_TIMEOUT_S = 5
_SESSION = (
    f"SET search_path = {SCHEMA}, pg_catalog",
    "SET synchronous_commit = on",
    f"SET lock_timeout = '{LOCK_TIMEOUT_S}s'",
    f"SET idle_in_transaction_session_timeout = '{IDLE_IN_TRANSACTION_S}s'",
)
#: Emits a tiny transactional WAL record and, under ``synchronous_commit = on``, waits until
#: the WAL is flushed up to it: so also up to the append just committed before it.
FLUSH_SQL = "SELECT pg_logical_emit_message(true, 'redactor', '')"
_names = itertools.count()


def require_driver() -> None:
    if psycopg is None:
        raise ConfigError("a postgresql:// audit trail needs psycopg 3: pip install 'redactor[postgres]'")


class _Lost(Exception):
    """The connection is gone (or never came): worth retrying on a new one."""


def _sql(query: str) -> str:
    """Our ``?`` placeholders in psycopg's spelling."""
    return query.replace("%", "%%").replace("?", "%s")


class _Conn:
    """A psycopg connection that speaks the ``?`` SQL ``trail.Trail`` writes."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def execute(self, query: str, args: Iterable[Any] = ()) -> Any:
        return self.raw.execute(_sql(query), tuple(args))


def _is_lost(e: BaseException, raw: Any) -> bool:
    if raw is None or raw.closed or raw.broken:
        return True
    state = getattr(e, "sqlstate", None) or ""
    return state.startswith("08") or state in ("57P01", "57P02", "57P03")  # connection; admin/crash shutdown


@contextmanager
def _rolled_back(raw: Any) -> Iterator[None]:
    """Roll the open transaction back when anything fails inside it (unless the connection is gone)."""
    try:
        yield
    except BaseException:
        if not (raw.closed or raw.broken):
            try:
                raw.execute("ROLLBACK")
            except psycopg.Error:
                pass
        raise


def connect(url: str, what: str = "the audit database") -> Any:
    """A psycopg connection (autocommit; our own BEGIN/COMMIT), its session set for the trail.
    Raises ``_Lost`` when the server cannot be reached."""
    require_driver()
    try:
        raw = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S, application_name="redactor",
                              keepalives=1, keepalives_idle=10, keepalives_interval=5, keepalives_count=3)
    except psycopg.OperationalError as e:
        raise _Lost(_clean(e, url)) from None
    except psycopg.Error as e:  # a malformed URL
        raise AuditError(f"{mask_url(url)}: cannot open {what}: {_clean(e, url)}") from None
    try:
        for statement in _SESSION:
            raw.execute(statement)
    except psycopg.Error as e:
        raw.close()
        raise _Lost(_clean(e, url)) from None
    return raw


def _clean(e: BaseException, url: str) -> str:
    """The first line of a driver message, with nothing of the URL's password in it."""
    text = (str(e).strip().splitlines() or [type(e).__name__])[0]
    password = _password(url)
    return text.replace(password, "***") if password else text


def _password(url: str) -> str:
    try:
        return psycopg.conninfo.conninfo_to_dict(url).get("password") or ""
    except Exception:
        return ""


class Connected:
    """One connection, opened lazily, re-opened after a loss or a fork, with bounded retries;
    the PostgreSQL gateway key store shares it."""

    def __init__(self, url: str, retry_s: float | None) -> None:
        self._url = url
        self.path = mask_url(url)
        self.retry_s = 10.0 if retry_s is None else float(retry_s)
        self._raw: Any = None
        self._pid = os.getpid()
        self._lock = threading.RLock()  # one transaction at a time on the one connection
        self._down = False  # the last call gave up: the database could not be reached

    def _connection(self) -> _Conn:
        if self._raw is not None and (self._raw.closed or self._raw.broken or self._pid != os.getpid()):
            if self._pid == os.getpid():
                self._raw.close()
            self._raw = None  # forked: the parent's connection is left alone
        if self._raw is None:
            self._raw = connect(self._url)
            self._pid = os.getpid()
            self._ready(_Conn(self._raw))
        return _Conn(self._raw)

    def _ready(self, conn: _Conn) -> None:
        """Checks once per new connection (the schema); nothing by default."""

    def retrying(self, attempt: Callable[[], _T]) -> _T:
        """``attempt()``, again on a new connection while the database cannot be reached, for
        ``retry_s`` at most.  One immediate retry always (a connection that went stale while
        the database restarted); once a call has given up, later calls try only that until
        one succeeds, so callers fail fast, not one ``retry_s`` each, while it is down."""
        deadline = time.monotonic() + (0.0 if self._down else self.retry_s)
        pause = 0.0
        while True:
            try:
                result = attempt()
                self._down = False
                return result
            except _Lost as e:
                if time.monotonic() + pause > deadline and pause:
                    self._down = True
                    raise AuditError(f"{self.path}: the audit database cannot be reached ({e}); "
                                     f"gave up after {self.retry_s:g} s") from None
                time.sleep(pause)
                pause = min(pause * 2, 1.0) or 0.05

    def in_transaction(self, fn: Callable[[_Conn], _T], begin: str, lock: int | None = None) -> _T:
        """``fn`` in one transaction on the current connection; driver errors translated."""
        with self._lock:
            return self._transaction(fn, begin, lock)

    def _transaction(self, fn: Callable[[_Conn], _T], begin: str, lock: int | None) -> _T:
        conn = self._connection()
        with self._driver_errors(conn.raw), _rolled_back(conn.raw):
            conn.raw.execute(begin if lock is None else f"{begin}; SELECT pg_advisory_xact_lock({int(lock)})")
            result = fn(conn)
            conn.raw.execute("COMMIT")
            return result

    @contextmanager
    def _driver_errors(self, raw: Any) -> Iterator[None]:
        """psycopg errors become ``_Lost`` (worth a retry on a new connection) or ``AuditError``."""
        try:
            yield
        except psycopg.Error as e:
            if _is_lost(e, raw):
                raise _Lost(_clean(e, self._url)) from None
            raise self._translate(e) from None

    def run(self, fn: Callable[[_Conn], _T], begin: str = "BEGIN", lock: int | None = None) -> _T:
        """``fn`` in one transaction, retried on a new connection while ``retry_s`` allows."""
        return self.retrying(lambda: self.in_transaction(fn, begin, lock))

    def _translate(self, e: Any) -> AuditError:
        msg = _clean(e, self._url)
        if isinstance(e, pg_errors.InsufficientPrivilege):
            return AuditError(f"{self.path}: permission denied for this role ({msg}); see the roles in docs/audit.md")
        if isinstance(e, pg_errors.LockNotAvailable):
            return AuditError(f"{self.path}: another writer held the trail for over {LOCK_TIMEOUT_S} s")
        if isinstance(e, pg_errors.UndefinedTable):
            return AuditError(f"{self.path}: no audit trail in this database (run redactor audit init-db)")
        return AuditError(f"{self.path}: audit database error: {msg}")

    def close(self) -> None:
        with self._lock:
            if self._raw is not None and self._pid == os.getpid():
                self._raw.close()
            self._raw = None


class PostgresTrail(Connected, Trail):
    """The audit store in PostgreSQL (``[audit] url``); see the module docstring.

    ``create=True`` applies pending migrations when the role may (the database owner);
    other roles need ``redactor audit init-db`` to have been run.  ``read_only=True``
    never writes (the reviewer role)."""

    SQL_CONTAINS = "strpos(document_id, ?) > 0"
    SQL_CATEGORY = ("EXISTS (SELECT 1 FROM jsonb_each_text(record::jsonb -> 'category_counts') AS c "
                    "WHERE upper(c.key) = upper(?) AND c.value::numeric > 0)")
    SQL_LEGACY_GATEWAY = "(record::jsonb #>> '{extra,source}') = 'gateway'"

    def __init__(
        self,
        url: str,
        key: str | bytes | None = None,
        *,
        create: bool = True,
        read_only: bool = False,
        host: str | None = None,
        retry_s: float | None = None,
    ) -> None:
        Connected.__init__(self, url, retry_s)
        self._setup(key, host)
        self.read_only = read_only
        self._create = create and not read_only
        self._columns = COLUMNS
        with self._lock:
            self.retrying(self._connection)

    # -- the schema -----------------------------------------------------------

    def _ready(self, conn: _Conn) -> None:
        self._flush_apart = self._can_flush_apart(conn)
        try:
            pending = self._pending(conn)
            if pending and self._create:
                self.in_transaction(lambda c: migrate(c), "BEGIN", MIGRATE_LOCK)
                pending = self._pending(conn)
        except AuditError as e:
            self.close()
            if "permission denied" in str(e):
                raise AuditError(f"{self.path}: the audit schema is missing or out of date and this role may not "
                                 "create it: the database owner runs redactor audit init-db") from None
            raise
        except psycopg.Error as e:
            self.close()
            raise self._translate(e) from None
        if pending:
            self.close()
            done = len(MIGRATIONS) - len(pending)
            raise AuditError(f"no audit trail at {self.path}" if not done else
                             f"{self.path}: the audit schema is out of date: the database owner runs "
                             "redactor audit init-db")

    @staticmethod
    def _can_flush_apart(conn: _Conn) -> bool:
        """Whether this role may call FLUSH_SQL's function; else appends commit synchronously
        while they hold the lock (correct, slower: one WAL flush per record, one at a time)."""
        try:
            conn.raw.execute("SELECT pg_logical_emit_message(false, 'redactor', '')")
            return True
        except psycopg.Error:
            return False

    @staticmethod
    def _pending(conn: _Conn) -> list[str]:
        if conn.execute("SELECT to_regclass(?)", (f"{SCHEMA}._migrations",)).fetchone()[0] is None:
            return [name for name, _ in MIGRATIONS]
        done = {r[0] for r in conn.execute("SELECT name FROM _migrations").fetchall()}
        return [name for name, _ in MIGRATIONS if name not in done]

    # -- what trail.Trail asks of a store ------------------------------------------------

    def _run(self, fn: Callable[[Any], _T], write: bool = False) -> _T:
        if write and self.read_only:
            raise AuditError(f"{self.path}: opened read-only")
        begin = "BEGIN" if write else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        return self.run(fn, begin, APPEND_LOCK if write else None)

    def _append_all(self, records: list[dict[str, Any]]) -> list[int]:
        sent: list[tuple[int, str]] = []  # (last seq, its hash) of attempts whose COMMIT may have gone through

        def attempt() -> list[int]:
            with self._lock:
                conn = self._connection()
                with self._driver_errors(conn.raw):
                    seqs = self._append_once(conn, records, sent)
                    if self._flush_apart:  # wait for the WAL flush, sharing it with the other writers
                        conn.raw.execute(FLUSH_SQL)
                    return seqs

        return self.retrying(attempt)

    def _append_once(self, conn: _Conn, records: list[dict[str, Any]], sent: list[tuple[int, str]]) -> list[int]:
        """Two round trips: BEGIN, the lock and the head; then the INSERTs and COMMIT, pipelined."""
        raw = conn.raw
        with _rolled_back(raw):
            relaxed = "SET LOCAL synchronous_commit = off; " if self._flush_apart else ""
            cursor = raw.execute(f"BEGIN; {relaxed}SELECT pg_advisory_xact_lock({APPEND_LOCK}); {HEAD_SQL}")
            while cursor.nextset():
                pass
            head = cursor.fetchone()
            for last, digest in sent:  # under the lock: an earlier attempt has committed, or never will
                if conn.execute("SELECT 1 FROM records WHERE seq = ? AND hash = ?", (last, digest)).fetchone():
                    raw.execute("COMMIT")
                    return list(range(last - len(records) + 1, last + 1))
            seq, prev, kid = head_of(head)
            self._check_key(kid, seq)
            rows = []
            for record in records:
                seq += 1
                body, digest = chain.seal(prev, dict(record, seq=seq), self._key)
                rows.append((seq, prev, digest, body))
                prev = digest
            sent.append((seq, digest))
            with raw.pipeline():
                for row in rows:
                    self._insert(conn, row)
                raw.execute("COMMIT")
            return [row[0] for row in rows]

    def _stream(self, conn: Any, sql: str, args: Iterable[Any] = ()) -> Iterator[tuple[Any, ...]]:
        cursor = conn.raw.cursor(name=f"redactor_{next(_names)}")
        cursor.itersize = 2000
        try:
            cursor.execute(_sql(sql), tuple(args))
            yield from cursor
        finally:
            if not (conn.raw.closed or conn.raw.broken):
                cursor.close()

    def _delete_upto(self, conn: Any, upto: int) -> None:
        conn.execute("SET LOCAL redactor.pruning = 'on'")  # the trigger lets prune's own DELETE through
        conn.execute("DELETE FROM records WHERE seq <= ?", (upto,))
        conn.execute("SET LOCAL redactor.pruning = 'off'")

    def backup(self, dest: str | os.PathLike[str]) -> tuple[int, str]:
        """Copy the trail into a new SQLite file ``dest`` (one snapshot, seals as they are);
        returns the snapshot's head.  Check it as ``AuditTrail.backup``'s copy."""
        from .store import AuditTrail

        dest = Path(dest).expanduser()
        if dest.exists():
            raise AuditError(f"{dest} already exists: back up to a new file")
        try:
            with AuditTrail(dest, key=self._key) as copy:
                return self.copy_to(copy)
        except BaseException:
            dest.unlink(missing_ok=True)
            for suffix in ("-wal", "-shm"):
                Path(f"{dest}{suffix}").unlink(missing_ok=True)
            raise


def migrate(conn: _Conn) -> None:
    """Apply the pending migrations (inside the caller's transaction, under MIGRATE_LOCK)."""
    from .clock import utc_now

    conn.raw.execute(MIGRATIONS_TABLE)
    done = {r[0] for r in conn.execute("SELECT name FROM _migrations").fetchall()}
    for name, sql in MIGRATIONS:
        if name not in done:
            conn.raw.execute(sql)
            conn.execute("INSERT INTO _migrations VALUES (?, ?)", (name, utc_now()))


def init_db(url: str) -> list[str]:
    """Create or upgrade the schema and (re)grant the roles, as the database owner; returns
    the migrations applied now."""
    db = Connected(url, retry_s=0)

    def run(conn: _Conn) -> list[str]:
        conn.raw.execute(MIGRATIONS_TABLE)
        before = {r[0] for r in conn.execute("SELECT name FROM _migrations").fetchall()}
        migrate(conn)
        conn.raw.execute(roles_sql())
        return [name for name, _ in MIGRATIONS if name not in before]

    try:
        return db.run(run, "BEGIN", MIGRATE_LOCK)
    finally:
        db.close()
