"""The batch runner: N workers agree with one, the in-flight window holds, order is input order.

Cloud-only paths against the recording server; the local model is the
missing one (documents routed local fail closed), so no model is loaded.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from conftest import SAMPLE_DOCS, make_settings
from redactor.batch import BatchOptions, BatchRun, RunDir, answer_name
from redactor.ingest import iter_documents
from redactor.pipeline import Pipeline

TASK = "Summarize this document"


def manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


def clean_folder(folder: Path, n: int, size: int = 1) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = " ".join([f"Note {i}: the team reviewed the quarterly roadmap and agreed to ship the export feature."] * size)
        (folder / f"note_{i:03d}.txt").write_text(body + "\n", encoding="utf-8")
    return folder


def run_batch(settings, scanner, local, out: Path, paths, **options) -> BatchRun:
    pipeline = Pipeline(settings, scanner=scanner, local=local)
    batch = BatchRun(pipeline, RunDir(out), BatchOptions(task=TASK, max_tokens=8, **options))
    batch.run(paths)
    return batch


def test_n_workers_write_the_same_manifest_as_one(tmp_path, scanner, openai_server, missing_local_model):
    settings = make_settings(openai_server)
    rows = {}
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        batch = run_batch(settings, scanner, missing_local_model, out, [SAMPLE_DOCS], workers=workers)
        assert batch.summary.workers == workers
        assert batch.stats.max_in_flight <= batch.options.max_in_flight
        rows[workers] = [(e["document"], e["route"], e["outcome"], e["reasons"], e["error"]) for e in manifest(out)]
    expected_ids = [d.id for d in iter_documents([SAMPLE_DOCS])]
    assert [r[0] for r in rows[1]] == expected_ids  # input order
    assert rows[2] == rows[1]
    routes = {r[1] for r in rows[1]}
    assert {"cloud", "local"} <= routes
    # fail closed: every local-route document failed on the missing model, none went out instead
    assert all(r[2] == "error" for r in rows[1] if r[1] == "local")
    assert all(r[2] == "ok" for r in rows[1] if r[1] in ("cloud", "cloud_redacted"))


def test_the_in_flight_window_bounds_documents_and_bytes(tmp_path, scanner, openai_server, missing_local_model):
    def slow(body):
        # slow enough that the first answer cannot come back before the window fills, even
        # when the reading thread waits for the GIL behind the preparer (a full suite on 2 cores)
        time.sleep(0.3)
        return "Answer."

    openai_server.responder = slow
    folder = clean_folder(tmp_path / "in", 30)
    batch = run_batch(make_settings(openai_server), scanner, missing_local_model, tmp_path / "out", [folder],
                      workers=1, chunk=2, window=5)
    assert batch.stats.max_in_flight == 5  # reached, never passed
    assert batch.summary.outcomes == {"ok": 30}

    batch = run_batch(make_settings(openai_server), scanner, missing_local_model, tmp_path / "out2", [folder],
                      workers=1, chunk=2, window=100, window_bytes=400)
    assert 0 < batch.stats.max_in_flight_bytes <= 400  # ~90-byte documents: at most 4 still at work
    # the byte budget, not the window of 100, is the binding one; the window also holds answered
    # documents that wait for an earlier one to be written in input order, which the bytes do not count
    assert batch.stats.max_in_flight <= 10


def test_manifest_is_in_input_order_when_answers_come_back_out_of_order(tmp_path, scanner, openai_server, missing_local_model):
    def later_is_faster(body):
        n = int(re.search(r"Note (\d+)", json.dumps(body)).group(1))
        time.sleep(max(0.0, 0.2 - 0.02 * n))
        return f"Answer {n}."

    openai_server.responder = later_is_faster
    folder = clean_folder(tmp_path / "in", 10)
    out = tmp_path / "out"
    run_batch(make_settings(openai_server), scanner, missing_local_model, out, [folder])
    entries = manifest(out)
    assert [Path(e["document"]).name for e in entries] == [f"note_{i:03d}.txt" for i in range(10)]
    for i, e in enumerate(entries):
        assert (out / e["answer"]).read_text(encoding="utf-8") == f"Answer {i}."


def test_a_document_over_the_byte_budget_still_goes_alone(tmp_path, scanner, openai_server, missing_local_model):
    folder = clean_folder(tmp_path / "in", 3, size=20)  # ~1.8 KB each
    batch = run_batch(make_settings(openai_server), scanner, missing_local_model, tmp_path / "out", [folder],
                      workers=1, window_bytes=100)
    assert batch.summary.outcomes == {"ok": 3}
    assert batch.stats.max_in_flight == 1


def test_answer_names_carry_the_document_version():
    a = answer_name("folder/letter.txt", "sha-a:policy:task")
    b = answer_name("folder/letter.txt", "sha-b:policy:task")
    assert a != b and a.startswith("letter.txt.") and a.endswith(".txt")
    assert answer_name("x/data.csv#3").startswith("data.csv-3.")


def test_a_second_run_cannot_use_a_run_directory_in_use(tmp_path):
    from redactor.errors import RedactorError

    first = RunDir(tmp_path / "out")
    first.open("run-a")
    try:
        with pytest.raises(RedactorError, match="in use by another redactor run"):
            RunDir(tmp_path / "out").open("run-b")
    finally:
        first.close()
    second = RunDir(tmp_path / "out")
    second.open("run-b")
    second.close()


# ----------------------------------------------------------------------------- issue 8: bounds and outcomes


def test_a_document_over_the_local_token_budget_fails_alone_before_any_model_call(tmp_path, scanner, local_backend):
    from redactor.audit.store import AuditTrail

    settings = make_settings(None, local={"max_input_tokens": 60})  # no cloud: clean documents go local
    folder = clean_folder(tmp_path / "in", 1, size=8)  # ~8 x 18 tokens
    trail = AuditTrail(tmp_path / "audit.db")
    errors: list[str] = []
    calls = local_backend.calls
    pipeline = Pipeline(settings, scanner=scanner, local=local_backend, audit=trail)
    batch = BatchRun(pipeline, RunDir(tmp_path / "out"), BatchOptions(task=TASK, max_tokens=8), on_error=errors.append)
    summary = batch.run([folder])

    assert local_backend.calls == calls  # refused up front: no model call at all
    assert summary.outcomes == {"error": 1} and summary.failed == 1
    [line] = errors
    assert line.startswith(f"{folder / 'note_000.txt'}: DocumentTooLong: the document has ")
    assert "over the 60-token budget of the local model (local.max_input_tokens)" in line
    assert "roadmap" not in line  # never content
    [entry] = manifest(tmp_path / "out")
    assert (entry["outcome"], entry["route"], entry["error"]) == ("error", "local", "DocumentTooLong")
    [rec] = trail.records()
    assert (rec["outcome"], rec["error_class"]) == ("error", "DocumentTooLong")


def test_the_default_local_token_budget_is_set():
    from redactor.config import LocalSettings

    assert LocalSettings().max_input_tokens == 16_000
