"""The request's transaction: opened once, committed once on success, rolled back on error."""
from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.db.session import set_identity


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    # Used with Depends(get_session, scope="function") so the commit happens before the
    # response is sent: a client never sees success for a write that did not commit.
    sessionmaker = request.app.state.sessionmaker
    async with sessionmaker() as session, session.begin():
        await set_identity(session, None, "anonymous")
        yield session
