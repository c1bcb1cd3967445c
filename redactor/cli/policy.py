"""``redactor policy``: show and check routing policies."""

from __future__ import annotations

from pathlib import Path

import click

from ..policy import builtin_policies, header_comment, load_policy, policy_path
from .common import config_file_option, echo_json, settings_from


@click.group()
def policy() -> None:
    """Show and check routing policies."""


@policy.command("show")
@click.argument("name_or_file", required=False)
@click.option("--json", "as_json", is_flag=True)
@config_file_option
def show(name_or_file: str | None, as_json: bool, config_file: Path | None) -> None:
    """Print a policy (default: the shipped default) with its version, the comments
    that open its file, and its rules."""
    p = load_policy(name_or_file, settings_from(config_file).detect)
    if as_json:
        echo_json({"version": p.version} | p.model_dump(mode="json"))
        return
    click.echo(f"policy {p.name}  version {p.version}")
    if p.description:
        click.echo(p.description)
    comment = header_comment(policy_path(name_or_file))
    if comment:
        click.echo("\n" + comment + "\n")
    click.echo(f"redacted values are rewritten by: {p.transform}")
    if p.detect.clinical_ner:
        click.echo("detection: the clinical NER too (detect.clinical_ner), for documents this policy routes")
    click.echo(f"unknown entity types → {p.unknown_entity}; low-confidence findings → {p.low_confidence}")
    for cat, rule in p.categories.items():
        click.echo(f"  category {cat:18} → {rule.action:6} (min score {rule.min_score})")
    for ent, rule in p.entities.items():
        click.echo(f"  entity   {ent:18} → {rule.action:6} (min score {rule.min_score})")
    for c in p.combinations:
        click.echo(f"  combination {c.id}: all of {c.if_all} and any of {c.if_any} → {c.action}  {c.description}")
    click.echo(f"shipped policies: {', '.join(builtin_policies())}")


@policy.command("check")
@click.argument("file", type=click.Path(path_type=Path))
@config_file_option
def check(file: Path, config_file: Path | None) -> None:
    """Validate a policy file; prints its version, or the field that is wrong (exit 2).

    Every category and entity type it names must exist: the built-in ones and
    those of the recognizer packs in the settings (``detect.packs``)."""
    p = load_policy(file, settings_from(config_file).detect)
    click.echo(f"ok: {file} is a valid policy ({p.name}), version {p.version}")
