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
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..config import DetectSettings
from ..detect.doubt import find_doubts
from ..detect.findings import Finding, ScanResult
from ..detect.rescan import Reading
from ..detect.scanner import Scanner
from ..guard import GuardVerdict, check_payload
from ..policy import Policy, detect_for
from ..transform import Mapping, Rewritten


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
        return self.get_many([text])[0]

    def get_many(self, texts: list[str]) -> list[Scanned]:
        """Each text's scan, the ones not remembered scanned together (one spaCy batch)."""
        keys = [self._key(t) for t in texts]
        out: list[Scanned | None] = [None] * len(texts)
        with self._lock:
            for i, key in enumerate(keys):
                found = self._items.get(key)
                if found is not None:
                    self._items.move_to_end(key)
                    self.hits += 1
                    out[i] = found
        todo = [i for i, s in enumerate(out) if s is None and texts[i].strip()]
        results = self.scanner.scan_many([texts[i] for i in todo]) if todo else ()
        for i, result in zip(todo, results):
            out[i] = Scanned(tuple(result.findings))
        for i, s in enumerate(out):
            if s is None:  # blank: nothing to find, nothing to doubt
                out[i] = Scanned((), ())
        with self._lock:
            for i, key in enumerate(keys):
                if key not in self._items:
                    self.misses += 1
                    self._items[key] = out[i]  # type: ignore[assignment]
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return out  # type: ignore[return-value]

    def findings_many(self, texts: list[str]) -> list[tuple[Finding, ...]]:
        """``get_many``'s findings: the shape ``detect.rescan`` scans with."""
        return [s.findings for s in self.get_many(texts)]

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

    def guard(self, text: str, policy: Policy, mapping: Mapping | None,
              reading: Callable[[], Reading] | None = None, *, document: Rewritten | None = None) -> GuardVerdict:
        """``check_payload`` on one outgoing text, remembered (scans go through this cache too).
        ``reading``: how to read ``text`` if not by a scan of it (``detect.rescan``, asked only
        when the verdict is not remembered); ``document``: the rewrite that made ``text``, whose
        ``kept`` spans are the transform's own output."""
        h = hashlib.sha256()
        kept = repr(document.kept) if document is not None else ""
        for part in (text, policy.version, kept, *sorted(mapping.values() if mapping is not None else ())):
            h.update(hashlib.sha256(part.encode("utf-8", "surrogatepass")).digest())
        key = h.digest()
        with self._lock:
            found = self._verdicts.get(key)
            if found is not None:
                self._verdicts.move_to_end(key)
                return found
        read = reading() if reading is not None else None
        doubts = self.doubts if read is None or read.doubts is None else (lambda _text, _found: read.doubts)
        verdict = check_payload([{"role": "user", "content": text}], self, policy, mapping,  # type: ignore[arg-type]
                                document, doubts=doubts, found=read.findings if read is not None else None)
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


class ScanCaches:
    """One ``ScanCache`` per detection the policies in use ask for (``policy.detect_for``): a
    gateway key whose policy turns on the clinical NER is scanned with it, the others are not.
    ``scanner`` serves the gateway's own ``policy`` as given; the others are built from
    ``detect`` on first use (seconds; ``warm`` builds them at start)."""

    def __init__(self, scanner: Scanner, detect: DetectSettings, policy: Policy, size: int = 4096) -> None:
        self.first = ScanCache(scanner, size)
        self.detect = detect
        self.size = size
        self._by_detect = {self._key(policy): self.first}
        self._lock = threading.Lock()

    def _key(self, policy: Policy) -> str:
        return detect_for(policy, self.detect).model_dump_json()

    def for_policy(self, policy: Policy) -> ScanCache:
        key = self._key(policy)
        found = self._by_detect.get(key)
        if found is not None:
            return found
        with self._lock:
            if key not in self._by_detect:
                self._by_detect[key] = ScanCache(Scanner(detect_for(policy, self.detect)), self.size)
            return self._by_detect[key]

    def warm(self, policies: Iterable[Policy]) -> None:
        for policy in policies:
            self.for_policy(policy)

    @property
    def counts(self) -> tuple[int, int]:
        """Hits and misses over every cache."""
        caches = list(self._by_detect.values())
        return sum(c.hits for c in caches), sum(c.misses for c in caches)
