"""``redactor audit``: read, verify, export, report on and prune the audit trail.

Read commands never create a database.  Errors end in one line: usage errors
exit 2, a missing/corrupt/broken trail exits 1.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path
from shlex import quote
from typing import Any

import click

from ..audit.event import SOURCES
from ..audit.summary import OUTCOMES, csv_cell, gateway_fields
from ..errors import RedactorError, make_dir
from .records_table import COLUMNS

_HEAD = re.compile(r"^(\d+):([0-9a-f]{64})$")


class _OneLineUsageError(click.UsageError):
    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True)


class _AuditGroup(click.Group):
    """One-line errors for every subcommand: usage problems exit 2, redactor errors
    exit with their own code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as e:
            raise _OneLineUsageError(e.format_message()) from None
        except RedactorError as e:
            err = click.ClickException(str(e))
            err.exit_code = e.exit_code
            raise err from None


class Moment(click.ParamType):
    """An ISO date (2026-03-01) or datetime (2026-03-01T09:30, with an optional
    offset; UTC when none), ``today``, ``yesterday`` or a time ago (``12h``,
    ``7d``, ``2w``), turned into a UTC bound."""

    name = "DATE"

    def __init__(self, end_of_day: bool = False) -> None:
        self.end_of_day = end_of_day

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        from ..audit.clock import parse_moment

        try:
            return parse_moment(str(value), end_of_day=self.end_of_day)
        except ValueError:
            self.fail(f"{value!r} is not a date: use an ISO date or datetime (2026-03-01, 2026-03-01T09:30), "
                      "today, yesterday, or a time ago (12h, 7d, 2w)", param, ctx)


class Head(click.ParamType):
    """``COUNT:HASH`` as printed by ``verify``/``checkpoint``, or a file holding it."""

    name = "COUNT:HASH|FILE"

    def convert(self, value: Any, param: Any, ctx: Any) -> tuple[int, str]:
        text = str(value).strip()
        if not _HEAD.match(text):
            path = Path(text).expanduser()
            if not path.is_file():
                self.fail("expected COUNT:HASH (64 hex digits) or a checkpoint file", param, ctx)
            lines = [ln.strip() for ln in path.read_text(encoding="utf-8", errors="replace").splitlines()]
            text = next((ln for ln in lines if ln and not ln.startswith("#")), "")
            if not _HEAD.match(text):
                self.fail(f"{path} does not hold a COUNT:HASH checkpoint", param, ctx)
        m = _HEAD.match(text)
        assert m is not None
        return int(m.group(1)), m.group(2)


since_opt = click.option("--since", type=Moment(), help="Only records at or after this date/time (UTC): 2026-03-01, 2026-03-01T09:30, today, yesterday, 12h, 7d, 2w.")
until_opt = click.option("--until", type=Moment(end_of_day=True), help="Only records up to this date/time (a day includes that whole day).")
ROUTE_CHOICE = click.Choice(["cloud", "cloud_redacted", "local", "blocked", "none"])
def route_opt(help: str):  # noqa: A002 - click's own word
    return click.option("--route", "routes", type=ROUTE_CHOICE, multiple=True, help=help)


class Category(click.ParamType):
    """A category name (any case): one of the known categories, else a usage error listing them."""

    name = "CATEGORY"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        from typing import get_args

        from ..detect.categories import CATEGORIES

        known = set(CATEGORIES)
        if str(value).upper() not in known:
            from ..detect.packs import Category as PackCategory  # presidio import: only when needed

            known |= set(get_args(PackCategory))
        if str(value).upper() not in known:
            self.fail(f"{value!r} is not a category; valid: {', '.join(sorted(known))}", param, ctx)
        return str(value).upper()


class Target(click.ParamType):
    """A trail: a ``postgresql://`` URL (kept as text), else a SQLite file path."""

    name = "PATH|URL"

    def convert(self, value: Any, param: Any, ctx: Any) -> str | Path:
        from ..audit.trail import is_url

        text = str(value)
        return text if is_url(text) else Path(text)


def _configured(ctx: click.Context | None = None) -> str | Path:
    """``--db``, else ``[audit] url``, else ``[audit] path``, else ``<data dir>/audit.db``."""
    from ..config import data_dir, load_settings

    audit = load_settings().audit
    given = ctx.obj["db"] if ctx is not None else None
    return given or (audit.url.get_secret_value() if audit.url else None) or audit.path or data_dir() / "audit.db"


def _open(ctx: click.Context, target: str | Path | None = None, read_only: bool = False, create: bool = False):
    """The trail (``--db``, else the configured one), or the one at ``target``, with the configured key."""
    from ..audit.stores import open_trail
    from ..config import load_settings

    audit = load_settings().audit
    key = audit.key.get_secret_value() if audit.key is not None else None
    return open_trail(target or _configured(ctx), key, create=create, read_only=read_only, host=audit.host,
                      retry_s=audit.retry_s)


def _writable(*paths: Path) -> None:
    """Create the folders files are about to be written in (``--out new/report.html``)."""
    for path in paths:
        make_dir(path.parent)


@click.group("audit", cls=_AuditGroup)
@click.option("--db", type=Target(),
              help="Audit trail: a SQLite file, or a postgresql://USER@HOST/DB URL (a password is better given "
                   "in REDACTOR_AUDIT_URL, PGPASSWORD or ~/.pgpass than here). Default: [audit] url, else "
                   "<data dir>/audit.db.")
@click.pass_context
def audit(ctx: click.Context, db: str | Path | None) -> None:
    """Inspect and check the tamper-evident audit trail."""
    ctx.obj = {"db": db}


# ----------------------------------------------------------------------------- list / show


def _counts(d: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(d.items(), key=lambda kv: (-kv[1], kv[0])))


def _key_names(ctx: click.Context) -> dict[str, str]:
    """Gateway key id -> the name given at ``redactor serve keys create --name`` (a label an
    operator chose, not personal data), from the key store beside the trail (the fleet's
    database for a PostgreSQL trail, else this machine's); {} when there is none or it
    cannot be read: the ids then stand for themselves.  Names are looked up at read time
    and never written into the sealed records."""
    from ..audit.trail import is_url
    from ..config import data_dir
    from ..serve.keys import KeyStore, PostgresKeyStore

    target = _configured(ctx)
    try:
        if is_url(target):
            store = PostgresKeyStore(url=str(target))
            try:
                names = store.names()
            finally:
                store.close()
        else:
            names = KeyStore(data_dir() / "gateway_keys.json").names()
    except RedactorError:
        return {}
    return {i: " ".join(n.split()) for i, n in names.items() if n.strip()}


def _source(r: dict[str, Any], names: dict[str, str]) -> str:
    g = gateway_fields(r, names)
    if g["source"] != "gateway":
        return g["source"] or "-"
    return f"gateway {g['client_key_name'] or g['client_key_id']} {g['endpoint']} {float(g['latency_ms'] or 0):.0f} ms"


def _when(r: dict[str, Any]) -> str:
    return str(r.get("timestamp", ""))[:19].replace("T", " ")


@audit.command("list")
@since_opt
@until_opt
@route_opt("Only records of this route; repeat for several (any of them).")
@click.option("--category", type=Category(), help="Records that found this category (e.g. HEALTH).")
@click.option("--document", help="Records whose document id contains this text.")
@click.option("--outcome", type=click.Choice(OUTCOMES), help="Records that ended this way.")
@click.option("--run", "run_id", help="Records of one run id.")
@click.option("--source", type=click.Choice([*SOURCES, "unrecorded"]),
              help="Records written by the gateway, batch runs, the library or Spark (unrecorded: older records "
                   "that do not say).")
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True, help="Latest N records; 0 for all.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array of full records.")
@click.pass_context
def list_cmd(ctx: click.Context, as_json: bool, limit: int, routes: tuple[str, ...], **filters: Any) -> None:
    """List records, oldest first (the latest --limit of them).  The Source column says what
    wrote each one; for the gateway also the client key (its name where the key store knows
    it, else its id), the endpoint and the latency.

    On a terminal: one line a record, long values cut to fit (show ID has one in full).
    In a pipe or a file: tab-separated lines under a header line, nothing cut."""
    if filters.get("source") == "unrecorded":
        filters["source"] = ""
    with _open(ctx) as trail:
        rows = trail.records(**filters, route=list(routes) or None, limit=limit or None, newest_first=True)[::-1]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from .common import stdout_console
    from .records_table import echo_tsv, print_terminal

    names = _key_names(ctx)
    cells, styles = [], []
    for r in rows:
        if r.get("kind") == "pruned":
            cells.append(dict.fromkeys(COLUMNS, "") | {"ID": str(r["seq"]), "Time (UTC)": _when(r),
                                                        "Document": f"{r['count']} older records pruned"})
            styles.append({"Document": "dim"})
            continue
        failed = r["outcome"] != "ok"
        cells.append({"ID": str(r["seq"]), "Time (UTC)": _when(r), "Document": r["document_id"], "Route": r["route"],
                      "Found": _counts(r["category_counts"]), "Reasons": "; ".join(r["reasons"]),
                      "Outcome": f"{r['outcome']} {r.get('error_class', '')}".strip(), "Source": _source(r, names)})
        styles.append({"Outcome": "red"} if failed else {})
    console = stdout_console()
    if not console.is_terminal:
        echo_tsv(cells)
        click.echo(f"{len(rows)} record(s)", err=True)
        return
    cut = print_terminal(console, cells, styles) if rows else False
    console.print(f"[dim]{len(rows)} record(s)"
                  + ("; cut to fit the terminal: audit show ID has one in full" if cut else "") + "[/]")


_RANGE = re.compile(r"^(\d+)(?:-|\.\.)(\d+)$", re.ASCII)


def _lookup(trail: Any, ident: str) -> list[dict[str, Any]]:
    """The records an ID names: a record number, a range of them, else a whole document id
    (a gateway request id: the gateway records it as the request's document id)."""
    if ident.isascii() and ident.isdigit():
        if int(ident) < 1:
            raise click.BadParameter("record numbers start at 1", param_hint="ID")
        r = trail.get(int(ident))
        return [r] if r else []
    m = _RANGE.match(ident)
    if m:
        lo, hi = int(m.group(1)), int(m.group(2))
        if not 1 <= lo <= hi:
            raise click.BadParameter(f"{ident!r}: a range of record numbers goes from low to high, from 1 (5-9)",
                                     param_hint="ID")
        return [r for r in trail.records(after=lo - 1, limit=hi - lo + 1) if r["seq"] <= hi]
    return trail.records(document_id=ident)


@audit.command("show")
@click.argument("record_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="The record as JSON, as sealed (several: a JSON array).")
@click.pass_context
def show(ctx: click.Context, record_id: str, as_json: bool) -> None:
    """Show records in full.  ID is a record number (57), a range of them (57-60), or the id
    the gateway answered a request with (its x-redactor-decision header, req_…), or any
    other whole document id (every record of that document)."""
    ident = record_id.strip()
    with _open(ctx) as trail:
        rows = _lookup(trail, ident)
    if not rows:
        raise click.ClickException(f"no record {ident} in the audit trail")
    if as_json:
        click.echo(json.dumps(rows[0] if len(rows) == 1 else rows, indent=2, ensure_ascii=False, sort_keys=True))
        return
    from rich.markup import escape
    from rich.table import Table

    from .common import stdout_console

    names = _key_names(ctx)
    console = stdout_console()
    first = ["seq", "timestamp", "kind", "run_id", "document_id", "route", "reasons", "outcome", "error_class"]
    for i, r in enumerate(rows):
        table = Table(box=None, show_header=False, pad_edge=False)
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        for k, v in sorted(r.items(), key=lambda kv: (first.index(kv[0]) if kv[0] in first else len(first), kv[0])):
            text = _counts(v) if isinstance(v, dict) and k != "extra" else "; ".join(v) if isinstance(v, list) else v
            table.add_row(k, escape(json.dumps(text) if isinstance(text, dict) else str(text)))
        name = gateway_fields(r, names)["client_key_name"]
        if name:
            table.add_row("client key", f"{escape(name)} [dim](its name in the gateway key store; not part of the "
                                        "sealed record)[/]")
        if i:
            console.print()
        console.print(table)


# ----------------------------------------------------------------------------- verify / checkpoint


def _check(trail: Any, head: tuple[int, str] | None) -> tuple[Any, Any]:
    """``trail.verify(head)``, and when it failed only for want of the key, what can be
    checked without it (else None)."""
    from ..audit.chain import KEY_MISMATCH

    v = trail.verify(head=head)
    return v, trail.verify(head=head, seals=False) if v.reason == KEY_MISMATCH and not v.keyed else None


def _say(v: Any, structure: Any, head: tuple[int, str] | None, as_json: bool, whose: str = "the given head") -> None:
    """Print a verdict (``_check``'s) as ``verify`` does."""
    from ..audit.chain import TRUNCATED

    if structure is not None and structure.ok and not as_json:
        click.echo("NOT CHECKED: the trail is sealed with a key and REDACTOR_AUDIT_KEY is not set, so its seals "
                   "cannot be checked here")
        click.echo(f"structure consistent: {structure.count} records, numbered without gaps, each linked to the one "
                   "before, all sealed with the same key; ask the key holder to run verify")
    elif as_json:
        click.echo(json.dumps({**v.__dict__, "head": v.head}))
    elif v.ok:
        extra = f" ({v.pruned} pruned into a summary)" if v.pruned else ""
        reaches = f"; it still holds {whose} (record {head[0]}) unchanged" if head else ""
        click.echo(f"OK: {v.count} records{extra}, {'HMAC-sealed with the key' if v.keyed else 'SHA-256 chain, no key'}"
                   + reaches)
        click.echo(f"head {v.head}")
        if head is None:  # on stderr: scripts read the head from the last line of stdout
            click.echo("not checked: whether records were cut from the end, which leaves no trace in the trail "
                       "itself; keep this head elsewhere and give it to verify --head", err=True)
    else:
        click.echo(f"FAILED: {v.message()}")
        if v.reason == TRUNCATED:
            click.echo("a copy of a trail in use made with cp can miss its newest records (still in the -wal file "
                       "beside it): make copies with redactor audit backup")


@audit.command()
@click.option("--head", type=Head(), help="A checkpoint kept out of band (COUNT:HASH or a file); detects a cut-off tail.")
@click.option("--json", "as_json", is_flag=True, help="The verdict as JSON.")
@click.pass_context
def verify(ctx: click.Context, head: tuple[int, str] | None, as_json: bool) -> None:
    """Check every record's seal.  Exit 0 when intact, 1 at the first bad record
    (and when the seals cannot be checked for want of the key).

    Records cut from the end leave no trace inside the trail: only --head, a head
    kept elsewhere, shows them missing."""
    with _open(ctx) as trail:
        v, structure = _check(trail, head)
    _say(v, structure, head, as_json)
    ctx.exit(0 if v.ok else 1)


@audit.command()
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="The copy's verdict as JSON, with its path.")
@click.pass_context
def backup(ctx: click.Context, dest: Path, as_json: bool) -> None:
    """Copy the trail safely, even in use, and verify the copy.

    DEST is a new file, or an existing folder to put audit-<UTC time>.db in.  The copy is
    SQLite's online backup: one consistent snapshot with the newest records, which a plain
    cp of a trail in use can miss (they sit in the -wal file beside it); a PostgreSQL trail
    is copied into a new SQLite file the same way (one snapshot, as audit copy does).  It is
    checked as verify checks, and against the head the trail had when it was copied.  Keep
    the head printed elsewhere, for verify --head.  Exit 0 when the copy is intact, 1 when
    not (the copy is kept either way: a broken trail's copy is evidence)."""
    from datetime import datetime, timezone

    if dest.is_dir():
        dest = dest / f"audit-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}.db"
    _writable(dest)
    with _open(ctx) as trail:
        head = trail.backup(dest)
    check_copy(ctx, head, dest, as_json)


def check_copy(ctx: click.Context, head: tuple[int, str], dest: str | Path, as_json: bool) -> None:
    """Verify a copy just made against the head its source had, say so, and exit 0 or 1."""
    from ..audit.trail import display

    with _open(ctx, dest, read_only=True) as copy:
        v, structure = _check(copy, head)
    where = display(dest)
    if as_json:
        click.echo(json.dumps({**v.__dict__, "head": v.head, "copy": where}))
    else:
        click.echo(f"copied {head[0]} records to {where}")
        _say(v, structure, head, as_json, whose="the head the trail had when it was copied")
        if v.ok:
            click.echo("keep this head elsewhere; to check the copy later: "
                       f"redactor audit --db {quote(where)} verify --head {v.head}")
    ctx.exit(0 if v.ok else 1)


@audit.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Also write the checkpoint to this file.")
@click.pass_context
def checkpoint(ctx: click.Context, out: Path | None) -> None:
    """Verify, then print the head as COUNT:HASH to keep out of band."""
    with _open(ctx) as trail:
        trail.verify().raise_for_status()
        count, head = trail.checkpoint()
        where = trail.path
    line = f"{count}:{head}"
    if out:
        from ..audit.clock import utc_now

        _writable(out)
        out.write_text(f"# redactor audit checkpoint of {where} at {utc_now()}\n{line}\n", encoding="utf-8")
    click.echo(line)


# ----------------------------------------------------------------------------- export / report / prune

CSV_FIELDS = [
    "seq", "timestamp", "kind", "run_id", "document_id", "document_sha256", "document_size", "route", "reasons",
    "entity_counts", "category_counts", "top_scores", "policy_name", "policy_version", "reason_actions", "transform",
    "outcome", "error_class", "backend",
    "model", "endpoint_host", "tokens_in", "tokens_out", "cost_usd", "latency_ms", "task_sha256", "tool_version",
    "extra", "key_id", "prev_hash", "hash",
]


@audit.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="jsonl", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
@since_opt
@until_opt
@click.pass_context
def export(ctx: click.Context, fmt: str, out: Path | None, since: str | None, until: str | None) -> None:
    """Export records (with their seals) as CSV or JSON lines."""
    with _open(ctx) as trail:
        if out:
            _writable(out)
        stream = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
        try:
            writer = csv.DictWriter(stream, CSV_FIELDS, extrasaction="ignore") if fmt == "csv" else None
            if writer:
                writer.writeheader()
            n = 0
            for r in trail.iter_records(since=since, until=until):
                if writer:
                    writer.writerow({k: csv_cell(r.get(k, "")) for k in CSV_FIELDS})
                else:
                    stream.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
                n += 1
        finally:
            if out:
                stream.close()
    if out:
        click.echo(f"wrote {n} record(s) to {out}", err=True)


def _known_policies(settings: Any) -> dict[str, Any]:
    """The policies whose text we have (shipped and configured), by version."""
    from ..audit.explain import known_policies
    from ..policy import builtin_policies, load_policy

    loaded = []
    for source in [*builtin_policies().values(), settings.policy]:
        try:
            loaded.append(load_policy(source))
        except RedactorError:
            continue  # a policy we cannot read explains nothing; the report still works
    return known_policies(loaded)


@audit.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="HTML file to write (missing folders are created).")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the per-document rows as CSV (default: next to --out, report.html -> report-documents.csv).")
@since_opt
@until_opt
@route_opt("Only this route in the per-document table and its CSV; repeat for several (any of them).")
@click.option("--head", type=Head(), help="A checkpoint kept out of band (COUNT:HASH or a file): also check nothing was cut from the end.")
@click.option("--price-per-1m", type=click.FloatRange(min=0), help="USD per 1M tokens for the 'had it gone to cloud' estimate (default: the configured cloud model's prices).")
@click.pass_context
def report(ctx: click.Context, out: Path, csv_out: Path | None, since: str | None, until: str | None,
           routes: tuple[str, ...], head: tuple[int, str] | None, price_per_1m: float | None) -> None:
    """Write a self-contained HTML report for compliance review, and its per-document rows as CSV.

    The report answers which documents went where in the period, under which
    policy and which rules; --route narrows its per-document table and the CSV."""
    from ..audit.report import build_report, document_rows
    from ..audit.summary import write_documents_csv
    from ..config import load_settings

    settings = load_settings()
    cloud = settings.cloud
    prices = cloud.prices.get(cloud.model, {})
    p_in = price_per_1m if price_per_1m is not None else float(prices.get("input", 0.0))
    p_out = price_per_1m if price_per_1m is not None else float(prices.get("output", p_in))
    csv_path = csv_out or out.with_name(out.stem + "-documents.csv")
    known, names = _known_policies(settings), _key_names(ctx)
    with _open(ctx) as trail:
        html = build_report(trail, since=since, until=until, price_per_1m=p_in, price_out_per_1m=p_out,
                            routes=routes, head=head, known=known, csv_name=csv_path.name, key_names=names)
        try:
            _writable(out, csv_path)
            out.write_text(html, encoding="utf-8")
            with csv_path.open("w", encoding="utf-8", newline="") as stream:
                rows = document_rows(trail, since=since, until=until, routes=routes, known=known, key_names=names)
                n = write_documents_csv(rows, stream)
        except OSError as e:
            raise click.ClickException(f"cannot write {e.filename}: {e.strerror}") from None
    click.echo(f"wrote {out} and {csv_path} ({n} row(s))")


@audit.command()
@click.option("--before", type=Moment(), required=True, help="Remove records older than this date/time (UTC).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def prune(ctx: click.Context, before: str, yes: bool) -> None:
    """Remove old records, leaving a sealed summary so the trail still verifies."""
    with _open(ctx) as trail:
        if not yes:
            click.confirm(f"Remove audit records older than {before} from {trail.path}?", abort=True)
        removed, v = trail.prune(before)
    if removed:
        click.echo(f"pruned {removed} record(s); {v.pruned} summarised in total; trail intact, head {v.head}")
    else:
        click.echo(f"nothing older than {before} to prune; head {v.head}")
