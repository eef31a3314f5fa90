"""Factories for accounts."""
from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User


async def create_user(session: AsyncSession, **overrides) -> User:
    values = {"email": f"{uuid.uuid4().hex[:12]}@example.na", "first_name": "Test", "last_name": "User",
              "role": "customer"} | overrides
    user = User(**values)
    session.add(user)
    await session.flush()
    return user
