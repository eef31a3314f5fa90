"""Booking tables (services, service_availability, bookings, booking_status_history) from
migration 0001, and business_closures from 0005."""
from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    TIMESTAMP,
    Boolean,
    Date,
    Enum,
    FetchedValue,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    Time,
    Uuid,
    func,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import TSTZRANGE, Range
from sqlalchemy.orm import Mapped, mapped_column, relationship

from afrobiz.db.base import Base


class BookingStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


# The statuses that hold a slot (the exclusion constraint's WHERE says the same).
ACTIVE_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED, BookingStatus.IN_PROGRESS)

booking_status = Enum(
    BookingStatus, name="booking_status", create_type=False, values_callable=lambda e: [m.value for m in e]
)

TZ = TIMESTAMP(timezone=True)
MONEY = Numeric(10, 2)


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, primary_key=True, default=uuid.uuid4, server_default=func.gen_random_uuid())


def _created_at() -> Mapped[datetime]:
    return mapped_column(TZ, nullable=False, server_default=func.now())


def _updated_at() -> Mapped[datetime]:
    return mapped_column(TZ, nullable=False, server_default=func.now(), server_onupdate=FetchedValue())


def _int(default: int) -> Mapped[int]:
    return mapped_column(Integer, nullable=False, server_default=text(str(default)))


class Service(Base):
    __tablename__ = "services"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = _id()
    business_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("businesses.id", ondelete="CASCADE"), nullable=False
    )
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    price: Mapped[Decimal | None] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, server_default="NAD")
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=true())
    requires_booking: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=true())
    max_advance_booking_days: Mapped[int] = _int(30)
    min_advance_booking_hours: Mapped[int] = _int(1)
    sort_order: Mapped[int] = _int(0)
    buffer_before_minutes: Mapped[int] = _int(0)
    buffer_after_minutes: Mapped[int] = _int(0)
    capacity: Mapped[int] = _int(1)
    cancellation_deadline_hours: Mapped[int] = _int(0)
    # Migration 0005: slots step by this many minutes (None = the duration); price per guest.
    slot_interval_minutes: Mapped[int | None] = mapped_column(Integer)
    price_per_person: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()

    availability: Mapped[list[ServiceAvailability]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by=lambda: (ServiceAvailability.day_of_week, ServiceAvailability.start_time),
    )

    def __repr__(self) -> str:
        return f"<Service {self.id} {self.name!r}>"


class ServiceAvailability(Base):
    """A weekly window in which a service can be booked; day_of_week 0 = Sunday."""

    __tablename__ = "service_availability"

    id: Mapped[uuid.UUID] = _id()
    service_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("services.id", ondelete="CASCADE"), nullable=False
    )
    day_of_week: Mapped[int] = mapped_column(Integer, nullable=False)
    start_time: Mapped[time] = mapped_column(Time, nullable=False)
    end_time: Mapped[time] = mapped_column(Time, nullable=False)
    is_available: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=true())
    created_at: Mapped[datetime] = _created_at()


class Booking(Base):
    """A booking; booking_date/booking_time are local to the business, time_range is the
    occupied UTC range including buffers (the exclusion constraint's input, DESIGN 6.7)."""

    __tablename__ = "bookings"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = _id()
    booking_number: Mapped[str] = mapped_column(String(20), nullable=False)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    business_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("businesses.id"), nullable=False)
    service_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("services.id"))
    booking_date: Mapped[date] = mapped_column(Date, nullable=False)
    booking_time: Mapped[time] = mapped_column(Time, nullable=False)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    guest_count: Mapped[int] = _int(1)
    customer_name: Mapped[str | None] = mapped_column(String(255))
    customer_email: Mapped[str | None] = mapped_column(String(255))
    customer_phone: Mapped[str | None] = mapped_column(String(20))
    service_price: Mapped[Decimal | None] = mapped_column(MONEY)
    additional_fees: Mapped[Decimal] = mapped_column(MONEY, nullable=False, server_default=text("0"))
    discount_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False, server_default=text("0"))
    total_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, server_default="NAD")
    status: Mapped[BookingStatus] = mapped_column(
        booking_status, nullable=False, server_default=BookingStatus.PENDING.value
    )
    notes: Mapped[str | None] = mapped_column(Text)
    internal_notes: Mapped[str | None] = mapped_column(Text)
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    time_range: Mapped[Range[datetime] | None] = mapped_column(TSTZRANGE)
    exclusive_slot: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=true())
    created_at: Mapped[datetime] = _created_at()
    updated_at: Mapped[datetime] = _updated_at()
    confirmed_at: Mapped[datetime | None] = mapped_column(TZ)
    completed_at: Mapped[datetime | None] = mapped_column(TZ)
    cancelled_at: Mapped[datetime | None] = mapped_column(TZ)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(TZ)
    follow_up_sent_at: Mapped[datetime | None] = mapped_column(TZ)

    status_history: Mapped[list[BookingStatusHistory]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="BookingStatusHistory.created_at",
    )

    def __repr__(self) -> str:
        return f"<Booking {self.booking_number} {self.status}>"


class BookingStatusHistory(Base):
    __tablename__ = "booking_status_history"

    id: Mapped[uuid.UUID] = _id()
    booking_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("bookings.id", ondelete="CASCADE"), nullable=False
    )
    old_status: Mapped[BookingStatus | None] = mapped_column(booking_status)
    new_status: Mapped[BookingStatus] = mapped_column(booking_status, nullable=False)
    changed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created_at()


class BusinessClosure(Base):
    """A local date on which the business takes no bookings (holiday, leave)."""

    __tablename__ = "business_closures"

    id: Mapped[uuid.UUID] = _id()
    business_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("businesses.id", ondelete="CASCADE"), nullable=False
    )
    closed_on: Mapped[date] = mapped_column(Date, nullable=False)
    reason: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = _created_at()
