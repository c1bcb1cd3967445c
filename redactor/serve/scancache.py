"""Scan results by content hash: a multi-turn conversation is not rescanned turn after turn.

Bounded LRU, in memory only, never written anywhere.  Keys are sha256 digests
of the text and entries hold findings (types, offsets, scores), never text, so
the cache keeps no value once its requests are done.  Doubts (``detect/doubt.py``) are cached with
the scan, computed the first time they are asked for (``doubts()``): they are a pure function
of the text and its findings, so they are reused only for those exact findings — a local
route never computes them, and the leak guard does not compute them twice for one text.
The leak guard's verdict on an outgoing text is a pure function too, given the policy and
the mapping's values: ``guard()`` remembers it under the digests of all three.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from ..detect.doubt import find_doubts
from ..detect.findings import Finding, ScanResult
from ..detect.scanner import Scanner
from ..guard import GuardVerdict, check_payload
from ..policy import Policy
from ..transform import Mapping


@dataclass
class Scanned:
    findings: tuple[Finding, ...]
    doubts: tuple[Finding, ...] | None = None  # find_doubts(text, findings), once asked for


class ScanCache:
    """``scan(text)`` through a Scanner, remembered for the last ``size`` texts.  Thread-safe."""

    def __init__(self, scanner: Scanner, size: int = 4096) -> None:
        self.scanner = scanner
        self.size = size
        self._items: OrderedDict[bytes, Scanned] = OrderedDict()
        self._verdicts: OrderedDict[bytes, GuardVerdict] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def _key(text: str) -> bytes:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()

    def get(self, text: str) -> Scanned:
        key = self._key(text)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return found
        findings = tuple(self.scanner.scan(text).findings) if text.strip() else ()
        scanned = Scanned(findings, None if text.strip() else ())
        with self._lock:
            self.misses += 1
            self._items[key] = scanned
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return scanned

    def doubts(self, text: str, findings: Iterable[Finding]) -> tuple[Finding, ...]:
        """``find_doubts(text, findings)``, remembered with ``text``'s scan when ``findings``
        are exactly that scan's findings (else computed: the same function, other input)."""
        findings = tuple(findings)
        with self._lock:
            entry = self._items.get(self._key(text))
        if entry is not None and entry.findings == findings and entry.doubts is not None:
            return entry.doubts
        doubts = tuple(find_doubts(text, findings)) if text.strip() else ()
        if entry is not None and entry.findings == findings:
            entry.doubts = doubts
        return doubts

    def guard(self, text: str, policy: Policy, mapping: Mapping | None) -> GuardVerdict:
        """``check_payload`` on one outgoing text, remembered (scans go through this cache too)."""
        h = hashlib.sha256()
        for part in (text, policy.version, *sorted(mapping.values() if mapping is not None else ())):
            h.update(hashlib.sha256(part.encode("utf-8", "surrogatepass")).digest())
        key = h.digest()
        with self._lock:
            found = self._verdicts.get(key)
            if found is not None:
                self._verdicts.move_to_end(key)
                return found
        verdict = check_payload([{"role": "user", "content": text}], self, policy, mapping,  # type: ignore[arg-type]
                                doubts=self.doubts)
        with self._lock:
            self._verdicts[key] = verdict
            while len(self._verdicts) > self.size:
                self._verdicts.popitem(last=False)
        return verdict

    def scan(self, text: str) -> ScanResult:
        """The ``Scanner.scan`` shape, so the leak guard can scan through the cache."""
        return ScanResult(text=text, findings=self.get(text).findings)

    @property
    def checksum_types(self) -> frozenset[str]:
        """The scanner's checksum-validated types: the leak guard stops them whatever the policy."""
        return self.scanner.checksum_types

    def __len__(self) -> int:
        return len(self._items)
