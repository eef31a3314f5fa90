"""Log-in sessions: opaque bearer tokens, stored only as their SHA-256 hash.

A token has 256 bits of randomness; the server keeps its hash, so a leaked database does not
leak usable tokens. A session ends at its idle expiry (renewed on use), its absolute expiry,
log-out, suspension, or 'log out everywhere'.

Sessions live in the user_sessions table, whether or not Redis is configured. Every request
reads the user row from PostgreSQL anyway (a suspended or deactivated user is refused at
once), so a Redis copy would save no round trip, and it would make log-in depend on Redis:
with Redis down, logged-in customers must keep browsing and booking (issue 12). PostgreSQL
is shared by every web process, so many processes still share the sessions. Redis keeps the
rate limits and caches (afrobiz.kit.ratelimit), with their own fallback.

user_sessions has Row Level Security (a user sees their own sessions, staff all). Finding a
session by its token happens before anyone is identified — the token is the proof — so the
four operations below act as system for their one statement.
"""
from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User, UserSession
from afrobiz.db.session import acting_as_system

IDLE_TIMEOUT = timedelta(days=7)
ABSOLUTE_TIMEOUT = timedelta(days=30)
# Renewing last_seen on every request would write on every read; once a minute is enough.
TOUCH_EVERY = timedelta(minutes=1)
REDIS_PREFIX = "afrobiz:"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _usable(user: User | None) -> User | None:
    return user if user is not None and user.is_active and not user.is_suspended else None


class PostgresStore:
    """Sessions as rows of user_sessions."""

    def __init__(self, url: str | None = None):
        # The Redis URL the app was configured with: kept only so that api.deps can tell the
        # configuration is current; sessions never go to Redis.
        self.url = url

    async def start(self, session: AsyncSession, user: User, ip: str | None, user_agent: str | None) -> str:
        token, now = new_token(), _now()
        await session.flush()        # the caller's pending writes go in the caller's identity
        # Log-in happens before the user is identified: the row is theirs, written as system.
        async with acting_as_system(session):
            await session.execute(insert(UserSession).values(
                user_id=user.id, token_hash=hash_token(token), created_at=now, last_seen_at=now,
                expires_at=now + ABSOLUTE_TIMEOUT, ip_address=ip, user_agent=(user_agent or "")[:500]))
        return token

    async def resolve(self, session: AsyncSession, token: str) -> User | None:
        now = _now()
        async with acting_as_system(session):
            row = (await session.execute(
                select(UserSession.id, UserSession.last_seen_at, User).join(User, User.id == UserSession.user_id)
                .where(UserSession.token_hash == hash_token(token), UserSession.revoked_at.is_(None),
                       UserSession.expires_at > now, UserSession.last_seen_at > now - IDLE_TIMEOUT)
            )).first()
            if row is None:
                return None
            session_id, last_seen, user = row
            if _usable(user) is None:
                return None
            if now - last_seen > TOUCH_EVERY:
                await session.execute(update(UserSession).where(UserSession.id == session_id)
                                      .values(last_seen_at=now))
        return user

    async def end(self, session: AsyncSession, token: str) -> None:
        async with acting_as_system(session):
            await session.execute(update(UserSession).where(UserSession.token_hash == hash_token(token))
                                  .values(revoked_at=_now()))

    async def end_all(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        # Callers decide who may end someone's sessions (the user, an admin suspending them,
        # a password reset proved by its e-mailed token).
        async with acting_as_system(session):
            await session.execute(update(UserSession)
                                  .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
                                  .values(revoked_at=_now()))


# ---------------------------------------------------------------- the store in use

_store: PostgresStore | None = None


def configure(redis_url: str | None, *, prefix: str = REDIS_PREFIX) -> None:
    """Set up the store for the app's settings (sessions stay in PostgreSQL either way;
    the URL and prefix are accepted so every caller keeps one way to configure)."""
    global _store
    _store = PostgresStore(redis_url)


def current_store() -> PostgresStore:
    if _store is None:
        from afrobiz.config import get_settings

        configure(get_settings().redis_url)
    return _store


async def start_session(session: AsyncSession, *, user: User, ip: str | None = None,
                        user_agent: str | None = None) -> str:
    """Open a new session for the user and return its token (shown once, never stored)."""
    return await current_store().start(session, user, ip, user_agent)


async def resolve_session(session: AsyncSession, token: str) -> User | None:
    """The active, unsuspended user behind a live token, or None."""
    if not token or len(token) > 200:
        return None
    return await current_store().resolve(session, token)


async def end_session(session: AsyncSession, token: str) -> None:
    """Log out this one session (its token stops working at once)."""
    await current_store().end(session, token)


async def end_all_sessions(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Log the user out everywhere (suspension, password change, 'log out everywhere')."""
    await current_store().end_all(session, user_id)
