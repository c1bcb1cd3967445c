"""``redactor redact``: write redacted copies of documents."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..redact import KEY_ENV, OPERATORS, Redactor
from .common import INPUT_PATHS, InputFailures, config_option, documents, progress, settings_from


@click.command()
@click.argument("paths", nargs=-1, required=True, type=INPUT_PATHS)
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder for the redacted copies.")
@click.option("--operator", type=click.Choice(OPERATORS), default="replace", show_default=True,
              help="replace: <TYPE>; mask: ****; encrypt: AES (reversible with the key); hmac: keyed HMAC-SHA256.")
@click.option("--key-env", default=KEY_ENV, show_default=True, help="Environment variable holding the key for encrypt/hmac.")
@config_option
def redact(paths, out, operator, key_env, config_file, spacy_model) -> None:
    """Write a redacted copy of every document in PATHS to --out (one .txt per document or record)."""
    from ..rundir import _atomic_write, answer_name
    from ..detect.scanner import Scanner

    settings = settings_from(config_file, spacy_model)
    redactor = Redactor(operator, key_env)
    scanner = Scanner(settings)
    failures = InputFailures()
    written = 0
    for result in progress(scanner.scan_many(documents(paths, settings, failures)), "redacting"):
        _atomic_write(out / answer_name(result.document_id), redactor.redact(result.text, result.findings))
        written += 1
    click.echo(f"wrote {written} redacted documents to {out}")
    if failures:
        sys.exit(1)
