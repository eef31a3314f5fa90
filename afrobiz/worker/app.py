"""The job queue: one procrastinate App on the app's own PostgreSQL.

Jobs are deferred on the request's connection, inside its transaction (DESIGN 2 and 4.2):
a rolled-back request leaves no job behind and a committed one cannot lose its job.
procrastinate's tables live in the `procrastinate` schema (migration 0007), so every
connection that touches the queue puts that schema on its search_path.
"""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiosmtplib
import psycopg
import sqlalchemy.exc
from procrastinate import App, PsycopgConnector, RetryStrategy
from procrastinate.tasks import Task
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from afrobiz.config import Settings
from afrobiz.db.session import system_session
from afrobiz.db.urls import plain_url

log = logging.getLogger("afrobiz.worker")

QUEUE_SCHEMA = "procrastinate"
# Modules whose import registers tasks: the worker imports them before it fetches jobs.
TASK_MODULES = ["afrobiz.notifications.jobs", "afrobiz.worker.periodic"]


class TransientDeliveryError(Exception):
    """A channel failed in a way worth retrying (provider down, timeout, 5xx)."""


# Back-off 4 s, 8 s, 16 s … about 2.3 hours in all; after that the job stays 'failed' in
# procrastinate_jobs (listed by `afrobiz worker --failed`), never dropped. Losing the
# database mid-job is transient too (a restart, a fail-over): the message is tried again.
DELIVERY_RETRY = RetryStrategy(
    max_attempts=12, exponential_wait=2,
    retry_exceptions=[TransientDeliveryError, OSError, aiosmtplib.SMTPException,
                      sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, psycopg.OperationalError],
)


def connector_for(database_url: str, *, max_size: int = 10) -> PsycopgConnector:
    """A connector for the worker (and the CLI): the connecting user, queue schema first."""
    return PsycopgConnector(conninfo=plain_url(database_url), min_size=1, max_size=max_size,
                            kwargs={"options": f"-c search_path={QUEUE_SCHEMA},public"})


# The connector given here is replaced (App.replace_connector) by whoever runs a worker;
# deferring inside a request never uses it: it runs on the request's own connection.
app = App(connector=PsycopgConnector(), import_paths=TASK_MODULES)


async def defer_in_transaction(session: AsyncSession, task: Task, **kwargs: Any) -> int:
    """Queue task(**kwargs) in the session's transaction; it exists only if that commits."""
    conn = await session.connection()
    # Transaction-local, public stays first: the app's own names resolve as before.
    await conn.execute(text("SELECT set_config('search_path', :path, true)"),
                       {"path": f'"$user", public, {QUEUE_SCHEMA}'})
    raw = await conn.get_raw_connection()
    return await task.configure(connection=raw.driver_connection).defer_async(**kwargs)


@dataclass
class Runtime:
    """What jobs need: where the database is, a sessionmaker for it, the settings."""

    database_url: str
    sessionmaker: async_sessionmaker[AsyncSession]
    settings: Settings


_runtime: Runtime | None = None


def configure_runtime(runtime: Runtime | None) -> None:
    # Set once by the worker command (or a test) before jobs run; jobs take ids, not
    # objects, so this is the only state they share.
    global _runtime
    _runtime = runtime


def runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("the worker runtime is not configured (afrobiz.worker.app.configure_runtime)")
    return _runtime


@asynccontextmanager
async def job_session() -> AsyncIterator[AsyncSession]:
    """A transaction acting as 'system' (jobs act for the platform), committed on success."""
    async with system_session(runtime().sessionmaker) as session:
        yield session
