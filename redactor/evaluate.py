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
- the PhysioNet deid corpus' own format, a folder with ``id.text`` (notes between
  ``START_OF_RECORD=<patient>||||<note>||||`` and ``||||END_OF_RECORD``) and ``id-phi.phrase``
  (``<patient> <note> <start> <end> <type> <phrase>`` a line, offsets into the note)
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .errors import ConfigError, IngestError

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


class _Labels:
    """Where a label record came from, for errors that name the file, the record and the problem."""

    def __init__(self, path: Path, where: str) -> None:
        self.path, self.where = path, where

    def fail(self, problem: str) -> ConfigError:
        return ConfigError(f"{self.path}: {self.where}: {problem}")

    def field(self, rec: object, key: str, kind: type | tuple[type, ...], name: str = "") -> object:
        name = name or key
        if not isinstance(rec, dict):
            raise self.fail(f"expected an object, got {_kind(rec)}")
        if key not in rec:
            raise self.fail(f"missing key {name!r}")
        value = rec[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            want = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
            raise self.fail(f"{name!r} must be {want}, got {_kind(value)}")
        return value

    def spans(self, rec: dict, text: str, keys: tuple[str, str]) -> list[Span]:
        raw = rec.get("spans", [])
        if not isinstance(raw, list):
            raise self.fail(f"'spans' must be a list, got {_kind(raw)}")
        out = []
        for i, s in enumerate(raw):
            where = f"spans[{i}]"
            if not isinstance(s, dict):
                raise self.fail(f"{where} must be an object, got {_kind(s)}")
            etype = self.field(s, "entity_type", str, f"{where}.entity_type")
            start = self.field(s, keys[0], int, f"{where}.{keys[0]}")
            end = self.field(s, keys[1], int, f"{where}.{keys[1]}")
            assert isinstance(etype, str) and isinstance(start, int) and isinstance(end, int)
            if not 0 <= start < end <= len(text):
                raise self.fail(
                    f"{where} is out of range: {keys[0]}={start}, {keys[1]}={end} for a text of {len(text)} characters"
                    " (need 0 <= start < end <= length)"
                )
            out.append(Span(etype, start, end))
        return out


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _load_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise ConfigError(f"{path}: not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})") from None


def read_presidio_json(path: Path) -> Iterator[Example]:
    path = Path(path)
    data = _load_json(path)
    if not isinstance(data, list):
        raise ConfigError(f"{path}: expected a JSON list of {{full_text, spans}} records, got {_kind(data)}")
    for i, rec in enumerate(data):
        where = _Labels(path, f"record {i + 1}")
        text = where.field(rec, "full_text", str)
        assert isinstance(text, str) and isinstance(rec, dict)
        yield Example(id=f"{path}#{i + 1}", text=text, gold=where.spans(rec, text, ("start_position", "end_position")))


def read_jsonl(path: Path) -> Iterator[Example]:
    path = Path(path)
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            where = _Labels(path, f"line {n}")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise where.fail("not UTF-8 text") from None
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise where.fail(f"not valid JSON (column {e.colno}: {e.msg})") from None
            text = where.field(rec, "text", str)
            assert isinstance(text, str) and isinstance(rec, dict)
            yield Example(id=f"{path}#{n}", text=text, gold=where.spans(rec, text, ("start", "end")))


def read_value_labels(path: Path, read_document: Callable[[Path], str]) -> Iterator[Example]:
    """sample_docs-style labels: values per file, located in the text the reader extracts."""
    path = Path(path)
    data = _load_json(path)
    top = _Labels(path, "top level")
    if not isinstance(data, dict):
        raise top.fail(f"expected an object with 'documents', got {_kind(data)}")
    docs = top.field(data, "documents", list)
    root = (path.parent / str(data.get("root", "."))).resolve()
    assert isinstance(docs, list)
    for i, doc in enumerate(docs):
        where = _Labels(path, f"documents[{i}]")
        name = where.field(doc, "file", str)
        assert isinstance(name, str) and isinstance(doc, dict)
        entities = doc.get("entities", [])
        negatives = doc.get("negatives", [])
        if not isinstance(entities, list):
            raise where.fail(f"'entities' must be a list, got {_kind(entities)}")
        if not isinstance(negatives, list) or not all(isinstance(v, str) and v for v in negatives):
            raise where.fail("'negatives' must be a list of non-empty strings")
        values = []
        for j, e in enumerate(entities):
            etype = where.field(e, "type", str, f"entities[{j}].type")
            value = where.field(e, "value", str, f"entities[{j}].value")
            if not value:
                raise where.fail(f"entities[{j}].value is empty")
            values.append((etype, value))
        try:
            text = read_document(root / name)
        except IngestError as e:
            raise where.fail(f"cannot read {e.path}: {e.reason}") from None
        gold = [Span(t, m.start(), m.end()) for t, v in values for m in re.finditer(re.escape(v), text)]
        negs = [Span("NEGATIVE", m.start(), m.end()) for v in negatives for m in re.finditer(re.escape(v), text)]
        yield Example(id=name, text=text, gold=gold, negatives=negs)


_PHYSIONET_NOTE = re.compile(r"START_OF_RECORD=(\d+)\|\|\|\|(\d+)\|\|\|\|\n(.*?)\|\|\|\|END_OF_RECORD", re.S)


def read_physionet(folder: Path) -> Iterator[Example]:
    """Each note of a PhysioNet deid folder, its PHI phrases as gold spans of the corpus' types
    (``HCPName``, ``PTName``, ``Location``, ``Date``, ``DateYear``, ``Phone``, ``Age``, …)."""
    folder = Path(folder)
    try:
        raw = (folder / "id.text").read_text(encoding="utf-8", errors="replace")
        phrases = (folder / "id-phi.phrase").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as e:
        raise ConfigError(f"{folder}: not a PhysioNet deid folder (id.text and id-phi.phrase): {e.strerror}") from None
    notes = {(p, n): text for p, n, text in _PHYSIONET_NOTE.findall(raw)}
    gold: dict[tuple[str, str], list[Span]] = defaultdict(list)
    for i, line in enumerate(phrases, 1):
        parts = line.split(" ", 5)
        where = _Labels(folder / "id-phi.phrase", f"line {i}")
        if len(parts) < 5 or not parts[2].isdigit() or not parts[3].isdigit():
            raise where.fail("expected '<patient> <note> <start> <end> <type> <phrase>'")
        key, start, end = (parts[0], parts[1]), int(parts[2]), int(parts[3])
        if key not in notes or not 0 <= start < end <= len(notes[key]):
            raise where.fail(f"no note {parts[0]}/{parts[1]} holds characters {start}-{end}")
        gold[key].append(Span(parts[4], start, end))
    for key, text in notes.items():
        yield Example(id=f"{key[0]}/{key[1]}", text=text, gold=gold.get(key, []))


def read_labels(path: Path, read_document: Callable[[Path], str] | None = None) -> Iterator[Example]:
    """Pick the reader by shape: a PhysioNet deid folder, ``*.jsonl``, a presidio JSON list, or a labels.json object.

    A malformed file raises ``ConfigError`` naming the file, the line or record
    and the problem (bad JSON, a missing key, a wrong type, a span out of range)."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"labels file not found: {path}")
    if path.is_dir():
        return read_physionet(path)
    if path.suffix == ".jsonl":
        return read_jsonl(path)
    with open(path, "rb") as fh:
        head = fh.read(4096).lstrip()[:1]
    if head == b"[":
        return read_presidio_json(path)
    if read_document is None:
        raise ConfigError(f"{path}: value labels need a document reader")
    return read_value_labels(path, read_document)
