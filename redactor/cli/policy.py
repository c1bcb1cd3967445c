"""``redactor policy``: show and check routing policies."""

from __future__ import annotations

from pathlib import Path

import click

from ..policy import builtin_policies, header_comment, load_policy, policy_path
from .common import echo_json


@click.group()
def policy() -> None:
    """Show and check routing policies."""


@policy.command("show")
@click.argument("name_or_file", required=False)
@click.option("--json", "as_json", is_flag=True)
def show(name_or_file: str | None, as_json: bool) -> None:
    """Print a policy (default: the shipped default) with its version, the comments
    that open its file, and its rules."""
    p = load_policy(name_or_file)
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
def check(file: Path) -> None:
    """Validate a policy file; prints its version, or the field that is wrong (exit 2)."""
    p = load_policy(file)
    click.echo(f"ok: {file} is a valid policy ({p.name}), version {p.version}")
