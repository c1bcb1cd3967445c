"""Pick the reader for a file, run the guards, translate parser errors.

``read_path`` is the one entry point for files; ``read_text`` wraps an ETL
value.  Every failure is an ``IngestError`` subclass naming the file and the
reason, never its content:

- over ``max_bytes`` (checked with ``stat`` before reading) -> ``FileTooLarge``
- 0 bytes, whitespace only, or nothing extractable         -> ``EmptyDocument`` (skipped)
- NUL/control bytes in a text format or unknown suffix     -> ``BinaryFile`` (skipped)
- a suffix we do not read (text content)                   -> ``UnsupportedFormat``
- parser failure, encrypted PDF, zip bomb                   -> ``CorruptDocument``
- missing file, unreadable file or folder, broken symlink,
  FIFO/socket/device, unknown column/field                  -> ``IngestError``

``SKIPPED_INPUTS`` (empty, binary) have nothing to answer: the CLI and the
batch report them as ``skipped``, not as failures.

A file with no suffix is read as plain text when it looks like text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..config import IngestSettings
from ..errors import BinaryFile, CorruptDocument, EmptyDocument, IngestError, UnsupportedFormat
from .document import Document
from .guards import SNIFF_BYTES, check_text_bytes, file_suffix, looks_binary, read_bytes, stat_size
from .mail import read_eml
from .office import read_docx, read_pdf
from .tabular import read_csv, read_json, read_jsonl, read_tsv
from .text import read_html, read_plain
from .walk import iter_inputs

Reader = Callable[[Path, bytes, IngestSettings], Iterable[Document]]


@dataclass(frozen=True)
class _Format:
    name: str
    reader: Reader
    textual: bool  # run the binary sniff before parsing


_PLAIN = _Format("text", read_plain, True)
_FORMATS: dict[str, _Format] = {
    ".txt": _PLAIN,
    ".text": _PLAIN,
    ".md": _PLAIN,
    ".markdown": _PLAIN,
    ".log": _PLAIN,
    ".csv": _Format("csv", read_csv, True),
    ".tsv": _Format("tsv", read_tsv, True),
    ".json": _Format("json", read_json, True),
    ".jsonl": _Format("jsonl", read_jsonl, True),
    ".ndjson": _Format("jsonl", read_jsonl, True),
    ".html": _Format("html", read_html, True),
    ".htm": _Format("html", read_html, True),
    ".eml": _Format("email", read_eml, True),
    ".pdf": _Format("pdf", read_pdf, False),
    ".docx": _Format("docx", read_docx, False),
}

#: File suffixes ``read_path`` reads (lower case, with the dot).
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_FORMATS)
#: Inputs with nothing to answer (empty, binary): callers report them as skipped, not as failures.
SKIPPED_INPUTS: tuple[type[IngestError], ...] = (EmptyDocument, BinaryFile)


def read_path(path: Path | str, settings: IngestSettings | None = None) -> list[Document]:
    """Read one file into Documents: one for a text format, one per record for
    csv/tsv/json/jsonl.  Raises an ``IngestError`` subclass on any failure."""
    path = Path(path)
    settings = settings or IngestSettings()
    suffix = file_suffix(path)
    fmt = _FORMATS.get(suffix)
    stat_size(path, settings.max_bytes)

    if fmt is None:
        head = read_bytes(path, settings.max_bytes, limit=SNIFF_BYTES)
        if looks_binary(head):
            raise BinaryFile(path, "binary file skipped")
        if suffix:
            raise UnsupportedFormat(
                path, f"unsupported format {suffix!r} (supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})"
            )
        fmt = _PLAIN  # no suffix and looks like text: README, LICENSE, exported notes

    data = read_bytes(path, settings.max_bytes)
    if fmt.textual:
        check_text_bytes(path, data)
    try:
        return list(fmt.reader(path, data, settings))
    except IngestError:
        raise
    except Exception as e:  # the boundary: no third-party error escapes, and none quotes the file
        raise CorruptDocument(path, f"{fmt.name} reader failed ({type(e).__name__})") from None


def read_text(text: str, id: str = "<text>", source: str = "text") -> Document:
    """An ETL value as a Document (no guards: the caller owns the value)."""
    if not isinstance(text, str):
        raise TypeError(f"read_text expects str, got {type(text).__name__}")
    return Document(id=id, text=text, source=source)


def iter_documents(
    paths: Iterable[Path | str],
    settings: IngestSettings | None = None,
    on_error: Callable[[IngestError], None] | None = None,
) -> Iterator[Document]:
    """Documents from files and folders, one file at a time (memory bounded by
    ``max_bytes``).  A file that fails goes to ``on_error`` and the rest carry
    on; without ``on_error`` the first failure raises."""
    for path in iter_inputs(paths, settings):
        try:
            docs = read_path(path, settings)
        except IngestError as e:
            if on_error is None:
                raise
            on_error(e)
            continue
        yield from docs
