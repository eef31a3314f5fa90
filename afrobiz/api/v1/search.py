"""Search endpoints: GET /search/businesses (words, place, filters, facets) and GET /search/suggest."""
from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.analytics.queries import log_search_appearances
from afrobiz.api.deps import Session
from afrobiz.db.deps import ReadSession
from afrobiz.search import queries
from afrobiz.search import suggest as suggestions
from afrobiz.search.params import (
    DEFAULT_LIMIT,
    MAX_CURSOR,
    MAX_FILTER_TEXT,
    MAX_LIMIT,
    MAX_PRICE_TEXT,
    MAX_Q,
    MAX_RADIUS_KM,
    SUGGEST_LIMIT,
    SUGGEST_MAX_LIMIT,
    SUGGEST_MAX_Q,
    SearchParams,
)

router = APIRouter(tags=["search"])


class CategoryRef(BaseModel):
    id: uuid.UUID
    name: str
    slug: str


class SearchHit(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    category: CategoryRef | None = None
    city: str | None = None
    region: str | None = None
    average_rating: float
    review_count: int
    price_range: str | None = None
    distance_km: float | None = None
    is_open_now: bool
    is_featured: bool
    is_verified: bool
    thumbnail_url: str | None = None


class CategoryFacet(BaseModel):
    id: uuid.UUID
    name: str
    slug: str
    count: int


class ValueFacet(BaseModel):
    value: str
    count: int


class Facets(BaseModel):
    category: list[CategoryFacet]
    region: list[ValueFacet]
    price_range: list[ValueFacet]


class SearchPage(BaseModel):
    items: list[SearchHit]
    next_cursor: str | None
    facets: Facets | None = None
    total: int | None = None
    did_you_mean: str | None = None


class Suggestion(BaseModel):
    type: Literal["business", "category"]
    name: str
    slug: str


@router.get("/search/businesses", response_model=SearchPage, response_model_exclude_none=False,
            summary="Search active businesses")
async def search_businesses(
    request: Request,
    q: str | None = Query(None, max_length=MAX_Q, description="words; \"phrases\", or, -not"),
    category: str | None = Query(None, max_length=MAX_FILTER_TEXT, description="slug or id; includes subcategories"),
    region: str | None = Query(None, max_length=MAX_FILTER_TEXT),
    city: str | None = Query(None, max_length=MAX_FILTER_TEXT),
    lat: float | None = Query(None, ge=-90, le=90),
    lon: float | None = Query(None, ge=-180, le=180),
    radius_km: float | None = Query(None, gt=0, le=MAX_RADIUS_KM, description="default 25 with lat/lon"),
    min_rating: float | None = Query(None, ge=0, le=5),
    price_range: str | None = Query(None, max_length=MAX_PRICE_TEXT, description="comma-separated"),
    open_now: bool = False,
    verified: bool = False,
    bookable: bool = Query(False, description="has services that take bookings"),
    sort: Literal["relevance", "distance", "rating", "newest"] = "relevance",
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: str | None = Query(None, max_length=MAX_CURSOR),
    reads: AsyncSession = ReadSession,   # the replica when configured (afrobiz/db/deps.py)
    session: AsyncSession = Session,
):
    params = SearchParams(
        q=q, category=category, region=region, city=city, lat=lat, lon=lon, radius_km=radius_km,
        min_rating=min_rating, price_range=tuple((price_range or "").split(",")), open_now=open_now,
        verified=verified, bookable=bookable, sort=sort, limit=limit, cursor=cursor)
    result = await queries.search_businesses(reads, params=params, secret=request.app.state.settings.secret_key)
    # Analytics: which businesses this page showed (search appearances, click-through rate).
    await log_search_appearances(session, business_ids=[item["id"] for item in result.items])
    return SearchPage(items=result.items, next_cursor=result.next_cursor, facets=result.facets,
                      total=result.total, did_you_mean=result.did_you_mean)


@router.get("/search/suggest", response_model=list[Suggestion], summary="As-you-type suggestions")
async def suggest(q: str = Query("", max_length=SUGGEST_MAX_Q),
                  limit: int = Query(SUGGEST_LIMIT, ge=1, le=SUGGEST_MAX_LIMIT),
                  session: AsyncSession = ReadSession):
    return await suggestions.suggest(session, q=q, limit=limit)
