"""Who is calling the API: the bearer token's user, stated to PostgreSQL for RLS."""
from __future__ import annotations

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.accounts.sessions import resolve_session
from afrobiz.db.deps import get_session
from afrobiz.db.session import set_identity
from afrobiz.errors import NotAuthenticated, PermissionDenied

Session = Depends(get_session, scope="function")


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def optional_user(request: Request, session: AsyncSession = Session) -> User | None:
    token = bearer_token(request)
    if token is None:
        return None
    user = await resolve_session(session, token)
    if user is None:
        raise NotAuthenticated("The token is invalid or has expired.")
    await set_identity(session, user.id, str(user.role))
    return user


async def current_user(user: User | None = Depends(optional_user)) -> User:
    if user is None:
        raise NotAuthenticated("Log in to do this.")
    return user


def require_role(*roles: str):
    """A dependency that lets only these roles through (403 for the others)."""
    async def dependency(user: User = Depends(current_user)) -> User:
        if str(user.role) not in roles:
            raise PermissionDenied("Your account may not do this.")
        return user
    return dependency
