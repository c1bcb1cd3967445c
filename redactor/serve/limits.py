"""Per-key limits and the bounded local-model queue: refuse early, never queue without bound.

Each refusal carries the seconds after which a retry may succeed, for the
``retry-after`` header.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from .errors import Refused


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


class RecordBudget:
    """Which refusals get an audit record of their own, so a flood of refused requests cannot
    grow the trail without bound (unauthenticated ones have no key, so no key limits).

    At most ``per_minute`` records per (endpoint, refusal code, key id) a minute (0: no bound);
    beyond it refusals are counted, and each window's count is handed back once the window is
    over (``due()``) or the gateway stops (``drain()``), for one summary record.  Memory is
    bounded: endpoints and codes are fixed vocabularies and key ids come from the key file."""

    def __init__(self, per_minute: int = 60, clock=time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str, str], list[float]] = {}  # -> [start, recorded, suppressed]

    def admit(self, endpoint: str, code: str, key_id: str) -> bool:
        """True: record this refusal itself; False: it is counted in its window's summary."""
        if not self.per_minute:
            return True
        now = self._clock()
        with self._lock:
            w = self._windows.get((endpoint, code, key_id))
            if w is None or now - w[0] >= 60:
                if w is not None and w[2]:
                    return True  # the old window's count is still due: keep it, record this one
                w = self._windows[(endpoint, code, key_id)] = [now, 0, 0]
            if w[1] < self.per_minute:
                w[1] += 1
                return True
            w[2] += 1
            return False

    def due(self, *, all_windows: bool = False) -> list[tuple[str, str, str, int]]:
        """``(endpoint, code, key id, refusals not recorded)`` of each window that is over (or of
        every window, with ``all_windows``); those windows are forgotten."""
        now = self._clock()
        out = []
        with self._lock:
            for k, (start, _, suppressed) in list(self._windows.items()):
                if all_windows or now - start >= 60:
                    del self._windows[k]
                    if suppressed:
                        out.append((*k, int(suppressed)))
        return out

    def drain(self) -> list[tuple[str, str, str, int]]:
        return self.due(all_windows=True)
