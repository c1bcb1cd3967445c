"""Gateway traffic next to batch runs: every record says what wrote it (``source``), and
``audit report`` (HTML and CSV) and ``audit list`` show the gateway's records — client key,
endpoint, latency, refusals — beside batch, library and Spark records, old trails included."""

from __future__ import annotations

import csv
import json
import re

import httpx
import openai
import pytest
from click.testing import CliRunner

from conftest import ListSink
from redactor.audit import AuditEvent, AuditTrail
from redactor.audit.event import source_of
from redactor.audit.report import build_report, document_rows
from redactor.cli.main import cli
from redactor.serve.keys import KeyStore

TASK = "Summarize this document in one sentence."
MSGS = [{"role": "user", "content": "Please write to Dana Whitfield at dana.whitfield@example.com about the invoice."}]


def event(doc: str, **kw) -> AuditEvent:
    base = dict(run_id="run1", document_id=doc, document_sha256="", document_size=1, entity_counts={},
                category_counts={}, top_scores={}, route="cloud", reasons=["clean"], policy_version="v1", outcome="ok")
    return AuditEvent(**(base | kw))


def section(html: str, sid: str) -> str:
    m = re.search(rf'<section id="{sid}">(.*?)</section>', html, re.S)
    assert m, sid
    return m.group(1)


def test_the_library_records_its_source(make_pipeline, openai_server, missing_local_model):
    sink = ListSink()
    make_pipeline(audit=sink, local=missing_local_model).process("The office moves next quarter.", TASK, max_tokens=8)
    assert sink.events[-1].source == "library"  # the library API's default


@pytest.mark.slow
def test_a_batch_run_records_its_source(openai_server, local_model_path, redactor_home, tmp_path, monkeypatch):
    monkeypatch.setenv("REDACTOR_LOCAL__MODEL", str(local_model_path))
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "memo.txt").write_text("The office moves to the third floor next quarter.\n")
    r = CliRunner().invoke(cli, ["run", str(tmp_path / "docs"), "--task", TASK, "--out", str(tmp_path / "out"),
                                 "--max-tokens", "4"])
    assert r.exit_code == 0, r.output
    with AuditTrail(redactor_home / "audit.db", create=False) as trail:
        assert [x["source"] for x in trail.records()] == ["batch"]


def test_gateway_traffic_is_reported_beside_batch_runs(gateway, openai_server, redactor_home, tmp_path):
    store = KeyStore()
    row, key = store.create(name="team-a")
    gw = gateway(keys=store)
    c = openai.OpenAI(base_url=gw.base_url, api_key=key, max_retries=0)
    c.chat.completions.create(model="gpt-4o-mini", messages=MSGS)
    c.chat.completions.create(model="gpt-4o-mini", messages=MSGS)
    assert httpx.post(gw.base_url + "/chat/completions", json={"model": "m", "messages": MSGS},
                      headers={"authorization": "Bearer rdk-nope"}).status_code == 401
    trail: AuditTrail = gw.gateway.audit
    # batch, library and Spark records in the same trail, and a gateway record as written before `source`
    trail.record(event("memo.txt", source="batch", run_id="batch1", latency_ms=900.0))
    trail.record(event("row-7", source="library", route="local", backend="local"))
    trail.record(event("part-0", source="spark", outcome="error", error_class="LocalModelError", route="local"))
    trail.record(event("req_old", run_id="gateway-old", extra={"source": "gateway", "endpoint": "embeddings",
                                                                "client_key_id": "key_old", "status": 200},
                       latency_ms=40.0))
    trail.record(event("legacy.txt"))  # an old batch record: its source is not recorded
    trail.verify().raise_for_status()

    records = trail.records()
    assert [source_of(r) for r in records] == ["gateway"] * 3 + ["batch", "library", "spark", "gateway", ""]

    html = build_report(trail)
    sources = section(html, "sources")
    by = dict(re.findall(r'<tr class="source" data-source="([^"]*)">(.*?)</tr>', sources, re.S))
    cells = {k: re.findall(r'<td class="num">([^<]*)</td>', v) for k, v in by.items()}
    # records, local, cloud masked, cloud, blocked, failed, refused
    assert cells["gateway"] == ["4", "0", "2", "1", "0", "0", "1"]
    assert cells["batch"][0] == cells["library"][0] == cells["spark"][0] == cells[""][0] == "1"
    assert cells["spark"][5] == "1" and "Not recorded" in by[""]

    traffic = section(html, "gateway")
    rows = re.findall(r'<tr class="traffic">(.*?)</tr>', traffic, re.S)
    team = next(r for r in rows if row.id in r)
    assert "chat.completions" in team
    nums = re.findall(r'<td class="num">([^<]*)</td>', team)
    assert nums[:5] == ["2", "2", "0", "0", "0"] and re.fullmatch(r"[\d,]+ / [\d,]+", nums[5])
    assert any("key_old" in r and "embeddings" in r for r in rows)
    assert "invalid_api_key.unknown" in traffic and "rdk-nope" not in html and "Dana" not in html
    assert "requests refused by the gateway" in section(html, "summary")
    docs = section(html, "documents")
    assert docs.count('<tr class="doc">') == 7  # the refusal is not a document
    assert row.id in docs and "Handled by" in docs

    out = tmp_path / "rows.csv"
    with out.open("w", newline="") as f:
        w = csv.DictWriter(f, ["source", "client_key_id", "endpoint", "status", "latency_ms", "outcome"],
                           extrasaction="ignore")
        w.writeheader()
        w.writerows(document_rows(trail))
    got = list(csv.DictReader(out.open()))
    assert [g["source"] for g in got] == ["gateway"] * 3 + ["batch", "library", "spark", "gateway", ""]
    assert got[0]["client_key_id"] == row.id and got[0]["endpoint"] == "chat.completions" and got[0]["status"] == "200"
    assert float(got[0]["latency_ms"]) > 0 and got[2]["outcome"] == "refused" and got[3]["client_key_id"] == ""


def test_audit_list_shows_and_filters_by_source(tmp_path, monkeypatch):
    db = tmp_path / "audit.db"
    trail = AuditTrail(db)
    trail.record(event("memo.txt", source="batch"))
    trail.record(event("req_1", source="gateway", latency_ms=123.4,
                       extra={"endpoint": "chat.completions", "client_key_id": "key_abc", "status": 200}))
    trail.record(event("req_0", run_id="gateway-x", extra={"source": "gateway", "endpoint": "completions",
                                                            "client_key_id": "none", "status": 200}))
    trail.record(event("old.txt"))
    trail.close()
    monkeypatch.setenv("REDACTOR_AUDIT__PATH", str(db))
    run = CliRunner().invoke
    r = run(cli, ["audit", "list", "--source", "gateway"])
    assert r.exit_code == 0, r.output
    assert "gateway key_abc chat.completions 123 ms" in r.output and "gateway none completions" in r.output
    assert "memo.txt" not in r.output and "old.txt" not in r.output
    r = run(cli, ["audit", "list", "--source", "batch", "--json"])
    assert [x["document_id"] for x in json.loads(r.output)] == ["memo.txt"]
    r = run(cli, ["audit", "list", "--source", "unrecorded", "--json"])
    assert [x["document_id"] for x in json.loads(r.output)] == ["old.txt"]
    r = run(cli, ["audit", "list"])
    assert "batch" in r.output and r.output.count("gateway") >= 2


def test_an_unknown_source_is_refused():
    from redactor.errors import AuditError
    from redactor.audit.validate import event_record

    with pytest.raises(AuditError, match="source"):
        event_record(event("x", source="Dana Whitfield"))


def test_the_report_shows_the_fleet_by_host(tmp_path):
    db = tmp_path / "audit.db"
    with AuditTrail(db, host="gw-1") as gw1, AuditTrail(db, host="batch-host") as batch:
        gw1.record(event("req_1", source="gateway"))
        gw1.record(event("req_2", source="gateway", route="local"))
        batch.record(event("memo.txt", source="batch"))
        batch.record(event("old.txt", host="spark-driver-3", source="spark", route="blocked"))  # said by the event
    with AuditTrail(db) as trail:
        assert [r["host"] for r in trail.records()] == ["gw-1", "gw-1", "batch-host", "spark-driver-3"]
        html = build_report(trail, price_per_1m=0.0, price_out_per_1m=0.0)
        rows = {r["document_id"]: r["host"] for r in document_rows(trail)}
    hosts = section(html, "hosts")
    cells = {h: re.findall(r'<td class="num">([\d,]+)</td>', row)
             for h, row in re.findall(r'<tr class="host" data-host="([^"]*)">(.*?)</tr>', hosts)}
    # Records, then Batch, Gateway, Spark, then Local, Cloud masked, Cloud, Blocked, Failed, Refused
    assert cells == {"batch-host": ["1", "1", "0", "0", "0", "0", "1", "0", "0", "0"],
                     "gw-1": ["2", "0", "2", "0", "1", "0", "1", "0", "0", "0"],
                     "spark-driver-3": ["1", "0", "0", "1", "0", "0", "0", "1", "0", "0"]}
    assert "on gw-1" in section(html, "documents")
    assert rows == {"req_1": "gw-1", "req_2": "gw-1", "memo.txt": "batch-host", "old.txt": "spark-driver-3"}
    r = CliRunner().invoke(cli, ["audit", "--db", str(db), "report", "--out", str(tmp_path / "r.html")])
    assert r.exit_code == 0, r.output
    with open(tmp_path / "r-documents.csv", newline="") as f:
        assert [row["host"] for row in csv.DictReader(f)] == ["gw-1", "gw-1", "batch-host", "spark-driver-3"]


def test_a_host_that_is_not_a_plain_label_is_refused(tmp_path):
    from redactor.errors import AuditError

    with pytest.raises(AuditError, match="audit.host"):
        AuditTrail(tmp_path / "a.db", host="Jane Doe's laptop")
    with AuditTrail(tmp_path / "a.db") as trail, pytest.raises(AuditError, match="host"):
        trail.record(event("x", host="jane doe"))
