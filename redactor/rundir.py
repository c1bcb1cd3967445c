"""The files of a run directory (``--out DIR``) and the rules that keep them exactly once.

``RunDir`` owns the manifest, the answers, the run registry and the lock;
``BatchRun`` (``batch.py``) drives it.  The protocol — answer, then audit
record (the commit point), then manifest line; reconcile from the audit trail
on start — is written out in ``batch.py``'s docstring.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from filelock import FileLock, Timeout

from .errors import IngestError, RedactorError, make_dir
from .pipeline import Result

DONE_OUTCOMES = ("ok", "blocked")
ANSWER_ROUTES = ("cloud", "cloud_redacted", "local")

# The audit store shows control characters in document ids as \\xNN (validate.event_record);
# the manifest uses the same form, so ids from both compare equal.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def task_key(task: str) -> str:
    return hashlib.sha256(task.encode()).hexdigest()


def document_key(document_id: str) -> str:
    """A document id as the audit trail and the manifest store it."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", document_id)


def answer_name(document_id: str, version: str = "") -> str:
    """A file name for a document's answer: readable stem + short hash (ids may collide once
    flattened) + a short hash of ``version`` (content, policy and task) when given."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(document_id.split("#")[0]).name)[:80] or "doc"
    suffix = document_id.split("#")[1] if "#" in document_id else ""
    digest = hashlib.sha256(document_id.encode()).hexdigest()[:8]
    tag = "." + hashlib.sha256(version.encode()).hexdigest()[:8] if version else ""
    return f"{stem}{'-' + suffix if suffix else ''}.{digest}{tag}.txt"


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _atomic_write(path: Path, text: str) -> None:
    make_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=".part-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


# ----------------------------------------------------------------------------- manifest lines


@dataclass(frozen=True)
class Key:
    """What makes a document done: same id, content, policy version and task."""

    document: str
    sha256: str
    policy_version: str
    task_sha256: str

    @property
    def version(self) -> str:
        return f"{self.sha256}:{self.policy_version}:{self.task_sha256}"

    def digest(self) -> bytes:  # 16 bytes per done document in memory, not four strings
        return hashlib.blake2b("\0".join(dataclasses.astuple(self)).encode(), digest_size=16).digest()

    @classmethod
    def of_entry(cls, e: dict[str, Any]) -> "Key":
        return cls(e["document"], e.get("document_sha256") or "", e.get("policy_version") or "", e.get("task_sha256") or "")


def manifest_entry(
    result: Result, key: Key, *, run_id: str, audit_seq: int | None, answer_file: str | None,
    notes: tuple[str, ...] = (),
) -> dict[str, Any]:
    c = result.completion
    return {
        "document": key.document,
        "document_sha256": key.sha256,
        "outcome": result.outcome,
        "route": result.route,
        "reasons": result.decision.rule_ids if result.decision else [],
        "policy_version": key.policy_version,
        "task_sha256": key.task_sha256,
        "backend": c.backend if c else None,
        "model": c.model if c else None,
        "tokens_in": c.usage.prompt_tokens if c else 0,
        "tokens_out": c.usage.completion_tokens if c else 0,
        "latency_ms": result.latency_ms,
        "answer": answer_file,
        "error": result.error_class or None,
        "notes": list(notes),  # what the reader had to do, e.g. "2 invalid UTF-8 byte sequence(s) replaced"
        "run_id": run_id,
        "audit_seq": audit_seq,
    }


def failure_entry(
    error: IngestError, *, policy_version: str, run_id: str, audit_seq: int | None, outcome: str = "error"
) -> dict[str, Any]:
    """The manifest line of a file that could not be read (``error``) or had nothing to read (``skipped``)."""
    return {
        "document": document_key(error.path), "document_sha256": "", "outcome": outcome, "route": "none",
        "reasons": ["ingest"], "policy_version": policy_version, "task_sha256": "", "backend": None,
        "model": None, "tokens_in": 0, "tokens_out": 0, "latency_ms": None, "answer": None,
        "error": type(error).__name__, "reason": error.reason, "notes": [], "run_id": run_id, "audit_seq": audit_seq,
    }


# ----------------------------------------------------------------------------- the run directory


class RunDir:
    """The files of ``--out DIR``: manifest, answers, run registry and lock (see the module docstring)."""

    def __init__(self, out: Path | str) -> None:
        self.out = Path(out)
        self.manifest = self.out / "manifest.jsonl"
        self.answers = self.out / "answers"
        self.runs_file = self.out / "runs.jsonl"
        make_dir(self.out)
        self._lock = FileLock(str(self.out / ".lock"))
        self._done: set[bytes] = set()
        self._write_lock = threading.Lock()

    # -- opening and closing -------------------------------------------------

    def open(self, run_id: str, audit: Any = None) -> int:
        """Lock DIR, repair and reconcile the manifest, register ``run_id``.
        Returns how many manifest lines were recovered from the audit trail."""
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            raise RedactorError(f"{self.out} is in use by another redactor run") from None
        try:
            self._remove_partials()
            self._cut_torn_tail()
            recovered = self._reconcile(audit) if audit is not None and hasattr(audit, "iter_records") else 0
            self._append_json(self.runs_file, [{"run_id": run_id, "started": time.time()}])
            self._load_done()
        except BaseException:
            self._lock.release()
            raise
        return recovered

    def close(self) -> None:
        if self._lock.is_locked:
            self._lock.release()

    def settle(self, run_id: str) -> None:
        """Every audit record of ``run_id`` is reflected in the manifest: reconcile can skip it."""
        self._append_json(self.runs_file, [{"run_id": run_id, "settled": True}])

    # -- per document ----------------------------------------------------------

    def is_done(self, key: Key) -> bool:
        return key.digest() in self._done

    def done(self) -> set[bytes]:
        return set(self._done)

    def write_answer(self, key: Key, text: str) -> str:
        rel = f"answers/{answer_name(key.document, key.version)}"
        _atomic_write(self.out / rel, text)
        return rel

    def append(self, entries: list[dict[str, Any]]) -> None:
        """Append manifest lines, fsynced once."""
        self._append_json(self.manifest, entries)

    # -- reading -----------------------------------------------------------------

    def entries(self) -> list[dict[str, Any]]:
        return [e for _, _, e in self._lines()]

    def _lines(self) -> Iterator[tuple[int, int, dict[str, Any]]]:
        if not self.manifest.exists():
            return
        offset = 0
        with open(self.manifest, "rb") as fh:
            for raw in fh:
                start, offset = offset, offset + len(raw)
                try:
                    e = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(e, dict) and isinstance(e.get("document"), str):
                    yield start, len(raw), e

    def registered_runs(self) -> tuple[list[str], set[str]]:
        """(run ids in order, the settled ones)."""
        runs: dict[str, None] = {}
        settled: set[str] = set()
        if self.runs_file.exists():
            for line in self.runs_file.read_text(encoding="utf-8").splitlines():
                try:
                    e = json.loads(line)
                except ValueError:
                    continue  # a torn line: that run never got to record anything
                if e.get("settled"):
                    settled.add(e["run_id"])
                else:
                    runs[e["run_id"]] = None
        return list(runs), settled

    # -- internals -----------------------------------------------------------------

    def _append_json(self, path: Path, entries: list[dict[str, Any]]) -> None:
        if not entries:
            return
        data = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries)
        with self._write_lock, open(path, "a", encoding="utf-8") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    def _remove_partials(self) -> None:
        """Temp files of a run killed mid-write (``_atomic_write``): under the lock no one
        else is writing, so every ``.part-*`` left is garbage, never an answer."""
        for folder in (self.out, self.answers):
            for part in folder.glob(".part-*") if folder.is_dir() else ():
                part.unlink(missing_ok=True)

    def _cut_torn_tail(self) -> None:
        for path in (self.manifest, self.runs_file):
            if not path.exists() or path.stat().st_size == 0:
                continue
            with open(path, "r+b") as fh:
                size = fh.seek(0, os.SEEK_END)
                fh.seek(size - 1)
                if fh.read(1) == b"\n":
                    continue
                pos = size
                while pos > 0:  # back to the last complete line
                    step = min(65536, pos)
                    fh.seek(pos - step)
                    block = fh.read(step)
                    nl = block.rfind(b"\n")
                    if nl >= 0:
                        pos = pos - step + nl + 1
                        break
                    pos -= step
                fh.truncate(max(pos, 0))
                fh.flush()
                os.fsync(fh.fileno())

    def _reconcile(self, audit: Any) -> int:
        runs, settled = self.registered_runs()
        open_runs = [r for r in runs if r not in settled]
        if not open_runs:
            return 0
        rank = {r: i for i, r in enumerate(runs)}
        line_rank = {e["document"]: rank.get(e.get("run_id"), -1) for _, _, e in self._lines()}
        missing: dict[str, dict[str, Any]] = {}
        for run in open_runs:
            for rec in audit.iter_records(run_id=run):
                if rec.get("kind", "event") != "event":
                    continue
                doc = rec["document_id"]
                if rank[run] > line_rank.get(doc, -1):
                    missing.pop(doc, None)  # the newest record of a document wins
                    missing[doc] = self._entry_from_record(rec)
        entries = sorted(missing.values(), key=lambda e: e["audit_seq"])
        self.append(entries)
        for run in open_runs:
            self.settle(run)
        return len(entries)

    def _entry_from_record(self, rec: dict[str, Any]) -> dict[str, Any]:
        route = rec.get("route", "none")
        outcome = rec.get("outcome")
        if outcome not in ("ok", "skipped", "interrupted"):
            outcome = "error"
        elif outcome == "ok" and route == "blocked":
            outcome = "blocked"
        key = Key(rec["document_id"], rec.get("document_sha256", ""), rec.get("policy_version", ""), rec.get("task_sha256", ""))
        answer = None
        if outcome == "ok" and route in ANSWER_ROUTES:
            rel = f"answers/{answer_name(key.document, key.version)}"
            answer = rel if (self.out / rel).exists() else None
        return {
            "document": key.document, "document_sha256": key.sha256, "outcome": outcome, "route": route,
            "reasons": list(rec.get("reasons", [])), "policy_version": key.policy_version,
            "task_sha256": key.task_sha256, "backend": rec.get("backend") or None, "model": rec.get("model") or None,
            "tokens_in": rec.get("tokens_in", 0), "tokens_out": rec.get("tokens_out", 0),
            "latency_ms": rec.get("latency_ms"), "answer": answer, "error": rec.get("error_class") or None,
            "run_id": rec.get("run_id"), "audit_seq": rec.get("seq"), "recovered": True,
        }

    def _load_done(self) -> None:
        latest: dict[str, bytes | None] = {}
        for _, _, e in self._lines():
            latest[e["document"]] = Key.of_entry(e).digest() if e.get("outcome") in DONE_OUTCOMES else None
        self._done = {d for d in latest.values() if d is not None}

    def compact(self, order: dict[str, int]) -> None:
        """Rewrite the manifest atomically: the latest line per document, documents in
        ``order`` first (by their position), then the others as they were."""
        latest: dict[str, tuple[int, int]] = {}
        for start, length, e in self._lines():
            latest.pop(e["document"], None)
            latest[e["document"]] = (start, length)
        if not latest:
            return
        ids = sorted((d for d in latest if d in order), key=order.__getitem__)
        ids += [d for d in latest if d not in order]
        fd, tmp = tempfile.mkstemp(prefix=".part-manifest-", dir=self.out)
        try:
            with os.fdopen(fd, "wb") as out, open(self.manifest, "rb") as src:
                for d in ids:
                    start, length = latest[d]
                    src.seek(start)
                    out.write(src.read(length))
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.manifest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(self.out)
