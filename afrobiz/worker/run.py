"""Running a worker (the `afrobiz worker` command and the tests), and listing failed jobs."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from afrobiz.config import Settings
from afrobiz.db.session import make_engine, make_sessionmaker
from afrobiz.worker import app as worker_app
from afrobiz.worker.app import Runtime, app, configure_runtime, connector_for


@asynccontextmanager
async def opened(database_url: str, settings: Settings, *, engine=None, pool_size: int = 5) -> AsyncIterator[Any]:
    """The App connected to database_url, with the runtime jobs read their data through."""
    own_engine = engine is None
    engine = engine or make_engine(database_url, pool_size=pool_size)
    worker_app.configure_runtime(Runtime(database_url, make_sessionmaker(engine), settings))
    try:
        with app.replace_connector(connector_for(database_url, max_size=pool_size + 2)):
            async with app.open_async():
                app.perform_import_paths()
                yield app
    finally:
        configure_runtime(None)
        if own_engine:
            await engine.dispose()


async def run_worker(database_url: str, settings: Settings, *, concurrency: int = 4, wait: bool = True,
                     engine=None, **options: Any) -> None:
    """Work the queue (and the periodic schedule); with wait=False, stop once it is empty."""
    async with opened(database_url, settings, engine=engine, pool_size=concurrency + 1):
        await app.run_worker_async(concurrency=concurrency, wait=wait, install_signal_handlers=wait,
                                   delete_jobs="successful", **options)


async def failed_jobs(database_url: str, *, limit: int = 50) -> list[dict[str, Any]]:
    """Jobs that used up their retries (kept by procrastinate, never dropped), newest first."""
    import psycopg
    from psycopg.rows import dict_row

    from afrobiz.db.urls import plain_url

    async with await psycopg.AsyncConnection.connect(plain_url(database_url), row_factory=dict_row) as conn:
        cur = await conn.execute(
            "SELECT j.id, j.task_name, j.args, j.attempts, max(e.at) AS failed_at"
            f" FROM {worker_app.QUEUE_SCHEMA}.procrastinate_jobs j"
            f" LEFT JOIN {worker_app.QUEUE_SCHEMA}.procrastinate_events e ON e.job_id = j.id AND e.type = 'failed'"
            " WHERE j.status = 'failed' GROUP BY j.id ORDER BY j.id DESC LIMIT %s", (limit,))
        return await cur.fetchall()
