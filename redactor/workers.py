"""Where a batch runs: ``prepare()`` in worker processes, the model calls in threads.

Two halves, as in ``pipeline.py``:

- **Preparing** (detect → decide → transform → guard) is CPU work.
  ``PreparePool`` runs it in N worker processes, each building its own
  Scanner once (the process initializer) and preparing chunks of documents
  with one ``nlp.pipe`` pass per chunk (``prepare_many``).  ``InlinePreparer``
  does the same in the calling thread, with no pool, for ``--workers 1``.
- **Dispatching** happens in the main process, which holds the one copy of the
  local model and the cloud client.  ``Dispatcher`` feeds local-route documents
  to ONE consumer thread (llama.cpp is not re-entrant, and two copies would
  not fit a small machine) and runs cloud calls, plus the documents that need
  no model (blocked, failed), on a pool of ``cloud.max_concurrency`` threads.
  (A cloud call that falls back to local calls the same local model from its
  cloud thread; the model's lock serialises it with the consumer.)
  With a ``LocalModelPool`` (``backends/pool.py``: ``redactor run``), the model
  runs in N processes instead and the Dispatcher feeds them from 2 × N
  consumer threads; preparing then runs at a lower priority (``PreparePool``
  with ``nice``, or ``BackgroundPreparer`` for one worker) so it never takes a
  model process's core.

Ordering, resume and the in-flight bound live in ``batch.py``; nothing here
writes a file.  The pseudonym mapping crosses the process pipe inside a
``Prepared`` (redactor's own workers only) and is never written or logged.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from itertools import islice
from typing import Any, Callable, Iterable, Iterator, Sequence

from .config import DetectSettings
from .errors import RedactorError
from .ingest.document import Document
from .prepare import Prepared, prepare_many
from .procs import cpu_count, exit_with_parent as _exit_with, ignore_sigint, picklable, sigint_deferred
from .policy import Policy, Route, detect_for

#: ``--workers`` left unset: one worker (no pool) below this many input files.
#: Starting two workers costs ~2 s more than one in-process Scanner, and
#: scanning a document takes ~40 ms on one core: the pool pays off from ~100.
AUTO_POOL_MIN_FILES = 100

#: How worker processes start.  Measured for two workers with their Scanners
#: on a 2-core machine: fork ~1 s, forkserver ~3 s, spawn ~2.5-5 s.  Not fork:
#: the main process runs threads (progress bar, HTTP client, llama.cpp) and a
#: fork taken while one of them holds a lock can hang the child.  forkserver
#: forks workers from a clean server that has already imported spaCy and
#: Presidio.  Override with ``REDACTOR_START_METHOD`` (fork, forkserver, spawn).
DEFAULT_START_METHOD = "forkserver"

Done = Callable[[list[Prepared] | BaseException], None]


def choose_workers(requested: int | None, input_files: int) -> int:
    """``--workers``/``Settings.workers`` if given, else every core — or one for tiny inputs."""
    if requested:
        return max(1, requested)
    return 1 if input_files < AUTO_POOL_MIN_FILES else cpu_count()


# ----------------------------------------------------------------------------- preparing


class InlinePreparer:
    """Prepare in the calling thread: ``--workers 1``, no processes, no pickling.
    ``scan_only`` stops after detection (``Prepared.scan`` only; for benchmarks and scans)."""

    workers = 1

    def __init__(
        self, scanner: Callable[[], Any], policy: Policy, task: str, *, cloud_configured: bool, scan_only: bool = False
    ) -> None:
        # ``scanner`` is a getter: the Pipeline builds its Scanner on first use
        self._scanner, self._policy, self._task = scanner, policy, task
        self._cloud, self._scan_only = cloud_configured, scan_only

    def submit(self, docs: Sequence[Document], done: Done) -> None:
        if self._scan_only:
            done(_scan_only(docs, self._task, self._scanner()))
        else:
            done(_prepare_guarded(docs, self._task, self._scanner(), self._policy, self._cloud))

    def close(self, cancel: bool = False) -> None:
        pass


def mp_context(start_method: str | None = None) -> Any:
    """The multiprocessing context worker processes start from (see ``DEFAULT_START_METHOD``)."""
    method = start_method or os.environ.get("REDACTOR_START_METHOD") or DEFAULT_START_METHOD
    if method not in multiprocessing.get_all_start_methods():
        method = "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["redactor.workers"])
    return context


def lower_priority(nice: int) -> None:
    """Lower the calling thread's CPU priority by ``nice`` (Linux: per thread; elsewhere per process)."""
    if nice <= 0:
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
    except (AttributeError, OSError):  # pragma: no cover - not permitted or not supported: run as is
        pass


class BackgroundPreparer:
    """``InlinePreparer``'s work on one low-priority thread of this process.

    Beside model processes that keep every core busy, preparing (~15 ms a
    document against ~1 s for the model) must neither take a model's core nor
    leave the model waiting: at a lower priority it runs in the gaps and stays
    ahead through the batch window.  ``warm`` (e.g. building the Scanner) runs
    first, while the model processes load."""

    workers = 1

    def __init__(self, inline: InlinePreparer, *, nice: int = 10, warm: Callable[[], Any] | None = None) -> None:
        self._inline, self._nice, self._warm = inline, nice, warm
        self._jobs: queue.Queue[Any] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="redactor-prepare", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        lower_priority(self._nice)
        if self._warm is not None:
            try:
                self._warm()
            except Exception:  # the first chunk meets the same error and reports it
                pass
        while (job := self._jobs.get()) is not None:
            docs, done = job
            try:
                self._inline.submit(docs, done)
            except BaseException as e:  # e.g. the spaCy model is missing: the run stops with it
                done(e)

    def submit(self, docs: Sequence[Document], done: Done) -> None:
        self._jobs.put((list(docs), done))

    def close(self, cancel: bool = False) -> None:
        if cancel:
            while True:
                try:
                    self._jobs.get_nowait()
                except queue.Empty:
                    break
        self._jobs.put(None)
        self._thread.join()


class PreparePool:
    """Prepare chunks of documents in ``workers`` processes; results come back through ``done``
    (called from the pool's result thread: keep it short).  ``nice`` lowers their CPU priority,
    so model processes running beside them keep their cores."""

    def __init__(
        self,
        workers: int,
        detect: DetectSettings,
        policy: Policy,
        task: str,
        *,
        cloud_configured: bool,
        start_method: str | None = None,
        scan_only: bool = False,
        nice: int = 0,
    ) -> None:
        self.workers = workers
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=mp_context(start_method),
            initializer=_init_worker,
            initargs=(detect, policy, task, cloud_configured, scan_only, os.getpid(), nice),
        )

    def submit(self, docs: Sequence[Document], done: Done) -> None:
        with sigint_deferred():  # the executor starts its processes on submit (see backends/pool.py)
            future = self._executor.submit(_prepare_in_worker, list(docs))

        def finished(f: Future) -> None:
            if f.cancelled():  # the run is stopping; these documents have no record and are redone next time
                return
            error = f.exception()
            done(error if error is not None else f.result())

        future.add_done_callback(finished)

    def warm_up(self) -> None:
        """Start every worker and build its Scanner now (benchmarks time this apart)."""
        with sigint_deferred():
            futures = [self._executor.submit(_ready) for _ in range(self.workers)]
        for f in futures:
            f.result()

    def close(self, cancel: bool = False) -> None:
        """Stop the workers; with ``cancel``, chunks not yet started are dropped."""
        self._executor.shutdown(wait=True, cancel_futures=cancel)


# Per worker process: set once by the pool initializer, read by every task.
# The main process never sets them.
_WORKER: tuple[Any, Policy, str, bool, bool] | None = None
_INIT_ERROR: RedactorError | None = None  # e.g. the spaCy model is not installed


def _init_worker(
    detect: DetectSettings, policy: Policy, task: str, cloud_configured: bool, scan_only: bool, main_pid: int,
    nice: int = 0,
) -> None:
    global _WORKER, _INIT_ERROR
    from .detect.scanner import Scanner

    ignore_sigint()  # Ctrl-C is the main process's: it cancels what is queued and waits for the rest
    lower_priority(nice)
    threading.Thread(target=_exit_with, args=(main_pid,), name="redactor-watchdog", daemon=True).start()
    try:
        _WORKER = (Scanner(detect_for(policy, detect)), policy, task, cloud_configured, scan_only)
    except RedactorError as e:  # raised by every task instead: the run stops with this message
        _INIT_ERROR = picklable(e, RedactorError, "while preparing")


def _ready() -> int:
    if _INIT_ERROR is not None:
        raise _INIT_ERROR
    return os.getpid()


def _prepare_in_worker(docs: list[Document]) -> list[Prepared]:
    if _INIT_ERROR is not None:
        raise _INIT_ERROR
    assert _WORKER is not None, "worker initializer did not run"
    scanner, policy, task, cloud_configured, scan_only = _WORKER
    if scan_only:
        return _scan_only(docs, task, scanner)
    out = _prepare_guarded(docs, task, scanner, policy, cloud_configured)
    for p in out:
        if p.error is not None:
            p.error = picklable(p.error, RedactorError, "while preparing")
    return out


def _prepare_guarded(docs: Sequence[Document], task: str, scanner: Any, policy: Policy, cloud: bool) -> list[Prepared]:
    """``prepare_many`` where even an unexpected exception fails only its document.

    The message of a third-party exception can quote the text it choked on, so
    only its class name is kept."""
    try:
        return prepare_many(docs, task, scanner, policy, cloud_configured=cloud)
    except Exception:
        pass
    out = []
    for doc in docs:
        try:
            out.extend(prepare_many([doc], task, scanner, policy, cloud_configured=cloud))
        except Exception as e:
            out.append(Prepared(doc, task, error=RedactorError(f"internal error while preparing ({type(e).__name__})")))
    return out


def _scan_only(docs: Sequence[Document], task: str, scanner: Any) -> list[Prepared]:
    return [Prepared(d, task, scan=s) for d, s in zip(docs, scanner.scan_many(docs, batch_size=max(1, len(docs))))]


def prepare_ordered(
    preparer: InlinePreparer | PreparePool, documents: Iterable[Document], *, chunk: int = 8, window: int | None = None
) -> Iterator[Prepared]:
    """Prepared documents in input order, with at most ``window`` chunks
    (default 4 per worker) in flight: a stream of any length in flat memory."""
    window = window or 4 * preparer.workers
    slots: deque[tuple[threading.Event, list[Any]]] = deque()
    docs = iter(documents)

    def submit() -> bool:
        batch = list(islice(docs, chunk))
        if not batch:
            return False
        slot: tuple[threading.Event, list[Any]] = (threading.Event(), [])

        def done(result: list[Prepared] | BaseException) -> None:
            slot[1].append(result)
            slot[0].set()

        slots.append(slot)
        preparer.submit(batch, done)
        return True

    more = True
    while more or slots:
        while more and len(slots) < window:
            more = submit()
        if not slots:
            break
        event, box = slots.popleft()
        event.wait()
        if isinstance(box[0], RedactorError):
            raise box[0]
        if isinstance(box[0], BaseException):
            raise RedactorError(f"a worker process failed ({type(box[0]).__name__})")
        yield from box[0]


# ----------------------------------------------------------------------------- dispatching


class Dispatcher:
    """Run ``work(item)`` for prepared documents: local-route ones on the
    local-model thread(s) (``local_work`` if given), the rest on the cloud thread pool.

    One local thread for the in-process model (llama.cpp is not re-entrant);
    with a ``LocalModelPool``, two per model process, so each process has its
    next prompt queued while the main process records the previous answer."""

    def __init__(
        self,
        work: Callable[[Any], None],
        cloud_threads: int,
        *,
        local_threads: int = 1,
        local_work: Callable[[Any], None] | None = None,
    ) -> None:
        self._work = work
        self._local_work = local_work or work
        self._local: queue.Queue[Any] = queue.Queue()  # bounded by the batch window
        self._local_threads = [
            threading.Thread(target=self._local_loop, name=f"redactor-local-{i}", daemon=True)
            for i in range(max(1, local_threads))
        ]
        for thread in self._local_threads:
            thread.start()
        self._pool = ThreadPoolExecutor(max_workers=max(1, cloud_threads), thread_name_prefix="redactor-cloud")

    def put(self, item: Any, prepared: Prepared) -> None:
        d = prepared.decision
        if prepared.error is None and d is not None and d.route is Route.LOCAL:
            self._local.put(item)
        else:
            self._pool.submit(self._work, item)

    def _local_loop(self) -> None:
        while (item := self._local.get()) is not None:
            self._local_work(item)

    def close(self, cancel: bool = False) -> None:
        """Wait for the calls under way; with ``cancel``, drop the ones not started
        (they have no audit record, so a rerun does them)."""
        if cancel:
            while True:
                try:
                    self._local.get_nowait()
                except queue.Empty:
                    break
        for _ in self._local_threads:
            self._local.put(None)
        self._pool.shutdown(wait=True, cancel_futures=cancel)
        for thread in self._local_threads:
            thread.join()

