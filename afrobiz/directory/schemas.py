"""The directory's shapes in and out (Pydantic): shared by the JSON API and the pages."""
from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from afrobiz.directory.business_settings import BusinessSettings
from afrobiz.directory.models import BusinessStatus, ImageType, PriceRange
from afrobiz.kit.dates import BoundedDateTime

_OPTIONAL_TEXT = ("description", "category_id", "subcategory_id", "city", "region", "email", "phone", "whatsapp",
                  "website", "street_address", "postal_code", "latitude", "longitude", "price_range", "meta_title", "meta_description")


class _Profile(BaseModel):
    # extra="ignore": fields an owner may not set (status, is_verified, view_count...) are
    # dropped here, so sending them changes nothing (no mass assignment).
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @field_validator(*_OPTIONAL_TEXT, mode="before", check_fields=False)
    @classmethod
    def _blank_is_none(cls, v: Any) -> Any:
        # An empty form field means "none", not "an empty string".
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("keywords", mode="before", check_fields=False)
    @classmethod
    def _split_keywords(cls, v: Any) -> Any:
        if isinstance(v, str):
            return [k.strip() for k in v.split(",") if k.strip()]
        return v

    # The optional fields, alike for creating and updating a listing.
    description: str | None = Field(None, max_length=5000)
    subcategory_id: uuid.UUID | None = None
    email: EmailStr | None = None
    phone: str | None = Field(None, max_length=30)
    whatsapp: str | None = Field(None, max_length=30)
    website: str | None = Field(None, max_length=255)
    street_address: str | None = Field(None, max_length=500)
    postal_code: str | None = Field(None, max_length=20)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    price_range: PriceRange | None = None
    meta_title: str | None = Field(None, max_length=255)
    meta_description: str | None = Field(None, max_length=500)
    keywords: list[str] | None = Field(None, max_length=20)
    settings: BusinessSettings | None = Field(
        None, description="time zone and payment settings; a change keeps the keys it does not name")


class BusinessCreate(_Profile):
    name: str = Field(min_length=2, max_length=255)
    category_id: uuid.UUID
    city: str = Field(min_length=2, max_length=100)
    region: str = Field(min_length=2, max_length=100)


class BusinessUpdate(_Profile):
    """A partial update: only the fields sent are changed (a null clears an optional one)."""
    name: str | None = Field(None, min_length=2, max_length=255)
    category_id: uuid.UUID | None = None
    city: str | None = Field(None, min_length=2, max_length=100)
    region: str | None = Field(None, min_length=2, max_length=100)


class HoursIn(BaseModel):
    day_of_week: int = Field(ge=0, le=6, description="0 = Sunday")
    open_time: time | None = None
    close_time: time | None = None
    is_closed: bool = False
    is_24_hours: bool = False


class ImageUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    alt_text: str | None = Field(None, max_length=255)
    caption: str | None = Field(None, max_length=2000)
    sort_order: int | None = Field(None, ge=0, le=10000)


class StatusChange(BaseModel):
    status: BusinessStatus
    reason: str | None = Field(None, max_length=1000)


class FeatureIn(BaseModel):
    until: BoundedDateTime | None = Field(None, description="null ends the featuring")


class VerifyIn(BaseModel):
    verified: bool = True


# ---------------------------------------------------------------- out


class CategoryRef(BaseModel):
    id: uuid.UUID
    name: str
    slug: str


class HoursRead(BaseModel):
    day_of_week: int
    day_name: str
    open_time: str | None
    close_time: str | None
    is_closed: bool
    is_24_hours: bool


class ClosureRead(BaseModel):
    id: uuid.UUID
    closed_on: date
    reason: str | None


class ImageSize(BaseModel):
    url: str
    width: int
    height: int


class ImageRead(BaseModel):
    id: uuid.UUID
    image_url: str
    image_type: ImageType
    alt_text: str | None
    caption: str | None
    sort_order: int
    width: int | None
    height: int | None
    sizes: dict[str, ImageSize]


class ServiceRead(BaseModel):
    id: uuid.UUID
    name: str
    description: str | None
    price: str | None
    currency: str
    duration_minutes: int | None
    requires_booking: bool


class BusinessRead(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    description: str | None
    status: BusinessStatus
    category: CategoryRef | None
    subcategory: CategoryRef | None
    email: str | None
    phone: str | None
    whatsapp: str | None
    whatsapp_url: str | None
    website: str | None
    street_address: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str
    latitude: float | None
    longitude: float | None
    logo_url: str | None
    cover_image_url: str | None
    price_range: PriceRange | None
    currency: str
    is_verified: bool
    is_featured: bool
    featured_until: datetime | None
    published_at: datetime | None
    meta_title: str | None
    meta_description: str | None
    keywords: list[str]
    average_rating: str
    review_count: int
    rating_is_new: bool = Field(description="fewer approved reviews than the site shows an average for")
    rating_distribution: dict[str, int]
    is_open_now: bool
    closes_at: datetime | None
    opens_at: datetime | None
    hours: list[HoursRead]
    closures: list[ClosureRead]
    images: list[ImageRead]
    services: list[ServiceRead]
    created_at: datetime
    updated_at: datetime


class BusinessSummary(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    status: BusinessStatus
    city: str | None
    region: str | None
    is_verified: bool
    is_featured: bool
    average_rating: str
    review_count: int
    view_count: int
    click_count: int
    created_at: datetime
    published_at: datetime | None


class BusinessPage(BaseModel):
    items: list[BusinessSummary]
    next_cursor: str | None
