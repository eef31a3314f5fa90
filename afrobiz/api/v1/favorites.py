"""Favourites: save, unsave and list the businesses a user likes."""
from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.api.deps import Session, current_user
from afrobiz.engagement import queries, service

router = APIRouter(prefix="/me/favorites", tags=["favourites"])


class FavoriteRead(BaseModel):
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


class FavoritePage(BaseModel):
    items: list[FavoriteRead]
    next_cursor: str | None


@router.get("", response_model=FavoritePage, summary="Your saved businesses, newest first")
async def list_favorites(session: AsyncSession = Session, user: User = Depends(current_user),
                         limit: int = Query(20, ge=1, le=100), cursor: str | None = None):
    page = await queries.list_favorites(session, user_id=user.id, limit=limit, cursor=cursor)
    return FavoritePage(items=[FavoriteRead(**f.__dict__) for f in page.items], next_cursor=page.next_cursor)


@router.put("/{business_id}", status_code=204, summary="Save a business (idempotent)")
async def add_favorite(business_id: uuid.UUID, session: AsyncSession = Session, user: User = Depends(current_user)):
    await service.add_favorite(session, user=user, business_id=business_id)
    return Response(status_code=204)


@router.delete("/{business_id}", status_code=204, summary="Unsave a business (idempotent)")
async def remove_favorite(business_id: uuid.UUID, session: AsyncSession = Session,
                          user: User = Depends(current_user)):
    await service.remove_favorite(session, user=user, business_id=business_id)
    return Response(status_code=204)
