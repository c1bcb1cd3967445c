"""Spark helpers: scan, redact and route DataFrame columns with ``mapInPandas``.

    from redactor.spark import scan_columns, redact_columns, route_column, merge_audit

    scanned  = scan_columns(df, ["notes"])                        # + notes__entities, ...
    redacted = redact_columns(df, ["notes"], operator="replace")
    routed   = route_column(df, "notes", "Summarize.", id_column="ticket_id")
    routed.write.parquet(out)                                     # the models run here, once
    merge_audit(spark.read.parquet(out), configured_trail(settings))   # redactor.audit.configured_trail

Each helper is lazy (a ``mapInPandas`` step with an explicit output schema) and
runs ``redactor.frames`` on every Arrow batch of every partition.

**Settings** are resolved on the driver (config file, env) and travel to the
executors as a plain dict (``Settings.model_dump()``), with the policy loaded on
the driver and shipped the same way.  Secrets stay pydantic ``SecretStr``: they
cross to the executors inside the pickled task, and any repr or log shows
``**********``.  Executors never read ``REDACTOR_*`` settings from their own
environment; the one exception is the ``hmac``/``encrypt`` key, which
``Redactor`` reads from ``REDACTOR_REDACT_KEY`` on the executor (see docs/etl.md).

**One Scanner / Pipeline per executor process.**  Building a Scanner loads spaCy
and a Pipeline may load a GGUF model: seconds and hundreds of MB.  Doing that
per batch or per task would dominate the job, so each Python worker keeps what
it built in ``_CACHE``, keyed by a fingerprint of the settings (and policy)
that built it.  Spark reuses Python workers between tasks by default
(``spark.python.worker.reuse``), so a worker builds them once.  The cache is the
only module state; it is small (``CACHE_SIZE`` entries, least recently used
dropped) and only ever read and written under its lock.  A Pipeline's audit sink is
per partition: the cached one is never given a sink.

**Audit.**  Executors never open the audit trail (it is a file on the driver's
machine).  ``route_column`` puts each row's ``AuditEvent`` in a JSON column
``<column>__audit`` (counts, hashes, rule ids: never values), validated on the
executor; ``merge_audit`` appends those rows to an ``AuditTrail`` in a
deterministic order (run id, partition, row) and skips rows already merged, so
merging again after a failure never duplicates a record.  Because the events
ride in the output rows, a retried or speculative task attempt leaves exactly
one event per output row, but the model calls of a discarded attempt are not
audited: do not enable speculation for routing jobs.

**Every action re-runs the models**: write the routed DataFrame once and merge
the audit rows from what was written (or from a DataFrame persisted in
memory).  Avoid disk persistence: routed rows hold the text and the answers.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields, replace
from functools import partial
from itertools import islice
from typing import Any, TypeVar

try:
    import pandas as pd
    from pyspark.sql import DataFrame, Row
    from pyspark.sql import functions as F
    from pyspark.sql import types as T
except ImportError as e:  # pragma: no cover - depends on the install
    raise ImportError("redactor.spark needs pyspark, pandas and pyarrow: pip install 'redactor[spark]'") from e

from pydantic import BaseModel, SecretStr

from .audit.event import AuditEvent
from .audit.clock import utc_now
from .audit.trail import Trail
from .audit.validate import event_record
from .config import DEFAULT_MAX_TOKENS, AuditSettings, DetectSettings, Settings, load_settings
from .detect.scanner import Scanner
from .errors import AuditError, ConfigError, RedactorError
from .frames import SCAN_SUFFIXES, cell_text, redact_frame, route_columns, routed_rows, scan_frame
from .pipeline import Pipeline
from .policy import Policy, detect_for, load_policy
from .redact import KEY_ENV, OPERATORS, Redactor

__all__ = ["AUDIT_SUFFIX", "merge_audit", "redact_columns", "route_column", "scan_columns"]

#: The JSON audit column ``route_column`` adds: ``<column>__audit``.
AUDIT_SUFFIX = "__audit"
#: Keys of ``AuditEvent.extra`` that place an event in its Spark job.
PARTITION_KEY, ROW_KEY = "spark_partition", "spark_row"
CACHE_SIZE = 4

_TEXT_PREFIX = "__redactor_text_"  # temporary string copies of non-string input columns


# ----------------------------------------------------------------------------- settings on the wire


@dataclass(frozen=True)
class _Shipped:
    """What one helper call sends to the executors.  Its repr shows fingerprints only."""

    settings: dict[str, Any]  # Settings.model_dump(): secrets remain SecretStr
    policy: dict[str, Any] | None
    fingerprint: str  # settings + policy: keys the Pipeline
    detect_fingerprint: str  # detect settings only: keys the Scanner, shared by every helper

    def __repr__(self) -> str:
        return f"_Shipped(fingerprint={self.fingerprint[:12]}…)"


def _digest(value: Any) -> str:
    def plain(v: Any) -> str:
        if isinstance(v, SecretStr):  # the key matters to the fingerprint; only its hash enters it
            return "secret:" + hashlib.sha256(v.get_secret_value().encode()).hexdigest()
        return str(v)

    return hashlib.sha256(json.dumps(value, sort_keys=True, default=plain).encode()).hexdigest()


def _ship(settings: Settings | None, *, route: bool) -> _Shipped:
    """Only what the executors need: detection settings to scan and redact; for
    routing also cloud, local and the policy.  Never the audit settings (and key):
    executors do not touch the trail."""
    settings = settings if settings is not None else load_settings()
    dumped = settings.model_dump(exclude={"audit"} if route else None, include=None if route else {"detect"})
    policy = None
    if route:
        loaded = load_policy(settings.policy, settings.detect)  # a bad policy fails here, on the driver
        policy = loaded.model_dump()
        dumped["detect"] = detect_for(loaded, settings.detect).model_dump()
    return _Shipped(dumped, policy, _digest([dumped, policy]), _digest(dumped["detect"]))


def _settings(shipped: _Shipped) -> Settings:
    """Rebuild Settings without consulting the executor's environment or files."""
    parts: dict[str, Any] = {"audit": AuditSettings(enabled=False)}
    for name, info in Settings.model_fields.items():
        if name not in shipped.settings:
            continue
        value, kind = shipped.settings[name], info.annotation
        parts[name] = kind.model_validate(value) if isinstance(kind, type) and issubclass(kind, BaseModel) else value
    return Settings.model_construct(**parts)


# ----------------------------------------------------------------------------- the per-process cache

_T = TypeVar("_T")
_CACHE: OrderedDict[str, Any] = OrderedDict()
_CACHE_LOCK = threading.RLock()  # re-entrant: building a Pipeline fetches the cached Scanner


def _cached(key: str, build: Callable[[], _T]) -> _T:
    with _CACHE_LOCK:  # held while building: two threads must not load spaCy twice
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        value = build()
        _CACHE[key] = value
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
        return value


def _scanner(shipped: _Shipped) -> Scanner:
    return _cached(
        "scanner:" + shipped.detect_fingerprint,
        lambda: Scanner(DetectSettings.model_validate(shipped.settings["detect"])),
    )


def _pipeline(shipped: _Shipped, audit: Any, run_id: str) -> Pipeline:
    """A light Pipeline over the cached heavy parts, with this partition's sink and the job's run id."""

    def build() -> Pipeline:
        assert shipped.policy is not None
        return Pipeline(_settings(shipped), scanner=_scanner(shipped), policy=Policy.model_validate(shipped.policy))

    base = _cached("pipeline:" + shipped.fingerprint, build)
    return Pipeline(
        base.settings, scanner=base.scanner, policy=base.policy, cloud=base.cloud, local=base.local,
        audit=audit, run_id=run_id, source="spark",
    )


class _Scrubbed:
    """Turn unexpected exceptions into message-free ones on the executor.

    Spark logs a failed task's Python traceback and re-raises it on the driver;
    a third-party message (pandas, Arrow) can quote a cell.  redactor's own
    errors never carry values and pass through unchanged."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any) -> bool:
        if exc is None or not isinstance(exc, Exception) or isinstance(exc, RedactorError):
            return False
        raise RedactorError(f"{kind.__name__} while {self.what} (message withheld: it may quote data)") from None


# ----------------------------------------------------------------------------- helpers on the driver


def _check_columns(df: DataFrame, columns: Iterable[str]) -> list[str]:
    names = [columns] if isinstance(columns, str) else list(dict.fromkeys(columns))
    missing = [c for c in names if c not in df.columns]
    if missing:
        raise ConfigError(f"column(s) not in the DataFrame: {', '.join(map(repr, missing))}")
    dotted = [c for c in df.columns if "." in c or "`" in c]
    if dotted:  # mapInPandas resolves its input columns by unquoted name
        raise ConfigError(f"mapInPandas cannot read column names with dots or backticks: rename {', '.join(map(repr, dotted))}")
    return names


def _col(name: str) -> Any:
    """A column by its exact name (dots and backticks in names are not paths)."""
    return F.col("`" + name.replace("`", "``") + "`")


def _as_text(df: DataFrame, names: list[str]) -> tuple[DataFrame, dict[str, str]]:
    """String views of ``names``: string columns as they are, others cast (Spark's cast) under a temp name."""
    types = {f.name: f.dataType for f in df.schema.fields}
    text_of: dict[str, str] = {}
    for i, name in enumerate(names):
        if isinstance(types[name], T.StringType):
            text_of[name] = name
        else:
            text_of[name] = f"{_TEXT_PREFIX}{i}"
            df = df.withColumn(text_of[name], _col(name).cast("string"))
    return df, text_of


def _schema_plus(df: DataFrame, extra: list[T.StructField]) -> T.StructType:
    return T.StructType([f for f in df.schema.fields if not f.name.startswith(_TEXT_PREFIX)] + extra)


COUNTS = T.MapType(T.StringType(), T.IntegerType())


# ----------------------------------------------------------------------------- scan


def scan_columns(df: DataFrame, columns: Iterable[str], settings: Settings | None = None) -> DataFrame:
    """``df`` plus, per column ``c``: ``c__entities`` and ``c__categories``
    (``map<string,int>``) and ``c__max_score`` (double).  Null cells give nulls;
    non-string columns are scanned as Spark casts them to string."""
    names = _check_columns(df, columns)
    shipped = _ship(settings, route=False)
    df, text_of = _as_text(df, names)
    extra = []
    for c in names:
        extra += [T.StructField(c + SCAN_SUFFIXES[0], COUNTS), T.StructField(c + SCAN_SUFFIXES[1], COUNTS),
                  T.StructField(c + SCAN_SUFFIXES[2], T.DoubleType())]
    return df.mapInPandas(partial(_scan_batches, shipped, text_of), _schema_plus(df, extra))


def _scan_batches(shipped: _Shipped, text_of: dict[str, str], batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    with _Scrubbed("scanning a partition"):
        scanner = _scanner(shipped)
        for pdf in batches:
            scanned = scan_frame(pdf, list(set(text_of.values())), scanner)
            for name, text in text_of.items():
                for suffix in SCAN_SUFFIXES:
                    pdf[name + suffix] = scanned[text + suffix]
            yield pdf.drop(columns=[c for c in pdf.columns if c.startswith(_TEXT_PREFIX)])


# ----------------------------------------------------------------------------- redact


def redact_columns(
    df: DataFrame, columns: Iterable[str], operator: str = "replace", settings: Settings | None = None
) -> DataFrame:
    """``df`` with every finding in ``columns`` replaced by a Presidio operator
    (``replace``, ``mask``, ``hmac``, ``encrypt``).  Redacted columns become
    strings (non-string ones are cast first); nulls stay null.  ``hmac`` and
    ``encrypt`` read their key from ``REDACTOR_REDACT_KEY`` on each executor."""
    names = _check_columns(df, columns)
    if operator not in OPERATORS:
        raise ConfigError(f"unknown operator {operator!r}; choose one of {', '.join(OPERATORS)}")
    shipped = _ship(settings, route=False)
    for c in names:
        df = df.withColumn(c, _col(c).cast("string"))
    return df.mapInPandas(partial(_redact_batches, shipped, names, operator), df.schema)


def _redact_batches(shipped: _Shipped, names: list[str], operator: str, batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    with _Scrubbed("redacting a partition"):
        scanner = _scanner(shipped)
        Redactor(operator, KEY_ENV)  # a missing key fails the task before any batch is read
        for pdf in batches:
            yield redact_frame(pdf, names, operator, scanner)


# ----------------------------------------------------------------------------- route


@dataclass(frozen=True)
class _RouteJob:
    shipped: _Shipped
    column: str
    text_column: str
    id_column: str | None
    task: str = ""
    max_tokens: int = DEFAULT_MAX_TOKENS
    run_id: str = ""

    def __repr__(self) -> str:  # the task may be confidential too
        return f"_RouteJob(column={self.column!r}, run_id={self.run_id!r})"


def route_column(
    df: DataFrame,
    column: str,
    task: str,
    settings: Settings | None = None,
    id_column: str | None = None,
    *,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    run_id: str | None = None,
) -> DataFrame:
    """``df`` plus ``c__route``, ``c__reasons`` (array<string>), ``c__answer``,
    ``c__outcome`` (ok, blocked, error, skipped), ``c__error`` (error class) and
    ``c__audit`` (the row's AuditEvent as JSON; null for a null cell), for
    ``c = column``, routed through one Pipeline per executor process.

    Document ids are ``str(row[id_column])`` or ``"<column>#<partition>.<row>"``;
    the id column goes into the audit trail, so it must be a key, not personal
    data.  All rows of one call share one ``run_id`` (returned in the events).
    Lazy: the models run when an action runs, and again on every action."""
    names = _check_columns(df, [column] + ([id_column] if id_column else []))
    if not isinstance(task, str) or not task.strip():
        raise ConfigError("route_column needs a task (the instruction sent with every row)")
    shipped = _ship(settings, route=True)
    df, text_of = _as_text(df, names)
    c = names[0]
    extra = [
        T.StructField(c + "__route", T.StringType()),
        T.StructField(c + "__reasons", T.ArrayType(T.StringType())),
        T.StructField(c + "__answer", T.StringType()),
        T.StructField(c + "__outcome", T.StringType()),
        T.StructField(c + "__error", T.StringType()),
        T.StructField(c + AUDIT_SUFFIX, T.StringType()),
    ]
    job = _RouteJob(shipped, c, text_of[c], text_of.get(id_column) if id_column else None, task, max_tokens,
                    run_id or uuid.uuid4().hex[:16])
    return df.mapInPandas(partial(_route_batches, job), _schema_plus(df, extra))


class _CollectingSink:
    """The partition's audit sink: holds the events until their rows are emitted."""

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    def record(self, event: AuditEvent) -> None:
        self.events.append(event)


def _route_batches(job: _RouteJob, batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    from pyspark import TaskContext

    with _Scrubbed("routing a partition"):
        context = TaskContext.get()
        partition = context.partitionId() if context is not None else 0
        sink = _CollectingSink()
        pipeline = _pipeline(job.shipped, sink, job.run_id)
        row = 0
        for pdf in batches:
            keys = pdf[job.id_column].tolist() if job.id_column else [None] * len(pdf)
            ids = [cell_text(k) or f"{job.column}#{partition}.{row + i}" for i, k in enumerate(keys)]
            audits: list[str | None] = []

            def with_audit(results: Iterator[Any]) -> Iterator[Any]:
                nonlocal row
                for result in results:
                    audits.append(_audit_json(sink, partition, row) if result is not None else None)
                    row += 1
                    yield result

            rows = routed_rows(pipeline, pdf[job.text_column].tolist(), ids, job.task, max_tokens=job.max_tokens)
            for name, values in route_columns(job.column, with_audit(rows)).items():
                pdf[name] = pd.Series(values, index=pdf.index, dtype=object)
            pdf[job.column + AUDIT_SUFFIX] = pd.Series(audits, index=pdf.index, dtype=object)
            yield pdf.drop(columns=[c for c in pdf.columns if c.startswith(_TEXT_PREFIX)])


def _audit_json(sink: _CollectingSink, partition: int, row: int) -> str:
    """The one event the pipeline just recorded, placed in the job and validated here on the executor."""
    if len(sink.events) != 1:
        raise AuditError(f"expected one audit event per routed row, got {len(sink.events)}")
    event = sink.events.pop()
    event = replace(
        event, timestamp=event.timestamp or utc_now(), extra={**event.extra, PARTITION_KEY: partition, ROW_KEY: row}
    )
    event_record(event)  # AuditTrail's own validation: nothing content-like leaves the executor
    return json.dumps(event.to_dict(), sort_keys=True, ensure_ascii=False)


# ----------------------------------------------------------------------------- audit back on the driver

_EVENT_FIELDS = frozenset(f.name for f in fields(AuditEvent))


def merge_audit(audit: Any, trail: Trail, *, column: str | None = None) -> int:
    """Append the audit rows of ``route_column`` to ``trail``; returns how many were appended.

    ``audit`` is a Spark or pandas DataFrame with an ``<column>__audit`` column
    (found by its suffix when ``column`` is not given), or an iterable of JSON
    strings, dicts, ``AuditEvent``s or Rows.  Null entries (null cells) are
    ignored.  Records are appended in the order (run id, partition, row), so the
    same input always gives the same chain, and an event already in the trail
    (same run id, partition and row) is skipped: merging twice appends nothing.
    Spark input is sorted by Spark and streamed to the driver a partition at a time.
    """
    appended = 0
    for batch in _batched(_unmerged(_sorted_events(audit, column), trail), MERGE_BATCH):
        trail.record_many(batch)  # one commit per batch: a failed merge keeps whole batches, and reruns skip them
        appended += len(batch)
    return appended


#: Events appended per commit by ``merge_audit``.
MERGE_BATCH = 1000


def _unmerged(events: Iterable[AuditEvent], trail: Trail) -> Iterator[AuditEvent]:
    """The events whose (run id, partition, row) is not in ``trail`` yet, nor earlier in ``events``."""
    merged: dict[str, set[tuple[int, int]]] = {}  # run id -> (partition, row) already in the trail
    for event in events:
        place = _place(event)
        if place is not None:
            done = merged.get(event.run_id)
            if done is None:
                done = merged[event.run_id] = {
                    p for r in trail.iter_records(run_id=event.run_id) if (p := _place_of(r.get("extra"))) is not None
                }
            if place in done:
                continue
            done.add(place)
        yield event


def _batched(events: Iterable[AuditEvent], size: int) -> Iterator[list[AuditEvent]]:
    it = iter(events)
    while batch := list(islice(it, size)):
        yield batch


def _place_of(extra: Any) -> tuple[int, int] | None:
    if isinstance(extra, dict) and isinstance(extra.get(PARTITION_KEY), int) and isinstance(extra.get(ROW_KEY), int):
        return extra[PARTITION_KEY], extra[ROW_KEY]
    return None


def _place(event: AuditEvent) -> tuple[int, int] | None:
    return _place_of(event.extra)


def _order(event: AuditEvent) -> tuple[Any, ...]:
    place = _place(event) or (-1, -1)
    return (event.run_id, *place, event.document_id, event.timestamp)


def _audit_column(columns: Iterable[str], column: str | None) -> str:
    columns = list(columns)
    if column is not None:
        if column not in columns:
            raise ConfigError(f"column not in the audit rows: {column!r}")
        return column
    found = [c for c in columns if c.endswith(AUDIT_SUFFIX)]
    if len(found) != 1:
        raise ConfigError(f"pass column=: found {len(found)} columns ending in {AUDIT_SUFFIX!r}")
    return found[0]


def _sorted_events(audit: Any, column: str | None) -> Iterator[AuditEvent]:
    if isinstance(audit, DataFrame):
        name = _audit_column(audit.columns, column)
        a = _col(name)
        ordered = audit.select(a.alias("a")).where(a.isNotNull()).orderBy(
            F.get_json_object("a", "$.run_id"),
            F.get_json_object("a", f"$.extra.{PARTITION_KEY}").cast("long"),
            F.get_json_object("a", f"$.extra.{ROW_KEY}").cast("long"),
            F.get_json_object("a", "$.document_id"),
            F.get_json_object("a", "$.timestamp"),
        )
        # Spark sorts nulls first, as _order's -1 does, so both paths agree.
        for row in ordered.toLocalIterator():
            yield _event(row["a"])
        return
    if isinstance(audit, pd.DataFrame):
        audit = audit[_audit_column(audit.columns, column)].tolist()
    events = [_event(item, column) for item in audit]
    yield from sorted((e for e in events if e is not None), key=_order)


def _event(item: Any, column: str | None = None) -> AuditEvent | None:
    if isinstance(item, Row):
        d = item.asDict()
        item = d[_audit_column(d.keys(), column)]
    if item is None or (isinstance(item, float) and item != item):  # null, or NaN from pandas
        return None
    if isinstance(item, AuditEvent):
        return item
    try:
        d = json.loads(item) if isinstance(item, str) else dict(item)
    except (TypeError, ValueError):
        raise AuditError("audit row rejected: not an AuditEvent as JSON") from None
    if not isinstance(d, dict) or set(d) - _EVENT_FIELDS:
        raise AuditError("audit row rejected: not an AuditEvent (unexpected fields)")
    try:
        return AuditEvent(**d)
    except TypeError:
        raise AuditError("audit row rejected: not an AuditEvent (missing fields)") from None
