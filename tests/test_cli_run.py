"""``redactor run`` end to end through the CLI: the real local model, the cloud
(the recording server), resume, and a bad file that fails alone."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT, SAMPLE_DOCS
from openai_server import OpenAIServer
from redactor.audit.store import AuditTrail
from redactor.cli.main import cli

TASK = "Summarize this document in one sentence"
CLEAN = ("press_release_product_launch.txt", "roadmap_meeting_notes.md")  # no personal data: cleared for the cloud


GOOD = ("note_1.txt", "note_2.txt")


def small_sample(folder: Path, *names: str, customers: int = 2) -> Path:
    """A small copy of sample_docs: the named files plus the first ``customers`` rows of customers.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SAMPLE_DOCS / name, folder / name)
    if customers:
        rows = (SAMPLE_DOCS / "customers.csv").read_text(encoding="utf-8").splitlines()[: customers + 1]
        (folder / "customers.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def csv_values(n: int) -> list[str]:
    rows = (SAMPLE_DOCS / "customers.csv").read_text(encoding="utf-8").splitlines()[1 : n + 1]
    return [v for row in rows for v in row.split(",")[:3]]  # name, email, phone


def run(*args: str):
    return CliRunner().invoke(cli, ["run", *args], catch_exceptions=False)


def manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.mark.slow
def test_run_with_the_real_local_model_and_no_cloud(tmp_path, monkeypatch, local_model_path, redactor_home):
    monkeypatch.setenv("REDACTOR_LOCAL__MODEL", str(local_model_path))
    folder = small_sample(tmp_path / "docs", CLEAN[0])
    out = tmp_path / "out"

    r = run(str(folder), "--task", TASK, "--out", str(out), "--max-tokens", "4")
    assert r.exit_code == 0, r.output
    assert "cloud not configured" in r.stdout
    entries = manifest(out)
    assert [Path(e["document"]).name for e in entries] == ["customers.csv#1", "customers.csv#2", CLEAN[0]]
    for e in entries:
        assert e["outcome"] == "ok" and e["route"] == "local"
        assert e["backend"] == "local" and e["model"] == local_model_path.name
        assert e["reasons"] and e["tokens_in"] > 0 and 0 < e["tokens_out"] <= 4 and e["latency_ms"] > 0
        assert (out / e["answer"]).is_file()
    clean = entries[-1]
    assert "cloud-not-configured" in clean["reasons"]  # clean, but no cloud: answered here, and said so

    trail = AuditTrail(redactor_home / "audit.db", create=False)
    assert len(trail.records(outcome="ok")) == 3 and trail.verify().ok

    # the same command again: nothing to do, no model call
    again = run(str(folder), "--task", TASK, "--out", str(out), "--max-tokens", "4", "--json")
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout)
    assert summary["skipped_already_done"] == 3 and summary["outcomes"] == {}
    assert summary["cloud_configured"] is False
    assert len(trail.records(outcome="ok")) == 3


@pytest.mark.slow
def test_run_with_the_cloud_sends_clean_documents_out_and_keeps_sensitive_ones(
    tmp_path, monkeypatch, openai_server, local_model_path, redactor_home
):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key-123")
    monkeypatch.setenv("REDACTOR_LOCAL__MODEL", str(local_model_path))
    folder = small_sample(tmp_path / "docs", *CLEAN)
    out = tmp_path / "out"

    r = run(str(folder), "--task", TASK, "--out", str(out), "--max-tokens", "4", "--json")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["cloud_configured"] is True
    assert summary["documents_by_route"] == {"cloud": 2, "local": 2}
    routes = {Path(e["document"]).name: (e["route"], e["backend"]) for e in manifest(out)}
    assert routes == {
        "customers.csv#1": ("local", "local"), "customers.csv#2": ("local", "local"),
        CLEAN[0]: ("cloud", "cloud"), CLEAN[1]: ("cloud", "cloud"),
    }
    sent = openai_server.chat_requests
    assert len(sent) == 2  # one request per clean document, nothing else
    for doc in CLEAN:
        first_line = (SAMPLE_DOCS / doc).read_text(encoding="utf-8").splitlines()[0]
        assert sum(r.contains(first_line) for r in sent) == 1
    for value in csv_values(2):
        assert not openai_server.sent_anywhere(value), "a customer's value reached the cloud"


def test_a_bad_file_fails_alone(tmp_path, monkeypatch, openai_server, redactor_home, local_model_path):
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key-123")
    monkeypatch.setenv("REDACTOR_LOCAL__MODEL", str(local_model_path))  # checked at start; nothing here goes local
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in GOOD:
        (folder / name).write_text(f"{name}: the team reviewed the quarterly roadmap and agreed to ship the export feature.\n")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n this is not a pdf at all \x00\x01\x02")
    out = tmp_path / "out"

    r = run(str(folder), "--task", TASK, "--out", str(out), "--max-tokens", "8")
    assert r.exit_code == 1
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "broken.pdf" in errors[0] and "pdf" in errors[0].split("broken.pdf", 1)[1].lower()
    assert "1 documents failed" in r.stdout

    entries = {Path(e["document"]).name: e for e in manifest(out)}
    assert entries["broken.pdf"]["outcome"] == "error" and entries["broken.pdf"]["error"] == "CorruptDocument"
    assert all(entries[name]["outcome"] == "ok" and (out / entries[name]["answer"]).is_file() for name in GOOD)

    trail = AuditTrail(redactor_home / "audit.db", create=False)
    failed = trail.records(outcome="error")
    assert len(failed) == 1 and failed[0]["document_id"].endswith("broken.pdf")
    assert failed[0]["error_class"] == "CorruptDocument" and failed[0]["route"] == "none"
    assert len(trail.records(outcome="ok")) == 2

    # rerun: the good ones are done, the bad one is tried again (and fails again, alone)
    again = run(str(folder), "--task", TASK, "--out", str(out), "--max-tokens", "8", "--json")
    assert again.exit_code == 1
    summary = json.loads(again.stdout)
    assert summary["skipped_already_done"] == 2 and summary["input_failures"] == 1
    assert len(manifest(out)) == 3  # one line per document, still
    assert len(trail.records(outcome="ok")) == 2


def test_workers_option_is_validated(tmp_path):
    r = CliRunner().invoke(cli, ["run", str(tmp_path), "--task", "x", "--out", str(tmp_path / "o"), "--workers", "0"])
    assert r.exit_code == 2


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_missing_spacy_model_stops_the_run_with_one_clear_line(tmp_path, workers, monkeypatch, local_model_path):
    monkeypatch.setenv("REDACTOR_LOCAL__MODEL", str(local_model_path))
    folder = small_sample(tmp_path / "docs", CLEAN[0], customers=0)
    r = CliRunner().invoke(cli, ["run", str(folder), "--task", "x", "--out", str(tmp_path / "out"),
                                 "--workers", workers, "--spacy-model", "xx_no_such_model"])
    assert r.exit_code == 1
    assert "xx_no_such_model" in r.stderr and "Traceback" not in r.stderr


# ----------------------------------------------------------------------------- issue 8: fail loudly, per path


@pytest.fixture
def cloud_env(monkeypatch, openai_server, local_model_path):
    """The cloud at the recording server, the real local model (checked at start, loaded only if used)."""
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key-123")
    monkeypatch.setenv("REDACTOR_LOCAL__MODEL", str(local_model_path))
    return openai_server


def clean_notes(folder: Path, *names: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text(f"{name}: the team reviewed the quarterly roadmap and agreed to ship the export feature.\n")
    return folder


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def test_unreadable_paths_are_per_path_errors_and_the_batch_goes_on(tmp_path, cloud_env, redactor_home):
    folder = clean_notes(tmp_path / "docs", *GOOD)
    (folder / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    os.mkfifo(folder / "pipe.txt")
    clean_notes(folder / os.fsdecode(b"caf\xe9"), "menu.txt")  # a Latin-1 folder name: read, and named printably
    missing = tmp_path / "not-there.txt"
    out = tmp_path / "out"

    r = run(str(folder), str(missing), "--task", TASK, "--out", str(out), "--max-tokens", "8", "--json")
    assert r.exit_code == 1, r.output
    errors = error_lines(r.stderr)
    assert len(errors) == 3
    assert any("dangling.txt: broken symlink" in e for e in errors)
    assert any("pipe.txt: not a regular file: a FIFO" in e for e in errors)
    assert any(f"{missing}: file not found" in e for e in errors)
    summary = json.loads(r.stdout)
    assert summary["input_failures"] == 3 and summary["outcomes"] == {"ok": 3}

    entries = {Path(e["document"]).name: e for e in manifest(out)}
    assert {n: (e["outcome"], e["error"]) for n, e in entries.items() if e["outcome"] != "ok"} == {
        "dangling.txt": ("error", "IngestError"), "pipe.txt": ("error", "IngestError"), "not-there.txt": ("error", "IngestError")}
    assert entries["pipe.txt"]["reason"] == "not a regular file: a FIFO (named pipe)"
    assert entries["menu.txt"]["document"] == f"{folder}/caf\\xe9/menu.txt" and entries["menu.txt"]["outcome"] == "ok"
    trail = AuditTrail(redactor_home / "audit.db", create=False)
    assert sorted(Path(rec["document_id"]).name for rec in trail.records(outcome="error")) == [
        "dangling.txt", "not-there.txt", "pipe.txt"]


def _can_drop_dac() -> bool:
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        return False
    probe = subprocess.run(["setpriv", "--bounding-set=-dac_override,-dac_read_search", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _can_drop_dac(), reason="needs root and setpriv to run without the DAC capabilities")
def test_a_locked_folder_is_a_per_path_error_even_for_root_without_dac_capabilities(tmp_path, redactor_home):
    """chmod 000 does not stop root; root without CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH is stopped like anyone."""
    docs = clean_notes(tmp_path / "docs", "a.txt")
    inside = docs / "locked"
    clean_notes(inside, "hidden-from-us.txt")
    named = clean_notes(tmp_path / "named", "b.txt")
    inside.chmod(0)
    named.chmod(0)
    try:
        cmd = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", sys.executable, "-c",
               "from redactor.cli.main import main; main()", "scan", "--json", str(docs), str(named)]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=os.environ | {"PYTHONPATH": str(ROOT)})
    finally:
        inside.chmod(0o755)
        named.chmod(0o755)
    assert r.returncode == 1, r.stderr  # not 2: a path it cannot read is not a usage error
    assert sorted(error_lines(r.stderr)) == sorted([f"error: {inside}: cannot read folder: permission denied",
                                                    f"error: {named}: cannot read folder: permission denied"])
    data = json.loads(r.stdout)
    assert [Path(d["document"]).name for d in data["documents"]] == ["a.txt"]  # the rest carried on


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 folder anyway (see the setpriv test above)")
def test_a_locked_folder_named_on_the_command_line_is_not_a_usage_error(tmp_path, cloud_env):
    folder = clean_notes(tmp_path / "docs", *GOOD)
    locked = clean_notes(tmp_path / "locked", "c.txt")
    locked.chmod(0)
    try:
        r = run(str(folder), str(locked), "--task", TASK, "--out", str(tmp_path / "out"), "--max-tokens", "8")
    finally:
        locked.chmod(0o755)
    assert r.exit_code == 1
    assert error_lines(r.stderr) == [f"error: {locked}: cannot read folder: permission denied"]


# ----------------------------------------------------------------------------- issue 8: the cloud, checked once


def closed_port() -> int:
    with socket.socket() as s:  # bound, then closed: nothing listens there, connections are refused
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


WRONG_KEY = "sk-wrong-key-7a1f"


@pytest.mark.parametrize("case, error, code", [
    ("refused-key", "HTTP 401", 2),
    ("wrong-url", "HTTP 404", 2),
    ("no-server", "connection error", 1),
])
def test_a_broken_cloud_without_fallback_stops_before_any_document(tmp_path, cloud_env, monkeypatch, redactor_home,
                                                                   case, error, code):
    server = cloud_env
    if case == "refused-key":
        server.require_key("sk-the-right-one")
        monkeypatch.setenv("OPENAI_API_KEY", WRONG_KEY)
    elif case == "wrong-url":
        monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/api/v2")
    else:
        monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")
    monkeypatch.setenv("REDACTOR_CLOUD__FALLBACK_TO_LOCAL", "false")
    monkeypatch.setenv("REDACTOR_CLOUD__MAX_RETRIES", "0")
    folder = clean_notes(tmp_path / "docs", *GOOD)
    out = tmp_path / "out"

    r = run(str(folder), "--task", TASK, "--out", str(out))
    assert r.exit_code == code
    [line] = [line for line in r.stderr.splitlines() if line.strip()]
    assert line.startswith("Error: cloud endpoint 127.0.0.1") and error in line
    if case == "wrong-url":
        assert "/v1" in line  # says what to check
    assert WRONG_KEY not in r.output and "sk-test-key-123" not in r.output
    assert not out.exists() and server.chat_requests == []
    assert all(req.json is None or "quarterly roadmap" not in json.dumps(req.json) for req in server.requests)
    assert not (redactor_home / "audit.db").exists() or not AuditTrail(redactor_home / "audit.db", create=False).records()


@pytest.fixture
def local_server(monkeypatch):
    """The local leg as an OpenAI-compatible server on loopback (a supported setup: local.server_url),
    a second recording server, so a test sees what the local side got and what the cloud did not."""
    with OpenAIServer() as server:
        monkeypatch.setenv("REDACTOR_LOCAL__SERVER_URL", server.base_url)
        yield server


def test_a_refused_key_with_fallback_warns_once_and_the_summary_counts_the_fallbacks(
    tmp_path, cloud_env, local_server, monkeypatch, redactor_home
):
    cloud_env.require_key("sk-the-right-one")
    monkeypatch.setenv("OPENAI_API_KEY", WRONG_KEY)
    folder = clean_notes(tmp_path / "docs", "only.txt")
    out = tmp_path / "out"

    r = run(str(folder), "--task", TASK, "--out", str(out), "--max-tokens", "4", "--json")
    assert r.exit_code == 0, r.output
    [warning] = [line for line in r.stderr.splitlines() if line.startswith("warning:")]
    assert "HTTP 401" in warning and "cloud-failed.CloudAuthError" in warning and WRONG_KEY not in r.output
    summary = json.loads(r.stdout)
    assert summary["cloud_fallbacks"] == {"cloud-failed.CloudAuthError": 1}
    assert "HTTP 401" in summary["cloud_error"]
    assert cloud_env.chat_requests == []  # one models request at the start, nothing else
    assert [r.path for r in cloud_env.requests] == ["/v1/models"]
    assert len(local_server.chat_requests) == 1
    [entry] = manifest(out)
    assert (entry["route"], entry["backend"], entry["outcome"]) == ("local", "local_server", "ok")
    assert entry["reasons"][-1] == "cloud-failed.CloudAuthError"
    [rec] = AuditTrail(redactor_home / "audit.db", create=False).records()
    assert rec["reasons"][-1] == "cloud-failed.CloudAuthError" and rec["route"] == "local"


def test_a_cloud_outage_mid_run_is_counted_in_the_summary(tmp_path, cloud_env, local_server, monkeypatch):
    cloud_env.fail_next(50, status=503)  # the preflight lists models fine; every chat call then fails
    monkeypatch.setenv("REDACTOR_CLOUD__MAX_RETRIES", "0")
    folder = clean_notes(tmp_path / "docs", "only.txt")

    r = run(str(folder), "--task", TASK, "--out", str(tmp_path / "out"), "--max-tokens", "4")
    assert r.exit_code == 0, r.output
    assert "cloud failed: 1 documents cleared for the cloud were answered by the local model instead" in r.stdout
    assert "cloud-failed.CloudError: 1" in r.stdout
    assert len(cloud_env.chat_requests) == 1 and len(local_server.chat_requests) == 1


# ----------------------------------------------------------------------------- issue 8: the local model, checked once


@pytest.mark.parametrize("model, says, code", [
    # a name that names no model is a usage error (exit 2), like a typo in a policy
    ("smollm2-135m-instuct", "unknown local model 'smollm2-135m-instuct' (did you mean 'smollm2-135m-instruct'?)", 2),
    ("smollm-typo", "unknown local model 'smollm-typo'", 2),
    ("/nowhere/model.gguf", "GGUF model file not found: /nowhere/model.gguf", 1),
    ("not-a-gguf", "not-a-gguf.gguf is not a GGUF file", 1),
])
def test_a_wrong_local_model_is_one_clear_error_before_any_document(tmp_path, monkeypatch, openai_server, redactor_home,
                                                                   model, says, code):
    if model == "not-a-gguf":
        fake = tmp_path / "not-a-gguf.gguf"
        fake.write_bytes(b"<html>a download error page</html>")
        model = str(fake)
    monkeypatch.setenv("REDACTOR_LOCAL__MODEL", model)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key-123")
    folder = small_sample(tmp_path / "docs", *CLEAN, customers=2)  # two go local, two to the cloud
    out = tmp_path / "out"

    r = run(str(folder), "--task", TASK, "--out", str(out))
    assert r.exit_code == code
    [line] = [line for line in r.stderr.splitlines() if line.strip()]
    assert line.startswith("Error: ") and says in line and "redactor models list" in line
    assert not out.exists() and openai_server.requests == []  # stopped before anything, the cloud included
    assert not (redactor_home / "audit.db").exists() or not AuditTrail(redactor_home / "audit.db", create=False).records()


# ----------------------------------------------------------------------------- issue 8: progress without a terminal


def test_progress_lines_go_to_stderr_when_it_is_not_a_terminal(tmp_path, cloud_env, monkeypatch):
    import re

    import redactor.cli.common as common

    monkeypatch.setattr(common, "PROGRESS_INTERVAL_S", 0.0)  # every update prints: no clock in the test
    folder = clean_notes(tmp_path / "docs", *GOOD)
    r = run(str(folder), "--task", TASK, "--out", str(tmp_path / "out"), "--max-tokens", "8", "--json")
    assert r.exit_code == 0, r.output
    lines = [line for line in r.stderr.splitlines() if line.startswith("running: ")]
    assert lines and all(re.fullmatch(r"running: \d+/2 files, \d+ docs, \d+\.\d docs/s", line) for line in lines)
    assert lines[-1].startswith("running: 2/2 files, 2 docs, ")
    assert not any("note_" in line for line in lines)  # counts only, never names
    json.loads(r.stdout)  # stdout stays pure JSON


def test_the_summary_title_is_one_line_off_a_terminal(tmp_path, cloud_env):
    folder = clean_notes(tmp_path / "docs", *GOOD)
    r = run(str(folder), "--task", TASK, "--out", str(tmp_path / "out"), "--max-tokens", "8")
    assert r.exit_code == 0, r.output
    [title] = [line for line in r.stdout.splitlines() if "policy default" in line]
    assert re.fullmatch(r"run [0-9a-f]{16} · policy default \([0-9a-f]{12}\)", title.strip()), r.stdout


def test_progress_lines_come_at_most_every_interval(capsys):
    from redactor.cli.common import PROGRESS_INTERVAL_S, _Lines

    now = [100.0]
    lines = _Lines("running", total=47, unit="files", clock=lambda: now[0])
    for t, files, docs in [(1, 1, 2), (PROGRESS_INTERVAL_S - 1, 5, 9), (PROGRESS_INTERVAL_S, 12, 30), (PROGRESS_INTERVAL_S + 1, 13, 31)]:
        now[0] = 100.0 + t
        lines.update(completed=files, docs=docs)
    assert capsys.readouterr().err.splitlines() == [f"running: 12/47 files, 30 docs, {30 / PROGRESS_INTERVAL_S:.1f} docs/s"]


# ----------------------------------------------------------------------------- issue 8: skipped is not failed; notes are kept


def test_empty_and_binary_files_are_skipped_and_a_decoding_note_is_recorded(tmp_path, cloud_env, local_server, redactor_home):
    folder = clean_notes(tmp_path / "docs", *GOOD)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blob.txt").write_bytes(bytes(range(256)))
    (folder / "menu.txt").write_bytes("Caf\u00e9 menu for the team lunch: cr\u00e8me br\u00fbl\u00e9e. ".encode() + b"\xff\n")
    out = tmp_path / "out"

    r = run(str(folder), "--task", TASK, "--out", str(out), "--max-tokens", "8", "--json")
    assert r.exit_code == 0, r.output  # only skips: nothing failed
    assert error_lines(r.stderr) == []
    stderr = r.stderr.splitlines()
    assert f"skipped: {folder / 'empty.txt'}: empty file (0 bytes)" in stderr
    assert f"skipped: {folder / 'blob.txt'}: binary file skipped" in stderr
    assert f"note: {folder / 'menu.txt'}: 1 invalid UTF-8 byte sequence(s) replaced" in stderr
    summary = json.loads(r.stdout)
    assert summary["skipped_inputs"] == 2 and summary["input_failures"] == 0 and summary["documents_with_notes"] == 1
    assert summary["outcomes"] == {"ok": 3}

    entries = {Path(e["document"]).name: e for e in manifest(out)}
    assert {n: (e["outcome"], e["error"]) for n, e in entries.items() if e["outcome"] != "ok"} == {
        "empty.txt": ("skipped", "EmptyDocument"), "blob.txt": ("skipped", "BinaryFile")}
    assert entries["menu.txt"]["notes"] == ["1 invalid UTF-8 byte sequence(s) replaced"]
    assert entries["note_1.txt"]["notes"] == []
    trail = AuditTrail(redactor_home / "audit.db", create=False)
    assert sorted(Path(rec["document_id"]).name for rec in trail.records(outcome="skipped")) == ["blob.txt", "empty.txt"]
    assert trail.records(outcome="error") == []
    [menu] = [rec for rec in trail.records(outcome="ok") if rec["document_id"].endswith("menu.txt")]
    assert menu["extra"] == {"ingest": ["decoded-with-replacement"]}
    assert trail.verify().ok

    # the table says it too
    again = run(str(folder), "--task", TASK, "--out", str(out), "--max-tokens", "8")
    assert again.exit_code == 0
    assert "files skipped (empty or binary)" in again.stdout and "skipped 2 empty or binary files" in again.stdout


def test_a_local_server_that_does_not_answer_is_one_clear_error_up_front(tmp_path, monkeypatch, openai_server):
    monkeypatch.setenv("REDACTOR_LOCAL__SERVER_URL", f"http://127.0.0.1:{closed_port()}/v1")
    monkeypatch.setenv("REDACTOR_LOCAL__MODEL", "smollm2")
    folder = clean_notes(tmp_path / "docs", *GOOD)
    r = run(str(folder), "--task", TASK, "--out", str(tmp_path / "out"))
    assert r.exit_code == 1
    [line] = [line for line in r.stderr.splitlines() if line.strip()]
    assert line.startswith("Error: local_server endpoint 127.0.0.1: connection error")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", [["run", "--task", "summarise"], ["redact"]])
def test_an_out_folder_that_cannot_be_made_is_one_clear_line(tmp_path, command):
    """Not a traceback: the command stops with exit 2 before any document is read."""
    clean_notes(tmp_path / "in", "a.txt")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    r = CliRunner().invoke(cli, [command[0], str(tmp_path / "in"), *command[1:], "--out", str(blocker / "out")])
    assert r.exit_code == 2 and isinstance(r.exception, SystemExit), r.output
    assert r.output.strip().splitlines() == [f"Error: cannot create {blocker / 'out'}: Not a directory"]
    assert not list(tmp_path.glob("**/answers"))
