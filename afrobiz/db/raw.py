"""How search, suggest and free slots read: psycopg's own cursors over one connection, the
hot lane's pooled one (api/hot.py) or the one under a request's SQLAlchemy session.

Why not SQLAlchemy for these reads: its Core execution (an AUTOCOMMIT AsyncConnection) cost
0.09-0.16 ms of CPU a statement more than a psycopg cursor here (a trivial statement: 0.19-0.20
ms against 0.29-0.36 ms), and a whole free-slots request through the lane costs about 0.7 ms
of app CPU: 15-20 % more, on most of the traffic. So those reads take a `Reader`, and a
request that holds a session lends it its connection (`session_reader`): one implementation
of each read, whichever way the request came in, running in the session's transaction
under its identity.

Statements are SQL with SQLAlchemy text()'s ":name" binds, compiled once per distinct statement to
PostgreSQL's own "$1" placeholders and sent through a raw cursor, so psycopg neither parses
nor caches placeholders (its cache keeps statements up to 4 kB only; search's are up to
7.5 kB).

The lane's pool connections are autocommit, switch to the app role and the anonymous
identity once when they connect (session level, the same as db/session.make_engine), and
are only ever used anonymously, so Row Level Security decides what they see exactly as
on the SQLAlchemy path.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache

import psycopg
from psycopg.rows import namedtuple_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.db.session import APP_ROLE
from afrobiz.db.urls import plain_url

_NATIVE = PGDialect_psycopg(paramstyle="numeric_dollar")
# Set for the life of the lane's connections (_configure): no JIT for these short reads
# (compiling a search's expressions cost 70-120 ms of a 10 ms statement), no parallel
# workers (starting them cost a text search at a million listings 4-5 ms, and concurrent
# requests leave no core idle for them).
TUNED = {"jit": "off", "max_parallel_workers_per_gather": "0"}


@lru_cache(maxsize=512)
def native(statement: str) -> tuple[bytes, tuple[str, ...]]:
    """A statement with text()'s ":name" binds in "$1".. form, and the names in their order."""
    compiled = text(statement).compile(dialect=_NATIVE)
    return str(compiled).encode(), tuple(compiled.positiontup or ())


class Reader:
    """Statements over one psycopg connection; rows are named tuples."""

    def __init__(self, conn: psycopg.AsyncConnection, *, tuned: bool) -> None:
        self.conn = conn
        self.tuned = tuned   # TUNED holds for the connection's life (the lane's, not a session's)

    async def all(self, statement: str, binds: dict | None = None, *,
                  settings: dict[str, str] | None = None) -> list:
        """The rows; with `settings`, the statement runs under those planner settings, which
        end with it (a transaction of its own on the lane's connection, a savepoint inside a
        session's transaction: BEGIN, SET LOCAL, the statement and ROLLBACK leave in one
        pipeline)."""
        sql, names = native(statement)
        params = [(binds or {})[name] for name in names]
        cur = psycopg.AsyncRawCursor(self.conn, row_factory=namedtuple_row)
        if not settings:
            await cur.execute(sql, params)
            return await cur.fetchall()
        async with self.conn.pipeline(), self.conn.transaction(force_rollback=True):
            for name, value in settings.items():
                await self.conn.execute("SELECT set_config(%s, %s, true)", (name, value))
            await cur.execute(sql, params)
        return await cur.fetchall()   # received when the pipeline ended

    async def one(self, statement: str, binds: dict | None = None, *,
                  settings: dict[str, str] | None = None):  # noqa: ANN201
        rows = await self.all(statement, binds, settings=settings)
        if len(rows) != 1:
            raise LookupError(f"expected one row, got {len(rows)}")
        return rows[0]

    async def first(self, statement: str, binds: dict | None = None):  # noqa: ANN201
        rows = await self.all(statement, binds)
        return rows[0] if rows else None


async def session_reader(session: AsyncSession) -> Reader:
    """A Reader over the session's own connection, in its transaction, under its identity."""
    connection = await (await session.connection()).get_raw_connection()
    return Reader(connection.driver_connection, tuned=False)


async def _configure(conn: psycopg.AsyncConnection) -> None:
    # The same session-level set-up as db/session.make_engine's connect hook, and TUNED.
    await conn.execute(f"SET ROLE {APP_ROLE}")
    await conn.execute("SET TIME ZONE 'UTC'")
    for name, value in TUNED.items():
        await conn.execute(f"SET {name} = {value}")
    await conn.execute("SELECT set_config('app.user_id', '', false) AS u, set_config('app.role', 'anonymous', false) AS r")


def make_pool(url: str, *, size: int) -> AsyncConnectionPool:
    """A pool of anonymous, autocommit connections (open it with `await pool.open()`)."""
    return AsyncConnectionPool(
        plain_url(url), min_size=1, max_size=max(1, size), open=False, configure=_configure,
        kwargs={"autocommit": True},
        # A request waits at most this long for a connection, then takes the ordinary path
        # (which answers 503 while the database is away).
        timeout=5.0, max_idle=600, max_lifetime=1800, name="afrobiz-hot")


@asynccontextmanager
async def reader(pool: AsyncConnectionPool) -> AsyncIterator[Reader]:
    async with pool.connection() as conn:
        yield Reader(conn, tuned=True)
