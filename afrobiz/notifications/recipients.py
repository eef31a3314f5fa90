"""Who a notification is for: the few columns of the users table that choosing channels and
sending need, read through one narrow query.

notifications imports no domain (it is the leaf every domain calls), so it reads these
columns itself instead of through accounts' model; and it reads them when the message is
about to go, not when a domain calls notify(): consent, a verified phone, a suspension or a
changed address count as they are when the message is sent (a retried job may run hours
later). It never writes the users table.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import column, select, table
from sqlalchemy.ext.asyncio import AsyncSession

users = table("users", column("id"), column("email"), column("phone"), column("phone_verified"),
              column("first_name"), column("preferred_language"), column("marketing_consent"),
              column("is_active"), column("is_suspended"))


@dataclass(frozen=True)
class Recipient:
    id: uuid.UUID
    email: str
    phone: str | None
    phone_verified: bool
    first_name: str
    preferred_language: str
    marketing_consent: bool
    is_active: bool
    is_suspended: bool


async def get_recipient(session: AsyncSession, user_id: uuid.UUID) -> Recipient | None:
    """The user as a recipient, or None (a deleted account). The caller flushes first if
    its session holds unwritten changes to the user."""
    row = (await session.execute(select(*users.c).where(users.c.id == user_id))).first()
    return Recipient(**row._mapping) if row else None
