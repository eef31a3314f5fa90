"""Engine, sessions and the per-transaction identity that Row Level Security reads.

Every pooled connection switches to the `afrobiz_app` role as soon as it connects, so the
policies apply to all the app's queries (the connecting user usually owns the tables and
would bypass them). Each transaction then says who is asking with `set_identity()`; those
settings are transaction-local, so a connection handed to the next request carries no
identity over.
"""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from afrobiz.db.urls import async_url
from afrobiz.kit.logging import note_user

APP_ROLE = "afrobiz_app"
ROLES = ("anonymous", "customer", "business_owner", "admin", "system")


def make_engine(url: str, *, pool_size: int = 10, app_role: bool = True) -> AsyncEngine:
    engine = create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
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
            cur.close()
            dbapi_connection.autocommit = autocommit
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def set_identity(session: AsyncSession, user_id: uuid.UUID | None, role: str) -> None:
    """State, for this transaction only, who is asking (read by the RLS policies)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if user_id:
        note_user(user_id)   # the request's log lines name the caller from here on
    await session.execute(
        text("SELECT set_config('app.user_id', :uid, true), set_config('app.role', :role, true)"),
        {"uid": str(user_id) if user_id else "", "role": role},
    )


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
    try:
        yield
    finally:
        await session.execute(
            text("SELECT set_config('app.user_id', :uid, true), set_config('app.role', :role, true)"),
            {"uid": row[0] or "", "role": row[1] or "anonymous"})
