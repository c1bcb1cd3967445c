"""The ``redactor`` command group.  Exit codes: 0 ok, 1 some documents failed, 2 usage error,
130 interrupted (Ctrl-C)."""

from __future__ import annotations

import sys

import click

from .. import __version__
from ..errors import Interrupted, RedactorError


class RedactorGroup(click.Group):
    """Turns any RedactorError escaping a command into a one-line message and its exit code,
    and Ctrl-C into one ``interrupted`` line and exit code 130 (not click's "Aborted!")."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except Interrupted as e:  # a command that says what to do next (`run`: rerun to resume)
            click.echo(str(e), err=True)
            sys.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(Interrupted.exit_code)
        except RedactorError as e:
            click.echo(f"Error: {e}", err=True)
            sys.exit(e.exit_code)


@click.group(cls=RedactorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="redactor")
def cli() -> None:
    """Scan documents for PII, financial and health data and route them safely:
    clean text to a cloud LLM, sensitive text to a local llama.cpp model."""


def _register() -> None:
    from importlib import import_module

    for module, name in [
        ("scan", "scan"),
        ("eval", "eval_cmd"),
        ("policy", "policy"),
        ("redact", "redact"),
        ("run", "run"),
        ("models", "models"),
        ("audit", "audit"),
        ("serve", "serve"),
    ]:
        cli.add_command(getattr(import_module(f"{__package__}.{module}"), name))
    import_module(f"{__package__}.audit_db")  # adds init-db and copy to the audit group


_register()


def main() -> None:
    cli(prog_name="redactor")
