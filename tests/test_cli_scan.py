"""``redactor scan``, ``eval``, ``policy`` and ``redact`` through click's CliRunner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SAMPLE_DOCS, SAMPLE_LABELS
from redactor.cli.main import cli

SSN = "536-22-1987"


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    d.mkdir()
    (d / "letter.txt").write_text(f"Dear Dana Whitfield,\nyour SSN {SSN} is on file. Call 212-555-0187.\n")
    (d / "memo.md").write_text("The office moves to the third floor next quarter.\n")
    sub = d / "nested"
    sub.mkdir()
    shutil.copy(SAMPLE_DOCS / "payroll.csv", sub / "payroll.csv")
    return d


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_scan_table_masks_values(docs: Path):
    r = run("scan", str(docs))
    assert r.exit_code == 0, r.output
    assert "US_SSN" in r.output and "letter.txt" in r.output
    assert SSN not in r.output and "Whitfield" not in r.output


def test_scan_json_is_machine_readable_and_recursive(docs: Path):
    r = run("scan", "--json", str(docs))
    assert r.exit_code == 0
    data = json.loads(r.output)
    by_doc = {Path(d["document"].split("#")[0]).name: d for d in data["documents"]}
    assert {"letter.txt", "memo.md", "payroll.csv"} <= set(by_doc)
    letter = by_doc["letter.txt"]
    assert letter["entities"]["US_SSN"] == 1 and letter["categories"]["PII"] >= 3
    # masked without a shape: "•••-••-••••" told the kind and the length of the value
    assert {f["value"] for d in data["documents"] for f in d["findings"]} == {"[redacted]"}
    assert by_doc["memo.md"]["entities"] == {}
    assert SSN not in r.output


def test_scan_show_values(docs: Path):
    r = run("scan", "--json", "--show-values", str(docs / "letter.txt"))
    values = {f["value"] for f in json.loads(r.output)["documents"][0]["findings"]}
    assert SSN in values


def test_bad_file_fails_alone_with_its_name(docs: Path):
    (docs / "broken.pdf").write_bytes(b"%PDF-1.7 this is not really a pdf")
    (docs / "empty.txt").write_text("")
    r = CliRunner().invoke(cli, ["scan", "--json", str(docs)])
    assert r.exit_code == 1
    assert "error: " in r.stderr and "broken.pdf" in r.stderr
    assert f"skipped: {docs / 'empty.txt'}: empty file (0 bytes)" in r.stderr  # skipped, not failed
    data = json.loads(r.stdout)
    assert [Path(f["path"]).name for f in data["failed"]] == ["broken.pdf"]
    assert [Path(f["path"]).name for f in data["skipped"]] == ["empty.txt"]
    assert any(d["document"].endswith("letter.txt") for d in data["documents"])


def test_empty_and_binary_files_are_skipped_not_failures_and_decoding_is_noted(docs: Path):
    (docs / "empty.txt").write_text("")
    (docs / "blob.txt").write_bytes(bytes(range(256)))
    (docs / "latin.txt").write_bytes("Caf\u00e9 menu: cr\u00e8me br\u00fbl\u00e9e, na\u00efve ".encode() + b"\xff\xfe" + b" end\n")
    r = CliRunner().invoke(cli, ["scan", "--json", str(docs)])
    assert r.exit_code == 0, r.stderr
    skipped = sorted(line for line in r.stderr.splitlines() if line.startswith("skipped: "))
    assert skipped == [f"skipped: {docs / 'blob.txt'}: binary file skipped", f"skipped: {docs / 'empty.txt'}: empty file (0 bytes)"]
    assert f"note: {docs / 'latin.txt'}: 2 invalid UTF-8 byte sequence(s) replaced" in r.stderr.splitlines()
    assert json.loads(r.stdout)["failed"] == []


def test_a_truncated_pdf_is_one_error_line_and_no_parser_line(tmp_path: Path):
    import subprocess
    import sys

    from conftest import ROOT
    from test_ingest import make_pdf

    data = make_pdf([f"Patient Dana Whitfield, SSN {SSN}"])
    (tmp_path / "cut.pdf").write_bytes(data[: len(data) // 3])
    r = subprocess.run([sys.executable, "-c", "from redactor.cli.main import main; main()", "scan", str(tmp_path / "cut.pdf")],
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 1
    assert r.stderr.splitlines() == [f"error: {tmp_path / 'cut.pdf'}: unreadable PDF (PdfStreamError)"], r.stderr


def test_usage_errors_exit_2(tmp_path: Path):
    assert run("scan").exit_code == 2
    assert CliRunner().invoke(cli, ["scan", "--nope", "x"]).exit_code == 2
    bad = tmp_path / "config.toml"
    bad.write_text('[detect]\nspacy_modle = "x"\n')
    r = CliRunner().invoke(cli, ["scan", "--config", str(bad), str(tmp_path)])
    assert r.exit_code == 2 and "detect.spacy_modle" in r.stderr


def test_missing_spacy_model_is_a_clear_error_not_a_download(docs: Path):
    r = CliRunner().invoke(cli, ["scan", "--spacy-model", "en_core_web_xx_nonexistent", str(docs)])
    assert r.exit_code == 1
    assert "not installed" in r.stderr and "pip install" in r.stderr
    assert "Traceback" not in r.stderr


def test_eval_on_sample_docs_labels():
    r = run("eval", "--json", str(SAMPLE_LABELS))
    assert r.exit_code == 0
    d = json.loads(r.output)
    assert d["examples"] == 22 and d["negatives_reported"] == 0
    assert d["recall"] > 0.9


def test_policy_show_and_check(tmp_path: Path):
    r = run("policy", "show")
    assert r.exit_code == 0 and "combination phi" in r.output
    good = tmp_path / "p.toml"
    good.write_text('name = "mine"\n[categories.PII]\naction = "redact"\n')
    r = run("policy", "check", str(good))
    assert r.exit_code == 0 and "version" in r.output
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "mine"\n[categories.PII]\naction = "maybe"\n')
    r = CliRunner().invoke(cli, ["policy", "check", str(bad)])
    assert r.exit_code == 2 and "categories.PII.action" in r.stderr


@pytest.mark.parametrize("operator", ["replace", "mask", "hmac", "encrypt"])
def test_redact_writes_copies_without_values(docs: Path, tmp_path: Path, operator: str):
    out = tmp_path / "red"
    env = {"REDACTOR_REDACT_KEY": "0123456789abcdef0123456789abcdef"}
    r = run("redact", str(docs / "letter.txt"), "--out", str(out), "--operator", operator, env=env)
    assert r.exit_code == 0, r.output
    [copy] = list(out.iterdir())
    text = copy.read_text()
    assert SSN not in text and "Whitfield" not in text and "212-555-0187" not in text
    assert env["REDACTOR_REDACT_KEY"] not in r.output
    if operator == "hmac":
        assert "HMAC:" in text


def test_hmac_is_keyed(docs: Path, tmp_path: Path):
    outs = []
    for key in ("key-one-key-one-key-one-key-one!", "key-two-key-two-key-two-key-two!"):
        out = tmp_path / key[:7]
        run("redact", str(docs / "letter.txt"), "--out", str(out), "--operator", "hmac", env={"REDACTOR_REDACT_KEY": key})
        outs.append(next(out.iterdir()).read_text())
    assert outs[0] != outs[1]


def test_redact_operators_needing_a_key_say_so(docs: Path, tmp_path: Path):
    r = CliRunner().invoke(cli, ["redact", str(docs), "--out", str(tmp_path / "o"), "--operator", "hmac"], env={"REDACTOR_REDACT_KEY": ""})
    assert r.exit_code == 2 and "REDACTOR_REDACT_KEY" in r.stderr


def test_redact_keeps_the_label_after_a_name(tmp_path: Path):
    """"John Smith SSN 536-…": the name and the number go, the word SSN stays."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "hr.txt").write_text(f"Employee: John Smith SSN {SSN}, start date next month.\n")
    r = run("redact", str(src / "hr.txt"), "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    [copy] = list((tmp_path / "out").iterdir())
    assert copy.read_text() == "Employee: <PERSON> SSN <US_SSN>, start date next month.\n"


def test_scan_shows_the_doubts_run_acts_on(tmp_path: Path):
    """A word no recognizer explains is a doubt: run pseudonymises it, so scan must show it."""
    (tmp_path / "note.txt").write_text("The Quorvex rollout starts next quarter.\n")
    r = run("scan", "--json", "--show-values", str(tmp_path / "note.txt"))
    [doc] = json.loads(r.output)["documents"]
    assert doc["entities"] == {} and doc["doubts"] == 1
    assert [(f["value"], f["doubt"]) for f in doc["findings"]] == [("Quorvex", True)]
    assert doc["route"] == "cloud_redacted"
    table = run("scan", "--show-values", str(tmp_path / "note.txt")).output
    assert "UNVERIFIED?" in table and "cloud_redacted" in table


def test_scan_counts_doubts_apart_and_follows_the_policy(docs: Path):
    r = run("scan", "--json", str(docs / "letter.txt"), str(docs / "memo.md"))
    by_doc = {Path(d["document"]).name: d for d in json.loads(r.output)["documents"]}
    # a document kept local for its findings is not doubted further: routing does not need it
    assert by_doc["letter.txt"]["route"] == "local" and by_doc["letter.txt"]["doubts"] == 0
    assert not any(f["doubt"] for f in by_doc["letter.txt"]["findings"])
    assert by_doc["memo.md"] == by_doc["memo.md"] | {"route": "cloud", "doubts": 0, "findings": []}
    strict = run("scan", "--json", "--policy", "strict", str(docs / "letter.txt"))
    assert json.loads(strict.output)["documents"][0]["route"] == "local"


def test_scan_and_prepare_act_on_the_same_findings(tmp_path: Path, make_pipeline):
    texts = ["The Quorvex rollout starts next quarter.", "Call Dana Whitfield at 212-555-0187.",
             "The office moves to the third floor next quarter."]
    for i, t in enumerate(texts):
        (tmp_path / f"{i}.txt").write_text(t)
    shown = json.loads(run("scan", "--json", str(tmp_path)).output)["documents"]
    pipeline = make_pipeline()
    for doc in shown:
        p = pipeline.prepare(Path(doc["document"]).read_text(), "Summarize.")
        assert doc["route"] == p.decision.route.value
        assert doc["doubts"] == sum(f.entity_type == "UNVERIFIED" for f in _acted_on(p, pipeline))


def _acted_on(prepared, pipeline):
    from redactor.prepare import decide_with_doubts

    return decide_with_doubts(prepared.scan, pipeline.policy)[1]
