"""Gateway keys, per-key policy and limits, origins, binding, and the bounded local queue."""

from __future__ import annotations

import json
import threading
import time

import httpx
import openai
import pytest
from click.testing import CliRunner

from redactor.cli.main import cli
from redactor.serve.keys import KeyStore

MSGS = [{"role": "user", "content": "Please write to Dana Whitfield at dana.whitfield@example.com about the invoice."}]


def client(gw, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=gw.base_url, api_key=key, max_retries=0)


def test_keys_cli_create_list_revoke(redactor_home):
    runner = CliRunner()
    r = runner.invoke(cli, ["serve", "keys", "create", "--name", "team-a", "--policy", "strict", "--rpm", "5", "--json"])
    assert r.exit_code == 0, r.output
    created = json.loads(r.output)
    secret, key_id = created["secret"], created["id"]
    stored = (redactor_home / "gateway_keys.json").read_text()
    assert secret not in stored and key_id in stored  # hashed, never the secret
    assert (redactor_home / "gateway_keys.json").stat().st_mode & 0o077 == 0
    r = runner.invoke(cli, ["serve", "keys", "list", "--json"])
    listed = json.loads(r.output)
    assert listed[0]["id"] == key_id and listed[0]["policy"] == "strict" and listed[0]["rpm"] == 5
    assert secret not in r.output and "sha256" not in listed[0]
    r = runner.invoke(cli, ["serve", "keys", "revoke", key_id])
    assert r.exit_code == 0 and KeyStore().lookup(secret) is None
    r = runner.invoke(cli, ["serve", "keys", "revoke", "key_nope"])
    assert r.exit_code == 2 and "no gateway key" in r.output
    r = runner.invoke(cli, ["serve", "keys", "create", "--policy", "no-such-policy"])
    assert r.exit_code == 2


def test_binding_beyond_loopback_without_keys_is_refused(redactor_home):
    r = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", "0"])
    assert r.exit_code == 2 and "without gateway keys" in r.output


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_bad_policy_is_one_error_and_no_gateway_banner(redactor_home, tmp_path, workers):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n[categories.HELTH]\naction = "local"\n', encoding="utf-8")
    r = CliRunner().invoke(cli, ["serve", "--port", "0", "--policy", str(bad), "--workers", workers])
    assert r.exit_code == 2
    [line] = r.stderr.splitlines()
    assert line.startswith("Error: ") and "did you mean HEALTH?" in line and "gateway on" not in r.output


def test_keys_authenticate_and_carry_their_policy(gateway, openai_server, redactor_home):
    store = KeyStore()
    _, redact = store.create(name="a", policy="redact-pii")
    _, strict = store.create(name="b", policy="strict")
    gw = gateway(policy="redact-pii", keys=store)
    with pytest.raises(openai.AuthenticationError):
        client(gw, "rdk-wrong").chat.completions.create(model="gpt-4o-mini", messages=MSGS)
    raw = client(gw, redact).chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=MSGS)
    assert raw.headers["x-redactor-route"] == "cloud_redacted"
    record = gw.gateway.audit.records()[-1]
    assert record["extra"]["client_key_id"] == store.keys()[0].id
    # the strict key's policy keeps a name away from the cloud entirely
    with pytest.raises(openai.APIStatusError) as e:
        client(gw, strict).chat.completions.create(model="gpt-4o-mini", messages=MSGS)
    assert e.value.response.headers["x-redactor-policy-name"] == "strict"
    assert e.value.response.headers["x-redactor-route"] in ("blocked", "local")
    assert len(openai_server.chat_requests) == 1
    assert not openai_server.sent_anywhere(redact) and not openai_server.sent_anywhere(strict)
    store.revoke(store.keys()[0].id)  # takes effect on the running gateway
    with pytest.raises(openai.AuthenticationError):
        client(gw, redact).chat.completions.create(model="gpt-4o-mini", messages=MSGS)


def test_rate_limit_per_key_is_429_with_retry_after(gateway, openai_server, redactor_home):
    store = KeyStore()
    _, limited = store.create(rpm=2)
    _, other = store.create()
    gw = gateway(keys=store)
    c = client(gw, limited)
    for _ in range(2):
        c.chat.completions.create(model="gpt-4o-mini", messages=MSGS)
    with pytest.raises(openai.RateLimitError) as e:
        c.chat.completions.create(model="gpt-4o-mini", messages=MSGS)
    assert 1 <= int(e.value.response.headers["retry-after"]) <= 60
    client(gw, other).chat.completions.create(model="gpt-4o-mini", messages=MSGS)  # limits are per key


def test_concurrency_limit_per_key_is_429(gateway, openai_server, redactor_home):
    store = KeyStore()
    key_row, key = store.create(concurrency=1)
    gw = gateway(keys=store)
    openai_server.timeout_next(1, seconds=2)  # a slow upstream holds the first request in flight
    first = threading.Thread(target=lambda: client(gw, key).chat.completions.create(model="gpt-4o-mini", messages=MSGS))
    first.start()
    while not openai_server.chat_requests:  # the first request has reached the upstream
        time.sleep(0.01)
    try:
        with pytest.raises(openai.RateLimitError) as e:
            client(gw, key).chat.completions.create(model="gpt-4o-mini", messages=MSGS)
        assert e.value.response.headers["retry-after"] == "1"
        assert e.value.body["code"] == "concurrency_limit"
    finally:
        first.join()
    client(gw, key).chat.completions.create(model="gpt-4o-mini", messages=MSGS)  # the slot is free again


def test_browser_origins_are_refused_unless_allowed(gateway, openai_server):
    from redactor.serve.app import GatewayOptions

    gw = gateway(options=GatewayOptions(allow_origins=["https://app.example"]))
    body = {"model": "gpt-4o-mini", "messages": MSGS}
    r = httpx.post(gw.base_url + "/chat/completions", json=body, headers={"origin": "https://evil.example"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "origin_not_allowed"
    assert openai_server.requests == []
    r = httpx.post(gw.base_url + "/chat/completions", json=body, headers={"origin": "https://app.example"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "https://app.example"
    r = httpx.options(gw.base_url + "/chat/completions", headers={"origin": "https://app.example"})
    assert r.status_code == 204


def test_full_local_queue_is_503_with_retry_after(gateway, openai_server):
    from redactor.serve.app import GatewayOptions

    gw = gateway(options=GatewayOptions(local_queue=1))
    gw.gateway.local.admit()  # the one place is taken
    try:
        with pytest.raises(openai.InternalServerError) as e:
            client(gw, "x").chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "Dana Whitfield has diabetes; her plan?"}])
        assert e.value.status_code == 503 and e.value.body["code"] == "local_queue_full"
        assert e.value.response.headers["retry-after"]
    finally:
        gw.gateway.local.leave()
    assert openai_server.requests == []
    assert "redactor_gateway_local_queue_depth 0" in httpx.get(gw.url + "/metrics").text


@pytest.mark.slow
def test_the_serve_command_runs_a_gateway(openai_server, redactor_home, tmp_path):
    """`redactor serve` end to end: a real process, the upstream from OPENAI_* in its environment."""
    import os
    import socket
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "OPENAI_BASE_URL": openai_server.base_url, "OPENAI_API_KEY": "sk-upstream-only",
           "REDACTOR_HOME": str(redactor_home)}
    exe = os.path.join(os.path.dirname(sys.executable), "redactor")
    proc = subprocess.Popen([exe, "serve", "--port", str(port), "--policy", "redact-pii"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read().decode() if proc.poll() else "slow"
            time.sleep(0.2)
        c = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="whatever", max_retries=0)
        r = c.chat.completions.create(model="gpt-4o-mini", messages=MSGS)
        assert "Dana Whitfield" in r.choices[0].message.content
        assert not openai_server.sent_anywhere("Dana Whitfield")
        assert openai_server.chat_requests[-1].authorization == "Bearer sk-upstream-only"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    from redactor.audit.store import AuditTrail

    with AuditTrail(redactor_home / "audit.db", create=False) as trail:
        assert trail.records()[-1]["source"] == "gateway"
    r = CliRunner().invoke(cli, ["audit", "report", "--out", str(tmp_path / "report.html")])
    assert r.exit_code == 0, r.output
    assert "Dana" not in (tmp_path / "report.html").read_text()  # gateway requests are counted, values never shown
