"""A real PostgreSQL server on 127.0.0.1 for tests and benchmarks, in a temp dir of its own.

    with PostgresServer() as pg:
        url = pg.create_database()            # postgresql://postgres@127.0.0.1:PORT/db_1
        pg.restart(mode="immediate")          # as after a crash: only what was committed survives

It runs the Debian/Ubuntu ``postgresql`` binaries (``initdb``, ``pg_ctl`` on PATH or
under /usr/lib/postgresql/*/bin).  PostgreSQL refuses to run as root, so when the
tests run as root (CI does) the server runs as the ``postgres`` system user (else
``nobody``) through ``runuser``, in a directory that user owns.  Loopback only, trust
authentication for the loopback address, nothing reachable from elsewhere.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def find_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl, or None."""
    for candidate in [shutil.which("initdb")] + sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True):
        if candidate and os.access(candidate, os.X_OK):
            folder = Path(candidate).resolve().parent
            if (folder / "pg_ctl").exists() and (folder / "postgres").exists():
                return folder
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self, *, fsync: bool = False, max_connections: int = 100) -> None:
        self.bin = find_binaries()
        if self.bin is None:
            raise RuntimeError("no PostgreSQL binaries (initdb, pg_ctl): apt-get install postgresql")
        self.fsync = fsync
        self.max_connections = max_connections
        self.port = _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="redactor-pg-"))
        self.data = self.dir / "data"
        self._user: str | None = None
        self._databases = 0
        if os.geteuid() == 0:
            self._user = next(u for u in ("postgres", "nobody") if _has_user(u))
            pw = pwd.getpwnam(self._user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)

    def _as_server_user(self, *argv: str) -> list[str]:
        return ["runuser", "-u", self._user, "--", *argv] if self._user else list(argv)

    def _run(self, *argv: str, timeout: float = 120) -> None:
        done = subprocess.run(self._as_server_user(*argv), capture_output=True, text=True, timeout=timeout)
        if done.returncode:
            raise RuntimeError(f"{argv[0]} failed: {done.stderr.strip() or done.stdout.strip()}")

    def start(self) -> PostgresServer:
        if not self.data.exists():
            self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                      "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions")
            with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
                conf.write(f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                           f"unix_socket_directories = '{self.dir}'\nfsync = {'on' if self.fsync else 'off'}\n"
                           f"max_connections = {self.max_connections}\nshared_buffers = 32MB\n")
            (self.data / "pg_hba.conf").write_text("host all all 127.0.0.1/32 trust\n", encoding="utf-8")
        self._ctl("start", "-w", "-t", "60", "-l", str(self.dir / "server.log"))
        return self

    def _ctl(self, *args: str) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), *args)

    def stop(self, mode: str = "fast") -> None:
        self._ctl("stop", "-w", "-m", mode)

    def restart(self, mode: str = "fast", down_s: float = 0.0) -> None:
        """Stop (``immediate``: as a crash, no checkpoint) and start again after ``down_s``."""
        self.stop(mode)
        time.sleep(down_s)
        self._ctl("start", "-w", "-t", "60", "-l", str(self.dir / "server.log"))

    def url(self, user: str = "postgres", db: str = "postgres", password: str | None = None) -> str:
        auth = f"{user}:{password}" if password else user
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{db}"

    def sql(self, statement: str, db: str = "postgres", user: str = "postgres") -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(user, db), autocommit=True) as conn:
            cur = conn.execute(statement)
            return cur.fetchall() if cur.description else []

    def create_database(self) -> str:
        """A new empty database; returns the superuser's URL to it."""
        self._databases += 1
        name = f"db_{self._databases}"
        self.sql(f"CREATE DATABASE {name} TEMPLATE template0")
        return self.url(db=name)

    def close(self) -> None:
        try:
            self.stop("immediate")
        except (RuntimeError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False
