"""pandas helpers: scan, redact and route chosen columns of a DataFrame.

    from redactor.frames import scan_frame, redact_frame, route_frame

    scanned  = scan_frame(df, ["notes"], scanner=scanner)       # + notes__entities, ...
    redacted = redact_frame(df, ["notes"], operator="hmac")     # a copy, values replaced
    routed   = route_frame(df, "notes", "Summarize.", pipeline, id_column="ticket_id")

Cells go through ``Scanner.scan_many`` one column at a time, a batch at a time
(``DetectSettings.batch_size``), so the findings held in memory are bounded by
one batch; the outputs are plain lists as long as the frame.

What a cell may hold:

- null (``None``, ``NaN``, ``pd.NA``, ``NaT``): skipped, never scanned or sent.
  Its output columns are null and a redacted copy keeps it null.
- a string: used as it is ("" scans clean; ``route_frame`` skips blank text as
  ``Pipeline.process`` does: nothing sent, outcome ``skipped``, one audit record).
- anything else (numbers, dates, bytes, lists): scanned as ``str(value)``
  (bytes as UTF-8).  ``redact_frame`` replaces such a cell by its redacted
  string only when something was found, and otherwise keeps the value and type.

Nothing here logs, and errors name columns and classes, never cell values.
``redactor.spark`` runs these same functions inside ``mapInPandas``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pandas as pd

from .config import DEFAULT_MAX_TOKENS
from .detect.scanner import Scanner
from .errors import ConfigError
from .ingest.document import Document
from .pipeline import Pipeline, Result
from .redact import KEY_ENV, Redactor

__all__ = ["SCAN_SUFFIXES", "ROUTE_SUFFIXES", "scan_frame", "redact_frame", "route_frame"]

#: Columns ``scan_frame`` adds per scanned column ``c``: ``c + suffix``.
SCAN_SUFFIXES = ("__entities", "__categories", "__max_score")
#: Columns ``route_frame`` adds for the routed column ``c``.
ROUTE_SUFFIXES = ("__route", "__reasons", "__answer", "__outcome", "__error")

#: ``<col>__outcome`` of a null or blank cell: nothing was decided or sent.
SKIPPED = "skipped"


# ----------------------------------------------------------------------------- cells


def cell_text(value: Any) -> str | None:
    """The text a cell contributes, or ``None`` for a null cell (see the module docstring)."""
    if value is None or isinstance(value, str):
        return value
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def _require_columns(df: pd.DataFrame, columns: Iterable[str]) -> list[str]:
    if isinstance(columns, str):  # a lone name, not its characters
        columns = [columns]
    names = list(dict.fromkeys(columns))
    missing = [c for c in names if c not in df.columns]
    if missing:
        raise ConfigError(f"column(s) not in the DataFrame: {', '.join(map(repr, missing))}")
    return names


def _scans(scanner: Scanner, values: Sequence[Any], batch_size: int | None) -> Iterator[tuple[int, Any]]:
    """(position, ScanResult) for every non-null cell, streamed a batch at a time."""
    pending: deque[int] = deque()  # positions fed to scan_many and not yet yielded: at most one batch

    def feed() -> Iterator[str]:
        for i, value in enumerate(values):
            text = cell_text(value)
            if text is not None:
                pending.append(i)
                yield text

    for result in scanner.scan_many(feed(), batch_size=batch_size):
        yield pending.popleft(), result


# ----------------------------------------------------------------------------- scan


def scan_frame(
    df: pd.DataFrame, columns: Iterable[str], scanner: Scanner | None = None, *, batch_size: int | None = None
) -> pd.DataFrame:
    """A copy of ``df`` with, per column ``c``: ``c__entities`` (dict entity type → count),
    ``c__categories`` (dict category → count) and ``c__max_score`` (float, 0.0 when
    nothing was found).  Null cells give null in all three.

    Build one ``Scanner`` and pass it: building one loads spaCy (seconds).
    """
    names = _require_columns(df, columns)
    scanner = scanner or Scanner()
    out = df.copy()
    for col in names:
        entities: list[dict[str, int] | None] = [None] * len(df)
        categories: list[dict[str, int] | None] = [None] * len(df)
        scores: list[float] = [float("nan")] * len(df)
        for i, result in _scans(scanner, df[col].tolist(), batch_size):
            entities[i] = result.counts_by_type()
            categories[i] = result.counts_by_category()
            scores[i] = max((f.score for f in result.findings), default=0.0)
        out[col + "__entities"] = pd.Series(entities, index=df.index, dtype=object)
        out[col + "__categories"] = pd.Series(categories, index=df.index, dtype=object)
        out[col + "__max_score"] = pd.Series(scores, index=df.index, dtype="float64")
    return out


# ----------------------------------------------------------------------------- redact


def redact_frame(
    df: pd.DataFrame,
    columns: Iterable[str],
    operator: str = "replace",
    scanner: Scanner | None = None,
    *,
    key_env: str = KEY_ENV,
    batch_size: int | None = None,
    key: str | bytes | None = None,
) -> pd.DataFrame:
    """A copy of ``df`` with every finding in ``columns`` replaced by a Presidio operator:
    ``replace`` (``<PERSON>``), ``mask``, ``hmac`` or ``encrypt`` (the key is ``key``,
    else the environment variable ``key_env``).

    The operator (and its key) is checked before any cell is read.  Other
    columns are copied unchanged: redact every column that may hold values.
    """
    names = _require_columns(df, columns)
    redactor = Redactor(operator, key_env, key=key)  # fails fast on a bad operator or a missing key
    scanner = scanner or Scanner()
    out = df.copy()
    for col in names:
        values = df[col].tolist()
        changed = False
        for i, result in _scans(scanner, values, batch_size):
            if result.findings:
                values[i] = redactor.redact(result.text, result.findings)
                changed = True
        if changed:
            keep = pd.api.types.is_string_dtype(df[col].dtype) and not pd.api.types.is_object_dtype(df[col].dtype)
            out[col] = pd.Series(values, index=df.index, dtype=df[col].dtype if keep else object)
    return out


# ----------------------------------------------------------------------------- route


def routed_rows(
    pipeline: Pipeline, texts: Iterable[Any], ids: Iterable[str], task: str, *, max_tokens: int = DEFAULT_MAX_TOKENS
) -> Iterator[Result | None]:
    """``Pipeline.process`` per cell, in order; ``None`` for a null cell (nothing decided, sent
    or audited).  Exactly one audit event per other cell, a blank one included (``skipped``)."""
    for value, doc_id in zip(texts, ids, strict=True):
        text = cell_text(value)
        if text is None:
            yield None
            continue
        yield pipeline.process(Document(id=doc_id, text=text, source="dataframe"), task, max_tokens=max_tokens)


def route_columns(column: str, results: Iterable[Result | None]) -> dict[str, list[Any]]:
    """The ``ROUTE_SUFFIXES`` columns for results (``None`` = a null cell), built as they stream in."""
    out: dict[str, list[Any]] = {column + s: [] for s in ROUTE_SUFFIXES}
    for r in results:
        out[column + "__route"].append(None if r is None or r.outcome == SKIPPED else r.route)
        out[column + "__reasons"].append(r.reasons if r else [])
        out[column + "__answer"].append(r.answer if r else None)
        out[column + "__outcome"].append(r.outcome if r else SKIPPED)
        out[column + "__error"].append(r.error_class if r else "")
    return out


def route_frame(
    df: pd.DataFrame,
    column: str,
    task: str,
    pipeline: Pipeline,
    *,
    id_column: str | None = None,
    max_tokens: int = DEFAULT_MAX_TOKENS,
) -> pd.DataFrame:
    """A copy of ``df`` with ``column`` routed row by row through ``pipeline``:

    - ``c__route``: cloud, cloud_redacted, local, blocked (``None`` when skipped)
    - ``c__reasons``: the decision's rule ids (list of str)
    - ``c__answer``: the answer, re-identified (``None`` when blocked, failed or skipped)
    - ``c__outcome``: ok, blocked, error or skipped (a null or blank cell)
    - ``c__error``: the error class when the outcome is error, ``EmptyDocument`` for a blank cell, else ""

    Each processed row is one audit record in ``pipeline.audit`` (if any), with
    document id ``str(row[id_column])`` or ``"<column>#<index label>"``.  The id
    column is stored in the audit trail: use a record key, never personal data.
    Null and blank cells are skipped and nothing is sent; a blank cell leaves an
    audit record (outcome skipped), a null one none.
    """
    names = _require_columns(df, [column] + ([id_column] if id_column else []))
    col = names[0]
    if id_column:
        keys = [cell_text(v) for v in df[id_column].tolist()]
    else:
        keys = [None] * len(df)
    ids = [k if k else f"{col}#{label}" for k, label in zip(keys, df.index)]
    results = routed_rows(pipeline, df[col].tolist(), ids, task, max_tokens=max_tokens)
    out = df.copy()
    for name, values in route_columns(col, results).items():
        out[name] = pd.Series(values, index=df.index, dtype=object)
    return out
