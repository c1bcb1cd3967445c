"""``redactor scan``: what sensitive data is in these files?"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import INPUT_PATHS, InputFailures, config_option, documents, echo_json, mask, progress, settings_from, stdout_console


def _summary(result, show_values: bool) -> dict:
    findings = [
        {
            "entity_type": f.entity_type,
            "category": f.category,
            "start": f.start,
            "end": f.end,
            "score": f.score,
            "value": f.value(result.text) if show_values else mask(f.value(result.text)),
        }
        for f in result.findings
    ]
    return {
        "document": result.document_id,
        "entities": result.counts_by_type(),
        "categories": result.counts_by_category(),
        "top_scores": result.top_scores(),
        "findings": findings,
    }


@click.command()
@click.argument("paths", nargs=-1, required=True, type=INPUT_PATHS)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--show-values", is_flag=True, help="Print detected values in clear (masked by default).")
@config_option
def scan(paths: tuple[Path, ...], as_json: bool, show_values: bool, config_file: Path | None, spacy_model: str | None) -> None:
    """Scan files and folders (recursively) for PII, financial and health data.

    Prints one summary per document: entity types, categories, counts and top
    score.  Empty and binary files are skipped (named on stderr).  Exit code 0
    when every file was read or skipped, 1 when some failed, 2 on usage errors.
    """
    from ..detect.scanner import Scanner  # imported here: spaCy loads only when a command needs it

    settings = settings_from(config_file, spacy_model)
    scanner = Scanner(settings)
    failures = InputFailures()
    rows = [_summary(r, show_values) for r in progress(scanner.scan_many(documents(paths, settings, failures)), "scanning")]
    if as_json:
        echo_json({"documents": rows, "failed": [{"path": e.path, "reason": e.reason} for e in failures.errors],
                   "skipped": [{"path": e.path, "reason": e.reason} for e in failures.skipped]})
    else:
        _table(rows, show_values)
    if failures:
        sys.exit(1)


def _table(rows: list[dict], show_values: bool) -> None:
    from rich.table import Table

    table = Table(title=f"{len(rows)} documents scanned")
    for col in ("document", "categories", "entities", "top score"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            r["document"],
            ", ".join(f"{k} {v}" for k, v in r["categories"].items()) or "clean",
            ", ".join(f"{k}×{v}" for k, v in r["entities"].items()) or "-",
            f"{max(r['top_scores'].values()):.2f}" if r["top_scores"] else "-",
        )
    console = stdout_console()
    console.print(table)
    if show_values:
        for r in rows:
            for f in r["findings"]:
                console.print(f"{r['document']}\t{f['entity_type']}\t{f['score']}\t{f['value']}", markup=False, highlight=False)
