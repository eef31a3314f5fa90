"""Booking jobs: reminders, follow-ups and expiry pick the right bookings at the right moment, once."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from afrobiz.admin.models import SystemSetting
from afrobiz.booking.jobs import expire_pending_bookings, send_due_follow_ups, send_due_reminders
from afrobiz.booking.models import BookingStatusHistory
from afrobiz.config import Settings
from afrobiz.notifications.models import Notification
from factories.accounts import create_user
from factories.booking import create_booking, create_service
from factories.directory import create_business
from factories.notifications import jobs

DAY = date(2030, 6, 14)                               # a Friday
START = datetime(2030, 6, 14, 8, 0, tzinfo=UTC)      # 10:00 in Windhoek (UTC+2)


@pytest.fixture
def settings(tmp_path):
    return Settings(database_url=None, data_dir=tmp_path, base_url="https://afrobiz.example", environment="test")


@pytest.fixture
async def shop(db):
    owner = await create_user(db, role="business_owner")
    business = await create_business(db, owner=owner, name="Salon Meme")
    service = await create_service(db, business=business, name="Braids")
    return owner, business, service


async def _notes(db, user) -> list[Notification]:
    return list(await db.scalars(select(Notification).where(Notification.user_id == user.id)
                                 .order_by(Notification.created_at, Notification.title)))


async def test_reminders_24h_and_2h_before_each_once(db, shop, settings):
    _, _, service = shop
    customer = await create_user(db)
    booking = await create_booking(db, service=service, day=DAY, at=time(10), customer=customer,
                                   status="confirmed", created_at=START - timedelta(days=5))

    async def run(now):
        return await send_due_reminders(db, now=now, settings=settings)

    assert await run(START - timedelta(hours=25)) == []                     # too early
    assert await run(START - timedelta(hours=23, minutes=55)) == [booking.id]
    assert await run(START - timedelta(hours=23, minutes=50)) == []         # never twice
    assert await run(START - timedelta(hours=3)) == []
    assert await run(START - timedelta(hours=1, minutes=55)) == [booking.id]
    assert await run(START - timedelta(hours=1)) == []
    assert await run(START + timedelta(minutes=5)) == []                    # started: too late
    first, second = await _notes(db, customer)
    assert first.type == second.type == "booking_reminder"
    assert {first.title, second.title} == {"Reminder: Salon Meme tomorrow", "Reminder: Salon Meme soon"}
    assert all("Braids at Salon Meme, Fri 14 Jun at 10:00" in n.message for n in (first, second))
    assert first.data["booking_id"] == str(booking.id)


async def test_reminders_skip_unconfirmed_and_late_bookings(db, shop, settings):
    _, _, service = shop
    customer = await create_user(db)
    pending = await create_booking(db, service=service, day=DAY, at=time(9), customer=customer,
                                   created_at=START - timedelta(days=5))
    cancelled = await create_booking(db, service=service, day=DAY, at=time(11), customer=customer,
                                     status="cancelled", created_at=START - timedelta(days=5))
    # Booked 5 hours ahead: no "tomorrow" reminder, just the 2-hour one.
    late = await create_booking(db, service=service, day=DAY, at=time(12), customer=customer,
                                status="confirmed", created_at=START - timedelta(hours=3))
    late_start = START + timedelta(hours=2)
    assert await send_due_reminders(db, now=late_start - timedelta(hours=4), settings=settings) == []
    assert await send_due_reminders(db, now=late_start - timedelta(hours=1, minutes=50), settings=settings) == [late.id]
    assert pending.reminder_sent_at is None and cancelled.reminder_sent_at is None


async def test_a_guest_is_reminded_by_email_and_sms(db, shop, settings):
    _, _, service = shop
    guest = await create_booking(db, service=service, day=DAY, at=time(10), status="confirmed",
                                 customer_name="Tjeripo Guest", customer_email="tjeripo@example.na",
                                 customer_phone="0811234567", created_at=START - timedelta(days=2))
    assert await send_due_reminders(db, now=START - timedelta(hours=23), settings=settings) == [guest.id]
    queued = [(j["args"]["channel"], j["args"]["to"], j["args"]["link"])
              for j in await jobs(db, "notifications.send_guest")]
    link = f"/bookings/{guest.booking_number}"
    assert queued == [("email", "tjeripo@example.na", link), ("sms", "0811234567", link)]


async def test_follow_up_asks_for_a_review_once_after_completion(db, shop, settings):
    _, business, service = shop
    customer = await create_user(db)
    done_at = START + timedelta(hours=1)
    booking = await create_booking(db, service=service, day=DAY, at=time(10), customer=customer,
                                   status="completed", completed_at=done_at)
    old = await create_booking(db, service=service, day=DAY - timedelta(days=20), at=time(10), customer=customer,
                               status="completed", completed_at=done_at - timedelta(days=20))
    assert await send_due_follow_ups(db, now=done_at + timedelta(hours=1), settings=settings) == []
    assert await send_due_follow_ups(db, now=done_at + timedelta(hours=3), settings=settings) == [booking.id]
    assert await send_due_follow_ups(db, now=done_at + timedelta(hours=4), settings=settings) == []
    (note,) = await _notes(db, customer)
    assert note.title == "How was Salon Meme?"
    # The review form's own address (web/pages/reviews.py), this booking already chosen.
    assert note.data["url"] == f"https://afrobiz.example/b/{business.slug}/review?booking={booking.id}"
    assert old.follow_up_sent_at is None


async def test_expiry_cancels_stale_pending_bookings_and_tells_both_sides(db, shop):
    owner, _, service = shop
    customer = await create_user(db)
    db.add(SystemSetting(key="bookings.pending_expiry_minutes", value="60", data_type="integer"))
    await db.flush()
    now = START - timedelta(days=1)
    stale = await create_booking(db, service=service, day=DAY, at=time(9), customer=customer,
                                 created_at=now - timedelta(minutes=61))
    fresh = await create_booking(db, service=service, day=DAY, at=time(11), customer=customer,
                                 created_at=now - timedelta(minutes=30))
    confirmed = await create_booking(db, service=service, day=DAY, at=time(13), customer=customer,
                                     status="confirmed", created_at=now - timedelta(days=2))
    assert await expire_pending_bookings(db, now=now) == [stale.id]
    assert await expire_pending_bookings(db, now=now) == []
    assert (stale.status, fresh.status, confirmed.status) == ("cancelled", "pending", "confirmed")
    assert stale.cancelled_at == now and stale.cancellation_reason
    history = (await db.scalars(select(BookingStatusHistory).where(BookingStatusHistory.booking_id == stale.id))).all()
    assert [(h.old_status, h.new_status) for h in history] == [("pending", "cancelled")]
    (to_customer,) = await _notes(db, customer)
    (to_owner,) = await _notes(db, owner)
    assert to_customer.type == to_owner.type == "booking_cancelled"
    assert "Salon Meme did not confirm" in to_customer.title and stale.booking_number in to_owner.message
