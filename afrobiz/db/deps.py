"""The request's transactions: the primary one (reads and writes), and a read-only one that
may be served by a replica.

`get_session` opens the request's transaction on the primary: once, committed once on
success, rolled back on error.

`get_read_session` (use `ReadSession` in a route's signature) is for anonymous reads that
may be a little stale: search, suggestions, public business and category pages. It answers
from the replica (AFROBIZ_DATABASE_REPLICA_URL) only when ALL of these hold:

* a replica is configured;
* the request is a GET or HEAD;
* the request carries no credentials (no Authorization header, no session cookie): a
  signed-in visitor reads from the primary, so they always see what they just wrote, even
  while the replica lags behind;
* nothing has been written in this request yet (writes through `get_session` are noted on
  the request; see `_note_writes`).

Otherwise it is simply the request's primary session (no second connection). On the
replica the transaction is READ ONLY and anonymous for RLS. A route that also writes (e.g.
the search log of which businesses a page showed) takes both: `ReadSession` for its reads,
done first, and `Session` for its writes.
"""
from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Depends, Request
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.db.session import ensure_anonymous

SESSION_COOKIE = "afrobiz_session"   # the pages' log-in cookie (afrobiz.web.deps.COOKIE_NAME)
_READ_ONLY = text("SET TRANSACTION READ ONLY")


def _note_writes(request: Request, session: AsyncSession) -> None:
    """Mark the request as having written once the primary session flushes anything."""
    def after_flush(*_args) -> None:  # noqa: ANN002
        request.state.db_wrote = True
    event.listen(session.sync_session, "after_flush", after_flush)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    # Used with Depends(get_session, scope="function") so the commit happens before the
    # response is sent: a client never sees success for a write that did not commit.
    sessionmaker = request.app.state.sessionmaker
    async with sessionmaker() as session, session.begin():
        _note_writes(request, session)
        await ensure_anonymous(session)   # usually no round trip: see db/session.make_engine
        yield session


def replica_allowed(request: Request) -> bool:
    """May this request's reads come from the replica? (See the module's docstring.)"""
    return (getattr(request.app.state, "read_sessionmaker", None) is not None
            and request.method in ("GET", "HEAD")
            and "authorization" not in request.headers
            and SESSION_COOKIE not in request.cookies
            and not getattr(request.state, "db_wrote", False))


async def get_read_session(request: Request,
                           primary: AsyncSession = Depends(get_session, scope="function")
                           ) -> AsyncIterator[AsyncSession]:
    if not replica_allowed(request):
        yield primary
        return
    async with request.app.state.read_sessionmaker() as session, session.begin():
        await session.execute(_READ_ONLY)
        await ensure_anonymous(session)
        yield session


ReadSession = Depends(get_read_session, scope="function")
