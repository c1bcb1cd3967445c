"""Scan results by content hash: a multi-turn conversation is not rescanned turn after turn.

Bounded LRU, in memory only, never written anywhere.  Keys are sha256 digests
of the text and entries hold findings (types, offsets, scores), never text, so
the cache keeps no value once its requests are done.  Doubts (``detect/doubt.py``) are cached with
the scan: they are a pure function of the text and its findings.  So is the
leak guard's verdict on an outgoing text, given the policy and the mapping's
values: ``guard()`` remembers it under the digests of all three.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from ..detect.doubt import find_doubts
from ..detect.findings import Finding, ScanResult
from ..detect.scanner import Scanner
from ..guard import GuardVerdict, check_payload
from ..policy import Policy
from ..transform import Mapping


@dataclass(frozen=True)
class Scanned:
    findings: tuple[Finding, ...]
    doubts: tuple[Finding, ...]


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

    def get(self, text: str) -> Scanned:
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return found
        findings = self.scanner.scan(text).findings if text.strip() else ()
        scanned = Scanned(findings, tuple(find_doubts(text, findings)) if text.strip() else ())
        with self._lock:
            self.misses += 1
            self._items[key] = scanned
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return scanned

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
        verdict = check_payload([{"role": "user", "content": text}], self, policy, mapping)  # type: ignore[arg-type]
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
