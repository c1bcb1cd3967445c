"""The leak guard's windowed reading of a pseudonymised text (``detect/rescan.py``): it reads
what a full rescan reads, scans only near the placeholders, and falls back to a whole scan
when the placeholders are everywhere.  Real scanner throughout."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest

from redactor.detect.doubt import find_doubts
from redactor.detect.rescan import Edit, rescan
from redactor.guard import _PLACEHOLDER, check_payload
from redactor.policy import Route, decide, load_policy
from redactor.serve.conversation import chat_slots, route_conversation
from redactor.serve.scancache import ScanCache
from redactor.transform import rewrite

ROOT = Path(__file__).resolve().parents[1]
PROSE = [p.strip() for n in ("press_release_product_launch.txt", "office_move_memo.txt")
         for p in (ROOT / "sample_docs" / n).read_text(encoding="utf-8").split("\n\n") if p.strip()]
CONTACT = "Please reply to Dana Whitfield at dana.whitfield@example.com or call 212-555-0134."


def long_prose(chars: int = 2500) -> str:
    out: list[str] = []
    while sum(len(p) + 2 for p in out) < chars:
        out.append(PROSE[len(out) % len(PROSE)])
    return "\n\n".join(out)


class Recorder:
    """The scanner's ``scan_many``, remembering what it was asked to read."""

    def __init__(self, scanner) -> None:
        self.scanner, self.asked = scanner, []

    def __call__(self, texts: list[str]) -> list:
        self.asked += texts
        return [r.findings for r in self.scanner.scan_many(texts)]


def outside_placeholders(text: str, findings) -> set[tuple[str, int, int]]:
    holes = [m.span() for m in _PLACEHOLDER.finditer(text)]
    return {(f.entity_type, f.start, f.end) for f in findings if not any(s <= f.start and f.end <= e for s, e in holes)}


def test_rewrite_reports_where_each_value_was_and_where_its_placeholder_is(scanner):
    text = "Dana Whitfield called. " + CONTACT
    done = rewrite(text, scanner.scan(text).findings)
    value_of = dict(zip(done.mapping.tokens, done.mapping.values()))
    assert len(done.edits) >= 4  # the name twice, the e-mail, the phone
    for e in done.edits:
        assert text[e.start : e.end].casefold() == value_of[done.text[e.at : e.to]].casefold()


def test_only_the_text_near_placeholders_is_scanned_again_and_it_reads_what_a_full_scan_reads(scanner):
    text = long_prose() + "\n\n" + CONTACT + "\n\n" + long_prose(600)
    found = scanner.scan(text).findings
    done = rewrite(text, found)
    read = Recorder(scanner)
    windowed = rescan(done.text, found, done.edits, read, (text, find_doubts(text, found)))
    assert sum(map(len, read.asked)) < len(done.text) / 2, "the windows should be a fraction of the text"
    assert all(w in done.text for w in read.asked)
    full = scanner.scan(done.text).findings
    assert outside_placeholders(done.text, windowed.findings) == outside_placeholders(done.text, full)
    assert windowed.doubts is not None
    assert outside_placeholders(done.text, windowed.doubts) == outside_placeholders(done.text, find_doubts(done.text, full))


def test_what_an_edit_brings_into_the_text_is_read(scanner):
    """The windows read the new text itself: a value an edit wrote (here a phone number
    written over a word) is found, though the original's scan never saw it."""
    before = long_prose() + "\n\nPlease call me on Friday about the move.\n\n" + long_prose(600)
    at = before.index("call me") + len("call ")
    text = before[:at] + "212-555-0134" + before[at + 2 :]
    found = scanner.scan(before).findings
    assert not any(f.entity_type == "PHONE_NUMBER" for f in found)
    read = Recorder(scanner)
    windowed = rescan(text, found, [Edit(at, at + 2, at, at + len("212-555-0134"))], read).findings
    assert any(f.entity_type == "PHONE_NUMBER" and text[f.start : f.end] == "212-555-0134" for f in windowed)
    assert sum(map(len, read.asked)) < len(text) / 2


def test_placeholders_everywhere_mean_one_whole_scan(scanner):
    text = " ".join(f"Patient {n} called from 212-555-01{i:02d}." for i, n in enumerate(
        ["Dana Whitfield", "Omar Haddad", "Lena Fischer", "Ravi Patel", "Maria Gomez", "Tom Becker"]))
    found = scanner.scan(text).findings
    done = rewrite(text, found)
    read = Recorder(scanner)
    rescan(done.text, found, done.edits, read)
    assert read.asked == [done.text]


def test_no_edits_no_scan(scanner):
    read = Recorder(scanner)
    found = scanner.scan(CONTACT).findings
    assert rescan(CONTACT, found, [], read).findings == tuple(found) and read.asked == []


def _labelled(path: Path, limit: int) -> list[str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["text"] for r in rows if r["spans"]][:limit]


@pytest.mark.parametrize("policy_name, source", [
    ("redact-pii", ROOT / "tests" / "labeled" / "financial_health.jsonl"),
    ("hipaa-safe-harbor", ROOT / "tests" / "labeled" / "clinical_msgs_dev.jsonl"),
])
def test_the_guard_reads_windows_as_it_reads_the_whole_text(scanner, policy_name, source):
    """Labelled values set in clean prose, pseudonymised: the leak guard gives the same verdict
    on the windowed reading as on a full rescan, and the windows miss no finding or doubt the
    full rescan makes outside a placeholder.  (benchmarks/bench_guard.py runs every labelled set.)"""
    policy = load_policy(policy_name)
    rng = random.Random(3)
    compared = windowed_runs = 0
    for value_text in _labelled(source, 24):
        paras = [rng.choice(PROSE) for _ in range(6)]
        paras.insert(rng.randrange(len(paras) + 1), value_text)
        text = "\n\n".join(paras)
        found = scanner.scan(text).findings
        doubts = find_doubts(text, found)
        if decide([*found, *doubts], policy).route is not Route.CLOUD_REDACTED:
            continue
        done = rewrite(text, [f for f in (*found, *doubts) if policy.action_for(f)[1] == "redact"])
        read = Recorder(scanner)
        reading = rescan(done.text, found, done.edits, read, (text, doubts))
        windowed_runs += read.asked != [done.text]
        full = scanner.scan(done.text).findings
        full_doubts = find_doubts(done.text, full)
        win_doubts = reading.doubts if reading.doubts is not None else find_doubts(done.text, reading.findings)
        assert outside_placeholders(done.text, (*full, *full_doubts)) <= \
            outside_placeholders(done.text, (*reading.findings, *win_doubts))
        payload = [{"role": "user", "content": done.text}]
        v_full = check_payload(payload, scanner, policy, done.mapping, found=full, doubts=lambda _t, _f: full_doubts)
        v_win = check_payload(payload, scanner, policy, done.mapping, found=reading.findings,
                              doubts=lambda _t, _f: win_doubts)
        assert (v_win.ok, v_win.reason) == (v_full.ok, v_full.reason)
        compared += 1
    assert compared >= 10 and windowed_runs >= compared // 2, (compared, windowed_runs)


def test_the_gateway_does_not_scan_the_whole_pseudonymised_message_again(scanner):
    cache = ScanCache(scanner)
    text = long_prose() + "\n\n" + CONTACT
    slots = chat_slots({"model": "m", "messages": [{"role": "user", "content": text}]})
    routed = route_conversation(slots, load_policy("redact-pii"), cache, cloud_configured=True)
    assert routed.route is Route.CLOUD_REDACTED and routed.outgoing
    outgoing = routed.outgoing[0]
    assert "Dana" not in outgoing and "<PERSON_1>" in outgoing
    assert cache._key(outgoing) not in cache._items  # read through its windows, not scanned whole
    assert cache.misses == 2  # the message, and the one window around its placeholders


def test_each_message_gets_its_own_edits_in_its_own_offsets(scanner):
    """Pseudonymisation runs over the joined conversation; the guard reads each message with
    the edits of that message alone, at the message's own offsets."""
    from redactor.serve.conversation import SEP, _edits_per_piece

    history = ["Dana Whitfield asked about the move.", "Noted.", "Call Dana at 212-555-0134 or dana.whitfield@example.com."]
    found, offset = [], 0
    for t in history:
        found += [replace(f, start=f.start + offset, end=f.end + offset) for f in scanner.scan(t).findings]
        offset += len(t) + len(SEP)
    done = rewrite(SEP.join(history), found)
    pieces = done.text.split(SEP)
    per_slot = _edits_per_piece(history, pieces, done.edits)
    assert len(per_slot[0]) >= 1 and per_slot[1] == () and len(per_slot[2]) >= 2  # name; nothing; phone, e-mail
    for original, piece, edits in zip(history, pieces, per_slot):
        for e in edits:
            assert piece[e.at : e.to] in done.mapping.tokens
            assert original[e.start : e.end].casefold() in {v.casefold() for v in done.mapping.values()}
