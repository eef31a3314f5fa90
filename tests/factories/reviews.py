"""Factories for reviews and favourites: seasoned customers, completed bookings, review rows."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.booking.models import Booking
from afrobiz.reviews.models import Review
from factories.accounts import create_user


async def create_customer(session: AsyncSession, **overrides):
    """A customer whose account is two months old (a brand-new account is a spam signal)."""
    return await create_user(session, **({"created_at": datetime.now(UTC) - timedelta(days=60)} | overrides))


async def create_completed_booking(session: AsyncSession, *, business, customer, **overrides) -> Booking:
    """A finished booking row written directly (no service or slot needed for reviews)."""
    values = {"booking_number": f"R{uuid.uuid4().hex[:12].upper()}", "business_id": business.id,
              "customer_id": customer.id, "booking_date": date.today() - timedelta(days=2),
              "booking_time": time(10), "total_amount": 150, "status": "completed"} | overrides
    booking = Booking(**values)
    session.add(booking)
    await session.flush()
    return booking


async def create_review(session: AsyncSession, *, business, customer, **overrides) -> Review:
    """A review row (approved unless told otherwise), bypassing the rules: for set-ups only."""
    values = {"business_id": business.id, "customer_id": customer.id, "rating": 4, "title": "Good",
              "content": "Friendly people and fair prices.", "status": "approved",
              "published_at": datetime.now(UTC)} | overrides
    review = Review(**values)
    session.add(review)
    await session.flush()
    return review


async def set_setting(session: AsyncSession, key: str, value: str, data_type: str = "string") -> None:
    from sqlalchemy import text

    await session.execute(text(
        "INSERT INTO system_settings (key, value, data_type) VALUES (:k, :v, :t) "
        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, data_type = EXCLUDED.data_type"),
        {"k": key, "v": value, "t": data_type})
    from afrobiz.admin.settings import invalidate

    invalidate(key)       # written behind the settings editor's back: drop the cached value
