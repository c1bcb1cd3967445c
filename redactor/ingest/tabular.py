"""Record formats: CSV/TSV rows and JSON/JSONL records, one Document each.

A record's text is ``name: value`` lines (column name or dotted JSON path), so
detection sees the field name as context.  Empty values are left out, and a
record with no text at all yields no Document; a file where every record is
empty is an ``EmptyDocument``.

``Document.id`` is ``<path>#<n>`` with ``n`` the 1-based record number (CSV data
rows, not counting the header; JSONL records, not counting blank lines), or
``<path>#<key>`` when a key column/field is given and the record has a value.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..config import IngestSettings
from ..errors import CorruptDocument, EmptyDocument, IngestError
from .document import Document
from .guards import decode_text, require_text

_SNIFF_CHARS = 64 * 1024


def key_field(settings: IngestSettings) -> str | None:
    # ``IngestSettings.key_field`` is optional so this works before config grows the field.
    return getattr(settings, "key_field", None) or None


# ---------------------------------------------------------------- CSV / TSV


def read_csv(path: Path, data: bytes, settings: IngestSettings) -> Iterator[Document]:
    yield from _read_delimited(path, data, settings, tab=False)


def read_tsv(path: Path, data: bytes, settings: IngestSettings) -> Iterator[Document]:
    yield from _read_delimited(path, data, settings, tab=True)


def _dialect(text: str, tab: bool) -> type[csv.Dialect]:
    """Excel CSV, unless its header is a single column and the Sniffer finds a
    better delimiter (European ``;`` files, pipes).  Only the delimiter is taken
    from the Sniffer: its quoting guesses are less reliable than the defaults."""
    if tab:
        return csv.excel_tab
    sample = text[:_SNIFF_CHARS]
    header = next(csv.reader(io.StringIO(sample)), [])
    if len(header) > 1:
        return csv.excel
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return csv.excel
    return type("sniffed", (csv.excel,), {"delimiter": delimiter})


def _read_delimited(path: Path, data: bytes, settings: IngestSettings, tab: bool) -> Iterator[Document]:
    text, notes = decode_text(data)
    require_text(path, text)
    source = "tsv" if tab else "csv"
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_dialect(text, tab))
    try:
        header = next(reader)
    except csv.Error as e:
        raise CorruptDocument(path, f"CSV error on line {reader.line_num}: {e}") from None
    names = [h.strip() or f"column_{i}" for i, h in enumerate(header, 1)]

    wanted = list(settings.csv_columns)
    key = key_field(settings)
    missing = [c for c in [*wanted, *([key] if key else [])] if c not in names]
    if missing:
        listed = ", ".join(map(repr, missing))
        raise IngestError(path, f"column(s) {listed} not found; columns are {', '.join(names)}")
    index = {n: i for i, n in reversed(list(enumerate(names)))}  # first occurrence wins
    picks = [(c, index[c]) for c in wanted] if wanted else [(n, i) for i, n in enumerate(names)]

    rows = 0
    emitted = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise CorruptDocument(path, f"CSV error on line {reader.line_num}: {e}") from None
        if not row or not any(v.strip() for v in row):
            continue  # blank line
        rows += 1
        cells = picks
        if not wanted and len(row) > len(names):  # ragged row: keep the extra values too
            cells = picks + [(f"column_{i}", i - 1) for i in range(len(names) + 1, len(row) + 1)]
        lines = [f"{name}: {row[i].strip()}" for name, i in cells if i < len(row) and row[i].strip()]
        if not lines:
            continue
        rec_key = row[index[key]].strip() if key and index[key] < len(row) else ""
        emitted += 1
        yield Document(id=f"{path}#{rec_key or rows}", text="\n".join(lines), source=source, notes=notes)
    if not rows:
        raise EmptyDocument(path, "no data rows")
    if not emitted:
        raise EmptyDocument(path, "no text in any row" + (" for the selected columns" if wanted else ""))


# ---------------------------------------------------------------- JSON / JSONL


def read_json(path: Path, data: bytes, settings: IngestSettings) -> Iterator[Document]:
    text, notes = decode_text(data)
    require_text(path, text)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise CorruptDocument(path, f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
    except RecursionError:
        raise CorruptDocument(path, "JSON nested too deeply") from None
    records = doc if isinstance(doc, list) else [doc]
    yield from _json_records(path, ((n, r) for n, r in enumerate(records, 1)), settings, "json", notes)


def read_jsonl(path: Path, data: bytes, settings: IngestSettings) -> Iterator[Document]:
    text, notes = decode_text(data)
    require_text(path, text)

    def records() -> Iterator[tuple[int, Any]]:
        n = 0
        for lineno, line in enumerate(text.split("\n"), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise CorruptDocument(path, f"invalid JSON on line {lineno}: {e.msg}") from None
            except RecursionError:
                raise CorruptDocument(path, f"JSON nested too deeply on line {lineno}") from None
            n += 1
            yield n, record

    yield from _json_records(path, records(), settings, "jsonl", notes)


def _json_records(
    path: Path, records: Iterator[tuple[int, Any]], settings: IngestSettings, source: str, notes: tuple[str, ...]
) -> Iterator[Document]:
    fields = list(settings.json_fields)
    key = key_field(settings)
    seen_fields: set[str] = set()
    count = emitted = 0
    for n, record in records:
        count += 1
        try:
            if fields:
                lines = []
                for f in fields:
                    values = list(_resolve(record, f.split(".")))
                    if values:
                        seen_fields.add(f)
                    for v in values:
                        lines.extend(_leaf_lines(v, f))
            else:
                lines = list(_leaf_lines(record, ""))
        except RecursionError:
            raise CorruptDocument(path, f"JSON nested too deeply in record {n}") from None
        if not lines:
            continue
        rec_key = ""
        if key:
            found = [v for v in _resolve(record, key.split(".")) if _is_scalar(v)]
            rec_key = str(found[0]).strip() if found else ""
        emitted += 1
        yield Document(id=f"{path}#{rec_key or n}", text="\n".join(lines), source=source, notes=notes)
    if not count:
        raise EmptyDocument(path, "no records")
    missing = [f for f in fields if f not in seen_fields]
    if missing:
        raise IngestError(path, f"field(s) {', '.join(map(repr, missing))} not found in any record")
    if not emitted:
        raise EmptyDocument(path, "no text in any record")


def _is_scalar(v: Any) -> bool:
    return isinstance(v, (str, int, float)) and not isinstance(v, bool)


def _resolve(node: Any, parts: list[str]) -> Iterator[Any]:
    """Values at a dotted path.  Lists along the way are walked element by element;
    a key that itself contains dots is matched before descending."""
    if not parts:
        yield node
        return
    if isinstance(node, list):
        for item in node:
            yield from _resolve(item, parts)
    elif isinstance(node, dict):
        for cut in range(len(parts), 0, -1):
            name = ".".join(parts[:cut])
            if name in node:
                yield from _resolve(node[name], parts[cut:])
                return


def _leaf_lines(node: Any, prefix: str) -> Iterator[str]:
    """``path: value`` for every string or number leaf (numbers too: account
    numbers and phone numbers are often stored as numbers)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaf_lines(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaf_lines(v, f"{prefix}.{i}" if prefix else str(i))
    elif _is_scalar(node):
        value = str(node).strip()
        if value:
            yield f"{prefix}: {value}" if prefix else value
