"""Gateway keys: what clients authenticate with, never the upstream key.

Keys are stored hashed (sha256 of a 256-bit random secret: a fast hash is
enough when the secret is not guessable) in ``<REDACTOR_HOME>/gateway_keys.json``,
mode 0600, each with an id, its own policy and its own limits.  The secret is
shown once, at creation.  ``KeyStore.lookup`` re-reads the file when it changes,
so ``redactor serve keys revoke`` takes effect on a running gateway.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

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


class KeyStore:
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
        self._save(self.keys() + [key])
        return key, secret

    def revoke(self, key_id: str) -> GatewayKey:
        keys = self.keys()
        for i, k in enumerate(keys):
            if k.id == key_id:
                if not k.revoked:
                    keys[i] = GatewayKey(**{**asdict(k), "revoked": utc_now()})
                    self._save(keys)
                return keys[i]
        raise ConfigError(f"no gateway key with id {key_id}")
