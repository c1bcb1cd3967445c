"""``redactor audit init-db`` and ``redactor audit copy``: a fleet's trail in PostgreSQL.

``init-db`` sets up (or upgrades) the schema and the three roles in a database, or
prints that SQL for a DBA; ``copy`` moves a trail between stores (SQLite to
PostgreSQL and back) with every seal as it was, and verifies it on arrival.
"""

from __future__ import annotations

from pathlib import Path

import click

from .audit import Target, _configured, _open, _writable, audit, check_copy


@audit.command("init-db")
@click.option("--print-sql", is_flag=True,
              help="Print the SQL (schema, migrations, roles, grants) of a new database for psql instead of running it.")
@click.pass_context
def init_db(ctx: click.Context, print_sql: bool) -> None:
    """Set up a PostgreSQL database for a fleet's trail, or print its SQL.

    Creates the schema (or applies its pending migrations) and the roles redactor_writer (SELECT, INSERT: gateway replicas, batch
    hosts, Spark drivers), redactor_reviewer (SELECT) and redactor_pruner (also DELETE on
    records, for prune).  No role may UPDATE a record.  Run it as the database's owner
    (--db or [audit] url), then give each role a password:
    ALTER ROLE redactor_writer PASSWORD '...'."""
    from ..audit.pg_schema import ROLES
    from ..audit.pg_schema import print_sql as schema_sql
    from ..audit.trail import display, is_url

    if print_sql:
        click.echo(schema_sql(), nl=False)
        return
    target = _configured(ctx)
    if not is_url(target):
        raise click.UsageError("init-db sets up a PostgreSQL database: give --db postgresql://... or set "
                               "[audit] url (a SQLite trail sets itself up)")
    from ..audit.postgres import init_db as run_init

    applied = run_init(str(target))
    click.echo(f"{display(target)}: " + (f"applied {', '.join(applied)}" if applied else "schema up to date"))
    click.echo(f"roles granted: {', '.join(ROLES.values())}; give each a password before use "
               "(ALTER ROLE redactor_writer PASSWORD '...')")


@audit.command("copy")
@click.argument("src", type=Target())
@click.argument("dst", type=Target())
@click.option("--json", "as_json", is_flag=True, help="The copy's verdict as JSON.")
@click.pass_context
def copy(ctx: click.Context, src: str | Path, dst: str | Path, as_json: bool) -> None:
    """Copy a trail between SQLite and PostgreSQL, seals as they are, and verify it.

    SRC and DST are each a SQLite file or a postgresql:// URL: from SQLite into a fleet's
    PostgreSQL trail, or back.  Every record and internal checkpoint goes
    across exactly as sealed, from one snapshot of SRC; DST must be empty (a new file, or
    a database after init-db).  The copy is then verified as verify does, and against the
    head SRC had when it was copied.  Exit 0 when the copy is intact, 1 when not."""
    if isinstance(dst, Path):
        _writable(dst)
    with _open(ctx, src, read_only=True) as source, _open(ctx, dst, create=True) as dest:
        head = source.copy_to(dest)
    check_copy(ctx, head, dst, as_json)
