"""Resume: a rerun finishes what a crash left, and nothing is done twice.

The invariant under test, after any crash and one rerun: one manifest line per
document, done; exactly one successful audit record per document; a trail that
verifies; no temp files.  See ``redactor/batch.py`` for the design.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

psutil = pytest.importorskip("psutil")

from conftest import ROOT, make_settings
from redactor.audit.event import AuditEvent
from redactor.audit.store import AuditTrail
from redactor.batch import BatchOptions, BatchRun, RunDir
from redactor.errors import AuditError
from redactor.pipeline import Pipeline

TASK = "Summarize this document"
REDACTOR = Path(sys.executable).with_name("redactor")


def make_docs(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"note_{i:03d}.txt").write_text(
            f"Note {i}: the team reviewed the quarterly roadmap and agreed to ship the export feature.\n",
            encoding="utf-8",
        )
    return folder


def manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


def ok_records(trail: AuditTrail) -> Counter[tuple[str, str, str, str]]:
    """Successful audit records per key: document id, content, policy version, task."""
    return Counter((r["document_id"], r["document_sha256"], r["policy_version"], r["task_sha256"])
                   for r in trail.records(outcome="ok"))


def assert_exactly_once(out: Path, trail: AuditTrail, n: int) -> None:
    entries = manifest(out)
    assert len(entries) == n
    assert len({e["document"] for e in entries}) == n
    assert all(e["outcome"] == "ok" for e in entries)
    assert all((out / e["answer"]).is_file() for e in entries)
    per_key = ok_records(trail)
    assert set(per_key.values()) == {1}  # never two successes for the same work
    for e in entries:  # and each line is backed by exactly that one record
        assert per_key[(e["document"], e["document_sha256"], e["policy_version"], e["task_sha256"])] == 1
    assert trail.verify().ok
    assert not [p for p in out.rglob("*") if p.name.startswith(".part-")]


# ----------------------------------------------------------------------------- kill -9


@pytest.mark.parametrize("workers", [1, 2])
def test_kill_9_mid_run_then_rerun_loses_nothing_and_doubles_nothing(tmp_path, openai_server, redactor_home, workers,
                                                                      local_model_path):
    def slow(body):
        time.sleep(0.1)
        return "Answer."

    openai_server.responder = slow
    n = 60
    folder = make_docs(tmp_path / "in", n)
    out = tmp_path / "out"
    env = os.environ | {
        "OPENAI_BASE_URL": openai_server.base_url,
        "OPENAI_API_KEY": "sk-test-key-123",
        "REDACTOR_LOCAL__MODEL": str(local_model_path),  # checked at start; these clean documents go to the cloud
        "REDACTOR_CLOUD__MAX_CONCURRENCY": "2",
    }
    cmd = [str(REDACTOR), "run", str(folder), "--task", TASK, "--out", str(out), "--max-tokens", "8",
           "--workers", str(workers), "--json"]

    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    lines = 0
    while time.monotonic() < deadline and proc.poll() is None:
        mf = out / "manifest.jsonl"
        lines = mf.read_bytes().count(b"\n") if mf.exists() else 0
        if lines >= 12:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed"
    children = psutil.Process(proc.pid).children(recursive=True)  # fork server, workers
    assert len(children) >= (3 if workers > 1 else 0)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    proc.stderr.close()
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, "worker processes outlived the killed run"

    trail = AuditTrail(redactor_home / "audit.db", create=False)
    killed_ok = sum(ok_records(trail).values())
    assert 12 <= killed_ok < n  # mid-run: some done, not all

    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)
    assert summary["outcomes"].get("ok", 0) + summary["skipped_already_done"] == n
    assert summary["outcomes"].get("ok", 0) == n - killed_ok  # only what had no record was done again
    assert_exactly_once(out, trail, n)
    # a third run has nothing left to do
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert json.loads(again.stdout)["skipped_already_done"] == n
    assert_exactly_once(out, trail, n)


# ----------------------------------------------------------------------------- Ctrl-C (issue 16)


@pytest.mark.slow
def test_ctrl_c_mid_run_is_one_line_and_exit_130_and_the_rerun_does_the_rest(tmp_path, redactor_home, local_model_path):
    n = 6
    folder = make_docs(tmp_path / "in", n)
    out = tmp_path / "out"
    env = os.environ | {
        "REDACTOR_LOCAL__MODEL": str(local_model_path),  # no cloud: every document is answered by the model processes
        "REDACTOR_LOCAL__WORKERS": "1",
        "REDACTOR_LOCAL__N_CTX": "1024",
        "PYTHONPATH": str(ROOT),  # this checkout's redactor, in the run and in the processes it starts
    }
    cmd = [sys.executable, "-c", "from redactor.cli.main import main; main()", "run", str(folder), "--task", TASK,
           "--out", str(out), "--max-tokens", "32", "--json"]

    # a session of its own, so that SIGINT to its group is what a terminal's Ctrl-C does: every process gets it
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        mf = out / "manifest.jsonl"
        if mf.exists() and mf.read_bytes().count(b"\n") >= 1:  # answering: one done, the next under way
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished (or failed) before it could be interrupted"
    children = psutil.Process(proc.pid).children(recursive=True)
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)

    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    said = [line for line in stderr.splitlines() if line.strip() and not line.startswith("running: ")]  # progress lines
    assert said == ["interrupted: rerun the same command to resume (documents already done are skipped)"]
    assert stdout == ""
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, "model processes outlived the interrupted run"

    trail = AuditTrail(redactor_home / "audit.db", create=False)
    outcomes = Counter(r["outcome"] for r in trail.records())
    assert set(outcomes) == {"ok", "interrupted"}, outcomes  # the call under way says so; nothing is an error
    assert outcomes["ok"] + outcomes["interrupted"] < n  # documents not started have no record
    interrupted = trail.records(outcome="interrupted")
    assert all(r["route"] == "local" and r["error_class"] == "Interrupted" for r in interrupted)
    rundir = RunDir(out)  # what the rerun starts with: a manifest line for every record, saying what it says
    rundir.open("reconcile-only", trail)
    rundir.close()
    assert Counter(e["outcome"] for e in manifest(out)) == outcomes

    rerun = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)
    assert summary["outcomes"] == {"ok": n - outcomes["ok"]} and summary["skipped_already_done"] == outcomes["ok"]
    assert_exactly_once(out, trail, n)


# ----------------------------------------------------------------------------- the crash windows, one by one


def cloud_settings(server, **cloud):
    settings = make_settings(server)
    settings.cloud = settings.cloud.model_copy(update=cloud)
    return settings


def _batch(settings, scanner, local, out: Path, audit, **options) -> BatchRun:
    pipeline = Pipeline(settings, scanner=scanner, local=local, audit=audit)
    return BatchRun(pipeline, RunDir(out), BatchOptions(task=TASK, max_tokens=8, **options))


def test_records_written_but_manifest_lines_lost_are_recovered_not_redone(
    tmp_path, scanner, openai_server, missing_local_model
):
    folder = make_docs(tmp_path / "in", 10)
    out = tmp_path / "out"
    trail = AuditTrail(tmp_path / "audit.db")
    settings = make_settings(openai_server)
    _batch(settings, scanner, missing_local_model, out, trail).run([folder])
    sent = len(openai_server.chat_requests)
    assert sent == 10

    # The crash window: every audit record is in, but only 4 manifest lines (and a torn 5th) made it.
    text = (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (out / "manifest.jsonl").write_text("".join(text[:4]) + text[4][:37], encoding="utf-8")
    runs = (out / "runs.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (out / "runs.jsonl").write_text(runs[0], encoding="utf-8")  # the run never got to settle

    batch = _batch(settings, scanner, missing_local_model, out, trail)
    summary = batch.run([folder])
    assert summary.recovered == 6
    assert summary.skipped == 10 and summary.processed == 0
    assert len(openai_server.chat_requests) == sent  # nothing sent twice
    assert_exactly_once(out, trail, 10)
    entries = manifest(out)
    assert [Path(e["document"]).name for e in entries] == [f"note_{i:03d}.txt" for i in range(10)]
    assert [bool(e.get("recovered")) for e in entries] == [False] * 4 + [True] * 6
    for e in entries[4:]:  # a recovered line says what the lost one said
        assert e["route"] == "cloud" and e["backend"] == "cloud" and e["model"] == "gpt-4o-mini"
        assert e["tokens_in"] > 0 and e["answer"].startswith("answers/")


class FailingTrail:
    """An AuditTrail that refuses the ``fail_at``-th record (the store going away mid-run)."""

    def __init__(self, trail: AuditTrail, fail_at: int) -> None:
        self.trail, self.fail_at, self.n = trail, fail_at, 0

    def record(self, event: AuditEvent) -> int:
        self.n += 1
        if self.n == self.fail_at:
            raise AuditError("audit database error: disk I/O error")
        return self.trail.record(event)

    def iter_records(self, **filters):
        return self.trail.iter_records(**filters)


def test_an_answer_written_without_its_record_is_redone_once(tmp_path, scanner, openai_server, missing_local_model):
    folder = make_docs(tmp_path / "in", 8)
    out = tmp_path / "out"
    trail = AuditTrail(tmp_path / "audit.db")
    settings = cloud_settings(openai_server, max_concurrency=1)
    with pytest.raises(AuditError):
        _batch(settings, scanner, missing_local_model, out, FailingTrail(trail, fail_at=5)).run([folder])
    assert sum(ok_records(trail).values()) == 4
    assert len(list((out / "answers").iterdir())) == 5  # the 5th answer is in place, its record is not

    summary = _batch(settings, scanner, missing_local_model, out, trail).run([folder])
    assert summary.skipped + summary.processed == 8
    assert_exactly_once(out, trail, 8)


def test_failed_documents_are_retried_and_changed_ones_redone(tmp_path, scanner, openai_server, missing_local_model):
    folder = make_docs(tmp_path / "in", 6)
    out = tmp_path / "out"
    trail = AuditTrail(tmp_path / "audit.db")
    settings = cloud_settings(openai_server, max_retries=0, fallback_to_local=False, max_concurrency=1)
    openai_server.fail_next(2, status=500)
    first = _batch(settings, scanner, missing_local_model, out, trail).run([folder])
    assert first.outcomes == {"error": 2, "ok": 4}

    (folder / "note_005.txt").write_text("Note 5: the roadmap changed; the export feature ships later.\n")
    second = _batch(settings, scanner, missing_local_model, out, trail).run([folder])
    assert second.outcomes == {"ok": 3}  # the two failures and the changed one
    assert second.skipped == 3
    assert_exactly_once(out, trail, 6)  # note_005 has two ok records, one per version
    assert sum(ok_records(trail).values()) == 7
    # a different task is different work
    third = BatchRun(Pipeline(settings, scanner=scanner, local=missing_local_model, audit=trail), RunDir(out),
                     BatchOptions(task="List the action items", max_tokens=8)).run([folder])
    assert third.outcomes == {"ok": 6} and third.skipped == 0


def test_a_skipped_file_lost_from_the_manifest_is_recovered_as_skipped_not_as_an_error(
    tmp_path, scanner, openai_server, missing_local_model
):
    folder = make_docs(tmp_path / "in", 2)
    (folder / "zz_empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    trail = AuditTrail(tmp_path / "audit.db")
    settings = make_settings(openai_server)
    first = _batch(settings, scanner, missing_local_model, out, trail).run([folder])
    assert first.input_skips == 1 and first.failed == 0

    # the crash window for the skip: its record is in, its manifest line is not, the run never settled
    lines = (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (out / "manifest.jsonl").write_text("".join(lines[:2]), encoding="utf-8")
    runs = (out / "runs.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (out / "runs.jsonl").write_text(runs[0], encoding="utf-8")

    rundir = RunDir(out)
    assert rundir.open("reconcile-only", trail) == 1
    rundir.close()
    [empty] = [e for e in manifest(out) if e["document"].endswith("zz_empty.txt")]
    assert (empty["outcome"], empty["error"], empty["recovered"]) == ("skipped", "EmptyDocument", True)

    second = _batch(settings, scanner, missing_local_model, out, trail).run([folder])
    assert second.failed == 0 and second.input_skips == 1 and second.skipped == 2
    assert [r["outcome"] for r in trail.records() if r["document_id"].endswith("zz_empty.txt")] == ["skipped", "skipped"]


def test_temp_files_of_a_run_killed_mid_write_are_removed_on_open(tmp_path):
    out = tmp_path / "out"
    (out / "answers").mkdir(parents=True)
    (out / "answers" / ".part-q6r005zx").write_text("half an answer")
    (out / ".part-manifest-abc").write_text("half a manifest")
    (out / "answers" / "kept.txt").write_text("an answer")
    rundir = RunDir(out)
    rundir.open("run-a")
    rundir.close()
    assert not list(out.rglob(".part-*"))
    assert (out / "answers" / "kept.txt").read_text() == "an answer"
