"""Factories for the booking domain: services with weekly windows, hours, bookings."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo
from decimal import Decimal

from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.booking import availability as av
from afrobiz.booking.models import Booking, Service, ServiceAvailability
from afrobiz.booking.service import new_booking_number
from afrobiz.booking.slots import rules_for


def windhoek_today() -> date:
    return datetime.now(UTC).astimezone(ZoneInfo("Africa/Windhoek")).date()
from afrobiz.directory.models import BusinessHours

EVERY_DAY = range(7)


async def create_service(session: AsyncSession, *, business, windows=None, **overrides) -> Service:
    """A bookable service (60 min, N$150, capacity 1, no minimum notice) open 08:00-17:00 every day
    unless windows=[(day, start, end), ...] says otherwise."""
    values = {"name": f"Service {uuid.uuid4().hex[:6]}", "price": Decimal("150.00"), "duration_minutes": 60,
              "min_advance_booking_hours": 0, "max_advance_booking_days": 60, "business_id": business.id} | overrides
    service = Service(**values)
    session.add(service)
    await session.flush()
    for day, start, end in (windows if windows is not None else [(d, time(8), time(17)) for d in EVERY_DAY]):
        session.add(ServiceAvailability(service_id=service.id, day_of_week=day, start_time=start, end_time=end))
    await session.flush()
    return service


async def set_hours(session: AsyncSession, *, business, open_time=time(8), close_time=time(17), days=EVERY_DAY,
                    closed_days=()) -> None:
    for day in days:
        closed = day in closed_days
        session.add(BusinessHours(business_id=business.id, day_of_week=day, open_time=None if closed else open_time,
                                  close_time=None if closed else close_time, is_closed=closed))
    await session.flush()


async def create_booking(session: AsyncSession, *, service: Service, day: date, at: time, customer=None,
                         **overrides) -> Booking:
    """A booking row written directly (as system), bypassing the rules: for set-ups only."""
    rules = rules_for(service, av.DEFAULT_TZ)
    lo, hi = av.occupied_range(rules, av.local_to_utc(day, at))
    values = {"booking_number": new_booking_number(), "business_id": service.business_id, "service_id": service.id,
              "customer_id": customer.id if customer else None,
              "customer_name": f"{customer.first_name} {customer.last_name}" if customer else "Guest Person",
              "booking_date": day, "booking_time": at, "duration_minutes": service.duration_minutes,
              "service_price": service.price, "total_amount": service.price or Decimal("0"),
              "time_range": Range(lo, hi, bounds="[)"), "exclusive_slot": service.capacity == 1} | overrides
    booking = Booking(**values)
    session.add(booking)
    await session.flush()
    return booking
