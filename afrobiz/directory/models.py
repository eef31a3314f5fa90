"""Directory tables (categories, businesses, business_hours, business_images), mapped from migration 0001."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    TIMESTAMP,
    Boolean,
    Enum,
    FetchedValue,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    Time,
    Uuid,
    false,
    func,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from afrobiz.db.base import Base

if TYPE_CHECKING:
    from afrobiz.booking.models import Service


class BusinessStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class PriceRange(enum.StrEnum):
    BUDGET = "budget"
    MODERATE = "moderate"
    EXPENSIVE = "expensive"
    LUXURY = "luxury"


class ImageType(enum.StrEnum):
    LOGO = "logo"
    COVER = "cover"
    GALLERY = "gallery"
    MENU = "menu"
    CERTIFICATE = "certificate"


def _values(e: type[enum.Enum]) -> list[str]:
    return [m.value for m in e]


business_status = Enum(BusinessStatus, name="business_status", create_type=False, values_callable=_values)
price_range_enum = Enum(PriceRange, name="price_range_enum", create_type=False, values_callable=_values)
image_type_enum = Enum(ImageType, name="image_type_enum", create_type=False, values_callable=_values)

TZ = TIMESTAMP(timezone=True)


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, primary_key=True, default=uuid.uuid4, server_default=func.gen_random_uuid())


def _created_at() -> Mapped[datetime]:
    return mapped_column(TZ, nullable=False, server_default=func.now())


def _updated_at() -> Mapped[datetime]:
    return mapped_column(TZ, nullable=False, server_default=func.now(), server_onupdate=FetchedValue())


class Category(Base):
    """A category; a subcategory is a category with a parent (DESIGN 6.1)."""

    __tablename__ = "categories"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = _id()
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    slug: Mapped[str] = mapped_column(String(100), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    icon: Mapped[str | None] = mapped_column(String(50))
    color: Mapped[str | None] = mapped_column(String(7))
    image_url: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("categories.id"))
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=true())
    seo_title: Mapped[str | None] = mapped_column(String(255))
    seo_description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()

    parent: Mapped[Category | None] = relationship(
        remote_side=[id], back_populates="children", lazy="raise"
    )
    children: Mapped[list[Category]] = relationship(
        back_populates="parent", lazy="raise", passive_deletes=True, order_by="Category.sort_order"
    )


class Business(Base):
    __tablename__ = "businesses"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = _id()
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    slug: Mapped[str] = mapped_column(String(255), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    category_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("categories.id"))
    subcategory_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("categories.id"))
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(20))
    website: Mapped[str | None] = mapped_column(String(255))
    whatsapp: Mapped[str | None] = mapped_column(String(20))
    street_address: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(100), nullable=False, server_default="Namibia")
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(10, 8))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(11, 8))
    logo_url: Mapped[str | None] = mapped_column(Text)
    cover_image_url: Mapped[str | None] = mapped_column(Text)
    price_range: Mapped[PriceRange | None] = mapped_column(
        price_range_enum, server_default=PriceRange.MODERATE.value
    )
    currency: Mapped[str] = mapped_column(String(3), nullable=False, server_default="NAD")
    status: Mapped[BusinessStatus] = mapped_column(
        business_status, nullable=False, server_default=BusinessStatus.PENDING.value
    )
    is_verified: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())
    verification_date: Mapped[datetime | None] = mapped_column(TZ)
    is_featured: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())
    featured_until: Mapped[datetime | None] = mapped_column(TZ)
    meta_title: Mapped[str | None] = mapped_column(String(255))
    meta_description: Mapped[str | None] = mapped_column(Text)
    keywords: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    view_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    click_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    booking_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    # Kept by the review rating trigger (DESIGN 6.2).
    average_rating: Mapped[Decimal] = mapped_column(Numeric(3, 2), nullable=False, server_default=text("0"))
    review_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    # Kept by a BEFORE INSERT/UPDATE trigger (DESIGN 6.5): read-only here, and not loaded
    # unless asked for (undefer) since only the search query needs it.
    search_document: Mapped[str] = mapped_column(
        TSVECTOR,
        nullable=False,
        server_default=text("''::tsvector"),
        server_onupdate=FetchedValue(),
        deferred=True,
    )
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()
    published_at: Mapped[datetime | None] = mapped_column(TZ)
    settings: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )

    category: Mapped[Category | None] = relationship(foreign_keys=[category_id], lazy="raise")
    subcategory: Mapped[Category | None] = relationship(foreign_keys=[subcategory_id], lazy="raise")
    hours: Mapped[list[BusinessHours]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="BusinessHours.day_of_week",
    )
    images: Mapped[list[BusinessImage]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="BusinessImage.sort_order",
    )
    services: Mapped[list[Service]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Service.sort_order",
    )

    @validates("search_document")
    def _search_document_is_server_maintained(self, key: str, value: object) -> object:
        raise AttributeError("businesses.search_document is maintained by a database trigger")

    def __repr__(self) -> str:
        return f"<Business {self.id} {self.slug!r}>"


class BusinessHours(Base):
    """Opening hours for one day; day_of_week 0 = Sunday."""

    __tablename__ = "business_hours"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = _id()
    business_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("businesses.id", ondelete="CASCADE"), nullable=False
    )
    day_of_week: Mapped[int] = mapped_column(Integer, nullable=False)
    open_time: Mapped[time | None] = mapped_column(Time)
    close_time: Mapped[time | None] = mapped_column(Time)
    is_closed: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())
    is_24_hours: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()


class BusinessImage(Base):
    __tablename__ = "business_images"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = _id()
    business_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("businesses.id", ondelete="CASCADE"), nullable=False
    )
    image_url: Mapped[str] = mapped_column(Text, nullable=False)
    alt_text: Mapped[str | None] = mapped_column(String(255))
    caption: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    image_type: Mapped[ImageType] = mapped_column(
        image_type_enum, nullable=False, server_default=ImageType.GALLERY.value
    )
    created_at: Mapped[datetime] = _created_at()
    # Migration 0003: the largest size's pixels and every stored WebP size
    # ({"thumb": {"key", "url", "width", "height"}, "card": ..., "full": ...}).
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    variants: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))


class BusinessClick(Base):
    """One click on a contact button (phone, whatsapp, website, directions) (0003)."""

    __tablename__ = "business_clicks"

    id: Mapped[uuid.UUID] = _id()
    business_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("businesses.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    clicked_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())
