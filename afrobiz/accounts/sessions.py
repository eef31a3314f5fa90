"""Log-in sessions: opaque bearer tokens, stored only as their SHA-256 hash.

A token has 256 bits of randomness; the server keeps its hash, so a leaked database or
Redis does not leak usable tokens. A session ends at its idle expiry (renewed on use), its
absolute expiry, log-out, suspension, or 'log out everywhere'.

Two stores behind the same four functions: Redis when settings.redis_url is set (expiry by
TTL, shared by every web process) and the user_sessions table otherwise. Either way the user
row is read on every request, so a suspended or deactivated user is refused at once even
before their sessions are ended.
"""
from __future__ import annotations

import asyncio
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
REDIS_PREFIX = "afrobiz:"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _usable(user: User | None) -> User | None:
    return user if user is not None and user.is_active and not user.is_suspended else None


# ---------------------------------------------------------------- PostgreSQL store

class PostgresStore:
    """Sessions as rows of user_sessions (one process, or no Redis configured)."""

    url = None

    async def start(self, session: AsyncSession, user: User, ip: str | None, user_agent: str | None) -> str:
        token, now = new_token(), _now()
        session.add(UserSession(user_id=user.id, token_hash=hash_token(token), created_at=now, last_seen_at=now,
                                expires_at=now + ABSOLUTE_TIMEOUT, ip_address=ip,
                                user_agent=(user_agent or "")[:500]))
        await session.flush()
        return token

    async def resolve(self, session: AsyncSession, token: str) -> User | None:
        now = _now()
        row = (await session.execute(
            select(UserSession, User).join(User, User.id == UserSession.user_id)
            .where(UserSession.token_hash == hash_token(token), UserSession.revoked_at.is_(None),
                   UserSession.expires_at > now, UserSession.last_seen_at > now - IDLE_TIMEOUT)
        )).first()
        if row is None:
            return None
        user_session, user = row
        if _usable(user) is None:
            return None
        if now - user_session.last_seen_at > TOUCH_EVERY:
            await session.execute(update(UserSession).where(UserSession.id == user_session.id)
                                  .values(last_seen_at=now))
        return user

    async def end(self, session: AsyncSession, token: str) -> None:
        await session.execute(update(UserSession).where(UserSession.token_hash == hash_token(token))
                              .values(revoked_at=_now()))

    async def end_all(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        await session.execute(update(UserSession)
                              .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
                              .values(revoked_at=_now()))


# ---------------------------------------------------------------- Redis store

class RedisStore:
    """Sessions as Redis hashes `<prefix>session:<sha256 hex>` expiring by TTL, plus a set
    `<prefix>user-sessions:<user id>` per user so 'log out everywhere' finds them all."""

    def __init__(self, url: str, prefix: str = REDIS_PREFIX):
        self.url, self.prefix = url, prefix
        self._client = None
        self._loop = None

    def client(self):
        import redis.asyncio as redis

        # A Redis connection belongs to one event loop; a second loop (a test server in a
        # thread) gets its own client.
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client, self._loop = redis.Redis.from_url(self.url, decode_responses=True), loop
        return self._client

    def _key(self, token: str) -> str:
        return f"{self.prefix}session:{hash_token(token).hex()}"

    def _user_key(self, user_id: uuid.UUID | str) -> str:
        return f"{self.prefix}user-sessions:{user_id}"

    @staticmethod
    def _ttl(created: float, now: float) -> int:
        remaining_absolute = created + ABSOLUTE_TIMEOUT.total_seconds() - now
        return max(1, int(min(IDLE_TIMEOUT.total_seconds(), remaining_absolute)))

    async def start(self, session: AsyncSession, user: User, ip: str | None, user_agent: str | None) -> str:
        token, now = new_token(), _now().timestamp()
        key, user_key = self._key(token), self._user_key(user.id)
        async with self.client().pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"user_id": str(user.id), "created": now, "seen": now,
                                    "ip": ip or "", "user_agent": (user_agent or "")[:500]})
            pipe.expire(key, self._ttl(now, now))
            pipe.sadd(user_key, key)
            pipe.expire(user_key, int(ABSOLUTE_TIMEOUT.total_seconds()))
            await pipe.execute()
        return token

    async def resolve(self, session: AsyncSession, token: str) -> User | None:
        key = self._key(token)
        data = await self.client().hgetall(key)
        if not data:
            return None
        now = _now().timestamp()
        created, seen = float(data["created"]), float(data["seen"])
        # The TTL ends sessions on its own; checking again keeps the rule exact.
        if now >= created + ABSOLUTE_TIMEOUT.total_seconds() or now >= seen + IDLE_TIMEOUT.total_seconds():
            await self.client().delete(key)
            return None
        user = _usable(await session.get(User, uuid.UUID(data["user_id"])))
        if user is not None and now - seen > TOUCH_EVERY.total_seconds():
            async with self.client().pipeline(transaction=True) as pipe:
                pipe.hset(key, "seen", now)
                pipe.expire(key, self._ttl(created, now))
                await pipe.execute()
        return user

    async def end(self, session: AsyncSession, token: str) -> None:
        key = self._key(token)
        user_id = await self.client().hget(key, "user_id")
        async with self.client().pipeline(transaction=True) as pipe:
            pipe.delete(key)
            if user_id:
                pipe.srem(self._user_key(user_id), key)
            await pipe.execute()

    async def end_all(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        user_key = self._user_key(user_id)
        keys = await self.client().smembers(user_key)
        await self.client().delete(user_key, *keys)


# ---------------------------------------------------------------- the store in use

_store: PostgresStore | RedisStore | None = None


def configure(redis_url: str | None, *, prefix: str = REDIS_PREFIX) -> None:
    """Choose the store: Redis at redis_url, or PostgreSQL when it is None."""
    global _store
    _store = RedisStore(redis_url, prefix) if redis_url else PostgresStore()


def current_store() -> PostgresStore | RedisStore:
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
