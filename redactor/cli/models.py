"""``redactor models``: list, install, optimize, add, bench, verify and locate local GGUF models.  No network, ever."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..backends.catalog import load_catalog
from ..backends.models import (
    add_model,
    adopt_measurement,
    install_model,
    installed_path,
    load_manifest,
    resolve_model,
    store_dir,
    verify_model,
)
from ..config import load_settings
from ..errors import RedactorError

_config = click.option(
    "--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Settings file (TOML) naming local.model. Default: $REDACTOR_HOME/config.toml if it exists.",
)


def _header(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    from ..backends.gguf import read_gguf_info

    try:
        info = read_gguf_info(path)
    except RedactorError:
        return {}
    return {"quant": info.quant, "context_length": info.context_length, "has_chat_template": info.has_chat_template}


def _measured(entry: dict[str, Any]) -> dict[str, Any]:
    """What `models optimize` and `models bench` measured for a model, for display."""
    quality = entry.get("quality", {})
    chosen = next((q for q, m in quality.items() if m.get("chosen")), None)
    bench = entry.get("bench", {})
    out: dict[str, Any] = {
        "encoding_in_use": (entry.get("optimized") or {}).get("quant") or chosen,
        "tokens_per_s": bench.get("tokens_per_s") or (quality.get(chosen, {}).get("tokens_per_s") if chosen else None),
        "tokens_per_s_measured_by": "models bench" if bench else ("models optimize (one thread, CPU time)" if chosen else None),
        "bench": {k: bench[k] for k in ("workers", "n_threads", "tokens_per_s", "docs_per_s") if k in bench} or None,
        "quality": {q: {k: m.get(k) for k in ("perplexity", "accuracy", "correct", "items", "tokens_per_s",
                                               "top1_agreement", "accepted", "note")}
                    for q, m in quality.items()} or None,
    }
    return out


def _rows() -> list[dict[str, Any]]:
    catalog = load_catalog(store_dir())["models"]
    rows = []
    for spec in load_manifest().values():
        path = installed_path(spec)
        entry = catalog.get(spec.name, {})
        in_use = resolve_model(spec.name, install=False) if path is not None else None
        rows.append({
            "name": spec.name, "kind": "shipped", "file": spec.file, "size": spec.size, "sha256": spec.sha256,
            "license": spec.license, "has_chat_template": spec.has_chat_template, "package": spec.source.pip,
            "package_installed": spec.source.available(), "installed": path is not None,
            "path": str(path) if path else None, "path_in_use": str(in_use) if in_use else None,
            "size_in_use": in_use.stat().st_size if in_use else None,
        } | _header(in_use) | _measured(entry))
    for name, entry in sorted(catalog.items()):
        added = entry.get("added")
        if not added:
            continue
        path = Path(added["path"])
        in_use = (store_dir() / entry["optimized"]["file"]) if entry.get("optimized") else path
        rows.append({
            "name": name, "kind": "added", "file": path.name, "size": added["size"], "sha256": added["sha256"],
            "license": "", "has_chat_template": added["has_chat_template"], "package": None,
            "package_installed": None, "installed": path.is_file(), "path": str(path),
            "path_in_use": str(in_use), "quant": added["quant"], "context_length": added["context_length"],
            "size_in_use": in_use.stat().st_size if in_use.is_file() else None,
        } | _header(in_use if in_use.is_file() else None) | _measured(entry))
    return rows


@click.group()
def models() -> None:
    """Local GGUF models: what is known, what is installed, how fast, where it lives."""


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_cmd(as_json: bool) -> None:
    """Known and added models: size, encoding, context, chat template, measured speed and quality."""
    rows = _rows()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(f"{'name':<24} {'size':>9}  {'quant':<7} {'context':>7}  {'chat':<4} {'tok/s':>7}  state")
    for r in rows:
        state = "installed" if r["installed"] else (
            "installable" if r["package_installed"] else f"needs: pip install {r['package']}"
            if r["kind"] == "shipped" else "file missing")
        size_mb = int(r.get("size_in_use") or r["size"]) / 1e6
        speed = f"{r['tokens_per_s']:.0f}" if r.get("tokens_per_s") else "-"
        click.echo(f"{r['name']:<24} {size_mb:6.1f} MB  {r.get('quant', '-'):<7} {r.get('context_length') or '-':>7}  "
                   f"{'yes' if r['has_chat_template'] else 'no':<4} {speed:>7}  {state}")
        if r["path_in_use"]:
            click.echo(f"{'':<24} {r['path_in_use']}")
        for quant, m in (r.get("quality") or {}).items():
            if m.get("perplexity") is None:
                click.echo(f"{'':<24} {quant}: {m.get('note')}")
                continue
            mark = " (in use)" if quant == r.get("encoding_in_use") else ""
            click.echo(f"{'':<24} {quant}{mark}: perplexity {m['perplexity']:.2f}, answers {m['correct']}/{m['items']}, "
                       f"{m['tokens_per_s']:.0f} tok/CPU-s{'' if m['accepted'] else ' - rejected: ' + str(m['note'])}")
    click.echo(f"store: {store_dir()}")


@models.command("install")
@click.argument("name", required=False)
@click.option("--force", is_flag=True, help="Reinstall even if present.")
@click.option("--no-optimize", is_flag=True, help="Skip the re-encoding step (see `models optimize`).")
@_config
def install_cmd(name: str | None, force: bool, no_optimize: bool, config_file: Path | None) -> None:
    """Install NAME (default: the configured local model) from its Python package,
    then re-encode it once into the fastest faithful encoding (see `models optimize`).
    What was measured for the same file on this machine is reused (`models optimize`
    measures again)."""
    name = name or load_settings(config_file).local.model
    path = install_model(name, force=force)
    click.echo(f"{name}: installed and verified at {path}")
    spec = load_manifest().get(name)
    if spec is None or not spec.optimize or no_optimize:
        return
    if adopt_measurement(spec, store_dir(), say_when_none=False):
        click.echo(f"{name}: using the encoding measured on this machine before "
                   f"({resolve_model(name, install=False).name}; `redactor models optimize` measures again)")
        return
    _optimize(name, None)


@models.command("optimize")
@click.argument("name", required=False)
@click.option("--to", "candidates", multiple=True, metavar="QUANT",
              help="Encodings to try (llama.cpp names: Q8_0, F16, Q6_K, ...). Default: the manifest's list, else Q8_0.")
@_config
def optimize_cmd(name: str | None, candidates: tuple[str, ...], config_file: Path | None) -> None:
    """Re-encode NAME into the encoding llama.cpp runs fastest on this CPU, if it is as good.

    Measures the installed file and each candidate: perplexity of a fixed
    reference text (must be within 2%), accuracy on a small labelled answer task
    (must not be lower) and tokens per CPU-second. The fastest that passes is
    used from then on; the original file is kept."""
    _optimize(name or load_settings(config_file).local.model, candidates or None)


def _optimize(name: str, candidates: tuple[str, ...] | None) -> None:
    from ..backends.optimize import optimize_model

    report = optimize_model(name, candidates=candidates, progress=lambda line: click.echo(line, err=True))
    for quant, m in report["encodings"].items():
        if m.get("perplexity") is None:
            click.echo(f"  {quant}: {m['note']}")
            continue
        click.echo(f"  {quant}: perplexity {m['perplexity']:.3f}, answers {m['correct']}/{m['items']}, "
                   f"{m['tokens_per_s']:.0f} tokens/CPU-s{' [in use]' if m.get('chosen') else ''}"
                   f"{'' if m['accepted'] else ' [rejected: ' + m['note'] + ']'}")
    click.echo(f"{name}: using {report['chosen']} ({report['file']})")


@models.command("add")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--name", default=None, help="Name to use in local.model (default: the file name, lower case).")
def add_cmd(path: Path, name: str | None) -> None:
    """Register any GGUF file PATH: its sha256 is pinned, its facts read from its header.

    The file stays where it is; use it with `local.model = NAME`. A changed file
    is refused until it is added again."""
    from ..backends.gguf import read_gguf_info
    from ..backends.pool import available_memory

    name, entry = add_model(path, name=name)
    settings = load_settings()
    info = read_gguf_info(entry["path"])
    need, free = info.memory_bytes(settings.local.n_ctx), available_memory()
    click.echo(f"{name}: added {entry['path']}")
    click.echo(f"  sha256 {entry['sha256']}")
    click.echo(f"  {entry['size'] / 1e6:.1f} MB, {entry['quant']}, {entry['architecture'] or 'unknown architecture'}, "
               f"trained context {entry['context_length'] or 'unknown'}, chat template: "
               f"{'yes' if entry['has_chat_template'] else 'no (a plain System/User/Assistant prompt is used)'}")
    fits = free is None or need <= free
    click.echo(f"  needs about {need / 1e9:.2f} GB per process with n_ctx={settings.local.n_ctx}"
               + (f"; {free / 1e9:.1f} GB available" if free is not None else "")
               + ("" if fits else " - it will not fit: lower local.n_ctx or free memory"))
    click.echo(f"  use it: REDACTOR_LOCAL__MODEL={name}   (optional: redactor models optimize {name}; "
               f"redactor models bench {name})")


@models.command("bench")
@click.argument("name", required=False)
@_config
def bench_cmd(name: str | None, config_file: Path | None) -> None:
    """Measure model processes × threads on this machine and store the best for `run`.

    `local.workers` and `local.n_threads`, when set, still take precedence."""
    from ..backends.tuning import bench_model
    from ..procs import cpu_count

    settings = load_settings(config_file)
    name = name or settings.local.model
    path = resolve_model(name)
    local = settings.local.model_copy(update={"model": name, "temperature": 0.0})
    record = bench_model(name, path, local, cpus=cpu_count(), progress=lambda line: click.echo(line, err=True))
    click.echo(f"{name}: best {record['workers']} process(es) × {record['n_threads']} thread(s): "
               f"{record['tokens_per_s']} tokens/s, {record['docs_per_s']} docs/s (stored for `redactor run`)")


@models.command("verify")
@click.argument("names", nargs=-1)
@click.option("--delete", is_flag=True, help="Remove a store copy whose sha256 does not match (default: report, keep).")
def verify_cmd(names: tuple[str, ...], delete: bool) -> None:
    """Check the sha256 of NAMES (default: every installed or added model).  Exit 1 on a mismatch,
    2 for a name that is no model.

    A file that does not match is reported and kept, unless --delete (files you
    dropped into models/ or added from elsewhere are never deleted)."""
    manifest = load_manifest()
    added = [n for n, e in load_catalog(store_dir())["models"].items() if e.get("added")]
    targets = list(names) or [s.name for s in manifest.values() if installed_path(s) is not None] + added
    if not targets:
        click.echo("no models installed")
        return
    code = 0
    for target in targets:
        try:
            paths = verify_model(target, delete=delete)
            click.echo(f"{target}: ok ({', '.join(str(p) for p in paths)})")
        except RedactorError as e:
            click.echo(f"{target}: FAILED: {e}", err=True)
            code = max(code, e.exit_code)
    if code:
        raise click.exceptions.Exit(code)


@models.command("path")
@click.argument("name", required=False)
@_config
def path_cmd(name: str | None, config_file: Path | None) -> None:
    """Print the GGUF file NAME resolves to (default: the configured local model): the file `run` loads.

    Never installs: a model `run` has not installed yet is reported as not installed."""
    click.echo(str(resolve_model(name or load_settings(config_file).local.model, install=False)))
