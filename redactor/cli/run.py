"""``redactor run``: answer a task over documents, each routed by policy."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..config import DEFAULT_MAX_TOKENS
from ..errors import Interrupted
from .common import INPUT_PATHS, config_option, echo_json, progress_bar, settings_from, stdout_console


@click.command()
@click.argument("paths", nargs=-1, required=True, type=INPUT_PATHS)
@click.option("--task", required=True, help='What to do with each document, e.g. "Summarize this document".')
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Run directory for answers and the manifest.")
@click.option("--max-tokens", default=DEFAULT_MAX_TOKENS, show_default=True, type=click.IntRange(1, 32768), help="Answer length limit.")
@click.option("--policy", "policy", default=None, help="Policy file, or a shipped policy name: default, redact-pii, hipaa-safe-harbor, strict.")
@click.option("--workers", "workers", default=None, type=click.IntRange(1, 256),
              help="Processes that scan documents (default: settings `workers`, else one per core; one for small inputs).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@config_option
def run(paths, task, out, max_tokens, policy, workers, as_json, config_file, spacy_model) -> None:
    """Answer TASK for every document in PATHS.

    Clean documents go to the configured cloud model; documents with sensitive
    data are pseudonymised or answered by the local model, as the policy says.
    Writes answers and a manifest (route, reasons, backend, model, tokens,
    latency — never values) to --out.  Rerunning the same command skips the
    documents already done and retries the failed ones, even after a crash:
    each document gets exactly one successful audit record.
    Before the first document, the local model is resolved and the cloud
    endpoint (if configured) is asked once: a wrong model name, URL or key
    stops the run with one clear error (with cloud.fallback_to_local, a cloud
    that fails goes unused instead, and the summary counts the documents
    answered locally because of it).  Empty and binary files are skipped
    (named on stderr, recorded as skipped).
    Ctrl-C stops the run: model calls under way are recorded as interrupted,
    and rerunning the same command does the rest.
    Exit code 0 when all documents succeeded or were skipped, 1 when some
    failed, 2 on usage errors (and a refused API key or wrong cloud URL),
    130 when interrupted.
    """
    # imported here so `redactor --help` does not load spaCy and Presidio
    from ..audit.stores import configured_trail
    from ..backends.pool import choose_model_processes
    from ..batch import BatchOptions, BatchRun, RunDir, count_inputs
    from ..pipeline import Pipeline
    from ..preflight import check_cloud, check_local_model
    from ..workers import choose_workers

    settings = settings_from(config_file, spacy_model, policy=policy, workers=workers)
    run_dir = RunDir(out)  # an --out that cannot be made fails before spaCy or a model loads
    audit = configured_trail(settings) if settings.audit.enabled else None
    pipeline = Pipeline(settings, audit=audit, source="batch")
    # once, before any document: a wrong model name or cloud URL/key is one clear line, not N failures
    check_local_model(pipeline)
    check_cloud(pipeline, warn=lambda line: click.echo(f"warning: {line}", err=True))
    files = count_inputs(paths)
    model_workers, model_threads = choose_model_processes(settings.local)
    options = BatchOptions(task=task, max_tokens=max_tokens, workers=choose_workers(settings.workers, files),
                           model_workers=model_workers, model_threads=model_threads)
    try:
        with progress_bar("running", total=files, unit="files") as bar:
            batch = BatchRun(
                pipeline, run_dir, options,
                on_error=lambda line: click.echo(f"error: {line}", err=True),
                on_notice=lambda line: click.echo(line, err=True),
                on_progress=lambda done, docs: bar.update(completed=done, docs=docs),
            )
            summary = batch.run(paths)
    except KeyboardInterrupt:
        raise Interrupted("interrupted: rerun the same command to resume (documents already done are skipped)") from None
    if as_json:
        echo_json(summary.to_dict() | {"out": str(out), "run_id": pipeline.run_id, "policy": pipeline.policy.name,
                                       "policy_version": pipeline.policy.version})
    else:
        _print_summary(summary, pipeline, out)
    if summary.failed:
        sys.exit(1)


def _print_summary(s, pipeline, out: Path) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = stdout_console()
    # a line of its own: as a table title it would wrap to the width of the narrow table
    console.print(f"run {pipeline.run_id} · policy {escape(pipeline.policy.name)} ({pipeline.policy.version[:12]})",
                  highlight=False)
    table = Table()
    table.add_column("route")
    table.add_column("documents", justify="right")
    for route, n in sorted(s.routes.items()):
        table.add_row(route, str(n))
    table.add_section()
    for outcome, n in sorted(s.outcomes.items()):
        table.add_row(f"outcome {outcome}", str(n))
    if s.input_failures:
        table.add_row("files that could not be read", str(s.input_failures))
    if s.input_skips:
        table.add_row("files skipped (empty or binary)", str(s.input_skips))
    for reason, n in sorted(s.fallbacks.items()):
        table.add_row(f"cloud failed → local ({reason})", str(n))
    if s.skipped:
        table.add_row("skipped (already done)", str(s.skipped))
    if s.recovered:
        table.add_row("recovered from the audit trail", str(s.recovered))
    console.print(table)
    rate = f"{s.processed / s.elapsed_s:.1f} docs/s" if s.elapsed_s else ""
    models = f", {s.model_workers} model process{'es' if s.model_workers > 1 else ''}" if s.model_workers else ""
    console.print(f"{s.processed} documents in {s.elapsed_s:.1f}s ({rate}, {s.workers} worker{'s' if s.workers > 1 else ''}"
                  f"{models})")
    console.print(f"tokens sent to the cloud: {s.cloud_tokens}   tokens processed locally: {s.local_tokens}   "
                  f"estimated cost: ${s.cost_usd:.4f}")
    if s.skipped:
        console.print(f"skipped {s.skipped} documents already done in {out}")
    if not s.cloud_configured:
        console.print("cloud not configured (no OPENAI_API_KEY / OPENAI_BASE_URL): documents cleared for the cloud "
                      "were answered by the local model instead (reason cloud-not-configured).")
    if s.cloud_error:
        console.print(f"[yellow]the cloud could not be used[/yellow] ({escape(s.cloud_error)})", highlight=False)
    if s.fallbacks:
        why = ", ".join(f"{reason}: {n}" for reason, n in sorted(s.fallbacks.items()))
        console.print(f"[yellow]cloud failed: {sum(s.fallbacks.values())} documents cleared for the cloud were answered "
                      f"by the local model instead[/yellow] ({why}).", highlight=False)
    if s.noted:
        console.print(f"{s.noted} documents were read with a note (see the note: lines above and the manifest's notes).")
    if s.input_skips:
        console.print(f"skipped {s.input_skips} empty or binary files (see the skipped: lines above).")
    if s.failed:
        console.print(f"[red]{s.failed} documents failed[/red] (see messages above)")
    console.print(f"answers and manifest: {out}")
