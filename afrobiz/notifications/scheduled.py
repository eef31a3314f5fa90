"""Booking messages the clock triggers: reminders, follow-ups, and expiry of pending
bookings nobody answered. Each takes `now` so tests (and catch-up runs) choose the moment.

Each claims its bookings with one UPDATE … WHERE <not yet done> … RETURNING over rows locked
with SKIP LOCKED, so two workers running at once never pick the same booking, and a booking
once claimed is never picked again.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.booking.models import Booking, BookingStatus, BookingStatusHistory, Service
from afrobiz.config import Settings
from afrobiz.directory.models import Business
from afrobiz.notifications import messages
from afrobiz.notifications.models import NotificationType
from afrobiz.notifications.service import notify, notify_guest

REMINDER_LEADS = (timedelta(hours=24), timedelta(hours=2))
FOLLOW_UP_AFTER = timedelta(hours=2)
FOLLOW_UP_WITHIN = timedelta(days=7)
DEFAULT_EXPIRY_MINUTES = 30
BATCH = 500
# The booking's local date and time, read as a moment in the business's time zone.
STARTS = "timezone(:tz, b.booking_date + b.booking_time)"


@dataclass
class _Claimed:
    booking: Booking
    business: Business
    service_name: str | None


async def _load(session: AsyncSession, ids: list[uuid.UUID]) -> list[_Claimed]:
    if not ids:
        return []
    rows = await session.execute(
        select(Booking, Business, Service.name).join(Business, Business.id == Booking.business_id)
        .outerjoin(Service, Service.id == Booking.service_id).where(Booking.id.in_(ids))
        .order_by(Booking.booking_date, Booking.booking_time)
        # The UPDATE above went around the ORM: refresh any booking the session holds.
        .execution_options(populate_existing=True))
    return [_Claimed(b, biz, name) for b, biz, name in rows]


async def _tell_customer(session: AsyncSession, item: _Claimed, type: NotificationType,
                         msg: messages.Message) -> None:
    data = {**msg.data, "booking_id": str(item.booking.id)}
    if item.booking.customer_id:
        await notify(session, user_id=item.booking.customer_id, type=type, title=msg.title,
                     message=msg.message, data=data)
    else:
        # A guest gets the same words by e-mail and/or SMS (a cancellation with its .ics).
        await notify_guest(session, booking_id=item.booking.id, email=item.booking.customer_email,
                           phone=item.booking.customer_phone, title=msg.title, message=msg.message, type=type)


async def send_due_reminders(session: AsyncSession, *, now: datetime, settings: Settings,
                             leads: tuple[timedelta, ...] = REMINDER_LEADS) -> list[uuid.UUID]:
    """Remind customers of confirmed bookings `lead` before the start, once per lead.

    reminder_sent_at holds the last reminder: a lead is due when its moment has come and the
    last reminder went before it. The shortest lead is tried first, so a booking made late
    gets the one reminder that fits, never two at once; nobody is reminded of a booking
    they made after the reminder's moment."""
    sent: list[uuid.UUID] = []
    for lead in sorted(leads):
        ids = list(await session.scalars(text(f"""
            WITH due AS (
              SELECT b.id FROM bookings b
              WHERE b.status = 'confirmed'
                AND {STARTS} > :now AND {STARTS} - :lead <= :now
                AND b.created_at < {STARTS} - :lead
                AND (b.reminder_sent_at IS NULL OR b.reminder_sent_at < {STARTS} - :lead)
              ORDER BY b.booking_date, b.booking_time LIMIT :batch
              FOR UPDATE OF b SKIP LOCKED)
            UPDATE bookings SET reminder_sent_at = :now FROM due WHERE bookings.id = due.id
            RETURNING bookings.id"""), {"tz": settings.timezone, "now": now, "lead": lead, "batch": BATCH}))
        for item in await _load(session, ids):
            b = item.booking
            msg = messages.booking_reminder(number=b.booking_number, business=item.business.name,
                                            service=item.service_name, day=b.booking_date, at=b.booking_time,
                                            lead_hours=int(lead.total_seconds() // 3600))
            await _tell_customer(session, item, NotificationType.BOOKING_REMINDER, msg)
        sent += ids
    return sent


async def send_due_follow_ups(session: AsyncSession, *, now: datetime, settings: Settings) -> list[uuid.UUID]:
    """Ask for a review once, a little after a booking is completed (not for old ones)."""
    ids = list(await session.scalars(text("""
        WITH due AS (
          SELECT b.id FROM bookings b
          WHERE b.status = 'completed' AND b.follow_up_sent_at IS NULL
            AND b.completed_at <= :now - :after AND b.completed_at > :now - :within
          ORDER BY b.completed_at LIMIT :batch
          FOR UPDATE OF b SKIP LOCKED)
        UPDATE bookings SET follow_up_sent_at = :now FROM due WHERE bookings.id = due.id
        RETURNING bookings.id"""), {"now": now, "after": FOLLOW_UP_AFTER, "within": FOLLOW_UP_WITHIN,
                                    "batch": BATCH}))
    base = settings.base_url.rstrip("/")
    for item in await _load(session, ids):
        # The review form (web/pages/reviews.py) with this booking chosen: one tap from the message.
        url = f"{base}/b/{item.business.slug}/review?booking={item.booking.id}"
        msg = messages.booking_follow_up(number=item.booking.booking_number, business=item.business.name,
                                         review_url=url)
        await _tell_customer(session, item, NotificationType.BOOKING_REMINDER, msg)
    return ids


async def pending_expiry_minutes(session: AsyncSession) -> int:
    from afrobiz.admin.settings import get_setting   # the one typed, cached reader of system_settings

    value = await get_setting(session, "bookings.pending_expiry_minutes", DEFAULT_EXPIRY_MINUTES)
    try:
        return max(1, int(value)) if value is not None else DEFAULT_EXPIRY_MINUTES
    except (TypeError, ValueError):
        return DEFAULT_EXPIRY_MINUTES


async def expire_pending_bookings(session: AsyncSession, *, now: datetime) -> list[uuid.UUID]:
    """Cancel pending bookings older than the `bookings.pending_expiry_minutes` setting (or
    whose start has passed), unless a payment is under way; with a status-history row, and
    tell the customer and the owner. Safe to run twice."""
    minutes = await pending_expiry_minutes(session)
    reason = "Not confirmed by the business in time"
    ids = list(await session.scalars(text("""
        WITH stale AS (
          SELECT b.id FROM bookings b
          WHERE b.status = 'pending'
            AND (b.created_at < :now - make_interval(mins => :minutes)
                 OR lower(b.time_range) <= :now)            -- its start has passed unanswered
            -- A customer paying by bank transfer or mobile money is not cut off mid-payment;
            -- the payments domain releases unpaid bookings on its own clock.
            AND NOT EXISTS (SELECT 1 FROM payments p
                             WHERE p.booking_id = b.id AND p.status IN ('pending', 'processing'))
          ORDER BY b.created_at LIMIT :batch
          FOR UPDATE OF b SKIP LOCKED)
        UPDATE bookings SET status = 'cancelled', cancelled_at = :now, cancellation_reason = :reason
        FROM stale WHERE bookings.id = stale.id
        RETURNING bookings.id"""), {"now": now, "minutes": minutes, "reason": reason, "batch": BATCH}))
    for item in await _load(session, ids):
        b = item.booking
        session.add(BookingStatusHistory(booking_id=b.id, old_status=BookingStatus.PENDING,
                                         new_status=BookingStatus.CANCELLED, changed_by=None, reason=reason))
        msg = messages.booking_expired(number=b.booking_number, business=item.business.name,
                                       day=b.booking_date, at=b.booking_time, for_owner=False)
        await _tell_customer(session, item, NotificationType.BOOKING_CANCELLED, msg)
        if item.business.owner_id:
            owner_msg = messages.booking_expired(number=b.booking_number, business=item.business.name,
                                                 day=b.booking_date, at=b.booking_time, for_owner=True)
            await notify(session, user_id=item.business.owner_id, type=NotificationType.BOOKING_CANCELLED,
                         title=owner_msg.title, message=owner_msg.message,
                         data={**owner_msg.data, "booking_id": str(b.id)})
    await session.flush()
    return ids
