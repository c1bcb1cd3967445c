"""``redactor serve``: the OpenAI-compatible privacy gateway, and its key management."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from .common import config_option, echo_json, settings_from, stdout_console

OPTIONS_ENV = "REDACTOR_SERVE_OPTIONS"  # hands the options to worker processes (--workers > 1)


@click.group(invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback requires gateway keys.")
@click.option("--port", default=8088, show_default=True, type=click.IntRange(0, 65535))
@click.option("--policy", default=None, help="Policy file, or a shipped policy name: default, redact-pii, hipaa-safe-harbor, strict.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes serving requests; each loads its own scanner and local model.")
@click.option("--allow-origin", "allow_origins", multiple=True,
              help="Browser origin allowed to call the gateway (repeatable). Others are refused.")
@click.option("--local-queue", default=8, show_default=True, type=click.IntRange(1, 10_000),
              help="Requests that may wait for the local model; beyond it, 503 with retry-after.")
@click.option("--scan-timeout", default=30.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="Seconds the detector may take on a request; beyond it, 503 and nothing is forwarded.")
@config_option
@click.pass_context
def serve(ctx, host, port, policy, workers, allow_origins, local_queue, scan_timeout, config_file, spacy_model) -> None:
    """Run an OpenAI-compatible gateway: point OPENAI_BASE_URL at http://HOST:PORT/v1.

    Every request is scanned as one conversation and routed by policy: clean
    text goes to the configured upstream (OPENAI_BASE_URL / OPENAI_API_KEY of
    this process), redactable text goes pseudonymised and comes back
    re-identified, sensitive text is answered by the local model, blocked text
    gets a 403.  With cloud.fallback_to_local (the default) a request routed
    to the cloud is answered locally when the upstream is down (not on a 429).
    Every other string of a request body is scanned too; only numbers, booleans,
    API enum values and the model name pass unscanned (docs/gateway.md, "the
    allowlist"; [gateway] unknown_fields = "refuse" refuses unlisted fields).
    GET /healthz is liveness, GET /readyz readiness (the local model loaded).
    Each request, refused ones included, is one record in the audit trail.
    See docs/gateway.md for headers, error codes and key management.
    """
    if ctx.invoked_subcommand is not None:
        return
    _require_serve_extra()
    from ..serve.app import GatewayOptions

    options = GatewayOptions(host=host, port=port, policy=policy, allow_origins=list(allow_origins),
                             local_queue=local_queue, scan_timeout_s=scan_timeout)
    settings = settings_from(config_file, spacy_model)
    run_gateway(settings, options, workers=workers, config_file=config_file, spacy_model=spacy_model)


def _require_serve_extra() -> None:
    from importlib.util import find_spec

    from ..errors import ConfigError

    missing = [name for name in ("starlette", "uvicorn") if find_spec(name) is None]
    if missing:
        raise ConfigError(f"redactor serve needs {' and '.join(missing)}: pip install 'redactor[serve]'")


def run_gateway(settings, options, *, workers: int = 1, config_file=None, spacy_model=None) -> None:
    import uvicorn

    from ..policy import load_policy
    from ..serve.http import HTTP_PROTOCOL
    from ..serve.keys import KeyStore, check_binding

    # what can be wrong is found before the banner: a bad policy is one error line, never "gateway on"
    # (nor, with --workers, worker processes that uvicorn restarts forever, each failing the same way)
    check_binding(options.host, KeyStore())
    if workers == 1:
        app = build_app(settings, options)
    else:
        load_policy(options.policy or settings.policy)  # as each worker's Gateway will
    click.echo(f"redactor gateway on http://{options.host}:{options.port}/v1 "
               f"(upstream: {'configured' if settings.cloud.configured else 'none, everything answered locally'})", err=True)
    if workers == 1:
        uvicorn.run(app, host=options.host, port=options.port, log_level="warning", access_log=False,
                    http=HTTP_PROTOCOL)
        return
    os.environ[OPTIONS_ENV] = json.dumps({"options": options.model_dump(mode="json"),
                                          "config": str(config_file) if config_file else None, "spacy_model": spacy_model})
    uvicorn.run("redactor.cli.serve:app_from_env", factory=True, host=options.host, port=options.port, workers=workers,
                log_level="warning", access_log=False, http=HTTP_PROTOCOL)


def build_app(settings, options):
    from ..audit.stores import configured_trail
    from ..serve.app import Gateway

    audit = configured_trail(settings) if settings.audit.enabled else None
    gateway = Gateway(settings, options, audit=audit)
    gateway.check_startup()
    return gateway.app


def app_from_env():
    """The app of one worker process (uvicorn's factory when --workers > 1)."""
    from ..serve.app import GatewayOptions

    data = json.loads(os.environ[OPTIONS_ENV])
    settings = settings_from(data["config"], data["spacy_model"])
    return build_app(settings, GatewayOptions(**data["options"]))


# ----------------------------------------------------------------------------- keys


@serve.group()
def keys() -> None:
    """Gateway keys: what clients send as their API key (stored hashed under REDACTOR_HOME)."""


@keys.command("create")
@click.option("--name", default="", help="A label for people (not secret).")
@click.option("--policy", default=None, help="Policy for this key's requests (default: the gateway's).")
@click.option("--rpm", default=0, show_default=True, type=click.IntRange(0), help="Requests per minute; 0: unlimited.")
@click.option("--concurrency", default=0, show_default=True, type=click.IntRange(0),
              help="Requests in flight; 0: unlimited.")
@click.option("--json", "as_json", is_flag=True)
def keys_create(name, policy, rpm, concurrency, as_json) -> None:
    """Create a key; its secret is printed once, here, and never stored."""
    from ..policy import load_policy
    from ..serve.keys import KeyStore

    if policy:
        load_policy(policy)  # a typo fails now, not on the first request
    key, secret = KeyStore().create(name=name, policy=policy, rpm=rpm, concurrency=concurrency)
    if as_json:
        echo_json(key.public() | {"secret": secret})
        return
    click.echo(f"created {key.id}; its secret (shown once, store it now):")
    click.echo(secret)


@keys.command("list")
@click.option("--json", "as_json", is_flag=True)
def keys_list(as_json) -> None:
    """List keys (ids, policies, limits; never secrets)."""
    from ..serve.keys import KeyStore

    rows = [k.public() for k in KeyStore().keys()]
    if as_json:
        echo_json(rows)
        return
    from rich.table import Table

    table = Table()
    for col in ("id", "name", "policy", "rpm", "concurrency", "created", "revoked"):
        table.add_column(col)
    for r in rows:
        table.add_row(*(str(r[c] or "") for c in ("id", "name", "policy", "rpm", "concurrency", "created", "revoked")))
    stdout_console().print(table)


@keys.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def keys_import(file: Path) -> None:
    """Copy the keys of a gateway_keys.json into the configured store: a fleet's database when
    [audit] url is set (REDACTOR_AUDIT_URL).  Hashes, policies, limits and revocations go as
    they are, so clients keep their keys; a key already there is skipped.  No secret is needed."""
    from ..serve.keys import KeyStore

    source, target = KeyStore(file), KeyStore()
    if isinstance(target.path, Path) and target.path.resolve() == file.resolve():
        raise click.UsageError(f"{file} is the configured store itself")
    keys = source.keys()
    added = target.adopt(keys)
    click.echo(f"imported {len(added)} of {len(keys)} keys into {target.path}"
               + (f"; {len(keys) - len(added)} were there already" if len(added) < len(keys) else ""))


@keys.command("revoke")
@click.argument("key_id")
def keys_revoke(key_id) -> None:
    """Revoke a key; a running gateway refuses it from its next request."""
    from ..serve.keys import KeyStore

    key = KeyStore().revoke(key_id)
    click.echo(f"revoked {key.id} at {key.revoked}")
