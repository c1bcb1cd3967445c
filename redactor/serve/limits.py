"""Per-key limits and the bounded local-model queue: refuse early, never queue without bound.

Each refusal carries the seconds after which a retry may succeed, for the
``retry-after`` header.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.status, self.code, self.retry_after = status, code, max(1, math.ceil(retry_after))


class KeyLimits:
    """Requests per minute (sliding window) and requests in flight, per key id."""

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._recent: dict[str, deque[float]] = {}
        self._inflight: dict[str, int] = {}

    def acquire(self, key_id: str, rpm: int, concurrency: int) -> None:
        """Admit one request of ``key_id`` or raise ``Refused``; pair with ``release()``."""
        now = self._clock()
        with self._lock:
            if concurrency and self._inflight.get(key_id, 0) >= concurrency:
                raise Refused(429, "concurrency_limit", f"more than {concurrency} concurrent requests for this key", 1)
            if rpm:
                recent = self._recent.setdefault(key_id, deque())
                while recent and now - recent[0] >= 60:
                    recent.popleft()
                if len(recent) >= rpm:
                    raise Refused(429, "rate_limit", f"more than {rpm} requests per minute for this key", 60 - (now - recent[0]))
                recent.append(now)
            self._inflight[key_id] = self._inflight.get(key_id, 0) + 1

    def release(self, key_id: str) -> None:
        with self._lock:
            self._inflight[key_id] -= 1


class BoundedQueue:
    """Admission to the local model: at most ``bound`` requests waiting or running."""

    def __init__(self, bound: int, retry_after_s: float = 5) -> None:
        self.bound = bound
        self.retry_after_s = retry_after_s
        self._lock = threading.Lock()
        self.depth = 0

    def enter(self) -> None:
        with self._lock:
            if self.depth >= self.bound:
                raise Refused(503, "local_queue_full", "the local model queue is full", self.retry_after_s)
            self.depth += 1

    def leave(self) -> None:
        with self._lock:
            self.depth -= 1
