"""A fleet on one PostgreSQL trail (a real server on 127.0.0.1): many writer processes at
once, a writer killed mid-append, the server restarted under writers and under a
gateway, and two gateway replicas sharing keys and revocations."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from redactor.audit.postgres import APPEND_LOCK
from redactor.audit.stores import open_trail
from redactor.cli.main import cli
from test_audit_store import event, sigkill_rounds

ROOT = Path(__file__).resolve().parents[1]
WRITER = Path(__file__).with_name("audit_writer.py")


def writer(url: str, n: int, tag: str, *, go: Path | None = None, retry_s: float = 10.0) -> subprocess.Popen:
    """``tests/audit_writer.py``: prints each acknowledged seq on its own line."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, str(WRITER), url, str(n), tag, "--key", "k", "--retry-s", str(retry_s)]
    return subprocess.Popen(argv + (["--go", str(go)] if go else []), env=env, stdout=subprocess.PIPE, text=True)


def per_writer(pg_db) -> dict[str, tuple[int, int, int]]:
    """run id -> (records, distinct document sizes, highest size), counted by the database."""
    rows = pg_db.sql("SELECT run_id, count(*), count(DISTINCT (record::jsonb ->> 'document_size')), "
                     "max((record::jsonb ->> 'document_size')::int) FROM redactor.records GROUP BY run_id")
    return {r[0]: tuple(r[1:]) for r in rows}


def test_eight_writer_processes_append_2000_each_into_one_chain(pg_db, tmp_path: Path) -> None:
    go = tmp_path / "go"
    url = pg_db.as_role("writer")
    procs = [writer(url, 2000, f"w{i}", go=go) for i in range(8)]
    time.sleep(1.0)  # all connected, then all at once
    go.touch()
    outs = [p.communicate(timeout=240)[0] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8
    acked = sorted(int(line) for out in outs for line in out.split())
    assert acked == list(range(1, 16_001))  # every append acknowledged once, with its own seq
    trail = open_trail(url, key="k")
    v = trail.verify()
    assert v.ok and v.count == 16_000 and v.rows == 16_000, v.message()
    assert per_writer(pg_db) == {f"w{i}": (2000, 2000, 1999) for i in range(8)}  # none lost, none twice
    assert {r["host"] for r in trail.records(limit=50, newest_first=True)} <= {f"w{i}" for i in range(8)}


def test_a_writer_killed_holding_the_lock_leaves_nothing_half_written(pg_db) -> None:
    trail = open_trail(pg_db.url, key="k")
    for i in range(3):
        trail.record(event(i))
    # a writer that took the lock and inserted record 4, then died before COMMIT
    holder = subprocess.Popen([sys.executable, "-c", f"""
import sys, time, psycopg
conn = psycopg.connect(sys.argv[1], autocommit=True)
conn.execute("BEGIN; SELECT pg_advisory_xact_lock({APPEND_LOCK})")
conn.execute("INSERT INTO redactor.records (seq, ts, kind, run_id, document_id, route, outcome, key_id, prev_hash, hash,"
             " record) VALUES (4, '', 'event', 'dying', 'x', 'local', 'ok', '', '', '', '{{}}')")
print("holding", flush=True)
time.sleep(120)
""", pg_db.as_role("writer")], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    done: list[int] = []
    blocked = threading.Thread(target=lambda: done.append(trail.record(event(9))))
    blocked.start()
    time.sleep(0.5)
    assert done == []  # waits for the lock
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    blocked.join(timeout=30)
    assert done == [4]  # the server rolled the dead writer back and let go of its lock
    v = trail.verify()
    assert v.ok and v.count == 4 and trail.records(run_id="dying") == []


def _count(pg_db) -> int:
    return pg_db.sql("SELECT count(*) FROM redactor.records")[0][0]


def test_sigkill_mid_append_leaves_a_trail_that_verifies(pg_db) -> None:
    url = pg_db.as_role("writer")
    sigkill_rounds(url, lambda tag: writer(url, -1, tag), lambda: _count(pg_db), kill_after=(1, 40, 150))


def test_a_server_crash_mid_run_loses_nothing_acknowledged(postgres_server, pg_db) -> None:
    url = pg_db.as_role("writer")
    procs = [writer(url, 400, f"r{i}", retry_s=60) for i in range(2)]
    deadline = time.monotonic() + 60
    while _count(pg_db) < 100 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert [p.poll() for p in procs] == [None, None]  # mid-run
    postgres_server.restart(mode="immediate", down_s=1.0)  # as a crash: no shutdown checkpoint
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]  # both reconnected and finished
    acked = sorted(int(line) for out in outs for line in out.split())
    assert acked == list(range(1, 801))  # each acknowledged append is there, once
    v = open_trail(url, key="k").verify()
    assert v.ok and v.count == 800, v.message()
    assert per_writer(pg_db) == {"r0": (400, 400, 399), "r1": (400, 400, 399)}


def test_writes_fail_after_the_retry_window_and_resume_after_a_restart(postgres_server, pg_db) -> None:
    from redactor.errors import AuditError

    trail = open_trail(pg_db.url, key="k", retry_s=0.5)
    trail.record(event(1))
    postgres_server.stop()
    try:
        started = time.monotonic()
        with pytest.raises(AuditError, match="cannot be reached"):
            trail.record(event(2))
        assert time.monotonic() - started < 10  # bounded: a caller (the gateway) can fail closed
    finally:
        postgres_server.start()
    assert trail.record(event(3)) == 2  # reconnected; nothing of the failed write was kept
    assert trail.verify().ok


# ----------------------------------------------------------------------------- gateway replicas


MSGS = [{"role": "user", "content": "Summarise the quarterly report in one line."}]


def test_two_gateway_replicas_share_keys_revocations_and_the_trail(gateway, pg_db, monkeypatch) -> None:
    import json

    import openai

    from redactor.serve.keys import KeyStore, PostgresKeyStore

    url = pg_db.as_role("writer")
    monkeypatch.setenv("REDACTOR_AUDIT_URL", url)
    r = CliRunner().invoke(cli, ["serve", "keys", "create", "--name", "billing", "--json"])
    assert r.exit_code == 0, r.output
    created = json.loads(r.output)
    assert isinstance(KeyStore(), PostgresKeyStore)  # the configured store: the fleet's database
    replicas = [gateway(keys=PostgresKeyStore(url=url), audit=open_trail(url, key="k", host=f"replica-{n}"))
                for n in ("a", "b")]
    clients = [openai.OpenAI(base_url=gw.base_url, api_key=created["secret"], max_retries=0) for gw in replicas]
    for c in clients:
        assert c.chat.completions.create(model="gpt-4o-mini", messages=MSGS).choices
    r = CliRunner().invoke(cli, ["serve", "keys", "revoke", created["id"]])
    assert r.exit_code == 0, r.output
    deadline = time.monotonic() + PostgresKeyStore.REFRESH_S + 5
    refused = [False, False]
    while not all(refused) and time.monotonic() < deadline:
        for i, c in enumerate(clients):
            if not refused[i]:
                try:
                    c.chat.completions.create(model="gpt-4o-mini", messages=MSGS)
                except openai.AuthenticationError:
                    refused[i] = True
        time.sleep(0.1)
    assert refused == [True, True]  # both replicas honour the revocation within seconds
    trail = open_trail(url, key="k")
    assert trail.verify().ok
    records = trail.records(source="gateway")
    assert {r["host"] for r in records} == {"replica-a", "replica-b"}
    assert {r["outcome"] for r in records if r["host"] == "replica-a"} >= {"ok", "refused"}
    assert {r["extra"]["client_key_id"] for r in records} == {created["id"]}
    r = CliRunner().invoke(cli, ["audit", "list", "--source", "gateway"], env={"REDACTOR_AUDIT_KEY": "k"})
    assert r.exit_code == 0 and "billing" in r.output  # key names from the fleet's store


def test_the_gateway_fails_closed_while_the_database_is_down(gateway, postgres_server, pg_db) -> None:
    import httpx

    from conftest import ListSink
    from redactor.serve.keys import PostgresKeyStore

    url = pg_db.as_role("writer")
    _, secret = PostgresKeyStore(url=url).create(name="app")
    trail_down = gateway(audit=open_trail(url, key="k", retry_s=0.5))  # its trail is in the database
    keys_down = gateway(audit=ListSink(), keys=PostgresKeyStore(url=url))  # its keys are
    body = {"model": "gpt-4o-mini", "messages": MSGS}
    auth = {"authorization": f"Bearer {secret}"}
    assert httpx.post(trail_down.base_url + "/chat/completions", json=body, timeout=30).status_code == 200
    assert httpx.post(keys_down.base_url + "/chat/completions", json=body, headers=auth, timeout=30).status_code == 200
    postgres_server.stop()
    try:
        time.sleep(PostgresKeyStore.REFRESH_S)
        no_trail = httpx.post(trail_down.base_url + "/chat/completions", json=body, timeout=30)
        no_keys = httpx.post(keys_down.base_url + "/chat/completions", json=body, headers=auth, timeout=30)
    finally:
        postgres_server.start()
    assert no_trail.status_code == 503 and no_trail.json()["error"]["code"] == "audit_failed"
    assert no_keys.status_code == 503 and no_keys.json()["error"]["code"] == "keys_unavailable"
    assert "choices" not in no_trail.json() and "choices" not in no_keys.json()  # nothing answered
    assert httpx.post(trail_down.base_url + "/chat/completions", json=body, timeout=30).status_code == 200
    assert httpx.post(keys_down.base_url + "/chat/completions", json=body, headers=auth, timeout=30).status_code == 200
    v = open_trail(pg_db.url, key="k").verify()
    assert v.ok and v.count == 2


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_with_two_worker_processes_writes_one_postgres_trail(pg_db, openai_server, local_model_path,
                                                                   redactor_home) -> None:
    """``redactor serve --workers 2`` (real processes, uvicorn's) against the fleet's database:
    every request is one sealed record in one chain, and no planted value reaches the cloud."""
    import httpx
    import openai
    import psutil
    from concurrent.futures import ThreadPoolExecutor

    ssn = "219-09-9999"
    port = _free_port()
    env = os.environ | {
        "REDACTOR_AUDIT_URL": pg_db.as_role("writer"), "REDACTOR_AUDIT_KEY": "k",
        "OPENAI_BASE_URL": openai_server.base_url, "OPENAI_API_KEY": "sk-test",
        "REDACTOR_LOCAL__MODEL": str(local_model_path), "REDACTOR_LOCAL__N_CTX": "1024", "PYTHONPATH": str(ROOT),
    }
    proc = subprocess.Popen([sys.executable, "-c", "from redactor.cli import start; start()", "serve", "--port",
                             str(port), "--workers", "2", "--policy", "redact-pii"],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        workers = [c for c in psutil.Process(proc.pid).children(recursive=True) if "python" in c.name()]
        assert len(workers) >= 2  # two serving processes (and uvicorn's supervisor above them)
        client = openai.OpenAI(base_url=base + "/v1", api_key="unused", max_retries=0)

        def ask(n: int) -> str:
            text = (f"Summarise: the customer with SSN {ssn} asked about invoice {n}." if n % 2
                    else MSGS[0]["content"])
            reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": text}])
            return reply.choices[0].message.content or ""

        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(ask, range(30)))
        assert len(answers) == 30
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
    trail = open_trail(pg_db.as_role("writer"), key="k")
    v = trail.verify()
    assert v.ok and v.count == 30, v.message()
    records = trail.records(source="gateway", limit=100)
    assert len(records) == 30 and {r["route"] for r in records} == {"cloud", "cloud_redacted"}
    assert openai_server.chat_requests and not any(r.contains(ssn) for r in openai_server.requests)


def test_a_gateways_key_file_moves_into_the_fleets_database(pg_db, redactor_home, tmp_path, monkeypatch) -> None:
    """`serve keys import`: the keys a single gateway made go into the shared store as they are,
    so clients keep their secrets; revocations go too; running it again adds nothing."""
    from urllib.parse import urlsplit

    from redactor.serve.keys import KeyStore, PostgresKeyStore

    old = KeyStore(tmp_path / "gateway_keys.json")
    kept, secret = old.create(name="billing", policy="redact-pii", rpm=30)
    gone, gone_secret = old.create(name="retired")
    old.revoke(gone.id)
    url = pg_db.as_role("writer")
    monkeypatch.setenv("REDACTOR_AUDIT_URL", url)
    r = CliRunner().invoke(cli, ["serve", "keys", "import", str(old.path)])
    assert r.exit_code == 0, r.output
    password = urlsplit(url).password
    assert "imported 2 of 2 keys" in r.output and not (password and password in r.output)
    fleet = PostgresKeyStore(url=url)
    found = fleet.lookup(secret)
    assert found is not None and (found.id, found.policy, found.rpm) == (kept.id, "redact-pii", 30)
    assert fleet.lookup(gone_secret) is None and fleet.find(gone_secret).revoked
    again = CliRunner().invoke(cli, ["serve", "keys", "import", str(old.path)])
    assert again.exit_code == 0 and "imported 0 of 2 keys" in again.output
    assert len(fleet.keys()) == 2
