"""Reads of favourites: the user's list, and which of some businesses they saved (for hearts)."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.directory.models import Business, BusinessStatus, Category
from afrobiz.engagement.models import UserFavorite
from afrobiz.reviews.pagination import Page, after, clamp_limit, decode_cursor, encode_cursor, order_by


@dataclass
class FavoriteBusiness:
    id: uuid.UUID
    slug: str
    name: str
    category: str | None
    city: str | None
    region: str | None
    average_rating: Decimal
    review_count: int
    cover_image_url: str | None
    logo_url: str | None
    favorited_at: datetime


async def list_favorites(session: AsyncSession, *, user_id: uuid.UUID, limit: int | None = None,
                         cursor: str | None = None) -> Page[FavoriteBusiness]:
    """The user's saved businesses that are still listed, newest saved first."""
    limit = clamp_limit(limit)
    keys = [(UserFavorite.created_at, True), (UserFavorite.id, True)]
    stmt = (select(UserFavorite.id.label("fav_id"), UserFavorite.created_at, Business, Category.name.label("category"))
            .join(Business, Business.id == UserFavorite.business_id)
            .outerjoin(Category, Category.id == Business.category_id)
            .where(UserFavorite.user_id == user_id, Business.status == BusinessStatus.ACTIVE))
    if cursor:
        stmt = stmt.where(after(keys, decode_cursor(cursor, [datetime, uuid.UUID])))
    rows = (await session.execute(stmt.order_by(*order_by(keys)).limit(limit + 1))).all()
    next_cursor = encode_cursor([rows[limit - 1].created_at, rows[limit - 1].fav_id]) if len(rows) > limit else None
    items = [FavoriteBusiness(b.id, b.slug, b.name, r.category, b.city, b.region, b.average_rating, b.review_count,
                              b.cover_image_url, b.logo_url, r.created_at)
             for r in rows[:limit] for b in [r.Business]]
    return Page(items, next_cursor)


async def favorite_ids(session: AsyncSession, *, user_id: uuid.UUID | None,
                       business_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these businesses the user saved (for the heart on cards); none when anonymous."""
    ids = list(business_ids)
    if user_id is None or not ids:
        return set()
    return set((await session.scalars(select(UserFavorite.business_id).where(
        UserFavorite.user_id == user_id, UserFavorite.business_id.in_(ids)))).all())


async def is_favorite(session: AsyncSession, *, user_id: uuid.UUID | None, business_id: uuid.UUID) -> bool:
    return business_id in await favorite_ids(session, user_id=user_id, business_ids=[business_id])
