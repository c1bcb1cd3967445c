"""``redactor scan``: what sensitive data is in these files?

It shows the findings routing acts on (``prepare.decide_with_doubts``): the
scanner's, and, where the policy would let the text leave, the doubt pass's,
marked as doubts and counted apart.  So a document ``scan`` calls clean is one
``run`` sends as it is.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import INPUT_PATHS, InputFailures, MASKED, config_option, documents, echo_json, progress, settings_from, stdout_console


def _summary(result, policy, show_values: bool) -> dict:
    from ..prepare import decide_with_doubts

    decision, acted_on = decide_with_doubts(result, policy)
    n_found = len(result.findings)
    findings = [
        {
            "entity_type": f.entity_type,
            "category": f.category,
            "start": f.start,
            "end": f.end,
            "score": f.score,
            "doubt": i >= n_found,
            "value": f.value(result.text) if show_values else MASKED,
        }
        for i, f in enumerate(acted_on)
    ]
    return {
        "document": result.document_id,
        "entities": result.counts_by_type(),
        "categories": result.counts_by_category(),
        "top_scores": result.top_scores(),
        "doubts": len(acted_on) - n_found,
        "route": decision.route.value,
        "findings": findings,
    }


@click.command()
@click.argument("paths", nargs=-1, required=True, type=INPUT_PATHS)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--show-values", is_flag=True,
              help="Print detected values in clear (by default --json shows each as [redacted]: no kind, no length).")
@click.option("--policy", "policy", default=None, help="Policy file, or a shipped policy name: default, redact-pii, hipaa-safe-harbor, strict.")
@config_option
def scan(paths: tuple[Path, ...], as_json: bool, show_values: bool, policy: str | None, config_file: Path | None,
         spacy_model: str | None) -> None:
    """Scan files and folders (recursively) for PII, financial and health data.

    Prints one summary per document: entity types, categories, counts, top
    score, the route the policy gives it, and the doubts: words and numbers no
    recognizer explained, which `run` also weighs when a document may leave
    (marked "doubt" in --json, "?" with --show-values).  Empty and binary
    files are skipped (named on stderr).  Exit code 0 when every file was read
    or skipped, 1 when some failed, 2 on usage errors.
    """
    from ..detect.scanner import Scanner  # imported here: spaCy loads only when a command needs it
    from ..policy import detect_for, load_policy

    settings = settings_from(config_file, spacy_model, policy=policy)
    routing = load_policy(settings.policy, settings.detect)
    scanner = Scanner(detect_for(routing, settings.detect))
    failures = InputFailures()
    results = progress(scanner.scan_many(documents(paths, settings, failures)), "scanning")
    rows = [_summary(r, routing, show_values) for r in results]
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
    # document ids and short cells stay whole (ids are what a reader searches for); the entity list wraps
    table.add_column("document", overflow="fold", no_wrap=True)
    table.add_column("categories", overflow="fold")
    table.add_column("entities", overflow="fold", ratio=1)
    for col in ("doubts", "top score", "route"):
        table.add_column(col, no_wrap=True)
    for r in rows:
        table.add_row(
            r["document"],
            ", ".join(f"{k} {v}" for k, v in r["categories"].items()) or ("-" if r["doubts"] else "clean"),
            ", ".join(f"{k}×{v}" for k, v in r["entities"].items()) or "-",
            f"? {r['doubts']}" if r["doubts"] else "-",
            f"{max(r['top_scores'].values()):.2f}" if r["top_scores"] else "-",
            r["route"],
        )
    console = stdout_console()
    console.print(table)
    if show_values:
        for r in rows:
            for f in r["findings"]:
                label = f"{f['entity_type']}?" if f["doubt"] else f["entity_type"]
                console.print(f"{r['document']}\t{label}\t{f['score']}\t{f['value']}", markup=False, highlight=False)
