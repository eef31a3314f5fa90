"""The afrobiz command: serve, demo, db …  (settings: AFROBIZ_* environment, see --help)."""
from __future__ import annotations

import os
import secrets
import signal
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from afrobiz.accounts.cli import admin_app
from afrobiz.admin.ops_cli import ops_app
from afrobiz.config import Settings, get_settings
from afrobiz.db import migrate
from afrobiz.db.runtime import database_url
from afrobiz.kit.logging import configure_logging

ENV_HELP = "\n\n".join(
    f"AFROBIZ_{name.upper()}: {field.description or ''}" for name, field in Settings.model_fields.items()
)
app = typer.Typer(help="AfroBiz Connect: business directory and booking platform for Namibia.\n\n"
                  "Settings (environment variables, or a .env file):\n\n" + ENV_HELP,
                  no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database migrations (Alembic).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(admin_app, name="admin")
app.add_typer(ops_app)  # backup, restore, analytics-rollup (afrobiz/admin/ops_cli.py)
console = Console()


def _serve(url: str, host: str, port: int, workers: int) -> None:
    import uvicorn

    # Worker processes build the app from the environment, so hand them the URL there.
    os.environ["AFROBIZ_DATABASE_URL"] = url
    # The workers of this server add up their request metrics (afrobiz/kit/metrics.py).
    os.environ["AFROBIZ_METRICS_GROUP"] = str(os.getpid())
    get_settings.cache_clear()
    settings = get_settings()
    # Our log format (AFROBIZ_LOG_FORMAT) for uvicorn's lines too, not its own config.
    configure_logging(settings.effective_log_format, settings.log_level)
    # SIGTERM (a service manager, `docker stop`): uvicorn shuts down gently, then raises the
    # signal again with the handler it found. Python's default would end the process on the
    # spot, skipping the `with` that stops the embedded database; this one unwinds it.
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        uvicorn.run("afrobiz.asgi:app", host=host, port=port, workers=workers, proxy_headers=False,
                    log_config=None, log_level=settings.log_level.lower())
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@app.command()
def serve(host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
          workers: Annotated[int, typer.Option(help="web processes")] = 1) -> None:
    """Run the web app (pages and API); the embedded database if none is configured."""
    with database_url(get_settings()) as url:
        migrate.upgrade(url)
        _serve(url, host, port, workers)


def use_demo_stand_ins(environ) -> None:
    """The demo pays through the sandbox operator (settings.sandbox: a banner on every page,
    the test phone at /sandbox/mobile-money) unless a real operator or production is configured."""
    settings = get_settings()
    if settings.environment == "production" or (settings.mobile_money_url or "sandbox") != "sandbox":
        return
    environ.setdefault("AFROBIZ_SANDBOX", "true")
    environ.setdefault("AFROBIZ_MOBILE_MONEY_URL", "sandbox")
    environ.setdefault("AFROBIZ_MOBILE_MONEY_WEBHOOK_SECRET", settings.mobile_money_webhook_secret
                       or secrets.token_hex(16))     # the stand-in and the webhook share one process
    get_settings.cache_clear()


@app.command()
def demo(port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
         host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
         businesses: Annotated[int, typer.Option(help="how many demo businesses to load (first run only)")] = 300) -> None:
    """Start everything a newcomer needs: database, migrations, Namibian demo data, the site."""
    from afrobiz.demo.loader import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo

    use_demo_stand_ins(os.environ)
    settings = get_settings()
    with database_url(settings) as url:
        console.print("Migrating the database…")
        migrate.upgrade(url)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console) as progress:
            tasks: dict[str, int] = {}

            def report(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = progress.add_task(stage, total=total)
                progress.update(tasks[stage], completed=done, total=total)

            loaded = load_demo(url, businesses=businesses, progress=report)
        if loaded:
            # Owners' dashboards show the demo's past bookings and reviews straight away,
            # rather than after the worker's first nightly roll-up.
            from afrobiz.admin.ops_cli import run_rollup

            run_rollup(url)
        console.print("Demo data loaded." if loaded else "Demo data already present: reusing it.")
        console.print(f"\n[bold]AfroBiz Connect is running at http://{host}:{port}/[/bold]")
        for role, email in DEMO_ACCOUNTS.items():
            console.print(f"  {role:<9} {email}  password: {DEMO_PASSWORD}")
        console.print("Stop with Ctrl+C.\n")
        _serve(url, host, port, 1)


@app.command()
def worker(concurrency: Annotated[int, typer.Option(help="jobs run at the same time")] = 4,
           failed: Annotated[bool, typer.Option("--failed", help="list jobs that failed for good, then exit")] = False) -> None:
    """Run background jobs (notifications, reminders, expiry, partitions, retention); any number may run."""
    import asyncio

    from afrobiz.worker.run import failed_jobs, run_worker

    settings = get_settings()
    configure_logging(settings.effective_log_format, settings.log_level)
    with database_url(settings) as url:
        if failed:
            for job in asyncio.run(failed_jobs(url)):
                console.print(f"#{job['id']} {job['task_name']} attempts={job['attempts']} "
                              f"failed_at={job['failed_at']} args={job['args']}")
            return
        migrate.upgrade(url)
        console.print(f"Worker running ({concurrency} at a time). Stop with Ctrl+C.")
        asyncio.run(run_worker(url, settings, concurrency=concurrency))


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="target revision")] = "head") -> None:
    """Apply migrations up to REVISION (default: head)."""
    with database_url(get_settings()) as url:
        migrate.upgrade(url, revision)
        console.print(f"database at {migrate.current(url)}")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="target revision, e.g. base or -1")]) -> None:
    """Revert migrations down to REVISION."""
    with database_url(get_settings()) as url:
        migrate.downgrade(url, revision)
        console.print(f"database at {migrate.current(url) or 'base'}")


@db_app.command("current")
def db_current() -> None:
    """Print the database's revision and the code's head."""
    with database_url(get_settings()) as url:
        console.print(f"current: {migrate.current(url) or 'base'}  head: {migrate.head()}")


if __name__ == "__main__":
    app()
