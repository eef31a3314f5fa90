"""Engine, sessions and the per-transaction identity that Row Level Security reads.

Every pooled connection switches to the `afrobiz_app` role as soon as it connects, so the
policies apply to all the app's queries (the connecting user usually owns the tables and
would bypass them). Each transaction then says who is asking with `set_identity()`; those
settings are transaction-local, so a connection handed to the next request carries no
identity over.
"""
from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy.exc
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from afrobiz.db.urls import async_url
from afrobiz.kit.logging import note_user

APP_ROLE = "afrobiz_app"
ROLES = ("anonymous", "customer", "business_owner", "admin", "system")
# Key in a pooled connection's info: its session-level identity is anonymous (make_engine).
ANONYMOUS_BY_DEFAULT = "afrobiz_anonymous_by_default"


def make_engine(url: str, *, pool_size: int = 10, app_role: bool = True) -> AsyncEngine:
    engine = create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        # No pre-ping: it cost a round trip on every checkout, i.e. on every request. A
        # connection that died while pooled (database restarted, proxy dropped it) fails its
        # first statement instead; SQLAlchemy sees a disconnect error, discards that
        # connection AND every other one opened before it (the pool's invalidation time),
        # and the request is run once more on a fresh connection if it is a read
        # (kit/read_retry.py), else answers 503 (kit/outage.is_outage). The next request
        # connects afresh: tests/reliability/test_reliability_faults.py proves the recovery.
        pool_pre_ping=False,
        pool_recycle=1800,
    )
    if app_role:
        @event.listens_for(engine.sync_engine, "connect")
        def _become_app_role(dbapi_connection, _record):  # noqa: ANN001
            # psycopg's connection is in a transaction after any statement unless autocommit.
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True
            cur = dbapi_connection.cursor()
            cur.execute(f"SET ROLE {APP_ROLE}")
            cur.execute("SET TIME ZONE 'UTC'")
            # The connection's own (session-level) identity is 'anonymous'. set_identity()
            # only ever sets transaction-local values, which fall back to these at COMMIT or
            # ROLLBACK, so a transaction that states nothing is anonymous: get_session saves
            # the set_config round trip on every request (see ANONYMOUS_BY_DEFAULT).
            cur.execute("SELECT set_config('app.user_id', '', false), set_config('app.role', 'anonymous', false)")
            cur.close()
            dbapi_connection.autocommit = autocommit
            _record.info[ANONYMOUS_BY_DEFAULT] = True
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def set_identity(session: AsyncSession, user_id: uuid.UUID | None, role: str) -> None:
    """State, for this transaction only, who is asking (read by the RLS policies).

    Always transaction-local (set_config's third argument true): nothing may change a
    pooled connection's session-level identity, which is 'anonymous' (make_engine)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if user_id:
        note_user(user_id)   # the request's log lines name the caller from here on
    await session.execute(
        text("SELECT set_config('app.user_id', :uid, true), set_config('app.role', :role, true)"),
        {"uid": str(user_id) if user_id else "", "role": role},
    )


async def ensure_anonymous(session: AsyncSession) -> None:
    """Make this (fresh) transaction anonymous: free on our pooled connections, whose own
    identity is already anonymous; a set_config round trip on any other connection."""
    connection = await session.connection()   # sends nothing to the server yet
    if not connection.info.get(ANONYMOUS_BY_DEFAULT):
        await set_identity(session, None, "anonymous")


@asynccontextmanager
async def system_session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A transaction for the worker, the CLI and demo data: sees and may write everything."""
    async with sessionmaker() as session, session.begin():
        await set_identity(session, None, "system")
        yield session


@asynccontextmanager
async def acting_as_system(session: AsyncSession) -> AsyncIterator[None]:
    """Within a request, briefly see past RLS for one rule that needs it (e.g. counting
    every booking that overlaps a slot, or a guest's booking). Keep the block small and
    say why at each use; the caller's identity is restored afterwards."""
    # One round trip: read the caller's identity (materialized first) and become 'system'.
    row = (await session.execute(text(
        "WITH old AS MATERIALIZED (SELECT current_setting('app.user_id', true) AS uid,"
        " current_setting('app.role', true) AS role)"
        " SELECT old.uid, old.role, set_config('app.user_id', '', true), set_config('app.role', 'system', true)"
        " FROM old"))).one()
    restore = text("SELECT set_config('app.user_id', :uid, true), set_config('app.role', :role, true)")
    caller = {"uid": row[0] or "", "role": row[1] or "anonymous"}
    try:
        yield
    except BaseException:
        # The block failed. If the transaction cannot run the restore either (the connection
        # died), the block's error is the one that tells what happened: the restore's own
        # (PendingRollbackError, raised in SQLAlchemy's greenlet, so not even chained to it)
        # would turn an outage's 503 into a 500. A transaction that cannot run a statement
        # cannot run another one as 'system' either.
        with contextlib.suppress(sqlalchemy.exc.SQLAlchemyError):
            await session.execute(restore, caller)
        raise
    await session.execute(restore, caller)
