"""Review tables (reviews, review_images, review_votes), mapped from migration 0001."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime
from ipaddress import IPv4Address, IPv6Address

from sqlalchemy import (
    TIMESTAMP,
    Boolean,
    Enum,
    FetchedValue,
    ForeignKey,
    Integer,
    String,
    Text,
    Uuid,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, INET
from sqlalchemy.orm import Mapped, mapped_column, relationship

from afrobiz.db.base import Base


class ReviewStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    FLAGGED = "flagged"


review_status = Enum(
    ReviewStatus, name="review_status", create_type=False, values_callable=lambda e: [m.value for m in e]
)

TZ = TIMESTAMP(timezone=True)


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, primary_key=True, default=uuid.uuid4, server_default=func.gen_random_uuid())


def _created_at() -> Mapped[datetime]:
    return mapped_column(TZ, nullable=False, server_default=func.now())


def _updated_at() -> Mapped[datetime]:
    return mapped_column(TZ, nullable=False, server_default=func.now(), server_onupdate=FetchedValue())


class Review(Base):
    """A review (1-5 stars); approved reviews feed businesses.average_rating via a trigger."""

    __tablename__ = "reviews"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = _id()
    business_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("businesses.id", ondelete="CASCADE"), nullable=False
    )
    customer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))
    booking_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("bookings.id", ondelete="SET NULL"))
    rating: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str | None] = mapped_column(String(255))
    content: Mapped[str | None] = mapped_column(Text)
    service_rating: Mapped[int | None] = mapped_column(Integer)
    quality_rating: Mapped[int | None] = mapped_column(Integer)
    value_rating: Mapped[int | None] = mapped_column(Integer)
    cleanliness_rating: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[ReviewStatus] = mapped_column(
        review_status, nullable=False, server_default=ReviewStatus.PENDING.value
    )
    is_verified: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())
    is_featured: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())
    moderation_notes: Mapped[str | None] = mapped_column(Text)
    helpful_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    not_helpful_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    business_response: Mapped[str | None] = mapped_column(Text)
    business_response_date: Mapped[datetime | None] = mapped_column(TZ)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()
    published_at: Mapped[datetime | None] = mapped_column(TZ)
    # 0006: where it came from and why it was held (spam signals shown to moderators).
    ip_address: Mapped[IPv4Address | IPv6Address | None] = mapped_column(INET)
    spam_signals: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, server_default=text("'{}'"))

    images: Mapped[list[ReviewImage]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ReviewImage.sort_order",
    )

    def __repr__(self) -> str:
        return f"<Review {self.id} {self.rating}* {self.status}>"


class ReviewImage(Base):
    __tablename__ = "review_images"

    id: Mapped[uuid.UUID] = _id()
    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False
    )
    image_url: Mapped[str] = mapped_column(Text, nullable=False)
    alt_text: Mapped[str | None] = mapped_column(String(255))
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    created_at: Mapped[datetime] = _created_at()


class ReviewVote(Base):
    """One helpful / not-helpful vote per user per review (DESIGN 6.10)."""

    __tablename__ = "review_votes"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = _id()
    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    is_helpful: Mapped[bool] = mapped_column(Boolean, nullable=False)
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()


class ReviewReport(Base):
    """A user's report of a review (one per user per review, migration 0006)."""

    __tablename__ = "review_reports"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = _id()
    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("reviews.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created_at()
