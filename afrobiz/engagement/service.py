"""Favourites: a user's saved businesses (add and remove are idempotent)."""
from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.directory.models import Business, BusinessStatus
from afrobiz.engagement.models import UserFavorite
from afrobiz.errors import NotFound


async def add_favorite(session: AsyncSession, *, user: User, business_id: uuid.UUID) -> None:
    """Save an active business to the user's favourites; saving it again changes nothing."""
    status = await session.scalar(select(Business.status).where(Business.id == business_id))
    if status != BusinessStatus.ACTIVE:
        raise NotFound("No such business.")
    await session.execute(insert(UserFavorite).values(user_id=user.id, business_id=business_id)
                          .on_conflict_do_nothing(index_elements=[UserFavorite.user_id, UserFavorite.business_id]))


async def remove_favorite(session: AsyncSession, *, user: User, business_id: uuid.UUID) -> None:
    """Remove a business from the user's favourites (whatever its status; nothing if not saved)."""
    await session.execute(delete(UserFavorite).where(UserFavorite.user_id == user.id,
                                                     UserFavorite.business_id == business_id))
