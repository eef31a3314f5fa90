"""The search domain's tables: the search index and the word list (migration 0004), name words
(0015) and word postings with their counts (0020, 0021)."""
from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    TIMESTAMP,
    Boolean,
    Double,
    ForeignKey,
    Integer,
    Numeric,
    REAL,
    SmallInteger,
    String,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import INT8MULTIRANGE, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from afrobiz.db.base import Base
from afrobiz.directory.models import PriceRange, price_range_enum


class SearchWord(Base):
    """A listed word (unaccented, lower case, unstemmed), kept by triggers; read-only here."""

    __tablename__ = "search_words"

    word: Mapped[str] = mapped_column(Text, primary_key=True)


class SearchEntry(Base):
    """The search index row of an active business (migration 0004), kept by triggers; read-only here.
    A side table because RLS on businesses keeps the planner off the GIN and GiST indexes."""

    __tablename__ = "search_entries"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("businesses.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    search_document: Mapped[str] = mapped_column(TSVECTOR, nullable=False)
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(10, 8))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(11, 8))
    category_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    subcategory_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    price_range: Mapped[PriceRange | None] = mapped_column(price_range_enum)
    average_rating: Mapped[Decimal] = mapped_column(Numeric(3, 2), nullable=False)
    review_count: Mapped[int] = mapped_column(Integer, nullable=False)
    is_verified: Mapped[bool] = mapped_column(Boolean, nullable=False)
    is_featured: Mapped[bool] = mapped_column(Boolean, nullable=False)
    featured_until: Mapped[datetime | None] = mapped_column(TIMESTAMP(timezone=True))
    created_at: Mapped[datetime] = mapped_column(TIMESTAMP(timezone=True), nullable=False)
    # Migration 0015: generated (stored) columns for the ranking and the exact-name boost, and
    # the weekly hours for open now (the expressions live there; never written from Python).
    base_score: Mapped[float | None] = mapped_column(Double)
    name_key: Mapped[str | None] = mapped_column(Text)
    open_week: Mapped[object] = mapped_column(INT8MULTIRANGE, nullable=False, server_default="{}")
    # Migration 0017: the unit-sphere point (generated, stored) for the exact radius check.
    geo_x: Mapped[float | None] = mapped_column(Double)
    geo_y: Mapped[float | None] = mapped_column(Double)
    geo_z: Mapped[float | None] = mapped_column(Double)


class SearchNameWord(Base):
    """A word of an active business's name (unaccented, lower case), for suggest (migration
    0015), kept by triggers on search_entries; read-only here."""

    __tablename__ = "search_name_words"

    word: Mapped[str] = mapped_column(Text(collation="C"), primary_key=True)
    business_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("search_entries.id", ondelete="CASCADE"), primary_key=True)


class SearchPosting(Base):
    """A word of a located search entry tagged with its 0.1-degree cell and 0.01-degree
    subcell, with what a one-word search near a place ranks, filters and counts on
    (migrations 0020, 0021), kept by triggers on search_entries; read-only here. Keyed best
    first within a subcell (s_key: an upper bound of the score apart from distance)."""

    __tablename__ = "search_postings"

    token: Mapped[str] = mapped_column(Text(collation="C"), primary_key=True)
    sub: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    s_key: Mapped[float] = mapped_column(Double, primary_key=True)
    business_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, index=True)
    rank: Mapped[float] = mapped_column(REAL, nullable=False)
    lcp_prev: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    lcp_next: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    category_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    subcategory_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    region: Mapped[str | None] = mapped_column(String(100))
    price_range: Mapped[PriceRange | None] = mapped_column(price_range_enum)
    base_score: Mapped[float | None] = mapped_column(Double)
    is_featured: Mapped[bool] = mapped_column(Boolean, nullable=False)
    featured_until: Mapped[datetime | None] = mapped_column(TIMESTAMP(timezone=True))
    geo_x: Mapped[float] = mapped_column(Double, nullable=False)
    geo_y: Mapped[float] = mapped_column(Double, nullable=False)
    geo_z: Mapped[float] = mapped_column(Double, nullable=False)


class SearchPostingCount(Base):
    """How many postings a (token, subcell, lcp_prev, category, subcategory, region, price
    range) has (migration 0021): a search counts a subcell its radius covers from here."""

    __tablename__ = "search_posting_counts"
    __mapper_args__ = {"primary_key": ["token", "sub", "lcp_prev", "category_id", "subcategory_id", "region",
                                       "price_range"]}

    token: Mapped[str] = mapped_column(Text(collation="C"), nullable=False)
    sub: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    lcp_prev: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    category_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    subcategory_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    region: Mapped[str | None] = mapped_column(String(100))
    price_range: Mapped[PriceRange | None] = mapped_column(price_range_enum)
    n: Mapped[int] = mapped_column(Integer, nullable=False)
