"""The search API's answers: their shapes (the OpenAPI document) and the one writer of their
JSON, used by the routes and the hot lane alike (api/v1/search.py, api/hot.py)."""
from __future__ import annotations

import json
import uuid
from typing import Literal

from pydantic import BaseModel

from afrobiz.search.queries import SearchResult


class CategoryRef(BaseModel):
    id: uuid.UUID
    name: str
    slug: str


class SearchHit(BaseModel):
    """One result. The database writes it in this shape (search/sql/page.py: item_json)."""

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


def dumps(value: object) -> bytes:
    """JSON as FastAPI's JSONResponse writes it."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def page_json(result: SearchResult) -> bytes:
    """A SearchPage: the items are already SearchHits (no model per item: a page of twenty
    validated and serialised costs more than the rest of the lane's work)."""
    return dumps({"items": result.items, "next_cursor": result.next_cursor, "facets": result.facets,
                  "total": result.total, "did_you_mean": result.did_you_mean})


def suggestions_json(found: list[dict]) -> bytes:
    """A list of Suggestions (search/suggest.py writes each in that shape)."""
    return dumps(found)
