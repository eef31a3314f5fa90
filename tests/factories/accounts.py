"""Factories for accounts."""
from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User

DEFAULT_PASSWORD = "kudu-sunset-etosha-42"


async def create_user(session: AsyncSession, *, password: str | None = None, **overrides) -> User:
    """A user; pass password="..." to be able to log in with it (hashed with argon2id)."""
    values = {"email": f"{uuid.uuid4().hex[:12]}@example.na", "first_name": "Test", "last_name": "User",
              "role": "customer"} | overrides
    if password is not None:
        from afrobiz.accounts.passwords import hasher

        values["password_hash"] = hasher.hash(password)
    user = User(**values)
    session.add(user)
    await session.flush()
    return user


async def create_admin(session: AsyncSession, **overrides) -> User:
    return await create_user(session, role="admin", **overrides)


STRONG = DEFAULT_PASSWORD
TEST_REDIS_URL = "redis://127.0.0.1:6379/15"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
