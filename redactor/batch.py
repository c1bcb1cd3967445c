"""A run directory: answers, a manifest line per document, and resume.

Layout of ``--out DIR``::

    DIR/manifest.jsonl       one line per processed document, in input order
    DIR/answers/<name>.txt   the (re-identified) answer per document

Writes are crash-safe: an answer is written to a temp file and renamed into
place, and a manifest line is appended and fsynced only after its answer
exists, so an interrupted run leaves no half-written output.  Rerunning the
same command skips documents already done with the same content, policy
version and task, and retries the ones that failed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .pipeline import Result

DONE_OUTCOMES = ("ok", "blocked")


def task_key(task: str) -> str:
    return hashlib.sha256(task.encode()).hexdigest()


def answer_name(document_id: str) -> str:
    """A file name for a document's answer: readable stem + short hash (ids may collide once flattened)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(document_id.split("#")[0]).name)[:80] or "doc"
    suffix = document_id.split("#")[1] if "#" in document_id else ""
    digest = hashlib.sha256(document_id.encode()).hexdigest()[:8]
    return f"{stem}{'-' + suffix if suffix else ''}.{digest}.txt"


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
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


@dataclass
class RunSummary:
    routes: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    cloud_tokens: int = 0
    local_tokens: int = 0
    cost_usd: float = 0.0
    skipped: int = 0
    input_failures: int = 0
    cloud_configured: bool = True

    def add(self, result: Result) -> None:
        self.routes[result.route] += 1
        self.outcomes[result.outcome] += 1
        c = result.completion
        if c is not None:
            if c.backend == "cloud":
                self.cloud_tokens += c.usage.total_tokens
                self.cost_usd += c.cost_usd
            else:
                self.local_tokens += c.usage.total_tokens

    @property
    def failed(self) -> int:
        return self.outcomes.get("error", 0) + self.input_failures

    def to_dict(self) -> dict[str, object]:
        return {
            "documents_by_route": dict(sorted(self.routes.items())),
            "outcomes": dict(sorted(self.outcomes.items())),
            "skipped_already_done": self.skipped,
            "input_failures": self.input_failures,
            "cloud_tokens": self.cloud_tokens,
            "local_tokens": self.local_tokens,
            "estimated_cost_usd": round(self.cost_usd, 6),
            "cloud_configured": self.cloud_configured,
        }


class RunDir:
    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.manifest = self.out / "manifest.jsonl"
        self.answers = self.out / "answers"
        self.out.mkdir(parents=True, exist_ok=True)

    def done(self) -> set[tuple[str, str, str, str]]:
        """Keys (document id, content sha256, policy version, task sha256) already finished."""
        keys: set[tuple[str, str, str, str]] = set()
        if not self.manifest.exists():
            return keys
        with open(self.manifest, encoding="utf-8") as fh:
            for line in fh:
                try:
                    e = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a torn last line from a crash: that document is redone
                if e.get("outcome") in DONE_OUTCOMES:
                    keys.add((e["document"], e["document_sha256"], e["policy_version"], e["task_sha256"]))
        return keys

    def record(self, result: Result, document_sha256: str, policy_version: str, task: str) -> dict[str, object]:
        answer_file = None
        if result.answer is not None:
            answer_file = f"answers/{answer_name(result.document_id)}"
            _atomic_write(self.out / answer_file, result.answer)
        c = result.completion
        entry: dict[str, object] = {
            "document": result.document_id,
            "document_sha256": document_sha256,
            "outcome": result.outcome,
            "route": result.route,
            "reasons": result.decision.rule_ids if result.decision else [],
            "policy_version": policy_version,
            "task_sha256": task_key(task),
            "backend": c.backend if c else None,
            "model": c.model if c else None,
            "tokens_in": c.usage.prompt_tokens if c else 0,
            "tokens_out": c.usage.completion_tokens if c else 0,
            "latency_ms": round(c.latency_ms, 1) if c else None,
            "answer": answer_file,
            "error": result.error_class or None,
        }
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with open(self.manifest, "a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        return entry
