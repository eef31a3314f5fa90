"""Who is calling the API: the bearer token's user, stated to PostgreSQL for RLS."""
from __future__ import annotations


from fastapi import BackgroundTasks, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts import devices, sessions
from afrobiz.accounts.context import Caller
from afrobiz.accounts.messages import deliver
from afrobiz.accounts.models import User
from afrobiz.accounts.sessions import resolve_session
from afrobiz.db.deps import get_session
from afrobiz.db.session import set_identity
from afrobiz.errors import NotAuthenticated, PermissionDenied
from afrobiz.kit import ratelimit
from afrobiz.kit.clientip import client_ip

Session = Depends(get_session, scope="function")


def use_app_settings(request: Request) -> None:
    """Make the session store and rate-limit storage follow the app's settings (Redis when
    redis_url is set). A cheap comparison; it only reconfigures when they differ."""
    settings = getattr(request.app.state, "settings", None)
    if settings is None:
        return
    if sessions.current_store().url != settings.redis_url:
        sessions.configure(settings.redis_url)
    if ratelimit.current_url() != settings.redis_url:
        ratelimit.configure(settings.redis_url)


def request_ip(request: Request) -> str | None:
    """The client's address (X-Forwarded-For believed only from settings.trusted_proxies)."""
    peer = request.client.host if request.client else None
    trusted = request.app.state.settings.trusted_proxies
    return client_ip(peer, request.headers.get("x-forwarded-for"), trusted)


def request_agent(request: Request) -> str | None:
    return (request.headers.get("user-agent") or "")[:500] or None


def caller_for(request: Request, background: BackgroundTasks) -> Caller:
    """Who is asking (IP, user agent), and an outbox whose messages go out after the response,
    that is after the commit; an error response sends nothing."""
    use_app_settings(request)
    settings = request.app.state.settings
    caller = Caller(ip=request_ip(request), user_agent=request_agent(request),
                    base_url=settings.base_url.rstrip("/"), secret_key=settings.secret_key,
                    device_token=request.headers.get(devices.HEADER_NAME) or request.cookies.get(devices.COOKIE_NAME))
    background.add_task(deliver, settings, caller.outbox, getattr(request.app.state, "sessionmaker", None))
    return caller


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def optional_user(request: Request, session: AsyncSession = Session) -> User | None:
    use_app_settings(request)
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
