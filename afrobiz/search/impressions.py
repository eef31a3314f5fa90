"""Which businesses each search page showed (analytics: search appearances, click-through
rate), written by one writer for the API, its hot lane and the search page alike.

Written in batches, one INSERT a second for all the pages shown since, instead of an INSERT
and COMMIT per search: the log is append-only and counted by the nightly roll-up, so a page
need not wait for it. A search on a replica still logs on the primary (the pool's).
"""
from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from psycopg_pool import AsyncConnectionPool

log = logging.getLogger("afrobiz.search")

INSERT = "INSERT INTO search_impressions (shown_at, business_ids) VALUES (%s, CAST(%s AS uuid[]))"


class ImpressionLog:
    FLUSH_SECONDS = 1.0
    MAX_PENDING = 20_000   # pages kept while the database is away; older ones are dropped

    def __init__(self) -> None:
        self.pool: AsyncConnectionPool | None = None   # the primary's, from start() on
        self.pending: list[tuple[datetime, list[str]]] = []
        self._flusher: asyncio.Task | None = None

    async def record(self, business_ids: list[str]) -> None:
        """Note the businesses one page showed, in its order (nothing for an empty page)."""
        if business_ids:
            self.pending.append((datetime.now(UTC), [str(b) for b in business_ids]))
            if len(self.pending) > self.MAX_PENDING:
                del self.pending[: len(self.pending) - self.MAX_PENDING]

    async def flush(self) -> int:
        """Write the pending pages in one transaction; how many."""
        if self.pool is None:
            return 0
        batch, self.pending = self.pending, []
        if not batch:
            return 0
        try:
            async with self.pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
                await cur.executemany(INSERT, batch)
        except Exception:
            self.pending[:0] = batch   # try again next time
            raise
        return len(batch)

    def start(self, pool: AsyncConnectionPool) -> None:
        """Write through this pool from now on, once a second."""
        self.pool = pool
        self._flusher = asyncio.create_task(self._flush_every())

    async def stop(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
        try:
            await self.flush()
        except Exception as exc:  # noqa: BLE001  (shutting down: say so, do not block it)
            log.warning("search impressions not written at shutdown: %s", exc)

    async def _flush_every(self) -> None:
        while True:
            await asyncio.sleep(self.FLUSH_SECONDS)
            try:
                await self.flush()
            except Exception as exc:  # noqa: BLE001  (the database is away: keep them for later)
                log.warning("search impressions not written yet: %s", exc)
