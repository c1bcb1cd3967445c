"""Helpers for redactor's own worker processes (model processes, scanning workers): cores,
Ctrl-C, dying with the parent, errors that cross the pipe.  Used by ``workers.py`` and
``backends/pool.py``; imports neither."""

from __future__ import annotations

import os
import pickle
import signal
import threading
from contextlib import contextmanager
from typing import Any

from .errors import RedactorError


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@contextmanager
def sigint_deferred() -> Any:
    """Start child processes inside this.  They begin life with SIGINT blocked (the mask is
    inherited through fork and exec), so a Ctrl-C while one is still importing cannot
    print a traceback there; and in the main thread a Ctrl-C meanwhile is held back until
    they have started (a ``KeyboardInterrupt`` halfway through a start can leave a child
    waiting forever for the data it was about to be sent), then acted on as usual."""
    caught: list[int] = []
    handler = signal.getsignal(signal.SIGINT) if threading.current_thread() is threading.main_thread() else None
    if handler is not None:  # None: a handler not set from Python, which could not be put back
        signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        if handler is not None:
            signal.signal(signal.SIGINT, handler)
            if caught and callable(handler):
                handler(signal.SIGINT, None)  # Python's default handler raises KeyboardInterrupt


def ignore_sigint() -> None:
    """In a worker process: Ctrl-C is the main process's to handle (see the module docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def exit_with_parent(main_pid: int, interval: float = 1.0) -> None:
    """End this worker process when the main process is gone (kill -9 included).

    A pool worker holds both ends of its task pipe, so it never sees EOF when
    the main process dies, and a fork-server parent does not die with it either:
    without this, an interrupted run would leave its workers behind forever."""
    import time

    while True:
        time.sleep(interval)
        try:
            os.kill(main_pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # pragma: no cover - the pid now belongs to someone else's process
            os._exit(1)


def picklable(error: RedactorError, fallback: type[RedactorError], where: str) -> RedactorError:
    """``error`` if it survives the pipe to the main process, else a ``fallback`` naming its class."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return fallback(f"{type(error).__name__} {where}")
