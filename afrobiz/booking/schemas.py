"""Pydantic shapes of the booking domain: XCreate/XUpdate in, XRead out (API.md, Booking)."""
from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, PlainSerializer, field_validator, model_validator

from afrobiz.booking.models import BookingStatus
from afrobiz.kit.dates import BoundedDate

# Money goes out as "150.00" (API.md: strings with two decimals, plus currency).
Money = Annotated[Decimal, PlainSerializer(lambda d: f"{d:.2f}", return_type=str)]
HHMM = Annotated[time, PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str)]
Price = Annotated[Decimal, Field(ge=0, le=Decimal("99999999.99"), max_digits=10, decimal_places=2)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ServiceCreate(_In):
    name: str = Field(min_length=1, max_length=255)
    description: str | None = Field(None, max_length=5000)
    price: Price | None = None
    duration_minutes: int = Field(ge=5, le=1440)
    category: str | None = Field(None, max_length=100)
    requires_booking: bool = True
    max_advance_booking_days: int = Field(30, ge=0, le=730)
    min_advance_booking_hours: int = Field(1, ge=0, le=8760)
    buffer_before_minutes: int = Field(0, ge=0, le=720)
    buffer_after_minutes: int = Field(0, ge=0, le=720)
    capacity: int = Field(1, ge=1, le=1000)
    cancellation_deadline_hours: int = Field(0, ge=0, le=720)
    slot_interval_minutes: int | None = Field(None, ge=5, le=1440)
    price_per_person: bool = False


class ServiceUpdate(_In):
    name: str | None = Field(None, min_length=1, max_length=255)
    description: str | None = Field(None, max_length=5000)
    price: Price | None = None
    duration_minutes: int | None = Field(None, ge=5, le=1440)
    category: str | None = Field(None, max_length=100)
    is_active: bool | None = None
    requires_booking: bool | None = None
    max_advance_booking_days: int | None = Field(None, ge=0, le=730)
    min_advance_booking_hours: int | None = Field(None, ge=0, le=8760)
    buffer_before_minutes: int | None = Field(None, ge=0, le=720)
    buffer_after_minutes: int | None = Field(None, ge=0, le=720)
    capacity: int | None = Field(None, ge=1, le=1000)
    cancellation_deadline_hours: int | None = Field(None, ge=0, le=720)
    slot_interval_minutes: int | None = Field(None, ge=5, le=1440)
    price_per_person: bool | None = None


class ServiceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    business_id: uuid.UUID
    name: str
    description: str | None
    price: Money | None
    currency: str
    duration_minutes: int | None
    category: str | None
    is_active: bool
    requires_booking: bool
    max_advance_booking_days: int
    min_advance_booking_hours: int
    sort_order: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    capacity: int
    cancellation_deadline_hours: int
    slot_interval_minutes: int | None
    price_per_person: bool


class ReorderIn(_In):
    service_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)


class WindowIn(_In):
    day_of_week: int = Field(ge=0, le=6, description="0 = Sunday")
    start_time: time
    end_time: time = Field(description="00:00 means midnight at the end of the day")


class WindowRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    day_of_week: int
    start_time: HHMM
    end_time: HHMM


class ClosureIn(_In):
    date: BoundedDate
    reason: str | None = Field(None, max_length=255)


class ClosureRead(BaseModel):
    date: date
    reason: str | None


class SlotRead(BaseModel):
    date: date
    time: HHMM
    starts_at: datetime
    ends_at: datetime


class SlotsQuery(BaseModel):
    """GET /services/{id}/slots' query: the route and the hot lane check it with this."""

    from_: BoundedDate = Field(alias="from")
    to: BoundedDate | None = None


class BookingCreate(_In):
    service_id: uuid.UUID
    booking_date: BoundedDate
    booking_time: time
    guest_count: int = Field(1, ge=1, le=1000)
    notes: str | None = Field(None, max_length=2000)
    customer_name: str | None = Field(None, min_length=1, max_length=255)
    customer_email: EmailStr | None = Field(None, max_length=255)
    customer_phone: str | None = Field(None, min_length=6, max_length=20, pattern=r"^\+?[0-9 ()-]{6,20}$")

    @field_validator("booking_time")
    @classmethod
    def _no_seconds(cls, v: time) -> time:
        return v.replace(second=0, microsecond=0, tzinfo=None)


class Guest(BaseModel):
    """Who books without an account: a name plus an e-mail and/or a phone."""

    name: str
    email: str | None = None
    phone: str | None = None

    @model_validator(mode="after")
    def _reachable(self) -> Guest:
        if not self.email and not self.phone:
            raise ValueError("an e-mail or a phone number is needed")
        return self


class StatusChange(_In):
    status: BookingStatus
    reason: str | None = Field(None, max_length=1000)


class RescheduleIn(_In):
    booking_date: BoundedDate
    booking_time: time


class StatusHistoryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    old_status: BookingStatus | None
    new_status: BookingStatus
    changed_by: uuid.UUID | None
    reason: str | None
    created_at: datetime


class BookingRead(BaseModel):
    id: uuid.UUID
    booking_number: str
    business_id: uuid.UUID
    business_name: str | None = None
    service_id: uuid.UUID | None
    service_name: str | None = None
    customer_id: uuid.UUID | None
    customer_name: str | None
    customer_email: str | None = None
    customer_phone: str | None = None
    status: BookingStatus
    booking_date: date
    booking_time: HHMM
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int | None
    guest_count: int
    service_price: Money | None
    additional_fees: Money
    discount_amount: Money
    total_amount: Money
    currency: str
    notes: str | None
    cancellation_reason: str | None
    created_at: datetime
    confirmed_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    status_history: list[StatusHistoryRead] | None = None


class BookingList(BaseModel):
    items: list[BookingRead]
    next_cursor: str | None
