"""``redactor redact``: write redacted copies of documents, or restore encrypted ones."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import make_dir
from ..redact import KEY_ENV, OPERATORS
from .common import INPUT_PATHS, InputFailures, config_option, progress, settings_from


@click.command()
@click.argument("paths", nargs=-1, required=True, type=INPUT_PATHS)
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder for the copies.")
@click.option("--operator", type=click.Choice(OPERATORS), default="replace", show_default=True,
              help="replace: <TYPE>; mask: ****; encrypt: AES, ENC:<base64> (reversible with the key, see --decrypt); "
                   "hmac: keyed HMAC-SHA256 (key of 16 bytes or more).")
@click.option("--key-env", default=KEY_ENV, show_default=True,
              help="Environment variable holding the key for encrypt/hmac/--decrypt (never a command-line "
                   "argument: those show in the process list and shell history).")
@click.option("--decrypt", is_flag=True,
              help="Restore the values that --operator encrypt replaced, in copies of the redacted files PATHS "
                   "(needs the same key).")
@config_option
def redact(paths, out, operator, key_env, decrypt, config_file, spacy_model) -> None:
    """Write a redacted copy of every document in PATHS to --out.

    The folder structure under each folder in PATHS is kept under --out; a file
    named directly goes to --out itself.  CSV/TSV copies keep their header and
    columns (only cell text is redacted); plain text keeps its name; other
    formats (pdf, docx, html, eml, json, jsonl) become the extracted text,
    redacted, in NAME.txt.  Two inputs that would write the same copy stop the
    command before anything is written (exit 2).  Files that cannot be read are
    named on stderr and the others go on (exit 1).
    """
    from ..redact import Redactor
    from ..redact_files import FileRedactor, decrypt_file, each_copy, plan_copies

    settings = settings_from(config_file, spacy_model)
    make_dir(out)  # a folder that cannot be made fails the command before any file is read
    if decrypt:
        if operator not in ("replace", "encrypt"):
            raise click.UsageError("--decrypt restores what --operator encrypt wrote; it takes no other operator")
        redactor = Redactor("encrypt", key_env)
        copies = plan_copies(paths, out, keep_names=True)
        failures = InputFailures()
        done = each_copy(progress(copies, "decrypting"), lambda c: decrypt_file(c, redactor, settings.ingest), failures)
        click.echo(f"restored {done} files into {out}")
    else:
        from ..detect.scanner import Scanner

        redactor = Redactor(operator, key_env)  # a missing or short key fails before spaCy loads
        copies = plan_copies(paths, out)
        files = FileRedactor(Scanner(settings), redactor, settings.ingest)
        failures = InputFailures()
        done = each_copy(progress(copies, "redacting"), files.redact, failures)
        click.echo(f"wrote {done} redacted files to {out}")
    if failures:
        sys.exit(1)
