"""Operators' commands: `afrobiz backup`, `afrobiz restore`, `afrobiz analytics-rollup`.

Mounted by afrobiz/cli.py with `app.add_typer(ops_app)` (no name: the commands sit at the top).
"""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

ops_app = typer.Typer()
console = Console()


@ops_app.command()
def backup(output: Annotated[Path | None, typer.Option("--output", "-o", help="file to write (.dump)")] = None) -> None:
    """Back up the database (pg_dump custom format, compressed) with a verification manifest."""
    from afrobiz.admin.backup import BackupError
    from afrobiz.admin.backup import backup as run_backup
    from afrobiz.config import get_settings
    from afrobiz.db.runtime import database_url

    output = output or Path(f"afrobiz-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.dump")
    with database_url(get_settings()) as url:
        try:
            fp = run_backup(url, output)
        except BackupError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
    rows = sum(t["rows"] for t in fp.tables.values())
    console.print(f"Backed up {len(fp.tables)} tables, {rows:,} rows to {output} "
                  f"({output.stat().st_size:,} bytes); manifest {output.name}.manifest.json")


@ops_app.command()
def restore(file: Annotated[Path, typer.Argument(help="a file written by `afrobiz backup`", exists=True)],
            target: Annotated[str | None, typer.Option(help="postgresql:// URL of an EMPTY database "
                                                        "(default: AFROBIZ_DATABASE_URL)")] = None) -> None:
    """Restore a backup into an empty database, then verify row counts, checksums, constraints,
    policies and extensions against the backup's manifest."""
    from afrobiz.admin.backup import BackupError
    from afrobiz.admin.backup import restore as run_restore
    from afrobiz.config import get_settings

    url = target or get_settings().database_url
    if not url:
        console.print("[red]Say where to restore: --target postgresql://… or AFROBIZ_DATABASE_URL.[/red]")
        raise typer.Exit(2)
    try:
        run_restore(file, url)
    except BackupError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print("Restored and verified: every table's rows and checksum, constraints, policies and extensions match.")


def run_rollup(url: str) -> list:
    """Roll up every finished day not done yet on the database at url (as 'system')."""
    from afrobiz.analytics.jobs import rollup
    from afrobiz.db.session import make_engine, make_sessionmaker, system_session

    async def run() -> list:
        engine = make_engine(url, pool_size=1)
        try:
            async with system_session(make_sessionmaker(engine)) as session:
                return await rollup(session, now=datetime.now(UTC))
        finally:
            await engine.dispose()

    return asyncio.run(run())


@ops_app.command("analytics-rollup")
def analytics_rollup() -> None:
    """Roll up the analytics for every finished day not done yet (what the worker does nightly)."""
    from afrobiz.config import get_settings
    from afrobiz.db.runtime import database_url

    with database_url(get_settings()) as url:
        days = run_rollup(url)
    console.print(f"Rolled up {len(days)} day(s)" + (f": {days[0]} to {days[-1]}" if days else "."))
