"""Redacted copies of files (``redactor redact``), and their inverse for ``encrypt``.

Where copies go: the tree under each folder named on the command line is
mirrored under ``--out`` (``in/a/b.txt`` → ``out/a/b.txt``), and a file named
directly goes to ``out/<its name>``; files already under ``--out`` are not
inputs.  Two inputs that would write the same
output path are refused before anything is written (``ConfigError``).

What a copy holds:

- CSV/TSV: a CSV/TSV with the same header and columns; only the cell text is
  redacted, and the csv module writes it back with the input's delimiter (and
  re-quotes a cell when its new text needs it).  Each row is scanned as the
  readers present it (``column: value`` lines, so a column name is context),
  every column, whatever ``ingest.csv_columns`` selects: a redacted copy must not
  keep values in the columns nobody listed.
- plain text (txt, md, log, no suffix): the same name, the text redacted.
- anything else (html, eml, pdf, docx, json, jsonl): the text the reader extracts,
  redacted, as ``<name>.txt``; records of a multi-record file one after another,
  each under a ``--- record N ---`` line.

Decrypting (``Redactor.decrypt``) maps the same way, file by file: CSV/TSV cell by
cell (a restored value may need quoting), any other file as text.
"""

from __future__ import annotations

import csv
import io
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from .config import IngestSettings
from .detect.findings import Finding
from .errors import ConfigError, CorruptDocument, IngestError
from .ingest.guards import check_text_bytes, decode_text, file_suffix, read_bytes, require_text, stat_size
from .ingest.readers import read_path
from .ingest.tabular import _dialect
from .ingest.walk import identity, iter_inputs
from .redact import Redactor

TABULAR = (".csv", ".tsv")
PLAIN = (".txt", ".text", ".md", ".markdown", ".log", "")


@dataclass(frozen=True)
class Copy:
    """One input file and the path of its copy under ``--out``."""

    source: Path
    target: Path


def plan_copies(paths: Iterable[Path | str], out: Path, *, keep_names: bool = False) -> list[Copy]:
    """Every input file with its output path, mirroring folders (see the module docstring).

    ``keep_names``: the copy keeps the input's name whatever its format (decrypting).
    Raises ``ConfigError`` naming both inputs when two map to the same output."""
    out = Path(out)
    inside_out = out.resolve()
    copies: list[Copy] = []
    taken: dict[str, Path] = {}
    for raw in paths:
        root = Path(raw)
        for file in iter_inputs([root]):
            if inside_out in identity(file).parents:
                continue  # --out inside an input folder: earlier copies are not inputs
            rel = file.relative_to(root) if root.is_dir() else Path(file.name)
            if not keep_names and file_suffix(file) not in TABULAR + PLAIN:
                rel = rel.with_name(rel.name + ".txt")
            target = out / rel
            key = os.path.normcase(str(target)).casefold()  # same file on a case-insensitive disk
            if key in taken and identity(taken[key]) != identity(file):
                raise ConfigError(
                    f"two inputs would be written to the same copy {target}: {taken[key]} and {file}; "
                    "redact them into separate --out folders or rename one"
                )
            if key not in taken:
                taken[key] = file
                copies.append(Copy(file, target))
    return copies


def _write(path: Path, text: str) -> None:
    from .rundir import _atomic_write

    _atomic_write(path, text)


# ----------------------------------------------------------------------------- redacting


class FileRedactor:
    """Writes redacted copies with one Scanner and one Redactor."""

    def __init__(self, scanner, redactor: Redactor, ingest: IngestSettings | None = None) -> None:
        self.scanner, self.redactor = scanner, redactor
        self.ingest = ingest or IngestSettings()

    def redact(self, copy: Copy) -> int:
        """Write ``copy.target``; returns how many documents (records) it held.  Raises ``IngestError``."""
        if file_suffix(copy.source) in TABULAR:
            return self._redact_table(copy)
        docs = read_path(copy.source, self.ingest)
        parts = []
        for n, result in enumerate(self.scanner.scan_many(docs), 1):
            text = self.redactor.redact(result.text, result.findings)
            parts.append(text if len(docs) == 1 else f"--- record {n} ---\n{text}\n")
        _write(copy.target, "\n".join(parts) if len(docs) > 1 else parts[0])
        return len(docs)

    def _redact_table(self, copy: Copy) -> int:
        table = _Table.read(copy.source, self.ingest)
        names = [h.strip() or f"column_{i}" for i, h in enumerate(table.header, 1)]
        pending: deque[tuple[list[str], list[tuple[int, int, int]]]] = deque()
        rows_done = 0

        def texts() -> Iterator[str]:
            for row in table.rows:
                text, where = _row_text(names, row)
                pending.append((row, where))
                yield text

        out = [table.header]
        for result in self.scanner.scan_many(texts()):
            row, where = pending.popleft()
            out.append(self._redact_row(row, where, result.findings))
            rows_done += 1
        _write(copy.target, table.render(out))
        return rows_done

    def _redact_row(self, row: list[str], where: list[tuple[int, int, int]], findings: Iterable[Finding]) -> list[str]:
        row = list(row)
        findings = list(findings)
        for col, start, end in where:
            lead = len(row[col]) - len(row[col].lstrip())
            inside = [
                replace(f, start=max(f.start, start) - start + lead, end=min(f.end, end) - start + lead)
                for f in findings
                if f.start < end and start < f.end
            ]
            if inside:
                row[col] = self.redactor.redact(row[col], inside)
        return row


def _row_text(names: list[str], row: list[str]) -> tuple[str, list[tuple[int, int, int]]]:
    """A row as the CSV reader presents it (``name: value`` lines), and where each
    cell's stripped value sits in that text: (column, start, end)."""
    lines: list[str] = []
    where: list[tuple[int, int, int]] = []
    pos = 0
    for i, cell in enumerate(row):
        value = cell.strip()
        if not value:
            continue
        prefix = f"{names[i] if i < len(names) else f'column_{i + 1}'}: "
        where.append((i, pos + len(prefix), pos + len(prefix) + len(value)))
        line = prefix + value
        lines.append(line)
        pos += len(line) + 1
    return "\n".join(lines), where


@dataclass
class _Table:
    header: list[str]
    rows: list[list[str]]
    dialect: type[csv.Dialect]
    newline: str

    @classmethod
    def read(cls, path: Path, ingest: IngestSettings) -> "_Table":
        stat_size(path, ingest.max_bytes)
        data = read_bytes(path, ingest.max_bytes)
        check_text_bytes(path, data)
        text, _notes = decode_text(data)
        require_text(path, text)
        tab = file_suffix(path) == ".tsv"
        dialect = _dialect(text, tab)
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), dialect=dialect))
        except csv.Error as e:
            raise CorruptDocument(path, f"CSV error: {e}") from None
        if not rows:
            raise IngestError(path, "no header row")
        return cls(rows[0], rows[1:], dialect, "\r\n" if b"\r\n" in data else "\n")

    def render(self, rows: list[list[str]]) -> str:
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, dialect=self.dialect, lineterminator=self.newline)
        writer.writerows(rows)
        return buf.getvalue()


# ----------------------------------------------------------------------------- decrypting


def decrypt_file(copy: Copy, redactor: Redactor, ingest: IngestSettings | None = None) -> None:
    """Write ``copy.target``: ``copy.source`` with the values ``encrypt`` wrote restored."""
    ingest = ingest or IngestSettings()
    if file_suffix(copy.source) in TABULAR:
        table = _Table.read(copy.source, ingest)
        rows = [[redactor.decrypt(c) for c in row] for row in [table.header, *table.rows]]
        _write(copy.target, table.render(rows))
        return
    stat_size(copy.source, ingest.max_bytes)
    data = read_bytes(copy.source, ingest.max_bytes)
    check_text_bytes(copy.source, data)
    text, _notes = decode_text(data)
    _write(copy.target, redactor.decrypt(text))


def each_copy(copies: Iterable[Copy], work: Callable[[Copy], object], on_error: Callable[[IngestError], None]) -> int:
    """Run ``work`` per copy; one file that fails goes to ``on_error`` and the rest go on.
    Returns how many succeeded."""
    done = 0
    for copy in copies:
        try:
            work(copy)
        except IngestError as e:
            on_error(e)
            continue
        except ConfigError as e:  # e.g. a value that does not decrypt: the file fails, named
            on_error(IngestError(copy.source, str(e)))
            continue
        done += 1
    return done
