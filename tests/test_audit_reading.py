"""Reading the trail as an officer does: ``audit show`` by the id the gateway answered with,
``audit list`` on a terminal and in a pipe, gateway keys by name, ``audit backup`` of a trail
in use (and what ``verify`` can tell of a copy cut short), and reports written into new folders."""

from __future__ import annotations

import csv
import json
import os
import select
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from redactor.audit import AuditEvent, AuditTrail
from redactor.audit.report import build_report, document_rows
from redactor.cli.main import cli
from redactor.serve.keys import KeyStore

ROOT = Path(__file__).resolve().parents[1]
MSGS = [{"role": "user", "content": "Please write to Dana Whitfield at dana.whitfield@example.com about the invoice."}]
LONG_ID = "archive/2026/march/quarterly_statement_for_the_northern_region_final_version_7.pdf"


def event(doc: str, **kw) -> AuditEvent:
    base = dict(run_id="run1", document_id=doc, document_sha256="", document_size=1, entity_counts={},
                category_counts={}, top_scores={}, route="cloud", reasons=["clean"], policy_version="v1", outcome="ok",
                source="batch")
    return AuditEvent(**(base | kw))


def gateway_event(request_id: str, key_id: str, **kw) -> AuditEvent:
    return event(request_id, run_id="gateway-1", source="gateway", latency_ms=212.0,
                 extra={"endpoint": "chat.completions", "client_key_id": key_id, "status": 200, "stream": False}, **kw)


def audit(db: Path, *args: str):
    return CliRunner().invoke(cli, ["audit", "--db", str(db), *args], catch_exceptions=False)


# ----------------------------------------------------------------------------- show


def test_show_finds_a_gateway_request_by_the_id_in_its_decision_header(gateway, tmp_path: Path) -> None:
    import openai

    gw = gateway()
    raw = openai.OpenAI(base_url=gw.base_url, api_key="anything", max_retries=0).chat.completions \
        .with_raw_response.create(model="gpt-4o-mini", messages=MSGS)
    request_id = raw.headers["x-redactor-decision"]
    assert request_id.startswith("req_")
    r = audit(tmp_path / "audit.db", "show", request_id, "--json")
    assert r.exit_code == 0, r.output
    record = json.loads(r.output)
    assert record["document_id"] == request_id and record["source"] == "gateway"
    assert record["route"] == raw.headers["x-redactor-route"]
    r = audit(tmp_path / "audit.db", "show", request_id)
    assert r.exit_code == 0 and request_id in r.output and "chat.completions" in r.output


def test_show_takes_record_numbers_ranges_and_document_ids(tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    with AuditTrail(db) as trail:
        for doc in ("a.txt", "b.txt", "a.txt", "c.txt"):
            trail.record(event(doc))
    seqs = lambda *a: [x["seq"] for x in json.loads(audit(db, "show", *a, "--json").output)]  # noqa: E731
    assert json.loads(audit(db, "show", "2", "--json").output)["document_id"] == "b.txt"  # one record: an object
    assert seqs("2-4") == [2, 3, 4] and seqs("3..9") == [3, 4]
    assert seqs("a.txt") == [1, 3]  # a document handled twice: both records
    assert audit(db, "show", "a.txt").output.count("document_id") == 2
    assert audit(db, "show", "req_0000").output.strip() == "Error: no record req_0000 in the audit trail"
    assert audit(db, "show", "a.tx").exit_code == 1  # a whole id, not a part of one (that is list --document)
    for bad in ("0", "4-2"):
        r = audit(db, "show", bad)
        assert r.exit_code == 2 and len(r.output.strip().splitlines()) == 1, r.output


# ----------------------------------------------------------------------------- list


def _trail_for_list(db: Path, key_id: str = "key_4c9ff136e313") -> None:
    with AuditTrail(db) as trail:
        for i in range(5):
            trail.record(event(LONG_ID.replace("7", str(i)), route="local", category_counts={"PII": 2, "HEALTH": 1},
                               reasons=["combination.phi", "category.PII", "entity.MEDICAL_CONDITION",
                                        "cloud-not-configured"]))
        trail.record(gateway_event("req_0123456789abcdef0123", key_id))
        trail.record(event("empty.txt", route="none", reasons=["ingest"], outcome="skipped",
                           error_class="EmptyDocument"))


def _on_a_terminal(args: list[str], columns: int, home: Path) -> list[str]:
    """Run the CLI in a pseudo-terminal ``columns`` wide; its lines, without colours."""
    import fcntl
    import pty
    import re
    import struct
    import termios

    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")} | {"REDACTOR_HOME": str(home)}
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    proc = subprocess.Popen([sys.executable, "-c", "from redactor.cli.main import cli; cli()", *args], cwd=ROOT,
                            env=env, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    out, deadline = b"", time.monotonic() + 60
    while time.monotonic() < deadline:
        if select.select([master], [], [], 1)[0]:
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            out += data
        elif proc.poll() is not None:
            break
    os.close(master)
    assert proc.wait(timeout=30) == 0, out
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.decode("utf-8")).replace("\r", "")
    return [line.rstrip() for line in text.splitlines() if line.strip()]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.parametrize("columns", [120, 80])
def test_list_on_a_terminal_fits_it_one_line_a_record(tmp_path: Path, columns: int) -> None:
    home = tmp_path / "home"
    key, _ = KeyStore(home / "gateway_keys.json").create(name="billing-app")
    _trail_for_list(tmp_path / "audit.db", key.id)
    lines = _on_a_terminal(["audit", "--db", str(tmp_path / "audit.db"), "list"], columns, home)
    assert all(len(line) <= columns for line in lines), "\n".join(lines)
    header, *records, footer = lines
    assert header.split()[:3] == ["ID", "Time", "(UTC)"] and len(records) == 7  # one line each
    assert [int(line.split()[0]) for line in records] == list(range(1, 8))
    assert records[0].split()[3].startswith("…") and "version_0.pdf" in records[0]  # a path keeps its end
    assert "skipped EmptyDocument" in records[6]
    assert footer.startswith("7 record(s)") and "cut to fit" in footer
    if columns >= 120:
        assert "Reasons" in header and "Source" in header and "gateway billing-app" in records[5]


def test_list_off_a_terminal_is_tab_separated_and_uncut(tmp_path: Path) -> None:
    _trail_for_list(tmp_path / "audit.db")
    r = CliRunner().invoke(cli, ["audit", "--db", str(tmp_path / "audit.db"), "list"], env={"COLUMNS": "120"})
    assert r.exit_code == 0
    rows = list(csv.DictReader(r.stdout.splitlines(), delimiter="\t"))
    assert [x["seq"] for x in rows] == [str(i) for i in range(1, 8)]
    assert rows[0]["document_id"] == LONG_ID.replace("7", "0")
    assert rows[0]["reasons"] == "combination.phi; category.PII; entity.MEDICAL_CONDITION; cloud-not-configured"
    assert rows[0]["found"] == "PII 2, HEALTH 1" and rows[0]["route"] == "local"
    assert rows[5]["source"] == "gateway key_4c9ff136e313 chat.completions 212 ms"  # no key store: the id
    assert rows[6]["outcome"] == "skipped EmptyDocument"
    assert "record(s)" not in r.stdout and "7 record(s)" in r.stderr


# ----------------------------------------------------------------------------- gateway keys by name


def test_gateway_keys_show_by_their_names_which_stay_out_of_the_sealed_records(redactor_home: Path,
                                                                               tmp_path: Path) -> None:
    store = KeyStore()
    key, _ = store.create(name="billing-app")
    db = tmp_path / "audit.db"
    with AuditTrail(db) as trail:
        trail.record(gateway_event("req_aaaa", key.id))
        trail.record(gateway_event("req_bbbb", "key_0d0d0d0d0d0d"))  # a key since removed from the store

    rows = list(csv.DictReader(audit(db, "list").stdout.splitlines(), delimiter="\t"))
    assert [x["source"] for x in rows] == ["gateway billing-app chat.completions 212 ms",
                                           "gateway key_0d0d0d0d0d0d chat.completions 212 ms"]
    shown = audit(db, "show", "req_aaaa").output
    assert "billing-app" in shown and key.id in shown and "not part of the sealed record" in shown
    assert "billing-app" not in audit(db, "show", "req_aaaa", "--json").output  # the record as sealed

    assert audit(db, "report", "--out", str(tmp_path / "r.html")).exit_code == 0
    html = (tmp_path / "r.html").read_text()
    traffic = html.split('<section id="gateway">')[1].split("</section>")[0]
    assert "billing-app" in traffic and key.id in traffic and "key_0d0d0d0d0d0d" in traffic
    docs = html.split('<section id="documents">')[1].split("</section>")[0]
    assert "billing-app" in docs
    got = list(csv.DictReader((tmp_path / "r-documents.csv").open(encoding="utf-8")))
    assert [(x["client_key_id"], x["client_key_name"]) for x in got] == [(key.id, "billing-app"),
                                                                        ("key_0d0d0d0d0d0d", "")]

    with AuditTrail(db) as trail:
        assert trail.verify().ok
    assert b"billing-app" not in db.read_bytes()  # names are read at display time, never written

    (redactor_home / "gateway_keys.json").write_text("{not json")  # an unreadable store: the ids stand
    r = audit(db, "list")
    assert r.exit_code == 0 and f"gateway {key.id} chat.completions" in r.output


def test_the_report_builder_takes_key_names_from_its_caller(tmp_path: Path) -> None:
    with AuditTrail(tmp_path / "a.db") as trail:
        trail.record(gateway_event("req_cccc", "key_1234"))
        assert "team-a" in build_report(trail, key_names={"key_1234": "team-a"})
        assert "team-a" not in build_report(trail)
        assert [x["client_key_name"] for x in document_rows(trail, key_names={"key_1234": "team-a"})] == ["team-a"]


# ----------------------------------------------------------------------------- backup, and copies cut short


def _live_trail(db: Path) -> AuditTrail:
    """A trail in use: 12 records in the database file, 6 more still in its write-ahead log."""
    trail = AuditTrail(db)
    for i in range(12):
        trail.record(event(f"doc_{i}.txt"))
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    conn.close()
    for i in range(12, 18):
        trail.record(event(f"doc_{i}.txt"))
    assert Path(f"{db}-wal").stat().st_size > 0
    return trail


def test_backup_copies_a_trail_in_use_whole_where_cp_misses_records(tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    trail = _live_trail(db)  # stays open, as the gateway would keep it
    copied = tmp_path / "cp.db"
    shutil.copyfile(db, copied)  # what the officer did: the -wal file is left behind
    r = audit(copied, "verify")
    assert r.exit_code == 0 and r.stdout.startswith("OK: 12 records")  # nothing inside tells it is short...
    assert "not checked: whether records were cut from the end" in r.stderr  # ...and verify says so

    r = audit(db, "backup", str(tmp_path / "backups" / "audit-copy.db"))
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == f"copied 18 records to {tmp_path / 'backups' / 'audit-copy.db'}"
    assert lines[1].startswith("OK: 18 records")
    head = trail.verify().head
    assert lines[2] == f"head {head}" and f"--head {head}" in lines[3]
    backup = tmp_path / "backups" / "audit-copy.db"
    assert not Path(f"{backup}-wal").exists()  # one self-contained file: a cp of the backup is whole
    shutil.copyfile(backup, tmp_path / "copy-of-backup.db")
    with AuditTrail(tmp_path / "copy-of-backup.db", read_only=True) as again:
        assert again.verify().head == head

    r = audit(copied, "verify", "--head", head)  # the kept head names the cut
    assert r.exit_code == 1
    assert "truncated" in r.stdout and "ends at 12 (6 missing from the end)" in r.stdout
    assert "redactor audit backup" in r.stdout

    r = audit(db, "backup", str(backup))
    assert r.exit_code == 1 and "already exists" in r.output  # never over an earlier backup
    r = audit(db, "backup", str(tmp_path / "backups"))  # a folder: a new dated file in it
    assert r.exit_code == 0
    assert len(list((tmp_path / "backups").glob("audit-*Z.db"))) == 1
    trail.close()


def test_backup_needs_only_read_access(tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    with AuditTrail(db) as trail:
        for i in range(3):
            trail.record(event(f"doc_{i}.txt"))
    with AuditTrail(db, read_only=True) as reader:  # an auditor with read access only
        count, head = reader.backup(tmp_path / "copy.db")
    with AuditTrail(tmp_path / "copy.db", read_only=True) as copy:
        assert count == 3 and copy.verify(head=(count, head)).ok


def test_backup_of_a_broken_trail_keeps_the_copy_as_evidence_and_fails(tmp_path: Path) -> None:
    db = tmp_path / "audit.db"
    with AuditTrail(db) as trail:
        for i in range(4):
            trail.record(event(f"doc_{i}.txt"))
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TRIGGER records_no_update")
    conn.execute("UPDATE records SET record = replace(record, 'doc_2', 'doc_9') WHERE seq = 3")
    conn.close()
    r = audit(db, "backup", str(tmp_path / "evidence.db"))
    assert r.exit_code == 1 and "FAILED: record 3: edited" in r.output
    assert (tmp_path / "evidence.db").is_file()


def test_backup_with_the_key_and_without_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "audit.db"
    with AuditTrail(db, key="the-key") as trail:
        trail.record(event("a.txt"))
    monkeypatch.setenv("REDACTOR_AUDIT_KEY", "the-key")
    r = audit(db, "backup", str(tmp_path / "keyed.db"), "--json")
    got = json.loads(r.stdout)
    assert r.exit_code == 0 and got["ok"] and got["keyed"] and got["copy"] == str(tmp_path / "keyed.db")
    monkeypatch.delenv("REDACTOR_AUDIT_KEY")  # a reviewer without the key still gets a copy, but no verdict
    r = audit(db, "backup", str(tmp_path / "unkeyed.db"))
    assert r.exit_code == 1 and "NOT CHECKED" in r.output and (tmp_path / "unkeyed.db").is_file()


# ----------------------------------------------------------------------------- files into new folders


@pytest.mark.parametrize("command", [["report", "--out", "{dir}/r.html"], ["export", "--out", "{dir}/e.jsonl"],
                                     ["checkpoint", "--out", "{dir}/head.txt"]])
def test_out_files_go_into_folders_made_for_them(tmp_path: Path, command: list[str]) -> None:
    with AuditTrail(tmp_path / "audit.db") as trail:
        trail.record(event("a.txt"))
    where = tmp_path / "new" / "folder"
    r = audit(tmp_path / "audit.db", *(a.format(dir=where) for a in command))
    assert r.exit_code == 0, r.output
    assert Path(command[-1].format(dir=where)).is_file()


@pytest.mark.parametrize("command", [["report", "--out", "{dir}/r.html"], ["export", "--out", "{dir}/e.jsonl"]])
def test_an_out_file_under_a_file_is_one_clear_line(tmp_path: Path, command: list[str]) -> None:
    with AuditTrail(tmp_path / "audit.db") as trail:
        trail.record(event("a.txt"))
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    r = CliRunner().invoke(cli, ["audit", "--db", str(tmp_path / "audit.db"),
                                 *(a.format(dir=blocker) for a in command)])
    assert r.exit_code == 2 and isinstance(r.exception, SystemExit), r.output
    assert r.output.strip().splitlines() == [f"Error: cannot create {blocker}: File exists"]
