"""The local model in worker processes (``LocalModelPool``) and ``run`` with it, on the real model.

What must hold: the pool answers exactly as the in-process model does (greedy),
a run with model processes writes the same answers and manifest as one
without, a model that cannot load stops the run once (not once per document),
and a run that never needs the model does not care that it is missing.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from pathlib import Path

import pytest

from conftest import make_settings
from redactor.backends.local import LocalBackend
from redactor.backends.pool import LocalModelPool, choose_model_processes, fit_workers
from redactor.procs import sigint_deferred
from redactor.batch import BatchOptions, BatchRun, RunDir
from redactor.config import LocalSettings
from redactor.errors import Interrupted, LocalModelError
from redactor.pipeline import Pipeline

pytestmark = pytest.mark.slow
MESSAGES = [{"role": "user", "content": "Document:\nThe invoice total is $1,240.\n\nTask: What is the total?"}]


@pytest.fixture(scope="module")
def greedy(local_model_path: Path) -> LocalSettings:
    return LocalSettings(model=str(local_model_path), n_ctx=1024, n_threads=1, temperature=0.0)


@pytest.fixture(scope="module")
def pool(greedy: LocalSettings, local_model_path: Path):
    with LocalModelPool(greedy, local_model_path, workers=2, model_name="smol") as p:
        p.wait_ready()
        yield p


def test_pool_answers_like_the_in_process_model(pool, greedy, local_model_path):
    inproc = LocalBackend(greedy, model_path=local_model_path)
    expected = inproc.complete(MESSAGES, max_tokens=12)
    got = pool.complete(MESSAGES, max_tokens=12)
    assert got.text == expected.text and got.usage == expected.usage
    assert got.model == "smol" and got.backend == "local"  # the audit names the model, not a path
    assert pool.count_tokens("Patient seen for asthma.") == inproc.count_tokens("Patient seen for asthma.")


def test_pool_serves_concurrent_callers(pool):
    answers: list[str] = []
    threads = [threading.Thread(target=lambda: answers.append(pool.complete(MESSAGES, max_tokens=6).text))
               for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 5 and len(set(answers)) == 1  # greedy: every process answers alike


def test_a_prompt_too_long_fails_that_call_only(pool):
    with pytest.raises(LocalModelError, match="does not fit"):
        pool.complete([{"role": "user", "content": "word " * 1200}], max_tokens=8)
    assert pool.complete(MESSAGES, max_tokens=4).text  # the pool is still fine


def test_a_model_that_cannot_load_fails_once(tmp_path, local_model_path):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(local_model_path.read_bytes()[: 2 * 1024 * 1024])  # a valid header, no tensors
    with LocalModelPool(LocalSettings(model=str(broken)), broken, workers=2) as p:
        with pytest.raises(LocalModelError, match="could not load"):
            p.wait_ready(timeout=120)
        with pytest.raises(LocalModelError, match="could not load"):
            p.complete(MESSAGES, max_tokens=4)


def test_interrupt_ends_the_processes_now_and_every_call_is_interrupted(greedy, local_model_path):
    p = LocalModelPool(greedy, local_model_path, workers=1).start()
    p.wait_ready()
    p.interrupt()
    assert not any(proc.is_alive() for proc in p._procs)
    with pytest.raises(Interrupted):
        p.complete(MESSAGES, max_tokens=4)
    p.close()  # already stopped: nothing left to do


def test_a_ctrl_c_while_processes_start_is_held_back_until_they_have_started():
    started = False
    with pytest.raises(KeyboardInterrupt):
        with sigint_deferred():
            os.kill(os.getpid(), signal.SIGINT)
            started = True  # without the deferral the KeyboardInterrupt would land here, mid-start
    assert started
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_workers_are_bounded_by_memory(local_model_path):
    assert fit_workers(local_model_path, 1024, 3) == 3
    with pytest.raises(LocalModelError, match="needs about"):
        fit_workers(local_model_path, 10_000_000, 1)  # a KV cache no machine has


def test_model_processes_default_to_one_single_thread_process_per_core(monkeypatch):
    from redactor.backends import pool

    monkeypatch.setattr(pool, "cpu_count", lambda: 4)
    assert choose_model_processes(LocalSettings()) == (4, 1)
    assert choose_model_processes(LocalSettings(workers=2, n_threads=2)) == (2, 2)


# ----------------------------------------------------------------------------- run with model processes


def _docs(folder: Path) -> Path:
    folder.mkdir()
    notes = [
        "Patient Jane Roe, MRN 48213, was treated for pneumonia.",
        "Invoice for card 4111 1111 1111 1111: $1,240 due in March.",
        "Referral: John Smith has chronic migraine.",
        "Discharge summary for Maria Lopez, diagnosed with asthma.",
    ]
    for i, text in enumerate(notes):
        (folder / f"note_{i}.txt").write_text(text, encoding="utf-8")
    return folder


def _run(tmp_path: Path, scanner, local_path: Path, name: str, **options) -> list[dict]:
    settings = make_settings(None, local={"model": str(local_path), "n_ctx": 1024, "temperature": 0.0,
                                          "n_threads": 1})
    pipeline = Pipeline(settings, scanner=scanner)
    out = tmp_path / name
    summary = BatchRun(pipeline, RunDir(out), BatchOptions(task="What is this note about?", max_tokens=8,
                                                            **options)).run([tmp_path / "in"])
    assert summary.failed == 0
    lines = [json.loads(x) for x in (out / "manifest.jsonl").read_text().splitlines()]
    for line in lines:
        line["answer_text"] = (out / line["answer"]).read_text()
    return lines


def test_run_with_model_processes_matches_the_in_process_model(tmp_path, scanner, local_model_path):
    _docs(tmp_path / "in")
    one = _run(tmp_path, scanner, local_model_path, "one")
    two = _run(tmp_path, scanner, local_model_path, "two", model_workers=2)
    assert [x["route"] for x in two] == ["local"] * 4
    keep = ("document", "route", "reasons", "tokens_in", "tokens_out", "answer_text", "model")
    assert [{k: x[k] for k in keep} for x in two] == [{k: x[k] for k in keep} for x in one]


def test_a_model_that_cannot_load_stops_the_run_once(tmp_path, scanner, local_model_path):
    _docs(tmp_path / "in")
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(local_model_path.read_bytes()[: 2 * 1024 * 1024])
    errors: list[str] = []
    settings = make_settings(None, local={"model": str(broken), "n_ctx": 1024})
    run = BatchRun(Pipeline(settings, scanner=scanner), RunDir(tmp_path / "out"),
                   BatchOptions(task="Summarize", max_tokens=8, model_workers=2), on_error=errors.append)
    with pytest.raises(LocalModelError, match="could not load local model broken.gguf"):
        run.run([tmp_path / "in"])
    assert errors == []  # one error for the run, none per document
    manifest = tmp_path / "out" / "manifest.jsonl"
    assert not manifest.exists() or manifest.read_text() == ""


def test_a_run_that_needs_no_model_ignores_a_missing_one(tmp_path, scanner, openai_server):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "memo.txt").write_text("The team agreed to ship the export feature next week.", encoding="utf-8")
    settings = make_settings(openai_server, local={"model": str(tmp_path / "absent.gguf")})
    summary = BatchRun(Pipeline(settings, scanner=scanner), RunDir(tmp_path / "out"),
                       BatchOptions(task="Summarize", max_tokens=8, model_workers=2)).run([folder])
    assert summary.outcomes == {"ok": 1} and summary.routes == {"cloud": 1}


def test_run_takes_the_layout_models_bench_stored(redactor_home):
    from redactor.backends.catalog import set_model_field
    from redactor.backends.models import store_dir

    set_model_field(store_dir(), "smollm2-135m-instruct", "bench", {"workers": 3, "n_threads": 2, "tokens_per_s": 1.0})
    assert choose_model_processes(LocalSettings()) == (3, 2)
    assert choose_model_processes(LocalSettings(workers=1)) == (1, 2)  # settings still win
    assert choose_model_processes(LocalSettings(model="other"))[1] == 1  # measured per model
