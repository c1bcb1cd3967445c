"""``redactor run``: answer a task over documents, each routed by policy."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..audit.store import AuditTrail
from ..batch import RunDir, RunSummary, task_key
from ..pipeline import Pipeline
from .common import InputFailures, config_option, documents, echo_json, progress, settings_from


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--task", required=True, help='What to do with each document, e.g. "Summarize this document".')
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Run directory for answers and the manifest.")
@click.option("--max-tokens", default=256, show_default=True, type=click.IntRange(1, 32768), help="Answer length limit.")
@click.option("--policy", "policy", default=None, help="Policy file, or a shipped policy name: default, redact-pii, strict.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@config_option
def run(paths, task, out, max_tokens, policy, as_json, config_file, spacy_model) -> None:
    """Answer TASK for every document in PATHS.

    Clean documents go to the configured cloud model; documents with sensitive
    data are pseudonymised or answered by the local model, as the policy says.
    Writes answers and a manifest (route, reasons, backend, model, tokens,
    latency — never values) to --out; rerunning skips documents already done.
    Exit code 0 when all documents succeeded, 1 when some failed, 2 on usage errors.
    """
    settings = settings_from(config_file, spacy_model, policy=policy)
    audit = AuditTrail.from_settings(settings) if settings.audit.enabled else None
    pipeline = Pipeline(settings, audit=audit)
    rundir = RunDir(out)
    done = rundir.done()
    tkey = task_key(task)
    failures = InputFailures()
    summary = RunSummary(cloud_configured=pipeline.cloud_configured)
    for doc in progress(documents(paths, settings, failures), "running"):
        if (doc.id, doc.sha256, pipeline.policy.version, tkey) in done:
            summary.skipped += 1
            continue
        result = pipeline.process(doc, task, max_tokens=max_tokens)
        rundir.record(result, doc.sha256, pipeline.policy.version, task)
        summary.add(result)
        if result.outcome == "error":
            click.echo(f"error: {doc.id}: {result.error}", err=True)
    summary.input_failures = len(failures)
    for e in failures.errors:
        pipeline.record_input_failure(e)
    if as_json:
        echo_json(summary.to_dict() | {"out": str(out), "policy": pipeline.policy.name, "policy_version": pipeline.policy.version})
    else:
        _print_summary(summary, pipeline, out)
    if summary.failed:
        sys.exit(1)


def _print_summary(s: RunSummary, pipeline: Pipeline, out: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"run {pipeline.run_id} · policy {pipeline.policy.name} ({pipeline.policy.version[:12]})")
    table.add_column("route")
    table.add_column("documents", justify="right")
    for route, n in sorted(s.routes.items()):
        table.add_row(route, str(n))
    console.print(table)
    console.print(f"tokens sent to the cloud: {s.cloud_tokens}   tokens processed locally: {s.local_tokens}   "
                  f"estimated cost: ${s.cost_usd:.4f}")
    if s.skipped:
        console.print(f"skipped {s.skipped} documents already done in {out}")
    if not s.cloud_configured:
        console.print("cloud not configured (no OPENAI_API_KEY / OPENAI_BASE_URL): every document was answered by the local model.")
    if s.failed:
        console.print(f"[red]{s.failed} documents failed[/red] (see messages above)")
    console.print(f"answers and manifest: {out}")
