"""The local model in N worker processes: every core busy, none fought over.

One llama.cpp context answers one prompt at a time, and on a small CPU two
threads in one context spend much of their time waiting for each other (one
single-token step took 596 ms instead of 7 ms while a neighbour held a core).
``LocalModelPool`` runs ``workers`` processes instead, each with its own copy
of the model and its own context on ``n_threads`` threads (one, on a 2-core
machine), all taking prompts from ONE request queue.  It is a ``Backend``:

- ``complete()`` sends the messages to whichever process is free and waits
  for the ``Completion`` (any number of threads may call it at once);
- ``count_tokens()`` runs here, on a vocabulary-only copy of the model
  (no weights), so long-document splitting does not queue behind answers.

The batch runner calls it from more threads than there are processes, so a
process that finishes one prompt finds the next already queued: the model
never waits for the main process's bookkeeping (audit records, answer files).

Loading is started by ``start()`` and checked by ``wait_ready()``: a model
that fails to load is one ``LocalModelError`` for the whole run.  A process
that dies mid-run fails the calls under way (those documents are retried by a
rerun) and every later call.  Each process exits by itself when the main
process is gone (kill -9 included).  Prompts cross the process pipe in memory
only; nothing is written.

Ctrl-C is the main process's to handle: the processes ignore SIGINT (a
terminal sends it to every process of the group, and each would print a
``KeyboardInterrupt`` traceback).  The batch stops them with ``interrupt()``:
calls under way fail with ``Interrupted`` at once, and the processes end.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from ..config import LocalSettings
from ..errors import Interrupted, LocalModelError, RedactorError
from .base import Completion, Message
from .local import LocalBackend, load_llama, quiet_llama
from ..procs import cpu_count, exit_with_parent, ignore_sigint, picklable, sigint_deferred

_READY = "ready"


def available_memory() -> int | None:
    """Bytes of memory available for new processes (Linux ``MemAvailable``), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return None


def choose_model_processes(settings: LocalSettings, *, store: Path | None = None) -> tuple[int, int]:
    """(model processes, threads each) for ``run``: ``local.workers`` / ``local.n_threads`` when
    set, else what ``redactor models bench`` measured for this model, else one single-threaded
    process per core (llama.cpp's threads in one context wait on each other; processes do not)."""
    from .catalog import model_entry
    from .models import store_dir

    bench = model_entry(store or store_dir(), settings.model).get("bench", {})
    threads = settings.n_threads or int(bench.get("n_threads", 1))
    default_workers = int(bench.get("workers", 0)) or max(1, cpu_count() // threads)
    return settings.workers or default_workers, threads


def fit_workers(model_path: Path, n_ctx: int, wanted: int) -> int:
    """How many copies of the model fit in memory, up to ``wanted``; checked before loading any.

    Not even one copy fitting is a ``LocalModelError`` naming both sizes, not an
    out-of-memory kill halfway through a run.  Weights are memory-mapped and shared
    between processes by the page cache, so only the first copy pays for them."""
    from .gguf import read_gguf_info

    info = read_gguf_info(model_path)
    weights, per_copy = info.size, info.memory_bytes(n_ctx) - info.size
    available = available_memory()
    if available is None:
        return max(1, wanted)
    if weights + per_copy > available:
        raise LocalModelError(
            f"{model_path.name} needs about {(weights + per_copy) / 1e9:.1f} GB with n_ctx={n_ctx}, "
            f"and {available / 1e9:.1f} GB is available; choose a smaller model or lower local.n_ctx"
        )
    return max(1, min(wanted, (available - weights) // max(1, per_copy)))


class LocalModelPool:
    """A ``Backend`` answering with ``workers`` model processes of ``n_threads`` threads each."""

    name = "local"
    endpoint_host = "in-process"

    def __init__(
        self,
        settings: LocalSettings,
        model_path: Path,
        *,
        workers: int,
        n_threads: int = 1,
        start_method: str | None = None,
        model_name: str | None = None,
    ) -> None:
        self.workers, self.n_threads = max(1, workers), max(1, n_threads)
        self.settings = settings.model_copy(update={"n_threads": self.n_threads})
        self.model_path = Path(model_path)
        # the audit names a model, never a path (paths can name users)
        self.model = model_name or (self.model_path.name if settings.model.endswith(".gguf") else settings.model)
        self.context_tokens = settings.n_ctx
        self._method = start_method
        self._ids = itertools.count()
        self._waiting: dict[int, Future] = {}
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._ready_count = 0
        self._failure: RedactorError | None = None
        self._procs: list[Any] = []
        self._vocab: Any = None
        self._vocab_lock = threading.Lock()
        self._listener: threading.Thread | None = None
        self._closed = False
        self._interrupted = False
        self.calls = 0

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> "LocalModelPool":
        """Start the processes; each loads the model (returns at once: see ``wait_ready``)."""
        # spawn: a fresh interpreter that imports only what a model needs (a fork
        # server preloads spaCy and Presidio for the prepare workers: seconds more)
        ctx = multiprocessing.get_context(self._method or "spawn")
        self._requests = ctx.Queue()
        self._results = ctx.Queue()
        with sigint_deferred():
            for index in range(self.workers):
                proc = ctx.Process(
                    target=_serve,
                    args=(self.settings, str(self.model_path), self.model, self._requests, self._results, os.getpid()),
                    name=f"redactor-model-{index}", daemon=True,
                )
                proc.start()
                self._procs.append(proc)
        self._listener = threading.Thread(target=self._listen, name="redactor-model-results", daemon=True)
        self._listener.start()
        return self

    def wait_ready(self, timeout: float | None = None) -> None:
        """Block until every process has loaded the model; raise the first load failure."""
        if not self._ready.wait(timeout):
            raise LocalModelError(f"the local model did not load within {timeout:.0f}s")
        if self._failure is not None:
            raise self._failure

    def close(self) -> None:
        """Let each process finish its prompt, then stop them."""
        if self._closed:
            return
        self._closed = True
        for _ in self._procs:
            self._requests.put(None)
        self._stop_processes()
        self._results.put(None)  # ends the listener
        if self._listener is not None:
            self._listener.join(timeout=10)
        self._fail_all(LocalModelError("the local model pool was closed"))

    def interrupt(self) -> None:
        """Stop now (Ctrl-C): every call under way or to come fails with ``Interrupted``
        and the processes are terminated, mid-prompt."""
        if self._closed:
            return
        self._fail(Interrupted("interrupted before the local model answered"))
        self._closed = self._interrupted = True  # before they die: the listener must not report a crash
        for proc in self._procs:
            proc.terminate()
        self._stop_processes()
        if self._listener is not None:  # it sees _closed at its next poll; nothing is put on the
            self._listener.join(timeout=10)  # results queue, whose lock a killed process may hold

    def _stop_processes(self) -> None:
        for proc in self._procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
                proc.join()

    def __enter__(self) -> "LocalModelPool":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the Backend interface ---------------------------------------------------

    def count_tokens(self, text: str) -> int:
        with self._vocab_lock:
            if self._vocab is None:
                try:
                    with quiet_llama():  # a vocabulary-only load still logs a context warning
                        self._vocab = load_llama(self.model_path, vocab_only=True, n_ctx=self.context_tokens)
                except Exception as e:
                    raise LocalModelError(f"could not read the vocabulary of {self.model_path.name} "
                                          f"({type(e).__name__})") from None
            return len(self._vocab.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def complete(self, messages: list[Message], *, max_tokens: int) -> Completion:
        self.wait_ready()
        future: Future = Future()
        with self._lock:
            if self._failure is not None:
                raise self._failure
            request_id = next(self._ids)
            self._waiting[request_id] = future
            self.calls += 1
        self._requests.put((request_id, messages, max_tokens))
        result = future.result()
        if isinstance(result, BaseException):
            raise result
        return result

    def complete_long(self, *, system: str, task: str, document: str, max_tokens: int) -> Completion:
        from .longdoc import complete_long

        return complete_long(self, system=system, task=task, document=document, max_tokens=max_tokens)

    # -- the result thread -------------------------------------------------------

    def _listen(self) -> None:
        sentinels = {p.sentinel: p for p in self._procs}
        while True:
            try:
                message = self._results.get(timeout=0.5)
            except queue.Empty:
                if self._interrupted:
                    return
                dead = [p for p in sentinels.values() if not p.is_alive()]
                if dead and not self._closed:
                    self._fail(LocalModelError(
                        f"a local model process died (exit code {dead[0].exitcode}); rerun to resume"))
                continue
            if message is None:
                return
            key, payload = message
            if key == _READY:
                self._loaded(payload)
                continue
            with self._lock:
                future = self._waiting.pop(key, None)
            if future is not None:
                future.set_result(payload)

    def _loaded(self, error: RedactorError | None) -> None:
        if error is not None:
            self._fail(error)
            return
        self._ready_count += 1
        if self._ready_count == self.workers:
            self._ready.set()

    def _fail(self, error: RedactorError) -> None:
        with self._lock:
            if self._failure is None:
                self._failure = error
        self._ready.set()
        self._fail_all(error)

    def _fail_all(self, error: RedactorError) -> None:
        with self._lock:
            waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_result(error)


# ----------------------------------------------------------------------------- in each model process


def _serve(settings: LocalSettings, model_path: str, model_name: str, requests: Any, results: Any,
           main_pid: int) -> None:
    ignore_sigint()
    threading.Thread(target=exit_with_parent, args=(main_pid,), name="redactor-watchdog", daemon=True).start()
    backend = LocalBackend(settings, model_path=Path(model_path))
    backend.model = model_name  # what the audit records: the main process's name for the model
    try:
        backend.has_chat_template  # loads the model now: a failure is reported once, up front
    except RedactorError as e:
        results.put((_READY, picklable(e, LocalModelError, "in a local model process")))
        return
    except Exception as e:  # pragma: no cover - LocalBackend translates llama.cpp errors already
        results.put((_READY, LocalModelError(f"could not load the local model ({type(e).__name__})")))
        return
    results.put((_READY, None))
    while (request := requests.get()) is not None:
        request_id, messages, max_tokens = request
        try:
            answer: Any = backend.complete(messages, max_tokens=max_tokens)
        except RedactorError as e:
            answer = picklable(e, LocalModelError, "in a local model process")
        except Exception as e:  # never the message: it can quote the prompt
            answer = LocalModelError(f"local model call failed ({type(e).__name__})")
        results.put((request_id, answer))
