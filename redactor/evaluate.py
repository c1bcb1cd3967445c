"""Precision and recall of detection against labeled data.

Matching is by span overlap.  A gold span is *found* when any predicted span
overlaps it (recall per gold type).  A predicted span is *correct* when it
overlaps any gold span (precision per predicted type).  Predictions that only
overlap gold spans of ignored types count neither way, and gold spans of
ignored types are not scored.

Readers:
- presidio-evaluator JSON: ``[{full_text, spans: [{entity_type, start_position, end_position}]}]``
- redactor JSONL: ``{"text": ..., "spans": [{"entity_type", "start", "end"}]}`` per line
- value labels (``tests/data/sample_docs_labels.json``): values per file under ``root``,
  located in the text the reader extracts
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .errors import ConfigError

DEFAULT_IGNORED = frozenset({"ORGANIZATION", "TITLE", "AGE", "NRP"})


@dataclass(frozen=True)
class Span:
    entity_type: str
    start: int
    end: int

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end


@dataclass
class Example:
    text: str
    gold: list[Span]
    id: str = ""
    negatives: list[Span] = field(default_factory=list)  # spans that must NOT be reported


@dataclass
class Tally:
    tp: int = 0
    fn: int = 0  # for gold types
    fp: int = 0  # for predicted types
    correct: int = 0

    @property
    def recall(self) -> float | None:
        n = self.tp + self.fn
        return self.tp / n if n else None

    @property
    def precision(self) -> float | None:
        n = self.correct + self.fp
        return self.correct / n if n else None


@dataclass
class Report:
    gold: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    predicted: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    overall: Tally = field(default_factory=Tally)
    negatives_reported: int = 0
    examples: int = 0

    def to_dict(self) -> dict[str, object]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "examples": self.examples,
            "recall": r(self.overall.recall),
            "precision": r(self.overall.precision),
            "negatives_reported": self.negatives_reported,
            "by_gold_type": {
                t: {"support": v.tp + v.fn, "recall": r(v.recall)} for t, v in sorted(self.gold.items())
            },
            "by_predicted_type": {
                t: {"predicted": v.correct + v.fp, "precision": r(v.precision)}
                for t, v in sorted(self.predicted.items())
            },
        }


def score(
    examples: Iterable[Example],
    predict: Callable[[list[str]], Iterable[list[Span]]],
    ignored: frozenset[str] | None = None,
    batch: int = 256,
) -> Report:
    """Run ``predict`` over the examples in batches and tally overlap matches."""
    ignored = DEFAULT_IGNORED if ignored is None else ignored
    report = Report()
    pending: list[Example] = []

    def flush() -> None:
        for ex, pred in zip(pending, predict([e.text for e in pending])):
            _tally(report, ex, list(pred), ignored)
        pending.clear()

    for ex in examples:
        pending.append(ex)
        if len(pending) >= batch:
            flush()
    flush()
    return report


def _tally(report: Report, ex: Example, pred: list[Span], ignored: frozenset[str]) -> None:
    report.examples += 1
    scored = [g for g in ex.gold if g.entity_type not in ignored]
    skipped = [g for g in ex.gold if g.entity_type in ignored]
    for g in scored:
        hit = any(p.overlaps(g) for p in pred)
        t = report.gold[g.entity_type]
        if hit:
            t.tp += 1
            report.overall.tp += 1
        else:
            t.fn += 1
            report.overall.fn += 1
    for p in pred:
        if any(p.overlaps(g) for g in scored):
            report.predicted[p.entity_type].correct += 1
            report.overall.correct += 1
        elif any(p.overlaps(g) for g in skipped):
            continue
        else:
            report.predicted[p.entity_type].fp += 1
            report.overall.fp += 1
    report.negatives_reported += sum(1 for n in ex.negatives if any(p.overlaps(n) for p in pred))


def read_presidio_json(path: Path) -> Iterator[Example]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    for i, rec in enumerate(data):
        yield Example(
            id=f"{path}#{i + 1}",
            text=rec["full_text"],
            gold=[Span(s["entity_type"], s["start_position"], s["end_position"]) for s in rec.get("spans", [])],
        )


def read_jsonl(path: Path) -> Iterator[Example]:
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            yield Example(
                id=f"{path}#{n}",
                text=rec["text"],
                gold=[Span(s["entity_type"], s["start"], s["end"]) for s in rec.get("spans", [])],
            )


def read_value_labels(path: Path, read_document: Callable[[Path], str]) -> Iterator[Example]:
    """sample_docs-style labels: values per file, located in the text the reader extracts."""
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    root = (path.parent / data.get("root", ".")).resolve()
    for doc in data["documents"]:
        text = read_document(root / doc["file"])
        gold = [
            Span(e["type"], m.start(), m.end())
            for e in doc.get("entities", [])
            for m in re.finditer(re.escape(e["value"]), text)
        ]
        negatives = [
            Span("NEGATIVE", m.start(), m.end())
            for v in doc.get("negatives", [])
            for m in re.finditer(re.escape(v), text)
        ]
        yield Example(id=doc["file"], text=text, gold=gold, negatives=negatives)


def read_labels(path: Path, read_document: Callable[[Path], str] | None = None) -> Iterator[Example]:
    """Pick the reader by shape: ``*.jsonl``, a presidio JSON list, or a labels.json object."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"labels file not found: {path}")
    if path.suffix == ".jsonl":
        return read_jsonl(path)
    head = path.read_text(encoding="utf-8").lstrip()[:1]
    if head == "[":
        return read_presidio_json(path)
    if read_document is None:
        raise ConfigError(f"{path}: value labels need a document reader")
    return read_value_labels(path, read_document)
