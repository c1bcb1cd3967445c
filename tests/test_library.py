"""The library as an ETL script uses it: document ids, reasons, one max_tokens default,
process_many on the worker pool, and the typing marker."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from redactor.config import DEFAULT_MAX_TOKENS
from redactor.errors import ConfigError
from redactor.ingest.document import Document
from conftest import ListSink

CLEAN = "The office move to the third floor is planned for next quarter. Desks will be labelled by team."
SENSITIVE = "Employee Dana Whitfield, SSN 536-22-1987, starts on the payroll next month."
REDACTABLE = "Please ask Dana Whitfield to call 212-555-0187 about the desk move."
TASK = "Summarize this document in one sentence."


# ----------------------------------------------------------------------------- document ids


def test_process_takes_a_document_id_for_the_result_and_the_audit(make_pipeline, missing_local_model):
    sink = ListSink()
    pipeline = make_pipeline(local=missing_local_model, audit=sink)
    a = pipeline.process(CLEAN, TASK, id="orders#17")
    b = pipeline.process(SENSITIVE, TASK, document_id="orders#18")
    c = pipeline.process(CLEAN, TASK)  # unchanged without one
    d = pipeline.process(Document(id="mine", text=CLEAN), TASK, id="orders#19")
    assert [r.document_id for r in (a, b, c, d)] == ["orders#17", "orders#18", "<text>", "orders#19"]
    assert [e.document_id for e in sink.events] == ["orders#17", "orders#18", "<text>", "orders#19"]


def test_process_refuses_two_different_ids(make_pipeline, missing_local_model):
    pipeline = make_pipeline(local=missing_local_model)
    with pytest.raises(ConfigError, match="id= or document_id="):
        pipeline.process(CLEAN, TASK, id="a", document_id="b")
    with pytest.raises(ConfigError, match="non-empty string"):
        pipeline.process(CLEAN, TASK, id=17)


def test_process_many_ids(make_pipeline, missing_local_model):
    sink = ListSink()
    pipeline = make_pipeline(local=missing_local_model, audit=sink)
    got = [r.document_id for r in pipeline.process_many([CLEAN, SENSITIVE], TASK, ids=["r1", "r2"])]
    assert got == ["r1", "r2"]
    got = [r.document_id for r in pipeline.process_many([CLEAN, Document(id="kept", text=CLEAN), CLEAN], TASK)]
    assert got == ["<text>#1", "kept", "<text>#3"]
    assert [e.document_id for e in sink.events] == ["r1", "r2", "<text>#1", "kept", "<text>#3"]
    with pytest.raises(ConfigError, match="ids ran out at document 2"):
        list(pipeline.process_many([CLEAN, CLEAN], TASK, ids=["only-one"]))
    with pytest.raises(ConfigError, match="more ids than documents"):
        list(pipeline.process_many([CLEAN], TASK, ids=["a", "b"]))


# ----------------------------------------------------------------------------- empty text (issue 16)


def test_empty_or_blank_text_is_skipped_recorded_and_never_sent(make_pipeline, openai_server, missing_local_model):
    sink = ListSink()
    pipeline = make_pipeline(local=missing_local_model, audit=sink)
    results = list(pipeline.process_many(["", CLEAN, " \n\t "], TASK, ids=["r1", "r2", "r3"]))
    results.append(pipeline.process("   ", TASK, id="r4"))
    assert [r.outcome for r in results] == ["skipped", "ok", "skipped", "skipped"]
    assert len(openai_server.requests) == 1 and openai_server.chat_requests[0].contains("third floor")  # only CLEAN
    for r in (results[0], results[2], results[3]):  # the missing local model was never asked either: no error
        assert (r.route, r.answer, r.completion, r.error_class) == ("none", None, None, "EmptyDocument")
        assert "empty or whitespace-only" in r.error and "empty or whitespace-only" in r.explain()
    assert [(e.document_id, e.outcome, e.route, e.reasons, e.error_class) for e in sink.events] == [
        ("r1", "skipped", "none", ["ingest"], "EmptyDocument"),
        ("r2", "ok", "cloud", ["clean"], ""),
        ("r3", "skipped", "none", ["ingest"], "EmptyDocument"),
        ("r4", "skipped", "none", ["ingest"], "EmptyDocument"),
    ]


def test_a_skipped_document_crosses_a_worker_pipe_as_itself():
    # process_many(workers=N) prepares in processes: the skip must not arrive as a generic error
    from redactor.errors import EmptyDocument, RedactorError
    from redactor.procs import picklable

    e = picklable(EmptyDocument("<text>#2", "empty or whitespace-only text"), RedactorError, "while preparing")
    assert type(e) is EmptyDocument and (e.path, e.reason) == ("<text>#2", "empty or whitespace-only text")


# ----------------------------------------------------------------------------- reasons


def test_result_reasons_are_rule_ids_with_a_display_form(make_pipeline, missing_local_model):
    r = make_pipeline(local=missing_local_model).process(SENSITIVE, TASK)
    assert r.reasons == r.decision.rule_ids
    assert r.reasons[0] == "category.PII" and all("→" not in x for x in r.reasons)
    assert r.reason_texts[0].startswith("category.PII → local (") and "US_SSN×1" in r.reason_texts[0]
    assert r.explain().startswith("local: category.PII → local")
    clean = make_pipeline(cloud=False, local=missing_local_model).process(CLEAN, TASK)
    assert clean.reasons == ["clean", "cloud-not-configured"]


def test_frames_reasons_match_result_reasons(make_pipeline, missing_local_model):
    pd = pytest.importorskip("pandas")
    from redactor.frames import route_frame

    pipeline = make_pipeline(local=missing_local_model)
    out = route_frame(pd.DataFrame({"t": [SENSITIVE]}), "t", TASK, pipeline)
    assert out["t__reasons"][0] == pipeline.process(SENSITIVE, TASK).reasons


# ----------------------------------------------------------------------------- max_tokens


def test_one_max_tokens_default_for_library_and_cli():
    from redactor.batch import BatchOptions
    from redactor.cli.run import run
    from redactor.pipeline import Pipeline

    defaults = {
        name: inspect.signature(getattr(Pipeline, name)).parameters["max_tokens"].default
        for name in ("process", "process_many", "dispatch", "answer")
    }
    defaults["BatchOptions"] = BatchOptions(task="t").max_tokens
    defaults["redactor run --max-tokens"] = next(p.default for p in run.params if p.name == "max_tokens")
    pytest.importorskip("pandas")
    from redactor.frames import route_frame, routed_rows

    defaults["route_frame"] = inspect.signature(route_frame).parameters["max_tokens"].default
    defaults["routed_rows"] = inspect.signature(routed_rows).parameters["max_tokens"].default
    assert defaults == dict.fromkeys(defaults, DEFAULT_MAX_TOKENS)


def test_spark_uses_the_same_max_tokens_default():
    pytest.importorskip("pyspark")
    from redactor.spark import route_column

    assert inspect.signature(route_column).parameters["max_tokens"].default == DEFAULT_MAX_TOKENS


# ----------------------------------------------------------------------------- the worker pool


def _summary(r):
    return (r.document_id, r.outcome, r.route, r.reasons, r.answer, r.error_class,
            r.scan.counts_by_type() if r.scan else None)


def test_process_many_on_the_worker_pool_equals_sequential(make_pipeline, openai_server, missing_local_model, monkeypatch):
    """Two worker processes (as ``redactor run --workers 2``): same results, same order."""
    import redactor.workers as workers

    made = []
    real = workers.PreparePool

    class Recording(real):  # the pool really is used
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            made.append(self)

    monkeypatch.setattr(workers, "PreparePool", Recording)
    texts = [CLEAN, SENSITIVE, REDACTABLE, "Patient MRN: 4481923 has asthma.", "Call 212-555-0187 today.", CLEAN] * 4
    ids = [f"row-{i}" for i in range(len(texts))]
    pipeline = make_pipeline(policy="redact-pii", local=missing_local_model)
    sequential = [_summary(r) for r in pipeline.process_many(texts, TASK, ids=ids, max_tokens=8)]
    pooled = [_summary(r) for r in pipeline.process_many(iter(texts), TASK, ids=ids, max_tokens=8, workers=2)]
    assert len(made) == 1 and made[0].workers == 2
    assert pooled == sequential
    assert {s[2] for s in sequential} >= {"cloud", "cloud_redacted", "local"}
    assert not openai_server.sent_anywhere("Whitfield")


def test_process_many_on_the_pool_streams_an_endless_input(make_pipeline, missing_local_model):
    """Results come while the input is still being read: it is never drained into memory."""
    from itertools import count, cycle, islice

    read = count()
    texts = (t for t, _ in zip(cycle([CLEAN, "Nothing to see here."]), read))
    ids = (f"row-{i}" for i in count())
    pipeline = make_pipeline(cloud=False, local=missing_local_model)
    results = pipeline.process_many(texts, TASK, ids=ids, workers=2)
    first = [r.document_id for r in islice(results, 5)]
    results.close()  # stops the pool
    assert first == [f"row-{i}" for i in range(5)]
    assert next(read) <= 5 + 4 * 2 * 8 + 1  # at most the pool's window of chunks was read ahead


def test_process_many_workers_default_from_settings(make_pipeline, missing_local_model, monkeypatch):
    import redactor.workers as workers

    sizes = []

    def refuse(n, *args, **kwargs):
        sizes.append(n)
        raise RuntimeError("stop")

    monkeypatch.setattr(workers, "PreparePool", refuse)
    pipeline = make_pipeline(cloud=False, local=missing_local_model, workers=3)
    with pytest.raises(RuntimeError, match="stop"):
        next(pipeline.process_many([CLEAN], TASK))
    assert sizes == [3]
    with pytest.raises(ConfigError, match="at least 1"):
        next(pipeline.process_many([CLEAN], TASK, workers=0))


# ----------------------------------------------------------------------------- typing


def test_py_typed_ships_in_the_package():
    import redactor

    assert (Path(redactor.__file__).parent / "py.typed").is_file()


def test_py_typed_and_the_clinical_ner_are_in_the_wheel(tmp_path):
    pytest.importorskip("hatchling")
    import subprocess
    import sys
    import zipfile

    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
                   cwd=root, check=True, capture_output=True)
    [wheel] = tmp_path.glob("*.whl")
    import redactor

    names = zipfile.ZipFile(wheel).namelist()
    assert "redactor/py.typed" in names
    model = Path(redactor.__file__).parent / "data" / "clinical_ner"
    assert {f"redactor/data/clinical_ner/{f.relative_to(model).as_posix()}" for f in model.rglob("*") if f.is_file()} <= set(names)
