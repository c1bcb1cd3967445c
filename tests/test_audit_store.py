"""AuditTrail: chaining, every kind of tampering, no content at rest, concurrent
writer processes, a writer killed mid-append, pruning."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from redactor.audit import AuditEvent, AuditTrail, configured_trail
from redactor.audit import chain
from redactor.audit.clock import parse_moment
from redactor.errors import AuditError, AuditIntegrityError

ROOT = Path(__file__).resolve().parents[1]


def event(i: int = 0, **kw) -> AuditEvent:
    base = dict(
        run_id="run-1",
        document_id=f"inbox/doc_{i}.txt",
        document_sha256=hashlib.sha256(str(i).encode()).hexdigest(),
        document_size=100 + i,
        entity_counts={"PERSON": 1, "US_SSN": 1},
        category_counts={"PII": 2},
        top_scores={"PERSON": 0.85, "US_SSN": 0.95},
        route="local",
        reasons=["pii.ssn->local"],
        policy_version="a" * 64,
        outcome="ok",
        backend="local",
        model="smollm2-135m",
        tokens_in=120,
        tokens_out=30,
    )
    base.update(kw)
    return AuditEvent(**base)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "audit.db"


def fill(path: Path, n: int, key: str | None = None, **kw) -> AuditTrail:
    trail = AuditTrail(path, key=key)
    for i in range(n):
        trail.record(event(i, **kw))
    return trail


def raw(path: Path) -> sqlite3.Connection:
    """What an attacker with write access does first: drop the append-only guard."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS records_no_update")
    conn.execute("DROP TRIGGER IF EXISTS records_no_delete")
    return conn


# ----------------------------------------------------------------------------- basics


def test_record_chains_and_verifies(db: Path) -> None:
    trail = fill(db, 5)
    assert trail.count() == 5
    v = trail.verify()
    assert v.ok and v.count == 5 and v.rows == 5 and not v.keyed
    r = trail.get(3)
    assert r is not None and r["seq"] == 3 and r["kind"] == "event"
    assert r["prev_hash"] == trail.get(2)["hash"]
    assert r["timestamp"].endswith("Z") and r["tool_version"]
    # the hash is sha256(prev_hash + canonical JSON of the record)
    body = {k: v for k, v in r.items() if k not in ("prev_hash", "hash")}
    assert hashlib.sha256((r["prev_hash"] + chain.canonical_json(body)).encode()).hexdigest() == r["hash"]
    assert trail.checkpoint() == (5, v.head_hash)


def test_schema_migrates_on_open_once_and_uses_wal(db: Path) -> None:
    AuditTrail(db).close()
    fill(db, 1).close()
    conn = sqlite3.connect(db)
    names = [r[0] for r in conn.execute("SELECT name FROM _migrations")]
    assert names == ["m001_records", "m002_append_only_guard", "m003_policy_name", "m004_source"]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    for sql in ("UPDATE records SET route = 'cloud'", "DELETE FROM records"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):  # a guard against accidents
            conn.execute(sql)


def test_keyed_trail_uses_hmac(db: Path) -> None:
    trail = fill(db, 3, key="s3cret")
    v = trail.verify()
    assert v.ok and v.keyed
    r = trail.get(1)
    assert r["key_id"] == chain.key_id(b"s3cret")
    body = {k: v for k, v in r.items() if k not in ("prev_hash", "hash")}
    assert hashlib.sha256((r["prev_hash"] + chain.canonical_json(body)).encode()).hexdigest() != r["hash"]


def test_timestamps_normalised_to_utc(db: Path) -> None:
    trail = AuditTrail(db)
    trail.record(event(timestamp="2026-03-01T10:00:00+02:00"))
    trail.record(event(timestamp="2026-03-01T10:00:00"))
    assert [r["timestamp"] for r in trail.records()] == ["2026-03-01T08:00:00.000000Z", "2026-03-01T10:00:00.000000Z"]


def test_control_characters_in_a_file_name_are_escaped(db: Path) -> None:
    trail = AuditTrail(db)
    trail.record(event(document_id="odd\nname\x1b.txt"))
    assert trail.get(1)["document_id"] == "odd\\x0aname\\x1b.txt"


def test_filters(db: Path) -> None:
    trail = AuditTrail(db)
    trail.record(event(1, timestamp="2026-03-01T10:00:00Z", route="cloud", category_counts={}, reasons=[]))
    trail.record(event(2, timestamp="2026-03-02T10:00:00Z", category_counts={"HEALTH": 1, "PII": 1}))
    trail.record(event(3, timestamp="2026-03-03T10:00:00Z", outcome="error", error_class="LocalModelError"))
    seqs = lambda **f: [r["seq"] for r in trail.records(**f)]  # noqa: E731
    assert seqs(since=parse_moment("2026-03-02")) == [2, 3]
    assert seqs(until=parse_moment("2026-03-02", end_of_day=True)) == [1, 2]
    assert seqs(route="cloud") == [1]
    assert seqs(category="health") == [2]
    assert seqs(document="doc_3") == [3]
    assert seqs(outcome="error") == [3]
    assert seqs(limit=2, newest_first=True) == [3, 2]
    assert [r["seq"] for r in trail.iter_records(page=1)] == [1, 2, 3]


# ----------------------------------------------------------------------------- tampering


def test_edited_field_is_detected(db: Path) -> None:
    fill(db, 5).close()
    conn = raw(db)
    conn.execute("""UPDATE records SET record = replace(record, '"route":"local"', '"route":"cloud"') WHERE seq = 3""")
    v = AuditTrail(db).verify()
    assert not v.ok and v.bad_seq == 3 and v.reason == "edited"
    with pytest.raises(AuditIntegrityError, match="record 3: edited"):
        v.raise_for_status()


def test_edited_index_column_is_detected(db: Path) -> None:
    fill(db, 5).close()
    raw(db).execute("UPDATE records SET route = 'cloud' WHERE seq = 4")
    v = AuditTrail(db).verify()
    assert (v.ok, v.bad_seq, v.reason) == (False, 4, "edited") and "route" in v.detail


def test_deleted_row_is_detected(db: Path) -> None:
    fill(db, 5).close()
    raw(db).execute("DELETE FROM records WHERE seq = 3")
    v = AuditTrail(db).verify()
    assert (v.ok, v.bad_seq, v.reason) == (False, 3, "deleted")


def test_deleted_first_row_is_detected(db: Path) -> None:
    fill(db, 3).close()
    raw(db).execute("DELETE FROM records WHERE seq = 1")
    v = AuditTrail(db).verify()
    assert (v.ok, v.bad_seq, v.reason) == (False, 1, "deleted")


def test_swapped_rows_are_detected(db: Path) -> None:
    fill(db, 5).close()
    conn = raw(db)
    conn.execute("UPDATE records SET seq = -1 WHERE seq = 2")
    conn.execute("UPDATE records SET seq = 2 WHERE seq = 3")
    conn.execute("UPDATE records SET seq = 3 WHERE seq = -1")
    v = AuditTrail(db).verify()
    assert (v.ok, v.bad_seq, v.reason) == (False, 2, "reordered")


def test_truncated_tail_is_detected_with_a_head(db: Path) -> None:
    trail = fill(db, 6)
    head = (trail.verify().count, trail.verify().head_hash)  # kept out of band, no internal checkpoint
    trail.close()
    raw(db).execute("DELETE FROM records WHERE seq > 4")
    trail = AuditTrail(db)
    assert trail.verify().ok  # a clean prefix: only a head can tell
    v = trail.verify(head=head)
    assert (v.ok, v.reason, v.count) == (False, "truncated", 4)


def test_truncated_then_regrown_is_detected_with_a_head(db: Path) -> None:
    trail = fill(db, 5)
    head = (5, trail.verify().head_hash)
    trail.close()
    raw(db).execute("DELETE FROM records WHERE seq > 3")
    trail = AuditTrail(db)
    trail.record(event(98))
    trail.record(event(99))
    v = trail.verify(head=head)
    assert (v.ok, v.bad_seq, v.reason) == (False, 5, "edited") and "rewritten" in v.detail


def test_internal_checkpoint_catches_naive_truncation(db: Path) -> None:
    trail = fill(db, 5)
    trail.checkpoint()
    trail.close()
    raw(db).execute("DELETE FROM records WHERE seq = 5")
    v = AuditTrail(db).verify()
    assert (v.ok, v.reason) == (False, "truncated")


def test_wrong_key_is_reported_as_key_mismatch(db: Path) -> None:
    fill(db, 3, key="right").close()
    v = AuditTrail(db, key="wrong").verify()
    assert (v.ok, v.bad_seq, v.reason) == (False, 1, "key mismatch")
    v = AuditTrail(db).verify()
    assert v.reason == "key mismatch" and "REDACTOR_AUDIT_KEY" in v.detail
    with pytest.raises(AuditError, match="different key"):
        AuditTrail(db, key="wrong").record(event())
    with pytest.raises(AuditError, match="sealed with a key"):
        AuditTrail(db).record(event())
    assert AuditTrail(db, key="right").verify().ok


def test_reseal_without_the_key_is_detected(db: Path) -> None:
    """Someone with write access but not the key edits a record and re-seals it."""
    fill(db, 4, key="right").close()
    conn = raw(db)
    seq, prev, body = conn.execute("SELECT seq, prev_hash, record FROM records WHERE seq = 2").fetchone()
    rec = json.loads(body)
    rec["route"] = "cloud"
    forged_body, forged_hash = chain.seal(prev, rec, b"guess")
    rec["key_id"] = chain.key_id(b"right")  # the public key id is no help
    forged_body = chain.canonical_json(rec)
    conn.execute("UPDATE records SET record = ?, hash = ?, route = 'cloud' WHERE seq = 2", (forged_body, forged_hash))
    v = AuditTrail(db, key="right").verify()
    assert (v.ok, v.bad_seq, v.reason) == (False, 2, "edited")


def test_garbage_record_json_is_detected(db: Path) -> None:
    fill(db, 2).close()
    raw(db).execute("UPDATE records SET record = 'not json' WHERE seq = 2")
    v = AuditTrail(db).verify()
    assert (v.ok, v.bad_seq, v.reason) == (False, 2, "edited")


# ----------------------------------------------------------------------------- never a PII store

PLANTED = ["Beatriz Almeida", "078-05-1120", "4111 1111 1111 1111", "beatriz@example.org"]


@pytest.mark.parametrize(
    "bad",
    [
        {"extra": {"text": PLANTED[0]}},
        {"extra": {"value": PLANTED[1]}},
        {"extra": {"mapping": {"<PERSON_1>": PLANTED[0]}}},
        {"extra": {"originalText": PLANTED[0]}},
        {"extra": {"raw_values": [PLANTED[2]]}},
        {"extra": {"notes": PLANTED[3] * 20}},  # long free text
        {"extra": {"ok": {"nested": {"prompt": PLANTED[0]}}}},
        {"reasons": ["matched " + PLANTED[0] + " " * 200]},
        {"reasons": ["line\nbreak " + PLANTED[1]]},
        {"entity_counts": {PLANTED[0]: 1}},
        {"category_counts": {"PII": -1}},
        {"top_scores": {"PERSON": 1.5}},
        {"document_sha256": PLANTED[1]},
        {"endpoint_host": "user:" + PLANTED[1] + "@api.example.org"},
        {"error_class": "ValueError: " + PLANTED[3]},
        {"route": "elsewhere"},
        {"outcome": ""},
        {"tokens_in": -3},
        {"cost_usd": float("nan")},
        {"document_size": "12"},
        {"timestamp": "yesterday"},
        {"policy_name": "line\nbreak " + PLANTED[0]},
        {"transform": "to " + PLANTED[0]},
        {"reason_actions": ["local", "local"]},  # one action per reason, or none
        {"reason_actions": [PLANTED[0]]},
    ],
)
def test_record_rejects_content_and_nonsense(db: Path, bad: dict) -> None:
    trail = AuditTrail(db)
    with pytest.raises(AuditError) as e:
        trail.record(event(**bad))
    assert not any(p in str(e.value) for p in PLANTED)  # the error never echoes the value
    assert trail.count() == 0


def test_record_takes_only_audit_events(db: Path) -> None:
    with pytest.raises(AuditError):
        AuditTrail(db).record({"route": "local"})  # type: ignore[arg-type]


def test_no_planted_value_reaches_the_files(db: Path) -> None:
    trail = AuditTrail(db)
    for i in range(20):
        trail.record(event(i, extra={"pages": 3, "detector": "presidio", "ok": True}))
        for p in PLANTED:
            with pytest.raises(AuditError):
                trail.record(event(i, extra={"text": p}))
            with pytest.raises(AuditError):
                trail.record(event(i, reasons=[p + " " * 200]))
    data = b"".join(f.read_bytes() for f in db.parent.iterdir() if f.name.startswith("audit.db"))
    assert data and trail.count() == 20
    for p in PLANTED:
        assert p.encode() not in data


# ----------------------------------------------------------------------------- open / corrupt


def test_read_only_open_never_creates(tmp_path: Path) -> None:
    with pytest.raises(AuditError, match="no audit trail"):
        AuditTrail(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()


def test_read_only_open_reads_and_verifies_but_never_writes(db: Path) -> None:
    fill(db, 3).close()
    before = db.read_bytes()
    trail = AuditTrail(db, read_only=True)
    assert trail.verify().ok and trail.count() == 3 and trail.get(2)["seq"] == 2
    with pytest.raises(AuditError, match="readonly"):
        trail.record(event())
    with pytest.raises(AuditError, match="readonly"):
        trail.checkpoint()
    trail.close()
    assert db.read_bytes() == before


def test_corrupt_and_foreign_files_are_clear_errors(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(4096))
    with pytest.raises(AuditError, match="corrupt or not SQLite"):
        AuditTrail(junk)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)")
    with pytest.raises(AuditError, match="not a redactor audit trail"):
        AuditTrail(other)


def test_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from redactor.config import load_settings

    monkeypatch.setenv("REDACTOR_HOME", str(tmp_path))
    monkeypatch.setenv("REDACTOR_AUDIT_KEY", "k1")
    trail = configured_trail(load_settings())
    assert trail.path == tmp_path / "audit.db"
    trail.record(event())
    assert trail.verify().keyed


# ----------------------------------------------------------------------------- pruning


def test_prune_leaves_a_verifiable_summary(db: Path) -> None:
    trail = AuditTrail(db, key="k")
    for day in range(1, 7):
        trail.record(event(day, timestamp=f"2026-03-0{day}T12:00:00Z"))
    old_head = trail.checkpoint()
    removed, v = trail.prune(parse_moment("2026-03-04"))
    assert removed == 3 and v.ok and v.pruned == 3 and v.rows == 4
    first = trail.records()[0]
    assert first["kind"] == "pruned" and (first["first_seq"], first["last_seq"], first["count"]) == (1, 3, 3)
    assert trail.verify(head=old_head).ok  # checkpoints taken before the prune still hold
    trail.record(event(7))
    assert trail.verify().ok
    removed, v = trail.prune(parse_moment("2026-03-06"))  # a second prune folds the first summary in
    assert removed == 3 and v.ok and v.pruned == 5
    assert trail.prune(parse_moment("2026-03-06"))[0] == 0
    removed, v = trail.prune(parse_moment("2100-01-01"))
    assert v.ok and v.rows == 1 and v.count == 7 and trail.verify(head=(7, v.head_hash)).ok
    trail.record(event(8))
    assert trail.verify().ok and trail.verify().count == 8


def test_pruned_entries_leave_the_file(db: Path) -> None:
    trail = AuditTrail(db)
    for day in range(1, 5):
        trail.record(event(day, document_id=f"retired/case-{day}-XYZZY.pdf", timestamp=f"2026-03-0{day}T12:00:00Z"))
    trail.record(event(9, timestamp="2026-03-09T12:00:00Z"))
    trail.prune(parse_moment("2026-03-05"))
    data = b"".join(f.read_bytes() for f in db.parent.iterdir() if f.name.startswith("audit.db"))
    assert b"XYZZY" not in data and trail.verify().ok


def test_deleting_the_prune_summary_is_detected(db: Path) -> None:
    trail = AuditTrail(db)
    for day in range(1, 5):
        trail.record(event(day, timestamp=f"2026-03-0{day}T12:00:00Z"))
    trail.prune(parse_moment("2026-03-03"))
    trail.close()
    raw(db).execute("DELETE FROM records WHERE kind = 'pruned'")
    v = AuditTrail(db).verify()
    assert (v.ok, v.reason) == (False, "deleted")


def test_prune_refuses_a_broken_trail(db: Path) -> None:
    fill(db, 4).close()
    raw(db).execute("UPDATE records SET route = 'cloud' WHERE seq = 2")
    trail = AuditTrail(db)
    with pytest.raises(AuditIntegrityError):
        trail.prune(parse_moment("2100-01-01"))
    assert trail.count() == 4


# ----------------------------------------------------------------------------- concurrency and crashes

WRITER = """
import os, sys, time
from redactor.audit import AuditEvent, AuditTrail, configured_trail
path, key, n, tag, go = sys.argv[1], sys.argv[2] or None, int(sys.argv[3]), sys.argv[4], sys.argv[5]
trail = AuditTrail(path, key=key)
while go and not os.path.exists(go):
    time.sleep(0.005)
i = 0
while n < 0 or i < n:
    trail.record(AuditEvent(run_id=tag, document_id=f"{tag}/{i}", document_sha256="0" * 64, document_size=i,
        entity_counts={}, category_counts={}, top_scores={}, route="local", reasons=["r"],
        policy_version="p", outcome="ok"))
    i += 1
"""


def _writer(path: Path, n: int, tag: str, key: str = "", go: str = "") -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), key, str(n), tag, go], env=env)


def test_concurrent_writer_processes_keep_one_chain(tmp_path: Path) -> None:
    db, go = tmp_path / "audit.db", tmp_path / "go"
    procs = [_writer(db, 50, f"w{i}", key="k", go=str(go)) for i in range(4)]  # all create/migrate at once
    time.sleep(0.5)
    go.touch()
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0, 0]
    trail = AuditTrail(db, key="k")
    v = trail.verify()
    assert v.ok and v.count == 200 and v.rows == 200
    rows = trail.records()
    assert [r["seq"] for r in rows] == list(range(1, 201))
    for i in range(4):
        assert sorted(r["document_size"] for r in rows if r["run_id"] == f"w{i}") == list(range(50))


def test_threads_share_one_trail(db: Path) -> None:
    trail = AuditTrail(db)
    threads = [threading.Thread(target=lambda t=t: [trail.record(event(t * 100 + i)) for i in range(25)]) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    v = trail.verify()
    assert v.ok and v.count == 100


def append_from_a_fork(trail, n: int) -> None:
    """Fork; the child appends ``n`` records through the inherited ``trail`` object, as a
    forked batch worker would; the parent waits for it."""
    pid = os.fork()
    if pid == 0:
        try:
            for i in range(n):
                trail.record(event(100 + i))
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_forked_worker_reopens_its_connection(db: Path) -> None:
    trail = fill(db, 3)
    append_from_a_fork(trail, 10)
    trail.record(event(200))
    v = trail.verify()
    assert v.ok and v.count == 14


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    except sqlite3.Error:
        return 0


def sigkill_rounds(target, start: Callable[[str], subprocess.Popen], count: Callable[[], int],
                   kill_after: tuple[int, ...] = (1, 25, 60)) -> None:
    """Kill a writer (``start(tag)``) with SIGKILL once ``count()`` says it appended ``kill_after``
    more records, then check the trail at ``target`` verifies and the next writer carries on."""
    from redactor.audit import open_trail

    expected = 0
    for round_, n in enumerate(kill_after):
        proc = start(f"crash{round_}")
        deadline = time.monotonic() + 60
        while count() < expected + n and time.monotonic() < deadline:
            time.sleep(0.002)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
        trail = open_trail(target, key="k")
        v = trail.verify()
        assert v.ok, v.message()
        assert v.count == trail.count() > expected
        expected = v.count
        trail.record(event())  # the next writer carries on from the surviving head
        expected += 1
        assert trail.verify().ok
        trail.close()


def test_sigkill_mid_append_leaves_a_trail_that_verifies(db: Path) -> None:
    sigkill_rounds(db, lambda tag: _writer(db, -1, tag, key="k"), lambda: _count(db))


# ----------------------------------------------------------------------------- policy name, transform, old trails


def _old_trail(path: Path, n: int, monkeypatch: pytest.MonkeyPatch, key: str | None = None) -> None:
    """A trail as the tool wrote it before ``policy_name``/``transform``/``reason_actions``:
    two migrations, seven columns, records without the new fields."""
    from redactor.audit import store, trail, validate

    new = ("policy_name", "transform", "reason_actions", "source", "host")

    def old_record(e: AuditEvent) -> dict:
        return {k: v for k, v in validate.event_record(e).items() if k not in new}

    with monkeypatch.context() as m:
        m.setattr(store, "MIGRATIONS", store.MIGRATIONS[:2])
        old_columns = tuple(c for c in store.COLUMNS if c not in ("policy_name", "source"))
        m.setattr(store, "COLUMNS", old_columns)
        m.setattr(trail, "COLUMNS", old_columns)
        m.setattr(trail, "event_record", old_record)
        m.setattr(trail, "host_label", lambda host: "")
        fill(path, n, key=key).close()
    body = json.loads(sqlite3.connect(path).execute("SELECT record FROM records WHERE seq = 1").fetchone()[0])
    assert not set(new) & set(body)


def test_policy_name_transform_and_actions_are_sealed_in_the_record(db: Path) -> None:
    trail = AuditTrail(db)
    trail.record(event(1, route="cloud_redacted", policy_name="redact-pii", transform="hipaa-safe-harbor",
                       reasons=["category.PII", "clean"], reason_actions=["redact", "allow"]))
    r = trail.get(1)
    assert (r["policy_name"], r["transform"], r["reason_actions"]) == ("redact-pii", "hipaa-safe-harbor", ["redact", "allow"])
    assert [x["seq"] for x in trail.records()] == [1] and trail.verify().ok
    raw(db).execute("UPDATE records SET policy_name = 'strict' WHERE seq = 1")  # the indexed copy is checked too
    v = trail.verify()
    assert not v.ok and v.reason == chain.EDITED and "policy_name" in v.detail


def test_an_old_trail_migrates_and_still_verifies(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _old_trail(db, 3, monkeypatch, key="k")
    ro = AuditTrail(db, key="k", read_only=True)  # a reader without write access: as it is, unmigrated
    assert ro.verify().ok and ro.count() == 3 and "policy_name" not in ro.get(1)
    ro.close()
    trail = AuditTrail(db, key="k")  # opened for writing: migrated
    names = [r[0] for r in sqlite3.connect(db).execute("SELECT name FROM _migrations")]
    assert names[-2:] == ["m003_policy_name", "m004_source"]
    assert trail.verify().ok and "policy_name" not in trail.get(2)
    trail.record(event(9, policy_name="default"))
    v = trail.verify()
    assert v.ok and v.count == 4 and trail.get(4)["policy_name"] == "default"
    raw(db).execute("UPDATE records SET record = replace(record, '\"route\":\"local\"', '\"route\":\"cloud\"') WHERE seq = 2")
    assert trail.verify().bad_seq == 2  # old records are still sealed as they were


# ----------------------------------------------------------------------------- a reader without the key


def test_without_the_key_the_structure_is_checked_but_not_the_seals(db: Path) -> None:
    fill(db, 5, key="k").close()
    trail = AuditTrail(db)  # no key
    assert trail.verify().reason == chain.KEY_MISMATCH
    v = trail.verify(seals=False)
    assert v.ok and not v.seals_checked and v.count == 5 and "seals not checked" in v.message()
    # an edit cannot be seen without the key: that is what seals_checked=False says
    raw(db).execute("UPDATE records SET route = 'cloud', "
                    "record = replace(record, '\"route\":\"local\"', '\"route\":\"cloud\"') WHERE seq = 2")
    assert trail.verify(seals=False).ok and not AuditTrail(db, key="k").verify().ok
    raw(db).execute("DELETE FROM records WHERE seq = 3")  # a gap can
    v = trail.verify(seals=False)
    assert not v.ok and (v.bad_seq, v.reason) == (3, chain.DELETED)


def test_without_the_key_a_record_sealed_otherwise_is_caught(db: Path) -> None:
    fill(db, 3, key="k").close()
    conn = raw(db)
    last_hash = conn.execute("SELECT hash FROM records WHERE seq = 3").fetchone()[0]
    body, h = chain.seal(last_hash, {**AuditTrail(db, key="k").get(3), "seq": 4}, None)  # appended without the key
    conn.execute("INSERT INTO records (seq, ts, kind, run_id, document_id, route, outcome, key_id, prev_hash, hash, record)"
                 " VALUES (4, ?, 'event', 'run-1', 'x', 'local', 'ok', '', ?, ?, ?)",
                 (json.loads(body)["timestamp"], last_hash, h, body))
    v = AuditTrail(db).verify(seals=False)
    assert not v.ok and (v.bad_seq, v.reason) == (4, chain.KEY_MISMATCH)


# ----------------------------------------------------------------------------- relative dates


@pytest.mark.parametrize(
    ("text", "end_of_day", "want"),
    [
        ("7d", False, "2026-03-08T15:30:00.000000Z"),
        ("12h", False, "2026-03-15T03:30:00.000000Z"),
        ("2w", False, "2026-03-01T15:30:00.000000Z"),
        ("today", False, "2026-03-15T00:00:00.000000Z"),
        ("today", True, "2026-03-15T23:59:59.999999Z"),
        ("Yesterday", False, "2026-03-14T00:00:00.000000Z"),
        ("yesterday", True, "2026-03-14T23:59:59.999999Z"),
        ("2026-03-01", False, "2026-03-01T00:00:00.000000Z"),
        ("2026-03-01T09:30", False, "2026-03-01T09:30:00.000000Z"),
    ],
)
def test_relative_and_iso_moments(text: str, end_of_day: bool, want: str) -> None:
    from datetime import datetime, timezone

    now = datetime(2026, 3, 15, 15, 30, tzinfo=timezone.utc)
    assert parse_moment(text, end_of_day=end_of_day, now=now) == want


@pytest.mark.parametrize("text", ["last tuesday", "7", "d7", "7y", "-3d", "tomorrow"])
def test_unknown_moments_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_moment(text)
