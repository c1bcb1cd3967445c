"""A batch run: documents in, answers and a manifest out, each document exactly once.

Layout of ``--out DIR``::

    DIR/manifest.jsonl       one line per document (its latest attempt), in input order
    DIR/answers/<name>.txt   the (re-identified) answer per document and version
    DIR/runs.jsonl           the ids of the runs that used DIR, oldest first
    DIR/.lock                held by the one run using DIR

``BatchRun`` reads the inputs in order, skips what is done, prepares the rest in
worker processes and dispatches them in threads (``workers.py``), and writes
manifest lines back in input order through a reorder buffer.  With
``model_workers``, local-route documents are answered by that many model
processes (``backends/pool.py``) while preparing runs at a lower priority; the
model calls still return here, so the commit order below is unchanged.  At most
``window`` documents (and ``window_bytes`` of text) are in flight at once,
whatever the size of the input, so memory stays flat.  The files of DIR are
kept by ``RunDir`` (``rundir.py``).

Exactly once
------------
The **audit record is the commit point** of a document: one SQLite transaction,
so it exists whole or not at all.  Each document goes through, in this order:

1. its answer is written to a temp file, fsynced and renamed into
   ``answers/`` (atomic).  The name carries the document's key, so an attempt
   at another version of the document never replaces this file;
2. its audit record is appended — **commit**;
3. its manifest line is appended (in input order, possibly much later).

A run starts, under ``DIR/.lock``, with:

a. a torn last manifest line (a crash mid-append) is cut off;
b. *reconcile*: every audit record written by a run listed in ``runs.jsonl``
   and not yet settled, newer than the manifest's latest line for its
   document, becomes that document's manifest line (``"recovered": true``);
   those runs are then marked settled;
c. this run's id is appended to ``runs.jsonl`` (fsynced) before it writes any
   audit record;
d. a document is done when its latest manifest line is ``ok`` or ``blocked``
   for the same key: document id, content sha256, policy version and task
   sha256.  Done documents are skipped; failed ones are tried again, and so
   are files skipped as empty or binary (outcome ``skipped``: read again, cheaply,
   and recorded again, in case they have changed).

Why that is exactly once, whenever the process dies (kill -9 included):

- *Nothing is lost.*  A document without an audit record has no done line and
  is redone.  One with an audit record has a manifest line after (b), and the
  answer that line names was in place before the record was written (1 < 2).
- *Nothing is doubled.*  A document is attempted only when its latest line is
  not done for its key.  After (b) the manifest reflects every audit record of
  every run that used DIR (runs are registered before they record, (c)), so a
  document with a successful record for its key is never attempted again.
  Within a run each document is attempted once, and the lock keeps two runs
  out of one DIR.  A run that stops early waits for the model calls already
  under way (they may still record) before it lets the lock go.

Interrupted (Ctrl-C): nothing new starts, model processes are stopped at once
and their documents recorded with outcome ``interrupted`` (not done: the rerun
does them), cloud calls and the in-process model finish and record as usual,
and documents not started leave no record.  The run is not settled, so the
rerun reconciles it like a crashed one.

A retried document appends a second line; a run that completes rewrites the
manifest (atomically) to one line per document, in input order, and marks
itself settled.  Without an audit trail, step 3 is the commit point and
reconcile has nothing to read.

Exactly once is about records and outputs.  A model call under way when the
process dies has no record, so the rerun makes it again: the cloud may see
such a document twice, the audit trail and the manifest count it once.

Memory: document texts are bounded by the window; what grows with the input
is small per document (its id and position for the final ordering, 16 bytes
per done key).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .backends.cloud import UnavailableCloud
from .config import DEFAULT_MAX_TOKENS
from .errors import AuditError, IngestError, RedactorError
from .ingest.document import Document
from .ingest.readers import SKIPPED_INPUTS, read_path
from .ingest.walk import iter_inputs
from .pipeline import Pipeline, Prepared, Result
from .rundir import Key, RunDir, answer_name, document_key, failure_entry, manifest_entry, task_key

__all__ = ["BatchOptions", "BatchRun", "BatchStats", "RunDir", "RunSummary", "answer_name", "count_inputs", "task_key"]


# ----------------------------------------------------------------------------- the summary


@dataclass
class RunSummary:
    routes: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    cloud_tokens: int = 0
    local_tokens: int = 0
    cost_usd: float = 0.0
    skipped: int = 0  # already done by an earlier run
    input_failures: int = 0
    input_skips: int = 0  # empty or binary files: nothing to answer, not a failure
    noted: int = 0  # documents read with a reader's note (e.g. invalid UTF-8 replaced)
    recovered: int = 0
    cloud_configured: bool = True
    cloud_error: str = ""  # why the cloud's preflight failed, when the run went on without it
    fallbacks: Counter[str] = field(default_factory=Counter)  # cloud-failed.<ErrorClass> -> documents
    workers: int = 1
    model_workers: int = 0  # local model processes (0: the in-process model)
    elapsed_s: float = 0.0

    def add(self, result: Result) -> None:
        self.routes[result.route] += 1
        self.outcomes[result.outcome] += 1
        if result.decision is not None:
            self.fallbacks.update(r for r in result.decision.rule_ids if r.startswith("cloud-failed"))
        c = result.completion
        if c is not None:
            if c.backend == "cloud":
                self.cloud_tokens += c.usage.total_tokens
                self.cost_usd += c.cost_usd
            else:
                self.local_tokens += c.usage.total_tokens

    @property
    def processed(self) -> int:
        return sum(self.outcomes.values())

    @property
    def failed(self) -> int:
        return self.outcomes.get("error", 0) + self.input_failures

    def to_dict(self) -> dict[str, object]:
        return {
            "documents_by_route": dict(sorted(self.routes.items())),
            "outcomes": dict(sorted(self.outcomes.items())),
            "skipped_already_done": self.skipped,
            "input_failures": self.input_failures,
            "skipped_inputs": self.input_skips,
            "documents_with_notes": self.noted,
            "recovered_from_audit": self.recovered,
            "cloud_tokens": self.cloud_tokens,
            "local_tokens": self.local_tokens,
            "estimated_cost_usd": round(self.cost_usd, 6),
            "cloud_configured": self.cloud_configured,
            "cloud_error": self.cloud_error or None,
            "cloud_fallbacks": dict(sorted(self.fallbacks.items())),
            "workers": self.workers,
            "model_workers": self.model_workers,
            "elapsed_s": round(self.elapsed_s, 2),
            "docs_per_s": round(self.processed / self.elapsed_s, 2) if self.elapsed_s else 0.0,
        }


# ----------------------------------------------------------------------------- the run


@dataclass
class BatchOptions:
    task: str
    max_tokens: int = DEFAULT_MAX_TOKENS
    workers: int = 1
    chunk: int = 8  # documents per worker task: one nlp.pipe pass
    window: int | None = None  # documents in flight; default 4 × workers × chunk
    window_bytes: int = 64 * 1024 * 1024  # text in flight (one larger document still goes, alone)
    start_method: str | None = None
    #: local model processes (``LocalModelPool``); 0: the pipeline's in-process model, one call at a time
    model_workers: int = 0
    model_threads: int = 1  # threads per model process
    prepare_nice: int = 10  # how much lower preparing runs than the model processes

    @property
    def max_in_flight(self) -> int:
        return self.window or 4 * self.workers * self.chunk


@dataclass
class BatchStats:
    max_in_flight: int = 0
    max_in_flight_bytes: int = 0


@dataclass(eq=False)
class _Item:
    seq: int
    file_index: int
    key: Key | None
    doc: Document | None
    size: int = 0
    prepared: Prepared | None = None
    result: Result | None = None
    entry: dict[str, Any] | None = None
    message: str = ""  # the stderr line for a failure
    notice: str = ""  # the stderr line for a skip or a reader's note
    finished: bool = False


class _ModelProcesses:
    """The run's ``LocalModelPool`` (``BatchOptions.model_workers`` > 0 and an in-process
    local model), standing in for ``pipeline.local`` while the run lasts.

    A model that cannot be found or loaded stops the run once, with its error,
    when the first document needs it: not once per document, and not at all
    for a run whose documents all go to the cloud."""

    def __init__(self, pipeline: Pipeline, pool: Any = None, error: RedactorError | None = None) -> None:
        self.pipeline, self.pool, self.error = pipeline, pool, error
        self._saved = pipeline.local
        if pool is not None:
            pipeline.local = pool

    @classmethod
    def start(cls, pipeline: Pipeline, options: BatchOptions) -> "_ModelProcesses":
        from .backends.local import LocalBackend
        from .backends.pool import LocalModelPool, fit_workers

        local = pipeline.local
        if options.model_workers < 1 or not isinstance(local, LocalBackend):
            return cls(pipeline)
        try:
            path = local.model_path
            workers = fit_workers(path, local.settings.n_ctx, options.model_workers)
        except RedactorError as e:
            return cls(pipeline, error=e)
        pool = LocalModelPool(local.settings, path, workers=workers, n_threads=options.model_threads,
                              model_name=local.model, start_method=options.start_method)
        return cls(pipeline, pool.start())

    @property
    def workers(self) -> int:
        return self.pool.workers if self.pool is not None else 0

    @property
    def threads(self) -> int:
        """Dispatcher threads for local documents: two per model process keep each one fed."""
        return 2 * self.pool.workers if self.pool is not None else 1

    def run(self, item: Any, finish: Callable[[Any], None], abort: Callable[[BaseException], None]) -> None:
        try:
            if self.error is not None:
                raise self.error
            if self.pool is not None:
                self.pool.wait_ready()
        except RedactorError as e:
            abort(e)
            return
        finish(item)

    def close(self) -> None:
        if self.pool is not None:
            self.pipeline.local = self._saved
            self.pool.close()

    def interrupt(self) -> None:
        """Ctrl-C: the calls under way fail now with ``Interrupted`` (recorded as such)."""
        if self.pool is not None:
            self.pool.interrupt()


def count_inputs(paths: Iterable[Path | str]) -> int:
    return sum(1 for _ in iter_inputs(paths))


class BatchRun:
    """Run ``pipeline`` over every document under some paths, into a ``RunDir``.

    ``on_error(line)`` gets one line per failed document or file (naming it and
    the reason, never its content), in input order; ``on_notice(line)`` one
    line per skipped file (``skipped: ...``) and per document read with a note
    (``note: ...``); ``on_progress(files_done, docs_done)`` is called from the
    calling thread as documents complete.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        rundir: RunDir,
        options: BatchOptions,
        *,
        on_error: Callable[[str], None] | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        on_notice: Callable[[str], None] | None = None,
    ) -> None:
        self.pipeline, self.rundir, self.options = pipeline, rundir, options
        self.on_error = on_error or (lambda line: None)
        self.on_notice = on_notice or (lambda line: None)
        self.on_progress = on_progress or (lambda files, docs: None)
        cloud_error = str(pipeline.cloud.error) if isinstance(pipeline.cloud, UnavailableCloud) else ""
        self.summary = RunSummary(cloud_configured=pipeline.cloud_configured, workers=options.workers,
                                  cloud_error=cloud_error)
        self.stats = BatchStats()
        self._task_sha = task_key(options.task)
        self._order: dict[str, int] = {}
        self._cond = threading.Condition()
        self._fatal: BaseException | None = None
        self._stop = threading.Event()
        self._quiet = False  # every worker thread and process has stopped
        self._pending: deque[_Item] = deque()  # in flight and waiting to be written, in input order
        self._docs_done = 0
        self._files_read = 0

    def run(self, paths: Iterable[Path | str]) -> RunSummary:
        start = time.perf_counter()
        run_id = self.pipeline.run_id
        self.summary.recovered = self.rundir.open(run_id, self.pipeline.audit)
        try:
            self._execute(list(paths))
            self.rundir.compact(self._order)
            self.rundir.settle(run_id)
        finally:
            # If work may still be under way (it could yet write audit records),
            # DIR stays locked until the process ends: no other run may reconcile first.
            if self._quiet:
                self.rundir.close()
        self.summary.elapsed_s = time.perf_counter() - start
        return self.summary

    # -- the main loop (calling thread) ------------------------------------------

    def _execute(self, paths: list[Path | str]) -> None:
        from .workers import BackgroundPreparer, Dispatcher, InlinePreparer, PreparePool

        opts, pl = self.options, self.pipeline
        models = _ModelProcesses.start(pl, opts)  # first: the models load while spaCy does
        preparer: Any = None
        try:
            nice = opts.prepare_nice if models.pool is not None else 0
            if opts.workers > 1:
                preparer = PreparePool(opts.workers, pl.settings.detect, pl.policy, opts.task,
                                       cloud_configured=pl.cloud_configured, start_method=opts.start_method, nice=nice)
            else:
                preparer = InlinePreparer(lambda: pl.scanner, pl.policy, opts.task, cloud_configured=pl.cloud_configured)
                if models.pool is not None:
                    preparer = BackgroundPreparer(preparer, nice=nice, warm=lambda: pl.scanner)
            self.summary.model_workers = models.workers
            dispatcher = Dispatcher(self._finish, pl.settings.cloud.max_concurrency, local_threads=models.threads,
                                    local_work=lambda item: models.run(item, self._finish, self._abort))
        except BaseException:
            if preparer is not None:
                preparer.close(cancel=True)
            models.close()
            raise
        pending = self._pending
        chunk: list[_Item] = []
        try:
            for item in self._items(paths):
                while pending and self._full(pending, item.size):
                    self._submit(chunk, preparer, dispatcher)
                    self._wait_head(pending)
                    self._write_ready(pending)
                pending.append(item)
                self.stats.max_in_flight = max(self.stats.max_in_flight, len(pending))
                self.stats.max_in_flight_bytes = max(self.stats.max_in_flight_bytes, self._bytes(pending))
                if not item.finished:
                    chunk.append(item)
                if len(chunk) >= opts.chunk:
                    self._submit(chunk, preparer, dispatcher)
                self._write_ready(pending)
            self._submit(chunk, preparer, dispatcher)
            while pending:
                self._wait_head(pending)
                self._write_ready(pending)
        except BaseException as e:
            self._stop.set()  # nothing new starts; calls under way finish and record
            if isinstance(e, KeyboardInterrupt):
                models.interrupt()  # ...but the model processes' calls end now, as `interrupted`
            raise
        finally:
            preparer.close(cancel=self._stop.is_set())
            dispatcher.close(cancel=self._stop.is_set())
            models.close()
            self._quiet = True
        self._report()

    def _items(self, paths: list[Path | str]) -> Iterator[_Item]:
        pl, ingest = self.pipeline, self.pipeline.settings.ingest
        seq = 0
        for file_index, path in enumerate(iter_inputs(paths, ingest)):
            self._files_read = file_index + 1
            try:
                docs = read_path(path, ingest)
            except IngestError as e:
                seq += 1
                self._order.setdefault(document_key(e.path), seq)
                yield self._input_failure(e, seq, file_index)
                continue
            for doc in docs:
                key = Key(document_key(doc.id), doc.sha256, pl.policy.version, self._task_sha)
                if key.document in self._order:
                    continue  # the same document twice in one run: once is enough
                seq += 1
                self._order[key.document] = seq
                if self.rundir.is_done(key):
                    self.summary.skipped += 1
                    self._docs_done += 1
                    continue
                notice = f"note: {key.document}: {'; '.join(doc.notes)}" if doc.notes else ""
                yield _Item(seq, file_index, key, doc, size=doc.size, notice=notice)

    def _input_failure(self, e: IngestError, seq: int, file_index: int) -> _Item:
        skip = isinstance(e, SKIPPED_INPUTS)
        outcome = "skipped" if skip else "error"
        audit_seq = self.pipeline.record_input_failure(e, outcome=outcome)
        entry = failure_entry(e, policy_version=self.pipeline.policy.version, run_id=self.pipeline.run_id,
                              audit_seq=audit_seq, outcome=outcome)
        line = f"{e.path}: {e.reason}"
        if skip:
            self.summary.input_skips += 1
            return _Item(seq, file_index, None, None, entry=entry, notice=f"skipped: {line}", finished=True)
        self.summary.input_failures += 1
        return _Item(seq, file_index, None, None, entry=entry, message=line, finished=True)

    def _full(self, pending: deque[_Item], size: int) -> bool:
        return len(pending) >= self.options.max_in_flight or self._bytes(pending) + size > self.options.window_bytes

    @staticmethod
    def _bytes(pending: deque[_Item]) -> int:
        return sum(i.size for i in pending if not i.finished)

    def _submit(self, chunk: list[_Item], preparer: Any, dispatcher: Any) -> None:
        if not chunk:
            return
        items = list(chunk)
        chunk.clear()

        def prepared(result: list[Prepared] | BaseException) -> None:
            if isinstance(result, RedactorError):  # a worker could not start, e.g. no spaCy model
                self._abort(result)
                return
            if isinstance(result, BaseException):
                self._abort(RedactorError(f"a worker process failed ({type(result).__name__}); rerun to resume"))
                return
            for item, p in zip(items, result, strict=True):
                item.prepared = p
                dispatcher.put(item, p)

        preparer.submit([i.doc for i in items], prepared)

    def _wait_head(self, pending: deque[_Item]) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: pending[0].finished or self._fatal is not None, timeout=0.5)
                if self._fatal is not None:
                    raise self._fatal
                if pending[0].finished:
                    return
            self._report()

    def _write_ready(self, pending: deque[_Item]) -> None:
        ready: list[_Item] = []
        with self._cond:
            while pending and pending[0].finished:
                ready.append(pending.popleft())
        if not ready:
            return
        self.rundir.append([i.entry for i in ready if i.entry is not None])
        for i in ready:
            if i.result is not None:
                self.summary.add(i.result)
                self.summary.noted += bool(i.notice)
            if i.notice:
                self.on_notice(i.notice)
            if i.message:
                self.on_error(i.message)
        self._docs_done += len(ready)
        self._report()

    def _report(self) -> None:
        # every file before the oldest document in flight is complete
        files = self._pending[0].file_index if self._pending else self._files_read
        self.on_progress(files, self._docs_done)

    # -- the dispatch threads --------------------------------------------------------

    def _finish(self, item: _Item) -> None:
        """Model call → answer file → audit record (commit) → manifest entry, for one document."""
        if self._stop.is_set() or self._fatal is not None:
            return
        p, key = item.prepared, item.key
        assert p is not None and key is not None
        try:
            result = self.pipeline.answer(p, max_tokens=self.options.max_tokens)
        except Exception as e:  # a bug, not an outcome: fail this document only, name the class only
            result = Result(p.doc.id, "error", p.decision, error=f"internal error ({type(e).__name__})",
                            error_class=type(e).__name__, scan=p.scan)
        answer_file = None
        if result.answer is not None:
            try:
                answer_file = self.rundir.write_answer(key, result.answer)
            except OSError as e:
                result = dataclasses.replace(result, outcome="error", answer=None, error_class=type(e).__name__,
                                             error=f"could not write the answer ({type(e).__name__})")
        try:
            audit_seq = self.pipeline.record(p, result)
        except BaseException as e:
            self._abort(e if isinstance(e, AuditError) else RedactorError(f"audit record failed ({type(e).__name__})"))
            return
        entry = manifest_entry(result, key, run_id=self.pipeline.run_id, audit_seq=audit_seq, answer_file=answer_file,
                               notes=p.doc.notes)
        with self._cond:
            item.result = dataclasses.replace(result, answer=None, scan=None)  # keep the window light
            item.entry, item.prepared, item.doc = entry, None, None
            item.message = f"{key.document}: {result.error}" if result.outcome == "error" else ""
            item.finished = True
            self._cond.notify_all()

    def _abort(self, error: BaseException) -> None:
        with self._cond:
            if self._fatal is None:
                self._fatal = error
            self._cond.notify_all()
