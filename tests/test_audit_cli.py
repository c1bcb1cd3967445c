"""Every ``redactor audit`` command through click's CliRunner, including bad
arguments (exit 2, one line) and missing or corrupt databases (exit 1, one line)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from redactor.audit import AuditEvent, AuditTrail
from redactor.cli.main import cli


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REDACTOR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("REDACTOR_AUDIT_KEY", raising=False)
    return tmp_path / "home"


def event(i: int, **kw) -> AuditEvent:
    base = dict(
        run_id="run-7",
        document_id=f"hr/letter_{i}.docx",
        document_sha256=hashlib.sha256(str(i).encode()).hexdigest(),
        document_size=2000 + i,
        entity_counts={"PERSON": 2, "MEDICAL_CONDITION": 1} if i % 2 else {},
        category_counts={"PII": 2, "HEALTH": 1} if i % 2 else {},
        top_scores={"PERSON": 0.85} if i % 2 else {},
        route="local" if i % 2 else "cloud",
        reasons=["health+identifier->local"] if i % 2 else ["no findings"],
        policy_version="b" * 64,
        outcome="ok",
        backend="local" if i % 2 else "cloud",
        tokens_in=300,
        tokens_out=80,
        timestamp=f"2026-03-{1 + i:02d}T09:00:00Z",
    )
    base.update(kw)
    return AuditEvent(**base)


@pytest.fixture
def db(home: Path) -> Path:
    path = home / "audit.db"
    trail = AuditTrail(path)
    for i in range(6):
        trail.record(event(i))
    trail.record(event(6, outcome="error", error_class="LocalModelError", route="none", backend=""))
    trail.close()
    return path


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["audit", *args], input=input, catch_exceptions=False, env={"COLUMNS": "160"})


def one_line_error(result, code: int) -> str:
    assert result.exit_code == code, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


# ----------------------------------------------------------------------------- list / show


def test_list_table_and_filters(db: Path) -> None:
    r = run("list")
    assert r.exit_code == 0 and "7 record(s)" in r.output and "letter_0.docx" in r.output
    r = run("list", "--json", "--route", "local")
    rows = json.loads(r.output)
    assert [x["seq"] for x in rows] == [2, 4, 6]
    assert [x["seq"] for x in json.loads(run("list", "--json", "--category", "HEALTH").output)] == [2, 4, 6]
    assert [x["seq"] for x in json.loads(run("list", "--json", "--since", "2026-03-06").output)] == [6, 7]
    assert [x["seq"] for x in json.loads(run("list", "--json", "--until", "2026-03-02").output)] == [1, 2]
    assert [x["seq"] for x in json.loads(run("list", "--json", "--since", "2026-03-02T12:00", "--until", "2026-03-04T09:00:00+00:00").output)] == [3, 4]
    assert [x["seq"] for x in json.loads(run("list", "--json", "--document", "letter_3").output)] == [4]
    assert [x["seq"] for x in json.loads(run("list", "--json", "--outcome", "error").output)] == [7]
    assert [x["seq"] for x in json.loads(run("list", "--json", "--limit", "2").output)] == [6, 7]
    assert json.loads(run("list", "--json", "--category", "FINANCIAL").output) == []
    assert [x["seq"] for x in json.loads(run("list", "--json", "--category", "health").output)] == [2, 4, 6]


def test_list_repeated_routes_combine(db: Path) -> None:
    rows = json.loads(run("list", "--json", "--route", "local", "--route", "none").output)
    assert [x["seq"] for x in rows] == [2, 4, 6, 7]


def test_list_relative_dates(home: Path) -> None:
    from datetime import datetime, timedelta, timezone

    now = datetime.now(timezone.utc)
    trail = AuditTrail(home / "audit.db")
    for i, ago in enumerate([timedelta(days=20), timedelta(days=3), timedelta(hours=2)]):
        trail.record(event(i, timestamp=(now - ago).isoformat()))
    seqs = lambda *a: [x["seq"] for x in json.loads(run("list", "--json", *a).output)]  # noqa: E731
    assert seqs("--since", "7d") == [2, 3]
    assert seqs("--since", "12h") == [3]
    two_hours_ago_is_today = (now - timedelta(hours=2)).date() == now.date()  # not in the first two hours of a UTC day
    assert seqs("--since", "today") == ([3] if two_hours_ago_is_today else [])
    assert seqs("--until", "yesterday") == ([1, 2] if two_hours_ago_is_today else [1, 2, 3])
    assert seqs("--since", "2w", "--until", "yesterday") == ([2] if two_hours_ago_is_today else [2, 3])


@pytest.mark.parametrize(("args", "valid"), [(["--category", "HELTH"], "HEALTH"), (["--outcome", "failed"], "skipped")])
def test_list_unknown_category_or_outcome_is_a_usage_error_naming_the_valid_values(db: Path, args: list[str], valid: str) -> None:
    msg = one_line_error(run("list", *args), 2)
    assert valid in msg


def test_list_piped_is_not_wrapped_at_80_columns(db: Path) -> None:
    long_id = "archive/2026/march/" + "quarterly_statement_" * 5 + "final.pdf"
    AuditTrail(db).record(event(8, document_id=long_id, reasons=["category.PII", "combination.phi", "cloud-not-configured"]))
    out = CliRunner().invoke(cli, ["audit", "list"], catch_exceptions=False).output  # no COLUMNS: not a terminal
    assert any(long_id in line and "cloud-not-configured" in line for line in out.splitlines())


def test_show(db: Path) -> None:
    r = run("show", "2", "--json")
    rec = json.loads(r.output)
    assert r.exit_code == 0 and rec["seq"] == 2 and rec["category_counts"] == {"HEALTH": 1, "PII": 2} and rec["hash"]
    r = run("show", "2")
    assert r.exit_code == 0 and "health+identifier->local" in r.output and "HEALTH 1" in r.output
    assert one_line_error(run("show", "99"), 1) == "Error: no record 99 in the audit trail"


# ----------------------------------------------------------------------------- verify / checkpoint


def test_verify_intact_prints_count_and_head(db: Path) -> None:
    r = run("verify")
    assert r.exit_code == 0 and r.output.startswith("OK: 7 records")
    assert r.stdout.splitlines()[-1].startswith("head ")  # scripts: `verify | tail -1`
    head = r.stdout.splitlines()[-1].removeprefix("head ")
    assert run("verify", "--head", head).exit_code == 0
    data = json.loads(run("verify", "--json").output)
    assert data["ok"] and data["count"] == 7 and data["head"] == head


def test_verify_reports_the_first_bad_record(db: Path) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TRIGGER records_no_update")
    conn.execute("""UPDATE records SET record = replace(record, '"document_size":2004', '"document_size":1') WHERE seq = 5""")
    r = run("verify")
    assert r.exit_code == 1 and r.output.strip() == "FAILED: record 5: edited: its content does not match its sealed hash"


def test_verify_detects_truncation_against_a_checkpoint_file(db: Path, tmp_path: Path) -> None:
    cp = tmp_path / "head.txt"
    r = run("checkpoint", "--out", str(cp))
    assert r.exit_code == 0 and r.output.startswith("7:") and cp.read_text().splitlines()[1] == r.output.strip()
    assert run("verify", "--head", str(cp)).exit_code == 0
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TRIGGER records_no_delete")
    conn.execute("DELETE FROM records WHERE seq >= 6")
    conn.execute("DELETE FROM checkpoints")  # a careful attacker clears the internal ones too
    assert run("verify").exit_code == 0
    r = run("verify", "--head", str(cp))
    assert r.exit_code == 1 and "truncated" in r.output and "ends at 5" in r.output


def test_verify_key_mismatch(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDACTOR_AUDIT_KEY", "right")
    trail = AuditTrail(home / "audit.db", key="right")
    trail.record(event(1))
    assert run("verify").exit_code == 0 and "HMAC" in run("verify").output
    monkeypatch.setenv("REDACTOR_AUDIT_KEY", "wrong")
    r = run("verify")
    assert r.exit_code == 1 and "record 1: key mismatch" in r.output
    monkeypatch.delenv("REDACTOR_AUDIT_KEY")  # a reviewer without the key: not a failure, not a pass
    r = run("verify")
    assert r.exit_code == 1 and r.output.startswith("NOT CHECKED") and "FAILED" not in r.output
    assert "structure consistent: 1 records" in r.output


# ----------------------------------------------------------------------------- export / report / prune


def test_export_jsonl_and_csv(db: Path, tmp_path: Path) -> None:
    r = run("export")
    lines = [json.loads(x) for x in r.output.splitlines()]
    assert r.exit_code == 0 and [x["seq"] for x in lines] == list(range(1, 8)) and lines[0]["hash"]
    out = tmp_path / "a.csv"
    r = run("export", "--format", "csv", "--out", str(out), "--since", "2026-03-05")
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert r.exit_code == 0 and [x["seq"] for x in rows] == ["5", "6", "7"]
    assert rows[1]["category_counts"] == '{"HEALTH": 1, "PII": 2}' and rows[1]["reasons"] == "health+identifier->local"


def test_export_csv_defuses_formulas(home: Path) -> None:
    AuditTrail(home / "audit.db").record(event(1, document_id="=HYPERLINK(\"x\")"))
    rows = list(csv.DictReader(io.StringIO(run("export", "--format", "csv").output)))
    assert rows[0]["document_id"].startswith("'=")


def test_report_writes_html(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    r = run("report", "--out", str(out), "--price-per-1m", "2.5")
    html = out.read_text()
    assert r.exit_code == 0 and "Audit trail intact" in html and "$2.50 / $2.50" in html
    r = run("report", "--out", str(tmp_path / "r2.html"), "--since", "2026-03-07")
    assert r.exit_code == 0 and "1</b><span>records" in (tmp_path / "r2.html").read_text()


def test_report_writes_the_per_document_csv_next_to_the_html(db: Path, tmp_path: Path) -> None:
    AuditTrail(db).record(event(7, route="cloud_redacted", reasons=["low_confidence(category.PII)", "clean"],
                                reason_actions=["redact", "allow"], policy_name="default", transform="pseudonymize",
                                document_id="=cmd|' /C calc'!A0"))
    r = run("report", "--out", str(tmp_path / "r.html"), "--route", "cloud", "--route", "cloud_redacted")
    assert r.exit_code == 0 and "r-documents.csv" in r.output
    rows = list(csv.DictReader((tmp_path / "r-documents.csv").open(encoding="utf-8")))
    assert [x["seq"] for x in rows] == ["1", "3", "5", "8"]  # both routes, nothing else
    last = rows[-1]
    assert last["document_id"].startswith("'=")  # never a formula
    assert (last["route"], last["policy_name"], last["transform"]) == ("cloud_redacted", "default", "pseudonymize")
    assert last["rules"] == "low_confidence(category.PII); clean"
    assert "personal identifiers, found with low confidence: masked before sending" in last["rules_in_words"]
    html = (tmp_path / "r.html").read_text()
    assert html.count('<tr class="doc">') == 4 and "r-documents.csv" in html
    out = tmp_path / "elsewhere.csv"
    assert run("report", "--out", str(tmp_path / "r3.html"), "--csv", str(out)).exit_code == 0
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == 8


def test_prune(db: Path) -> None:
    r = run("prune", "--before", "2026-03-04", input="n\n")
    assert r.exit_code == 1 and AuditTrail(db).count() == 7  # declined
    r = run("prune", "--before", "2026-03-04", "--yes")
    assert r.exit_code == 0 and r.output.startswith("pruned 3 record(s)")
    assert run("verify").exit_code == 0
    rows = json.loads(run("list", "--json").output)
    assert rows[0]["kind"] == "pruned" and [x["seq"] for x in rows] == [3, 4, 5, 6, 7]
    assert "3 older records pruned" in run("list").output
    assert run("prune", "--before", "2026-03-04", "--yes").output.startswith("nothing older")


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--since", "last tuesday"],
        ["list", "--route", "mars"],
        ["list", "--limit", "-1"],
        ["list", "--bogus"],
        ["show", "0"],  # record numbers start at 1
        ["show", "7-3"],  # a range goes from low to high
        ["show"],
        ["verify", "--head", "12:nothex"],
        ["export", "--format", "xml"],
        ["report"],
        ["prune"],
        ["prune", "--before", "2026-13-45"],
        ["frobnicate"],
    ],
)
def test_bad_arguments_exit_2_with_one_line(db: Path, args: list[str]) -> None:
    one_line_error(run(*args), 2)


@pytest.mark.parametrize(
    "args",
    [["list"], ["show", "1"], ["verify"], ["checkpoint"], ["export"], ["report", "--out", "x.html"], ["prune", "--before", "2026-01-01", "--yes"]],
)
def test_missing_database_is_one_line_and_not_created(home: Path, tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "nowhere" / "audit.db"
    msg = one_line_error(run("--db", str(missing), *args), 1)
    assert "no audit trail at" in msg and not missing.exists() and not missing.parent.exists()
    msg = one_line_error(run(*args), 1)  # the default location, inside REDACTOR_HOME
    assert str(home) in msg and not (home / "audit.db").exists()


@pytest.mark.parametrize("args", [["list"], ["show", "1"], ["verify"], ["export"], ["report", "--out", "x.html"]])
def test_corrupt_database_is_one_line(tmp_path: Path, args: list[str]) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    msg = one_line_error(run("--db", str(junk), *args), 1)
    assert "corrupt" in msg or "not a" in msg
