"""Gateway keys: what clients authenticate with, never the upstream key.

Keys are stored hashed (sha256 of a 256-bit random secret: a fast hash is
enough when the secret is not guessable), each with an id, its own policy and its
own limits.  The secret is shown once, at creation.  ``KeyStore()`` is the
configured store:

- ``<REDACTOR_HOME>/gateway_keys.json``, mode 0600, re-read when it changes, so
  ``redactor serve keys revoke`` takes effect on a running gateway;
- with ``[audit] url`` set, the fleet's PostgreSQL database (``PostgresKeyStore``),
  shared by every replica: keys and revocations are rows that are only ever
  inserted, re-read at most ``REFRESH_S`` apart, so a revocation reaches every
  replica within about a second.  When the database cannot be read, lookups fail
  (the gateway refuses the request): a revocation can never be missed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..audit.clock import utc_now
from ..config import data_dir
from ..errors import ConfigError

PREFIX = "rdk-"
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def check_binding(host: str, store: "KeyStore") -> None:
    """Listening beyond loopback without gateway keys is refused: anyone could spend the upstream key."""
    if host not in LOOPBACK and not store.active():
        raise ConfigError(f"refusing to listen on {host} without gateway keys: "
                          "create one with `redactor serve keys create`, or bind to 127.0.0.1")


@dataclass(frozen=True)
class GatewayKey:
    id: str
    sha256: str
    name: str = ""
    policy: str | None = None  # a shipped policy name or a file; None: the gateway's policy
    rpm: int = 0  # requests per minute; 0: unlimited
    concurrency: int = 0  # requests in flight; 0: unlimited
    created: str = ""
    revoked: str = ""

    @property
    def active(self) -> bool:
        return not self.revoked

    def public(self) -> dict[str, object]:
        d = asdict(self)
        d.pop("sha256")
        return d


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _configured_url() -> str | None:
    from ..config import load_settings

    url = load_settings().audit.url
    return url.get_secret_value() if url is not None else None


class KeyStore:
    """The file store; ``KeyStore()`` without a path is ``PostgresKeyStore`` when ``[audit] url``
    is configured."""

    def __new__(cls, path: Path | None = None, **kw: Any) -> KeyStore:
        if cls is KeyStore and path is None and _configured_url():
            return super().__new__(PostgresKeyStore)
        return super().__new__(cls)

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / "gateway_keys.json"
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._keys: list[GatewayKey] = []

    # -- reading ------------------------------------------------------------

    def _load(self) -> list[GatewayKey]:
        with self._lock:
            try:
                st = self.path.stat()
            except FileNotFoundError:
                self._stamp, self._keys = None, []
                return self._keys
            stamp = (st.st_mtime_ns, st.st_size)
            if stamp != self._stamp:
                try:
                    rows = json.loads(self.path.read_text(encoding="utf-8"))["keys"]
                    self._keys = [GatewayKey(**row) for row in rows]
                except (OSError, ValueError, KeyError, TypeError) as e:
                    raise ConfigError(f"{self.path}: unreadable gateway key file ({type(e).__name__})") from None
                self._stamp = stamp
            return self._keys

    def keys(self) -> list[GatewayKey]:
        return list(self._load())

    def active(self) -> list[GatewayKey]:
        return [k for k in self._load() if k.active]

    def names(self) -> dict[str, str]:
        """Key id -> its name, for people reading the trail (``audit list``, the report)."""
        return {k.id: k.name for k in self._load()}

    def lookup(self, secret: str) -> GatewayKey | None:
        """The active key with this secret, or None."""
        found = self.find(secret)
        return found if found is not None and found.active else None

    def find(self, secret: str) -> GatewayKey | None:
        """The key with this secret, revoked or not (a refusal's record names the key when it can)."""
        digest = _digest(secret)
        found = None
        for k in self._load():
            if hmac.compare_digest(k.sha256, digest):
                found = k
        return found

    # -- writing ------------------------------------------------------------

    def _save(self, keys: list[GatewayKey]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"keys": [asdict(k) for k in keys]}, f, indent=2)
        os.replace(tmp, self.path)

    def create(self, *, name: str = "", policy: str | None = None, rpm: int = 0, concurrency: int = 0) -> tuple[GatewayKey, str]:
        """A new key; returns it and its secret (shown once, never stored)."""
        secret = PREFIX + secrets.token_urlsafe(32)
        key = GatewayKey(id="key_" + secrets.token_hex(6), sha256=_digest(secret), name=name, policy=policy,
                         rpm=rpm, concurrency=concurrency, created=utc_now())
        self._add(key)
        return key, secret

    def _add(self, key: GatewayKey) -> None:
        self._save(self.keys() + [key])

    def adopt(self, keys: list[GatewayKey]) -> list[GatewayKey]:
        """Add keys made in another store as they are (ids, hashes, policies, limits, revocations):
        a gateway's key file moving into a fleet's database.  A key whose id is here already is
        left as it is.  Returns the keys added."""
        have = {k.id for k in self.keys()}
        added = [k for k in keys if k.id not in have]
        for key in added:
            self._add(key)
        return added

    def revoke(self, key_id: str) -> GatewayKey:
        keys = self.keys()
        for i, k in enumerate(keys):
            if k.id == key_id:
                if not k.revoked:
                    keys[i] = GatewayKey(**{**asdict(k), "revoked": utc_now()})
                    self._save(keys)
                return keys[i]
        raise ConfigError(f"no gateway key with id {key_id}")


class PostgresKeyStore(KeyStore):
    """Gateway keys in the fleet's database (tables ``gateway_keys`` and
    ``gateway_key_revocations`` of ``redactor audit init-db``), for every replica at once."""

    REFRESH_S = 1.0  # how stale a replica's view of revocations may be

    def __init__(self, path: Path | None = None, *, url: str | None = None) -> None:
        from ..audit.postgres import Connected

        url = url or _configured_url()
        if not url:
            raise ConfigError("PostgresKeyStore needs a postgresql:// URL ([audit] url)")
        self._db = Connected(url, retry_s=0)  # a lookup never waits out an outage: the request is refused
        self.path = self._db.path  # type: ignore[assignment]  # the URL without its password
        self._lock = threading.Lock()
        self._keys = []
        self._read_at = -float("inf")

    def _query(self, fn: Any, write: bool = False) -> Any:
        return self._db.run(fn, "BEGIN" if write else "BEGIN READ ONLY")

    def _load(self) -> list[GatewayKey]:
        with self._lock:
            if time.monotonic() - self._read_at >= self.REFRESH_S:
                rows = self._query(lambda conn: conn.execute(
                    "SELECT k.id, k.sha256, k.name, k.policy, k.rpm, k.concurrency, k.created, "
                    "coalesce(r.revoked, '') FROM gateway_keys k LEFT JOIN gateway_key_revocations r "
                    "ON r.key_id = k.id ORDER BY k.created, k.id").fetchall())
                self._keys = [GatewayKey(*row) for row in rows]
                self._read_at = time.monotonic()
            return self._keys

    def names(self) -> dict[str, str]:
        # the reviewer role reads these columns only, never a key's hash
        return dict(self._query(lambda conn: conn.execute("SELECT id, name FROM gateway_keys").fetchall()))

    def _add(self, key: GatewayKey) -> None:
        row = asdict(key)
        revoked = row.pop("revoked")

        def add(conn: Any) -> None:
            conn.execute(f"INSERT INTO gateway_keys ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                         tuple(row.values()))
            if revoked:  # an adopted key keeps its revocation
                conn.execute("INSERT INTO gateway_key_revocations VALUES (?, ?)", (key.id, revoked))

        self._query(add, write=True)
        self._read_at = -float("inf")

    def revoke(self, key_id: str) -> GatewayKey:
        def revoke(conn: Any) -> str | None:
            if conn.execute("SELECT 1 FROM gateway_keys WHERE id = ?", (key_id,)).fetchone() is None:
                return None
            conn.execute("INSERT INTO gateway_key_revocations VALUES (?, ?) ON CONFLICT (key_id) DO NOTHING",
                         (key_id, utc_now()))
            return key_id

        if self._query(revoke, write=True) is None:
            raise ConfigError(f"no gateway key with id {key_id}")
        self._read_at = -float("inf")
        return next(k for k in self._load() if k.id == key_id)

    def close(self) -> None:
        self._db.close()
