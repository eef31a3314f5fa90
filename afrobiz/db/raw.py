"""A lean reader for the hottest anonymous reads (api/hot.py): psycopg's own pool and
connections, no SQLAlchemy session in between.

Why: a free-slots or search request spends more CPU in the layers around its one or two
statements (session, connection checkout, result objects) than PostgreSQL spends running
them. The domain code stays the same: it calls `db.execute(text(...), binds)` and reads
`.one()`, `.all()`, `.scalar()`, `.scalars()`; `RawReader` answers those over a plain
psycopg connection, so search, suggest and slots have ONE implementation whichever way the
request came in.

The pool's connections are autocommit, switch to the app role and the anonymous identity
once when they connect (session level, the same as db/session.make_engine), and are only
ever used anonymously, so Row Level Security decides what they see exactly as on the
SQLAlchemy path.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache

import psycopg
from psycopg import _queries
from psycopg.rows import namedtuple_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.sql.elements import TextClause

from afrobiz.db.session import APP_ROLE
from afrobiz.db.urls import plain_url

_DIALECT = PGDialect_psycopg()

# psycopg converts a query's %(name)s placeholders to $1.. and caches the result, but only
# for queries up to 4,096 bytes (it guards against ORMs' endless one-off statements). Search's
# statements are longer (7.5 kB for one word near a place) and few, and converting one
# again cost 0.18 ms of CPU a request. Those of this app are a bounded set; the cache keeps
# 128 at most. A psycopg without this constant loses only the speed, not the app: the test
# tests/ops/test_ops_hot_lane.py::test_long_statements_are_converted_once says so.
if hasattr(_queries, "MAX_CACHED_STATEMENT_LENGTH"):
    _queries.MAX_CACHED_STATEMENT_LENGTH = max(_queries.MAX_CACHED_STATEMENT_LENGTH, 16384)


@lru_cache(maxsize=512)
def _compiled(statement: str) -> str:
    """SQLAlchemy's text() ":name" binds in psycopg's "%(name)s" form (it knows "::" casts and
    string literals); compiled once per distinct statement."""
    return str(text(statement).compile(dialect=_DIALECT))


class _Scalars:
    def __init__(self, values: list) -> None:
        self._values = values

    def all(self) -> list:
        return self._values

    def first(self):  # noqa: ANN201
        return self._values[0] if self._values else None

    def __iter__(self):  # noqa: ANN204
        return iter(self._values)


class RawResult:
    """The part of SQLAlchemy's Result the hot reads use."""

    def __init__(self, rows: list) -> None:
        self._rows = rows

    def all(self) -> list:
        return self._rows

    def first(self):  # noqa: ANN201
        return self._rows[0] if self._rows else None

    def one(self):  # noqa: ANN201
        if len(self._rows) != 1:
            raise LookupError(f"expected one row, got {len(self._rows)}")
        return self._rows[0]

    def one_or_none(self):  # noqa: ANN201
        if len(self._rows) > 1:
            raise LookupError(f"expected at most one row, got {len(self._rows)}")
        return self._rows[0] if self._rows else None

    def scalar(self):  # noqa: ANN201
        return self._rows[0][0] if self._rows else None

    def scalars(self) -> _Scalars:
        return _Scalars([r[0] for r in self._rows])


class RawReader:
    """`execute(text_clause, binds)` over one psycopg connection."""

    def __init__(self, conn: psycopg.AsyncConnection) -> None:
        self.conn = conn

    async def execute(self, statement: TextClause | str, binds: dict | None = None) -> RawResult:
        sql = _compiled(statement.text if isinstance(statement, TextClause) else statement)
        cur = await self.conn.execute(sql, binds or {})
        return RawResult(await cur.fetchall() if cur.description is not None else [])

    async def execute_with(self, settings: dict[str, str], statement: TextClause | str,
                           binds: dict | None = None) -> RawResult:
        """One statement under planner settings, in a transaction of its own so they revert
        whatever happens: BEGIN, SET LOCAL, the statement and COMMIT leave in one pipeline."""
        sql = _compiled(statement.text if isinstance(statement, TextClause) else statement)
        async with self.conn.pipeline(), self.conn.transaction():
            for name, value in settings.items():
                await self.conn.execute("SELECT set_config(%s, %s, true)", (name, value))
            cur = await self.conn.execute(sql, binds or {})
        return RawResult(await cur.fetchall())


async def execute_with_settings(db, settings: dict[str, str], statement: TextClause,  # noqa: ANN001
                                binds: dict) -> object:
    """Run one statement under planner settings (e.g. enable_bitmapscan off) on either kind of
    reader: a RawReader (autocommit) or a SQLAlchemy session/connection in a transaction,
    where the settings are transaction-local and put back afterwards."""
    if isinstance(db, RawReader):
        return await db.execute_with(settings, statement, binds)
    for name, value in settings.items():
        await db.execute(text("SELECT set_config(:n, :v, true)"), {"n": name, "v": value})
    result = await db.execute(statement, binds)
    for name in settings:
        await db.execute(text("SELECT set_config(:n, (SELECT reset_val FROM pg_settings WHERE name = :n), true)"),
                         {"n": name})
    return result


async def _configure(conn: psycopg.AsyncConnection) -> None:
    # The same session-level set-up as db/session.make_engine's connect hook.
    await conn.execute(f"SET ROLE {APP_ROLE}")
    await conn.execute("SET TIME ZONE 'UTC'")
    # No JIT for these short reads: compiling a search's expressions cost 70-120 ms of a
    # 10 ms statement (search/queries.py), and settings made per statement would not last
    # past it on an autocommit connection.
    await conn.execute("SET jit = off")
    # Nor parallel workers: starting them cost a text search at a million listings 4-5 ms,
    # more than most of them take, and concurrent requests leave no core idle for them.
    await conn.execute("SET max_parallel_workers_per_gather = 0")
    await conn.execute("SELECT set_config('app.user_id', '', false) AS u, set_config('app.role', 'anonymous', false) AS r")


def make_pool(url: str, *, size: int) -> AsyncConnectionPool:
    """A pool of anonymous, autocommit connections (open it with `await pool.open()`)."""
    return AsyncConnectionPool(
        plain_url(url), min_size=1, max_size=max(1, size), open=False, configure=_configure,
        kwargs={"autocommit": True, "row_factory": namedtuple_row},
        # A request waits at most this long for a connection, then takes the ordinary path
        # (which answers 503 while the database is away).
        timeout=5.0, max_idle=600, max_lifetime=1800, name="afrobiz-hot")


@asynccontextmanager
async def reader(pool: AsyncConnectionPool) -> AsyncIterator[RawReader]:
    async with pool.connection() as conn:
        yield RawReader(conn)
