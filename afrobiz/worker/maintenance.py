"""Database upkeep the worker runs: partitions ahead of time, the view-log retention, and
forgetting expired sessions and idempotency keys."""
from __future__ import annotations

from datetime import datetime, timedelta

import psycopg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.db.urls import plain_url

IP_RETENTION = timedelta(days=30)
VIEW_RETENTION = timedelta(days=365)


async def ensure_partitions(database_url: str) -> list[str]:
    """Create the coming partitions of the partitioned tables; returns the new ones.
    Runs as the connecting (owning) user: creating a partition needs the table's owner,
    which the app's role deliberately is not."""
    async with await psycopg.AsyncConnection.connect(plain_url(database_url), autocommit=True) as conn:
        cur = await conn.execute("SELECT ensure_partitions()")
        return [row[0] for row in await cur.fetchall()]


async def purge_view_logs(session: AsyncSession, *, now: datetime) -> dict[str, int]:
    """Forget viewers' IP addresses after 30 days and the view rows after a year (DESIGN 5)."""
    cleared = await session.execute(text(
        "UPDATE business_views SET ip_address = NULL WHERE ip_address IS NOT NULL AND viewed_at < :cutoff"),
        {"cutoff": now - IP_RETENTION})
    deleted = await session.execute(text("DELETE FROM business_views WHERE viewed_at < :cutoff"),
                                    {"cutoff": now - VIEW_RETENTION})
    return {"ip_cleared": cleared.rowcount or 0, "deleted": deleted.rowcount or 0}


async def purge_expired(session: AsyncSession, *, now: datetime) -> dict[str, int]:
    """Delete sessions and idempotency keys past their expires_at: neither is ever read again
    (a login checks expiry, a retried POST with an expired key counts as new), and a session
    row holds the user's IP address and device. Each table has an index on expires_at."""
    counts = {}
    for table in ("user_sessions", "idempotency_keys"):
        result = await session.execute(text(f"DELETE FROM {table} WHERE expires_at < :now"), {"now": now})
        counts[table] = result.rowcount or 0
    return counts
