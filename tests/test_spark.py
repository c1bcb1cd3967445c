"""Spark helpers (redactor.spark) in local mode: local[2], bound to 127.0.0.1, no UI.

One SparkSession for the module.  Its JVM (and so every Python worker it forks)
gets a clean environment: no REDACTOR_*/OPENAI_* from the developer's shell, a
module REDACTOR_HOME, this interpreter as the workers' Python, and the redaction
key the executors read.  Routing goes to the recording OpenAI server on
127.0.0.1 and to a local model that does not exist (fail-closed), so no model
is loaded.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

pytest.importorskip("pandas", reason="the spark extra needs pandas")
pytest.importorskip("pyarrow", reason="the spark extra needs pyarrow")
pytest.importorskip("pyspark", reason="pyspark is not installed: pip install 'redactor[spark]'")
if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
    pytest.skip("Spark needs Java: apt-get install default-jre-headless", allow_module_level=True)

import pandas as pd  # noqa: E402
from pyspark.sql import SparkSession, types as T  # noqa: E402

from conftest import make_settings  # noqa: E402
from redactor.audit.event import AuditEvent  # noqa: E402
from redactor.audit.store import AuditTrail  # noqa: E402
from redactor.errors import AuditError, ConfigError, RedactorError  # noqa: E402
from redactor.frames import redact_frame  # noqa: E402
from redactor.spark import (  # noqa: E402
    _CACHE,
    PARTITION_KEY,
    ROW_KEY,
    _cached,
    _Scrubbed,
    merge_audit,
    redact_columns,
    route_column,
    scan_columns,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

NAME, SSN, EMAIL = "Dana Whitfield", "536-22-1987", "dana.whitfield@example.com"
VALUES = (NAME, "Dana", "Whitfield", SSN, EMAIL)
CLEAN = "The office move to the third floor is planned for next quarter."
TASK = "Summarize this document in one sentence."
EXECUTOR_KEY = "executor-redaction-key-0123456789"
ROWS = [
    ("T-1", f"Employee {NAME}, SSN {SSN}, starts on the payroll next month.", 7),
    ("T-2", CLEAN, 8),
    ("T-3", None, None),
    ("T-4", f"Please reply to {EMAIL} about the desk move.", 9),
    ("T-5", "Desks will be labelled by team before the move.", 10),
    ("T-6", None, 11),
]


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("spark")
    with pytest.MonkeyPatch.context() as mp:  # the JVM keeps the environment it starts with
        for name in list(os.environ):
            if name.startswith(("REDACTOR_", "OPENAI_")):
                mp.delenv(name)
        mp.setenv("REDACTOR_HOME", str(tmp / "home"))
        mp.setenv("REDACTOR_REDACT_KEY", EXECUTOR_KEY)
        mp.setenv("PYSPARK_PYTHON", sys.executable)
        mp.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
        session = (
            SparkSession.builder.master("local[2]")
            .appName("redactor-tests")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.default.parallelism", "2")
            .config("spark.sql.execution.arrow.maxRecordsPerBatch", "2")  # several batches per partition
            .config("spark.local.dir", str(tmp / "local"))
            .getOrCreate()
        )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def df(spark):
    return spark.sparkContext.parallelize(ROWS, 2).toDF("ticket string, notes string, code int")


def by_ticket(frame) -> dict[str, dict]:
    return {r["ticket"]: r.asDict() for r in frame.collect()}


def test_scan_columns(df):
    out = scan_columns(df, ["notes", "code"], make_settings())
    assert out.schema["notes__entities"].dataType == T.MapType(T.StringType(), T.IntegerType())
    assert out.schema["notes__max_score"].dataType == T.DoubleType()
    rows = by_ticket(out)
    assert rows["T-1"]["notes__entities"]["US_SSN"] == 1 and rows["T-1"]["notes__categories"]["PII"] >= 2
    assert rows["T-4"]["notes__entities"] == {"EMAIL_ADDRESS": 1} and rows["T-4"]["notes__max_score"] == 1.0
    assert (rows["T-2"]["notes__entities"], rows["T-2"]["notes__max_score"]) == ({}, 0.0)
    assert rows["T-3"]["notes__entities"] is None and rows["T-3"]["notes__max_score"] is None  # null in, null out
    assert rows["T-1"]["code"] == 7 and rows["T-1"]["code__entities"] == {}  # an int column, scanned as its string
    assert not [c for c in out.columns if c.startswith("__redactor")]


def test_one_scanner_per_executor_process(df, spark):
    many = spark.sparkContext.parallelize(ROWS, 6).toDF("ticket string, notes string, code int")
    scan_columns(many, ["notes"], make_settings()).collect()

    def probe(batches):
        import os as _os

        from redactor.spark import _CACHE as cache

        for _ in batches:
            pass
        kinds = [k.split(":")[0] for k in cache]
        yield pd.DataFrame({"pid": [_os.getpid()], "scanners": [kinds.count("scanner")]})

    seen = spark.range(0, 4, numPartitions=4).mapInPandas(probe, "pid long, scanners int").collect()
    assert max(r["scanners"] for r in seen) == 1  # one Scanner per process, however many tasks ran there


def test_redact_columns_leaves_no_value(df, monkeypatch):
    out = redact_columns(df, ["notes", "code"], settings=make_settings())
    assert out.schema["code"].dataType == T.StringType()  # a redacted column is text
    rows = by_ticket(out)
    assert "<US_SSN>" in rows["T-1"]["notes"] and rows["T-4"]["notes"] == "Please reply to <EMAIL_ADDRESS> about the desk move."
    assert rows["T-2"]["notes"] == CLEAN and rows["T-3"]["notes"] is None and rows["T-3"]["code"] is None
    assert not any(v in str(r) for r in rows.values() for v in VALUES)


def test_redact_columns_hmac_uses_the_executor_key(df, scanner, monkeypatch):
    rows = by_ticket(redact_columns(df, ["notes"], "hmac", make_settings()))
    monkeypatch.setenv("REDACTOR_REDACT_KEY", EXECUTOR_KEY)  # the same key, here on the driver
    local = redact_frame(pd.DataFrame({"notes": [r[1] for r in ROWS]}), ["notes"], "hmac", scanner)["notes"].tolist()
    assert [rows[t]["notes"] for t, _, _ in ROWS][:2] == local[:2] and "HMAC:" in local[0]
    with pytest.raises(ConfigError, match="unknown operator"):
        redact_columns(df, ["notes"], "shred", make_settings())


def test_route_column_and_merge_audit(df, openai_server, tmp_path):
    settings = make_settings(openai_server, local={"model": str(tmp_path / "absent.gguf")})
    routed = route_column(df, "notes", TASK, settings, id_column="ticket", max_tokens=32)
    assert routed.schema["notes__reasons"].dataType == T.ArrayType(T.StringType())
    written = tmp_path / "routed.parquet"
    routed.write.parquet(str(written))  # the one action that runs the models
    result = routed.sparkSession.read.parquet(str(written))
    rows = by_ticket(result)

    outcome = {t: (r["notes__route"], r["notes__outcome"]) for t, r in rows.items()}
    assert outcome == {
        "T-1": ("local", "error"), "T-2": ("cloud", "ok"), "T-3": (None, "skipped"),
        "T-4": ("local", "error"), "T-5": ("cloud", "ok"), "T-6": (None, "skipped"),
    }
    assert rows["T-1"]["notes__error"] in ("ModelNotFoundError", "LocalModelError") and rows["T-1"]["notes__answer"] is None
    assert rows["T-2"]["notes__answer"] and rows["T-3"]["notes__audit"] is None
    assert len(openai_server.chat_requests) == 2 and not any(openai_server.sent_anywhere(v) for v in VALUES)

    trail = AuditTrail(tmp_path / "audit.db")
    assert merge_audit(result, trail) == 4  # one record per routed row, none for nulls
    assert merge_audit(result, trail) == 0  # merging again appends nothing
    assert trail.verify().ok and trail.count() == 4
    records = trail.records()
    assert sorted(r["document_id"] for r in records) == ["T-1", "T-2", "T-4", "T-5"]
    assert len({r["run_id"] for r in records}) == 1
    assert {r["route"] for r in records} == {"local", "cloud"}
    places = [(r["extra"]["spark_partition"], r["extra"]["spark_row"]) for r in records]
    assert places == sorted(places)  # deterministic: partition, then row

    # the same audit rows, from pandas, in another order, make the same chain order
    other = AuditTrail(tmp_path / "other.db")
    shuffled = result.select("notes__audit").toPandas().iloc[::-1]
    assert merge_audit(shuffled, other) == 4
    assert [r["document_id"] for r in other.records()] == [r["document_id"] for r in records]

    trail.close()
    other.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("*.db*"))
    assert raw and not any(v.encode() in raw for v in VALUES)
    audit_json = [json.loads(r["notes__audit"]) for r in rows.values() if r["notes__audit"]]
    assert not any(v in json.dumps(a) for a in audit_json for v in VALUES)


def test_route_column_skips_blank_cells_and_records_them_as_skipped(spark, openai_server, tmp_path):
    settings = make_settings(openai_server, local={"model": str(tmp_path / "absent.gguf")})
    blank = spark.createDataFrame([("B-1", ""), ("B-2", " \n\t "), ("B-3", None)], "ticket string, notes string")
    rows = by_ticket(route_column(blank, "notes", TASK, settings, id_column="ticket", max_tokens=8))
    assert {t: (r["notes__route"], r["notes__outcome"], r["notes__error"]) for t, r in rows.items()} == {
        "B-1": (None, "skipped", "EmptyDocument"), "B-2": (None, "skipped", "EmptyDocument"), "B-3": (None, "skipped", ""),
    }
    assert openai_server.requests == []  # nothing blank is sent (and the missing local model was never asked)
    events = {t: json.loads(r["notes__audit"]) for t, r in rows.items() if r["notes__audit"]}
    assert {t: (e["outcome"], e["route"], e["error_class"]) for t, e in events.items()} == {
        "B-1": ("skipped", "none", "EmptyDocument"), "B-2": ("skipped", "none", "EmptyDocument"),
    }


def test_route_column_with_the_real_local_model(spark, local_model_path, tmp_path):
    settings = make_settings(local={"model": str(local_model_path), "n_ctx": 1024, "n_threads": 1, "temperature": 0.0})
    two = spark.createDataFrame([ROWS[0][:2], ROWS[1][:2]], "ticket string, notes string").coalesce(1)
    rows = by_ticket(route_column(two, "notes", TASK, settings, id_column="ticket", max_tokens=8))
    for ticket in ("T-1", "T-2"):  # no cloud configured: both answered in process by the executor's model
        assert (rows[ticket]["notes__route"], rows[ticket]["notes__outcome"]) == ("local", "ok")
        assert rows[ticket]["notes__answer"].strip()
    assert rows["T-2"]["notes__reasons"][-1] == "cloud-not-configured"
    event = json.loads(rows["T-1"]["notes__audit"])
    assert event["backend"] == "local" and event["tokens_out"] > 0
    assert event["model"] == Path(local_model_path).name  # a file name, never the path


def test_no_value_reaches_sparks_local_dir(spark):
    """Runs after the helpers above: the Python workers and merge_audit's sort leave no value on disk."""
    local = Path(spark.conf.get("spark.local.dir"))
    blobs = [p.read_bytes() for p in local.rglob("*") if p.is_file()]
    assert not any(v.encode() in b for b in blobs for v in VALUES)


def test_columns_are_checked_on_the_driver(df):
    with pytest.raises(ConfigError, match="'nope'"):
        scan_columns(df, ["notes", "nope"], make_settings())
    with pytest.raises(ConfigError, match="dots"):  # a mapInPandas limitation, named before the job starts
        redact_columns(df.withColumnRenamed("code", "code.v"), ["notes"], settings=make_settings())
    with pytest.raises(ConfigError, match="task"):
        route_column(df, "notes", " ", make_settings())


def test_merge_audit_rejects_rows_that_are_not_events(tmp_path):
    trail = AuditTrail(tmp_path / "audit.db")
    with pytest.raises(AuditError) as e:
        merge_audit([json.dumps({"run_id": "r", "text": NAME})], trail)
    assert NAME not in str(e.value) and trail.count() == 0


def test_unexpected_executor_errors_lose_their_message():
    with pytest.raises(RedactorError) as e:
        with _Scrubbed("scanning a partition"):
            raise ValueError(f"could not convert {SSN!r}")
    assert SSN not in str(e.value) and "ValueError" in str(e.value) and e.value.__suppress_context__
    with pytest.raises(ConfigError, match="a key"):  # redactor's own errors pass as they are
        with _Scrubbed("x"):
            raise ConfigError("needs a key")


def test_the_cache_builds_once_per_key_and_stays_small():
    built = []
    keep = dict(_CACHE)
    try:
        for key in ["a", "a", "b", "c", "d", "e", "a"]:
            _cached(f"probe:{key}", lambda key=key: built.append(key) or key)
        assert built == ["a", "b", "c", "d", "e", "a"]  # "a" was evicted by four newer keys, then rebuilt
        assert len(_CACHE) <= 4
    finally:
        _CACHE.clear()
        _CACHE.update(keep)


class _CountingTrail(AuditTrail):
    def __init__(self, path) -> None:
        super().__init__(path)
        self.writes = 0

    def record(self, event):
        self.writes += 1
        return super().record(event)

    def record_many(self, events):
        self.writes += 1
        return super().record_many(events)


def test_merge_audit_appends_in_batches_and_a_rerun_appends_nothing(tmp_path):
    """2,500 events are 3 commits, not 2,500; the chain still verifies and keeps (run, partition, row) order."""
    events = [AuditEvent(run_id="run-1", document_id=f"doc-{n}", document_sha256="0" * 64, document_size=10,
                         entity_counts={}, category_counts={}, top_scores={}, route="local", reasons=[],
                         policy_version="p", outcome="ok", extra={PARTITION_KEY: n % 7, ROW_KEY: n})
              for n in range(2500)]
    trail = _CountingTrail(tmp_path / "audit.db")
    assert merge_audit(reversed(events), trail) == 2500
    assert trail.writes == 3 and trail.verify().ok
    places = [(r["extra"][PARTITION_KEY], r["extra"][ROW_KEY]) for r in trail.iter_records()]
    assert places == sorted(places)
    assert merge_audit(events, trail) == 0 and trail.writes == 3
