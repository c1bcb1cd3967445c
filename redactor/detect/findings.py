"""What detection produces: typed, categorised spans with scores."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    entity_type: str
    category: str
    start: int
    end: int
    score: float
    recognizer: str = ""

    def value(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(frozen=True)
class ScanResult:
    """Findings for one text.  ``text`` is kept so later stages can transform it
    in memory; it is never serialised by redactor itself."""

    text: str
    findings: tuple[Finding, ...]
    document_id: str = ""

    def counts_by_type(self) -> dict[str, int]:
        return dict(sorted(Counter(f.entity_type for f in self.findings).items()))

    def counts_by_category(self) -> dict[str, int]:
        return dict(sorted(Counter(f.category for f in self.findings).items()))

    def top_scores(self) -> dict[str, float]:
        top: dict[str, float] = {}
        for f in self.findings:
            top[f.entity_type] = round(max(top.get(f.entity_type, 0.0), f.score), 3)
        return dict(sorted(top.items()))
