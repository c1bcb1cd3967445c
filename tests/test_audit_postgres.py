"""The audit trail in PostgreSQL (a real server on 127.0.0.1): the same records, seals and
commands as SQLite, append-only by privilege, every kind of tampering named, the URL's
password never shown, and ``audit copy`` between the two stores."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from redactor.audit import chain
from redactor.audit.postgres import PostgresTrail
from redactor.audit.store import AuditTrail
from redactor.audit.stores import open_trail
from redactor.cli.main import cli
from redactor.errors import AuditError, AuditIntegrityError
from test_audit_store import append_from_a_fork, event

pytestmark = pytest.mark.usefixtures("postgres_server")


def fill(url: str, n: int, key: str | None = "k", **kw) -> PostgresTrail:
    trail = open_trail(url, key=key)
    assert isinstance(trail, PostgresTrail)
    for i in range(n):
        trail.record(event(i, **kw))
    return trail


def audit(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, ["audit", *args], env={"REDACTOR_AUDIT_KEY": "k", **(env or {})})


# ----------------------------------------------------------------------------- the store


def test_records_chain_verify_and_read_back_as_in_sqlite(pg_db, tmp_path: Path) -> None:
    trail = fill(pg_db.url, 5)
    lite = AuditTrail(tmp_path / "audit.db", key="k")
    for i in range(5):
        lite.record(event(i))
    v = trail.verify()
    assert v.ok and v.count == 5 and v.keyed
    for pg_row, lite_row in zip(trail.records(), lite.records(), strict=True):  # the same records, field for field
        assert pg_row.keys() == lite_row.keys()
        assert {k: pg_row[k] for k in pg_row if k not in ("timestamp", "hash", "prev_hash")} == \
               {k: lite_row[k] for k in lite_row if k not in ("timestamp", "hash", "prev_hash")}
    assert trail.get(3)["prev_hash"] == trail.get(2)["hash"] and trail.get(99) is None
    assert trail.get(1)["host"] == trail.host != ""
    trail.record(event(7, route="cloud", category_counts={"HEALTH": 1}, source="gateway", document_id="req_abc"))
    assert [r["seq"] for r in trail.records(category="health")] == [6]
    assert [r["seq"] for r in trail.records(route=["cloud", "blocked"])] == [6]
    assert [r["seq"] for r in trail.records(source="gateway")] == [6]
    assert len(trail.records(source="")) == 5 and trail.records(source="batch") == []
    assert [r["seq"] for r in trail.records(document="doc_3")] == [4]
    assert [r["seq"] for r in trail.records(document_id="req_abc")] == [6]
    assert [r["seq"] for r in trail.records(limit=2, newest_first=True)] == [6, 5]
    assert [r["seq"] for r in trail.iter_records(page=2)] == [1, 2, 3, 4, 5, 6]
    trail.close()


def test_schema_is_migrated_once_and_only_by_its_owner(postgres_server) -> None:
    from redactor.audit.pg_schema import MIGRATIONS

    url = postgres_server.create_database()
    with pytest.raises(AuditError, match="no audit trail at"):
        open_trail(url, create=False)  # read commands never create a trail
    open_trail(url).close()  # the owner: migrated on open, as a SQLite file is
    names = postgres_server.sql("SELECT name FROM redactor._migrations ORDER BY name", db=url.rsplit("/", 1)[1])
    assert [n for (n,) in names] == [name for name, _ in MIGRATIONS]
    other = postgres_server.create_database()
    postgres_server.sql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'someone') "
                        "THEN CREATE ROLE someone LOGIN; END IF; END $$")
    with pytest.raises(AuditError, match="init-db"):  # not the owner, no schema: says who must set it up
        open_trail(postgres_server.url("someone", other.rsplit("/", 1)[1]))


def test_keys_are_checked_as_in_sqlite(pg_db) -> None:
    fill(pg_db.url, 2).close()
    with pytest.raises(AuditError, match="different key"):
        open_trail(pg_db.url, key="other").record(event())
    with pytest.raises(AuditError, match="set REDACTOR_AUDIT_KEY"):
        open_trail(pg_db.url, key=None).record(event())
    unkeyed = open_trail(pg_db.url, key=None)
    assert unkeyed.verify().reason == chain.KEY_MISMATCH
    assert unkeyed.verify(seals=False).ok


def test_checkpoint_and_prune(pg_db) -> None:
    trail = fill(pg_db.url, 4, timestamp="2024-06-01T00:00:00+00:00")
    head = trail.checkpoint()
    for i in range(3):
        trail.record(event(10 + i))
    removed, v = trail.prune("2025-01-01T00:00:00.000000Z")
    assert removed == 4 and v.ok and v.pruned == 4 and v.rows == 4 and v.count == 7
    assert trail.verify(head=head).ok  # a checkpoint taken before the prune still holds
    assert trail.records()[0]["kind"] == "pruned"
    assert trail.prune("2025-01-01T00:00:00.000000Z")[0] == 0
    trail.record(event(20))
    assert trail.verify().ok and trail.count() == 5


# ----------------------------------------------------------------------------- tampering


def _tamper(pg_db, *statements: str) -> None:
    """What the owner (or anyone who took it over) could do: switch the guard off, then edit."""
    pg_db.sql("ALTER TABLE redactor.records DISABLE TRIGGER USER")
    pg_db.sql("ALTER TABLE redactor.checkpoints DISABLE TRIGGER USER")
    for s in statements:
        pg_db.sql(s)


def _body(pg_db, seq: int) -> dict:
    return json.loads(pg_db.sql(f"SELECT record FROM redactor.records WHERE seq = {seq}")[0][0])


@pytest.mark.parametrize("how, bad_seq, reason", [
    ("edited", 3, chain.EDITED),
    ("deleted", 3, chain.DELETED),
    ("reordered", 2, chain.REORDERED),
    ("resealed", 4, chain.EDITED),
    ("column", 3, chain.EDITED),
])
def test_tampering_is_named_by_verify(pg_db, how: str, bad_seq: int, reason: str) -> None:
    trail = fill(pg_db.url, 6, key=None)
    if how == "edited":
        _tamper(pg_db, "UPDATE redactor.records SET record = replace(record, '\"route\":\"local\"', "
                       "'\"route\":\"cloud\"') WHERE seq = 3")
    elif how == "deleted":
        _tamper(pg_db, "DELETE FROM redactor.records WHERE seq = 3")
    elif how == "reordered":
        _tamper(pg_db, "UPDATE redactor.records SET seq = -1 WHERE seq = 2",
                "UPDATE redactor.records SET seq = 2 WHERE seq = 3", "UPDATE redactor.records SET seq = 3 WHERE seq = -1")
    elif how == "resealed":  # edit record 3 and seal it again (no key: anyone can): record 4 no longer links
        body = _body(pg_db, 3) | {"route": "cloud"}
        prev = pg_db.sql("SELECT prev_hash FROM redactor.records WHERE seq = 3")[0][0]
        new_body, new_hash = chain.seal(prev, body, None)
        _tamper(pg_db, f"UPDATE redactor.records SET record = '{new_body}', hash = '{new_hash}', route = 'cloud' "
                       "WHERE seq = 3")
    else:  # the indexed copy of a field, not the sealed body
        _tamper(pg_db, "UPDATE redactor.records SET route = 'cloud' WHERE seq = 3")
    v = trail.verify()
    assert not v.ok and (v.bad_seq, v.reason) == (bad_seq, reason), v.message()
    r = audit("--db", pg_db.url, "verify", env={"REDACTOR_AUDIT_KEY": ""})
    assert r.exit_code == 1 and f"FAILED: record {bad_seq}: {reason}" in r.output
    with pytest.raises(AuditIntegrityError):
        trail.prune("2100-01-01T00:00:00.000000Z")  # prune never erases the evidence


def test_a_truncated_tail_is_named_against_a_kept_checkpoint(pg_db, tmp_path: Path) -> None:
    trail = fill(pg_db.url, 6)
    r = audit("--db", pg_db.url, "checkpoint", "--out", str(tmp_path / "head.txt"))
    assert r.exit_code == 0, r.output
    _tamper(pg_db, "DELETE FROM redactor.records WHERE seq > 4", "DELETE FROM redactor.checkpoints")
    assert trail.verify().ok  # nothing inside says it was cut
    r = audit("--db", pg_db.url, "verify", "--head", str(tmp_path / "head.txt"))
    assert r.exit_code == 1 and "FAILED: record 5: truncated" in r.output and "(2 missing from the end)" in r.output
    for i in range(2):  # and grown back
        trail.record(event(50 + i))
    r = audit("--db", pg_db.url, "verify", "--head", str(tmp_path / "head.txt"))
    assert r.exit_code == 1 and "record 6: edited" in r.output and "history was rewritten" in r.output


# ----------------------------------------------------------------------------- roles: append-only by privilege


def _as(url: str, statement: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)


@pytest.mark.parametrize("statement", [
    "UPDATE redactor.records SET route = 'cloud' WHERE seq = 1",
    "DELETE FROM redactor.records WHERE seq = 2",
    "TRUNCATE redactor.records",
    "DELETE FROM redactor.checkpoints",
    "UPDATE redactor.gateway_key_revocations SET revoked = ''",
    "DELETE FROM redactor.gateway_key_revocations",
    "ALTER TABLE redactor.records DISABLE TRIGGER USER",
    "DROP TABLE redactor.records",
])
def test_the_writer_role_cannot_edit_history(pg_db, statement: str) -> None:
    writer = pg_db.as_role("writer")
    fill(writer, 3).close()  # it can append and read
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as(writer, statement)
    v = open_trail(writer, key="k").verify()
    assert v.ok and v.count == 3


def test_reviewer_reads_only_and_pruner_alone_prunes(pg_db) -> None:
    fill(pg_db.as_role("writer"), 3, timestamp="2024-01-01T00:00:00+00:00").close()
    reviewer = pg_db.as_role("reviewer")
    for statement in ("INSERT INTO redactor.checkpoints (ts, count, head_hash) VALUES ('', 1, '')",
                      "SELECT sha256 FROM redactor.gateway_keys"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _as(reviewer, statement)
    r = audit("--db", reviewer, "verify")
    assert r.exit_code == 0 and "OK: 3 records" in r.output
    assert audit("--db", reviewer, "list").exit_code == 0
    r = audit("--db", reviewer, "checkpoint")
    assert r.exit_code == 1 and "permission denied" in r.output
    for role in ("writer", "reviewer"):
        r = audit("--db", pg_db.as_role(role), "prune", "--before", "2025-01-01", "--yes")
        assert r.exit_code == 1 and "permission denied" in r.output, r.output
    r = audit("--db", pg_db.as_role("pruner"), "prune", "--before", "2025-01-01", "--yes")
    assert r.exit_code == 0 and "pruned 3 record(s)" in r.output, r.output
    with pytest.raises(psycopg.errors.RaiseException, match="append-only"):  # even the owner, by accident
        _as(pg_db.url, "DELETE FROM redactor.records")


def test_print_sql_sets_up_a_database_with_psql(postgres_server) -> None:
    r = audit("init-db", "--print-sql")
    assert r.exit_code == 0 and "CREATE ROLE redactor_writer LOGIN" in r.output
    grants = [line for line in r.output.splitlines() if line.startswith("GRANT")]
    assert not [g for g in grants if "UPDATE" in g or "TRUNCATE" in g]  # no role may edit
    assert [g for g in grants if "DELETE" in g] == ["GRANT DELETE ON redactor.records TO redactor_pruner;"]
    url = postgres_server.create_database()
    db = url.rsplit("/", 1)[1]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(r.output)
    writer = postgres_server.url("redactor_writer", db)
    fill(writer, 2).close()
    assert open_trail(writer, key="k", create=False).verify().ok


# ----------------------------------------------------------------------------- the commands, and the URL's password


def test_every_command_on_a_postgres_trail(pg_db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trail = fill(pg_db.url, 3, timestamp="2024-01-01T00:00:00+00:00")
    trail.record(event(3, route="cloud", source="batch"))
    monkeypatch.setenv("REDACTOR_AUDIT_URL", pg_db.url)  # the configured trail: no --db
    monkeypatch.setenv("REDACTOR_AUDIT_KEY", "k")
    r = CliRunner().invoke(cli, ["audit", "list"])
    assert r.exit_code == 0 and r.output.count("inbox/doc_") == 4
    r = CliRunner().invoke(cli, ["audit", "show", "4", "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["route"] == "cloud"
    r = CliRunner().invoke(cli, ["audit", "verify"])
    assert r.exit_code == 0 and "OK: 4 records" in r.output
    r = CliRunner().invoke(cli, ["audit", "export", "--format", "csv", "--out", str(tmp_path / "all.csv")])
    assert r.exit_code == 0 and (tmp_path / "all.csv").read_text().count("inbox/doc_") == 4
    r = CliRunner().invoke(cli, ["audit", "report", "--out", str(tmp_path / "report.html")])
    assert r.exit_code == 0 and "(4 row(s))" in r.output
    r = CliRunner().invoke(cli, ["audit", "checkpoint"])
    assert r.exit_code == 0 and r.output.startswith("4:")
    r = CliRunner().invoke(cli, ["audit", "backup", str(tmp_path / "copy.db")])
    assert r.exit_code == 0 and "copied 4 records" in r.output
    assert AuditTrail(tmp_path / "copy.db", key="k").verify().ok
    r = CliRunner().invoke(cli, ["audit", "prune", "--before", "2025-01-01", "--yes"])
    assert r.exit_code == 0 and "pruned 3 record(s)" in r.output


def test_the_password_of_the_url_is_never_shown(postgres_server, pg_db) -> None:
    secret = "s3cr3t-Pa55word"
    postgres_server.sql(f"ALTER ROLE redactor_writer PASSWORD '{secret}'")  # trust auth: accepted and unused
    url = pg_db.as_role("writer", password=secret)
    fill(url, 2).close()
    runs = [audit("--db", url, "verify"), audit("--db", url, "checkpoint"),
            audit("--db", url, "prune", "--before", "2100-01-01", "--yes")]
    assert [r.exit_code for r in runs] == [0, 0, 1]
    outputs = [r.output for r in runs]
    assert "permission denied" in outputs[2] and "redactor_writer:***@" in outputs[2]
    wrong_db = url.rsplit("/", 1)[0] + "/no_such_db"
    outputs.append(audit("--db", wrong_db, "verify", env={"REDACTOR_AUDIT__RETRY_S": "0"}).output)
    with pytest.raises(AuditError) as e:
        open_trail(url.replace(str(postgres_server.port), "1"), retry_s=0)  # nothing listens there
    outputs.append(str(e.value))
    assert "cannot be reached" in outputs[-1]
    for out in outputs:
        assert secret not in out


# ----------------------------------------------------------------------------- copy between the stores


def test_copy_sqlite_to_postgres_and_back_keeps_every_seal(pg_db, tmp_path: Path) -> None:
    src = tmp_path / "old.db"
    lite = AuditTrail(src, key="k", host="batch-7")
    for i in range(5):
        lite.record(event(i, timestamp="2024-01-01T00:00:00+00:00"))
    lite.checkpoint()
    lite.prune("2025-01-01T00:00:00.000000Z")
    for i in range(3):
        lite.record(event(10 + i))
    lite.close()
    r = audit("copy", str(src), pg_db.url)
    assert r.exit_code == 0 and "copied 8 records" in r.output and "OK: 8 records (5 pruned" in r.output, r.output
    pg = open_trail(pg_db.url, key="k")
    with sqlite3.connect(src) as conn:
        want = conn.execute("SELECT seq, prev_hash, hash, record FROM records ORDER BY seq").fetchall()
    assert pg_db.sql("SELECT seq, prev_hash, hash, record FROM redactor.records ORDER BY seq") == want
    assert pg.get(6)["host"] == "batch-7"  # a copied record keeps the host that wrote it
    pg.record(event(20))  # and the fleet carries on from its head
    back = tmp_path / "back.db"
    r = audit("copy", pg_db.url, str(back))
    assert r.exit_code == 0 and "copied 9 records" in r.output, r.output
    assert AuditTrail(back, key="k").verify(head=pg.checkpoint()).ok
    r = audit("copy", str(src), pg_db.url)  # never into a trail that holds records
    assert r.exit_code == 1 and "already holds records" in r.output
    assert pg.count() == 5


def test_a_copy_that_arrives_broken_fails(pg_db, tmp_path: Path) -> None:
    src = tmp_path / "old.db"
    lite = AuditTrail(src, key="k")
    for i in range(4):
        lite.record(event(i))
    lite.close()
    with sqlite3.connect(src) as conn:
        conn.execute("DROP TRIGGER records_no_update")
        conn.execute("UPDATE records SET record = replace(record, '\"local\"', '\"cloud\"') WHERE seq = 2")
    r = audit("copy", str(src), pg_db.url)
    assert r.exit_code == 1 and "FAILED: record 2: edited" in r.output


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_forked_worker_opens_its_own_connection(pg_db) -> None:
    trail = fill(pg_db.url, 2)
    backend = trail._raw.info.backend_pid
    append_from_a_fork(trail, 5)
    trail.record(event(200))
    assert trail._raw.info.backend_pid == backend  # the child left the parent's session alone
    v = trail.verify()
    assert v.ok and v.count == 8


def test_the_url_setting_takes_postgresql_only_and_hides_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    from redactor.config import load_settings
    from redactor.errors import ConfigError

    with pytest.raises(ConfigError, match="audit.url") as e:
        load_settings(None, audit={"url": "mysql://u:hunter2@db/x"})
    assert "hunter2" not in str(e.value)
    monkeypatch.setenv("REDACTOR_AUDIT_URL", "postgresql://u:hunter2@db/x")
    settings = load_settings(None)
    assert settings.audit.url.get_secret_value().endswith("@db/x") and "hunter2" not in repr(settings)


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_record_many_appends_all_in_one_write_or_none(store: str, pg_db, tmp_path: Path) -> None:
    from redactor.audit import AuditEvent

    trail = open_trail(pg_db.url if store == "postgres" else tmp_path / "audit.db", key="k")
    trail.record(event(0))
    assert trail.record_many([event(i) for i in range(1, 6)]) == [2, 3, 4, 5, 6]
    assert trail.record_many([]) == []
    bad = AuditEvent(**{**event(9).to_dict(), "reasons": ["x\ny"]})  # content-like: refused
    with pytest.raises(AuditError, match="reasons"):
        trail.record_many([event(7), bad])
    assert trail.record(event(8)) == 7  # nothing of the refused batch was written
    v = trail.verify()
    assert v.ok and v.count == 7
    assert [r["document_id"] for r in trail.records()][1:6] == [f"inbox/doc_{i}.txt" for i in range(1, 6)]
