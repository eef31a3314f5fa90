"""Log-in sessions: opaque bearer tokens, stored only as their SHA-256 hash.

A token has at least 256 bits of randomness; the server keeps its hash, so a leaked
database does not leak usable tokens. A session ends at its idle expiry (renewed on use),
its absolute expiry, log-out, suspension, or 'log out everywhere'.
"""
from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User, UserSession

IDLE_TIMEOUT = timedelta(days=7)
ABSOLUTE_TIMEOUT = timedelta(days=30)
# Renewing last_seen on every request would write on every read; once a minute is enough.
TOUCH_EVERY = timedelta(minutes=1)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def start_session(session: AsyncSession, *, user: User, ip: str | None = None,
                        user_agent: str | None = None) -> str:
    """Open a new session for the user and return its token (shown once, never stored)."""
    token = new_token()
    now = _now()
    session.add(UserSession(user_id=user.id, token_hash=hash_token(token), created_at=now, last_seen_at=now,
                            expires_at=now + ABSOLUTE_TIMEOUT, ip_address=ip, user_agent=(user_agent or "")[:500]))
    await session.flush()
    return token


async def resolve_session(session: AsyncSession, token: str) -> User | None:
    """The active, unsuspended user behind a live token, or None."""
    if not token or len(token) > 200:
        return None
    now = _now()
    row = (await session.execute(
        select(UserSession, User).join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == hash_token(token), UserSession.revoked_at.is_(None),
               UserSession.expires_at > now, UserSession.last_seen_at > now - IDLE_TIMEOUT)
    )).first()
    if row is None:
        return None
    user_session, user = row
    if not user.is_active or user.is_suspended:
        return None
    if now - user_session.last_seen_at > TOUCH_EVERY:
        user_session.last_seen_at = now
    return user


async def end_session(session: AsyncSession, token: str) -> None:
    await session.execute(update(UserSession).where(UserSession.token_hash == hash_token(token))
                          .values(revoked_at=_now()))


async def end_all_sessions(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Log the user out everywhere (suspension, password change, 'log out everywhere')."""
    await session.execute(update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
                          .values(revoked_at=_now()))
