"""The hash chain: how a record is sealed, and how a run of sealed records is checked.

``seal()`` is the only code that computes a record's hash; ``check_chain()`` is the
only code that judges a stored chain.  Both hash the same bytes:

    hash = H(prev_hash + canonical_json(record))

where ``H`` is SHA-256, or HMAC-SHA256 under the audit key when one is set, so
that someone who can write to the database but does not hold the key cannot
re-seal an edited history.  ``canonical_json`` is sorted keys, no whitespace,
UTF-8, no NaN/Infinity, so the same record always gives the same bytes.

Every record carries its own ``seq`` and the id of the key it was sealed with
(``key_id``, a one-way tag of the key, empty when unkeyed), which lets the checker
tell *reordered* and *key mismatch* apart from a plain *edit*.

A ``kind="pruned"`` record may stand at the start of the chain in place of the
records it summarises: it sits at the seq of the last pruned record, its
``prev_hash`` is that record's hash (``head_hash`` in its body), and the next
record links to that same ``head_hash``, so later records never need re-sealing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64

#: Reason codes, in the words the CLI prints.
EDITED = "edited"
DELETED = "deleted"
REORDERED = "reordered"
TRUNCATED = "truncated"
KEY_MISMATCH = "key mismatch"


def canonical_json(record: dict[str, object]) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def key_id(key: bytes | None) -> str:
    """A short public tag naming the key, so a wrong key is reported as such.  It
    is itself an HMAC, so it reveals nothing usable about the key."""
    if not key:
        return ""
    return hmac.new(key, b"redactor-audit-key-id", hashlib.sha256).hexdigest()[:16]


def _digest(prev_hash: str, body: str, key: bytes | None) -> str:
    data = prev_hash.encode("ascii") + body.encode("utf-8")
    if key:
        return hmac.new(key, data, hashlib.sha256).hexdigest()
    return hashlib.sha256(data).hexdigest()


def seal(prev_hash: str, record: dict[str, object], key: bytes | None) -> tuple[str, str]:
    """Return ``(body, hash)`` for a record about to be appended after ``prev_hash``.
    ``record`` must already hold its ``seq``; ``key_id`` is set here."""
    record["key_id"] = key_id(key)
    body = canonical_json(record)
    return body, _digest(prev_hash, body, key)


@dataclass(frozen=True)
class StoredRow:
    """One row as read back from the store, columns and all."""

    seq: int
    prev_hash: str
    hash: str
    body: str
    columns: dict[str, object]  # indexed copies of record fields, must agree with the body


@dataclass(frozen=True)
class Verification:
    """The outcome of checking a trail.  ``ok`` is the verdict; when false,
    ``bad_seq``/``reason``/``detail`` name the first problem found."""

    ok: bool
    count: int  # seq of the last record: how many records the trail has ever held
    rows: int  # rows present (after pruning, fewer than count)
    head_hash: str
    pruned: int = 0
    bad_seq: int | None = None
    reason: str = ""
    detail: str = ""
    keyed: bool = False
    seals_checked: bool = True  # False: structure only (numbering, links, columns), for a reader without the key

    @property
    def head(self) -> str:
        return f"{self.count}:{self.head_hash}"

    def raise_for_status(self) -> None:
        if not self.ok:
            from ..errors import AuditIntegrityError

            raise AuditIntegrityError(self.message())

    def message(self) -> str:
        if self.ok and not self.seals_checked:
            return f"consistent, seals not checked without the key: {self.count} records, head {self.head}"
        if self.ok:
            return f"intact: {self.count} records, head {self.head}"
        where = f"record {self.bad_seq}" if self.bad_seq is not None else "trail"
        return f"{where}: {self.reason}: {self.detail}"


def link_of(row_hash: str, prev_hash: str, kind: str) -> str:
    """The hash the next record links to: a prune summary passes on the pruned head."""
    return prev_hash if kind == "pruned" else row_hash


def check_chain(
    rows: Iterable[StoredRow],
    key: bytes | None,
    heads: Iterable[tuple[int, str, str]] = (),
    *,
    seals: bool = True,
) -> Verification:
    """Walk rows in seq order and return the first problem, or a clean verdict.

    ``heads`` are checkpoints ``(count, hash, source)`` taken earlier: the trail
    must still reach each ``count`` (else *truncated*) with the same hash there
    (else history was rewritten).  ``source`` names where a checkpoint came from.

    ``seals=False`` checks everything but the seals themselves: what a reader
    without the key can check (no gap, no reordering, every record links to the
    stored hash before it, all sealed with the same key).  It cannot tell an
    edited record from an intact one, and its verdict says so (``seals_checked``).
    """
    want_key = key_id(key)
    heads = sorted(heads)
    wanted = {c for c, _, _ in heads}
    hashes_at: dict[int, str] = {}
    expected_prev, expected_seq = GENESIS, 1
    count = rows_seen = pruned = 0

    def bad(seq: int | None, reason: str, detail: str) -> Verification:
        return Verification(False, count, rows_seen, expected_prev, pruned, seq, reason, detail, bool(key), seals)

    for row in rows:
        try:
            record = json.loads(row.body)
            body_seq = int(record["seq"])
            kind = str(record.get("kind", "event"))
        except (ValueError, KeyError, TypeError):
            return bad(row.seq, EDITED, "the stored record is not valid JSON from this tool")

        if kind == "pruned":
            if rows_seen:
                return bad(row.seq, REORDERED, "a prune summary may only start the trail")
            try:
                pruned = int(record["count"])
                ok = int(record["first_seq"]) == 1 and int(record["last_seq"]) == pruned == body_seq
                expected_prev, expected_seq = str(record["head_hash"]), body_seq
            except (KeyError, TypeError, ValueError):
                ok = False
            if not ok:
                return bad(row.seq, EDITED, "the prune summary's range does not add up")

        if row.seq != expected_seq:
            if row.seq > expected_seq:
                gap = f"{expected_seq}" if row.seq == expected_seq + 1 else f"{expected_seq}..{row.seq - 1}"
                return bad(expected_seq, DELETED, f"record(s) {gap} are missing (gap in seq)")
            return bad(row.seq, REORDERED, f"seq {row.seq} appears after seq {expected_seq - 1}")
        if body_seq != row.seq:
            return bad(row.seq, REORDERED, f"row {row.seq} holds the record sealed as seq {body_seq}")
        got_key = str(record.get("key_id", ""))
        if not seals and not rows_seen:
            want_key = got_key  # the first record says which key the trail is sealed with
        if got_key != want_key:
            if not seals:
                detail = "the record is sealed differently from the records before it"
            elif not key:
                detail = "the record is sealed with a key; set REDACTOR_AUDIT_KEY to verify it"
            elif not got_key:
                detail = "the record is sealed without a key, but a key is set"
            else:
                detail = "the record is sealed with a different key"
            return bad(row.seq, KEY_MISMATCH, detail)
        if seals and _digest(row.prev_hash, row.body, key) != row.hash:
            return bad(row.seq, EDITED, "its content does not match its sealed hash")
        if row.prev_hash != expected_prev:
            return bad(row.seq, EDITED, "it does not link to the record before it (replaced or re-sealed)")
        for col, value in row.columns.items():
            if record.get(col, "") != value:
                return bad(row.seq, EDITED, f"column {col!r} differs from the sealed record")

        rows_seen += 1
        count = row.seq
        expected_prev, expected_seq = link_of(row.hash, row.prev_hash, kind), row.seq + 1
        if row.seq in wanted:
            hashes_at[row.seq] = expected_prev

    first_kept = count - rows_seen + 1 if not pruned else pruned
    for want_count, want_hash, source in heads:
        if want_count > count:
            said = f"{source} says the trail reached {want_count} records"
            return bad(count + 1, TRUNCATED, f"{said}, it ends at {count} ({want_count - count} missing from the end)")
        if want_count < first_kept:
            continue  # zero, or inside a pruned range: nothing left to compare
        if hashes_at.get(want_count) != want_hash:
            return bad(want_count, EDITED, f"{source} hash at record {want_count} differs: history was rewritten")
    return Verification(True, count, rows_seen, expected_prev, pruned, keyed=bool(key), seals_checked=seals)
