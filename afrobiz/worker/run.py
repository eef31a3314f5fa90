"""Running a worker (the `afrobiz worker` command and the tests), and listing failed jobs.

A worker outlives any database outage. procrastinate's own worker stops for good when it
loses the database (a failed listener or heartbeat stops it, a failed fetch raises, and the
clean-up then waits in vain for a connection), so `run_worker` supervises it: whenever it
stops without being asked to, the worker waits (a growing back-off), connects afresh and
starts a new one, for as long as it takes. Jobs that the lost worker had started are handed
back to the queue (retry_stalled_jobs) and run again; every task is safe to run twice.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

from afrobiz.config import Settings
from afrobiz.db.session import make_engine, make_sessionmaker
from afrobiz.kit.outage import is_outage
from afrobiz.worker import app as worker_app
from afrobiz.worker.app import Runtime, app, configure_runtime, connector_for

log = logging.getLogger("afrobiz.worker")


class Backoff:
    """Waits between attempts to reach the database: doubling from `first` to at most
    `longest` seconds, each drawn from the upper half of its step so that workers cut off
    together do not knock again in step. `longest` bounds how long a worker stays idle after
    the database is back."""

    def __init__(self, first: float = 1.0, longest: float = 15.0) -> None:
        self.first, self.longest = first, longest
        self.step = first

    def next(self) -> float:
        wait = random.uniform(self.step / 2, self.step)
        self.step = min(self.step * 2, self.longest)
        return wait

    def reset(self) -> None:
        self.step = self.first


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


async def retry_stalled_jobs() -> int:
    """Put back in the queue the jobs of workers that stopped beating (lost with the database,
    or the process killed) while running them; how many. Jobs of live workers are untouched."""
    stalled = await app.job_manager.get_stalled_jobs()
    for job in stalled:
        await app.job_manager.retry_job(job)
    if stalled:
        log.warning("%d job(s) of a stopped worker queued again: %s", len(stalled),
                    ", ".join(job.call_string for job in stalled))
    return len(stalled)


@contextlib.contextmanager
def _stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """SIGINT/SIGTERM ask the worker to stop (it finishes its running jobs); a second one is
    handled as usual (kills it)."""
    loop = asyncio.get_running_loop()
    wanted = (signal.SIGINT, signal.SIGTERM)

    def asked() -> None:
        log.info("stop requested: finishing the running jobs")
        stop.set()
        for sig in wanted:
            loop.remove_signal_handler(sig)

    for sig in wanted:
        loop.add_signal_handler(sig, asked)
    try:
        yield
    finally:
        for sig in wanted:
            loop.remove_signal_handler(sig)


async def _until_stopped(work: asyncio.Task, stop: asyncio.Event) -> None:
    """Wait for the worker; if a stop is asked first, cancel it (procrastinate then stops
    gracefully: running jobs finish) and wait for that."""
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({work, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:   # also when this task itself is cancelled: never leave the worker running alone
        stopping.cancel()
        if not work.done():
            work.cancel()
            await asyncio.wait({work})
    if not work.cancelled():
        work.result()   # its error, if any


async def run_worker(database_url: str, settings: Settings, *, concurrency: int = 4, wait: bool = True,
                     engine=None, backoff: Backoff | None = None, **options: Any) -> None:
    """Work the queue (and the periodic schedule) until stopped by a signal; with wait=False,
    until it is empty. The database being away, for however long, is waited out."""
    backoff = backoff or Backoff()
    stop = asyncio.Event()
    with _stop_on_signals(stop) if wait else contextlib.nullcontext():
        while not stop.is_set():
            try:
                async with opened(database_url, settings, engine=engine, pool_size=concurrency + 1):
                    await retry_stalled_jobs()
                    backoff.reset()               # the database answers: the next outage starts afresh
                    work = asyncio.create_task(app.run_worker_async(
                        concurrency=concurrency, wait=wait, install_signal_handlers=False,
                        delete_jobs="successful", **options))
                    await _until_stopped(work, stop)
                if not wait or stop.is_set():
                    return
                # procrastinate stopped by itself: it lost the database, and its clean-up got through.
                log.warning("the worker stopped by itself (database connection lost); starting again")
            except Exception as exc:
                if not is_outage(exc):
                    raise
                log.warning("database unavailable (%s: %s)", type(exc).__name__, str(exc).strip()[:200])
            delay = backoff.next()
            log.info("connecting again in %.1f s", delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)


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
