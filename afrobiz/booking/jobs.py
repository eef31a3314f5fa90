"""Booking work the clock triggers: reminders, follow-ups, and expiry of pending bookings
nobody answered (run by the worker's schedule, worker/periodic.py). Each takes `now` so
tests (and catch-up runs) choose the moment, and is safe to run twice.

Reminders and follow-ups claim their bookings with one UPDATE … WHERE <not yet done> …
RETURNING over rows locked with SKIP LOCKED, so two workers running at once never pick the
same booking, and a booking once claimed is never picked again. Expiry locks its bookings
the same way and moves each through status.transition() (the machine, history, both told).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.admin.settings import get_setting   # the one typed, cached reader of system_settings
from afrobiz.booking import messages
from afrobiz.booking.models import Booking, BookingStatus, Service
from afrobiz.booking.status import Actor, Notice, transition
from afrobiz.config import Settings
from afrobiz.directory.models import Business
from afrobiz.notifications.models import NotificationType

REMINDER_LEADS = (timedelta(hours=24), timedelta(hours=2))
FOLLOW_UP_AFTER = timedelta(hours=2)
FOLLOW_UP_WITHIN = timedelta(days=7)
DEFAULT_EXPIRY_MINUTES = 30
EXPIRY_REASON = "Not confirmed by the business in time"
BATCH = 500
# The booking's local date and time, read as a moment in the business's time zone.
STARTS = "timezone(:tz, b.booking_date + b.booking_time)"


@dataclass
class _Claimed:
    booking: Booking
    business: Business
    service: Service | None


async def _load(session: AsyncSession, ids: list[uuid.UUID]) -> list[_Claimed]:
    if not ids:
        return []
    rows = await session.execute(
        select(Booking, Business, Service).join(Business, Business.id == Booking.business_id)
        .outerjoin(Service, Service.id == Booking.service_id).where(Booking.id.in_(ids))
        .order_by(Booking.booking_date, Booking.booking_time)
        # The UPDATE went around the ORM: refresh any booking the session holds.
        .execution_options(populate_existing=True))
    return [_Claimed(b, biz, service) for b, biz, service in rows]


async def _tell_customer(session: AsyncSession, item: _Claimed, words: messages.Words) -> None:
    # A guest gets the same words by e-mail and/or SMS.
    await messages.tell_customer(session, item.booking, kind=NotificationType.BOOKING_REMINDER, title=words.title,
                                 message=words.message, data={**words.data, "booking_id": str(item.booking.id)})


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
            words = messages.reminder(number=b.booking_number, business=item.business.name,
                                      service=item.service.name if item.service else None, day=b.booking_date,
                                      at=b.booking_time, lead_hours=int(lead.total_seconds() // 3600))
            await _tell_customer(session, item, words)
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
        await _tell_customer(session, item, messages.follow_up(number=item.booking.booking_number,
                                                               business=item.business.name, review_url=url))
    return ids


async def pending_expiry_minutes(session: AsyncSession) -> int:
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
    ids = list(await session.scalars(text("""
        SELECT b.id FROM bookings b
        WHERE b.status = 'pending'
          AND (b.created_at < :now - make_interval(mins => :minutes)
               OR lower(b.time_range) <= :now)            -- its start has passed unanswered
          -- A customer paying by bank transfer or mobile money is not cut off mid-payment;
          -- the payments domain releases unpaid bookings on its own clock.
          AND NOT EXISTS (SELECT 1 FROM payments p
                           WHERE p.booking_id = b.id AND p.status IN ('pending', 'processing'))
        ORDER BY b.created_at LIMIT :batch
        FOR UPDATE OF b SKIP LOCKED"""), {"now": now, "minutes": minutes, "batch": BATCH}))
    for item in await _load(session, ids):
        b, name = item.booking, item.business.name
        notice = Notice(
            customer=messages.expired(number=b.booking_number, business=name, day=b.booking_date,
                                      at=b.booking_time, for_owner=False),
            owner=messages.expired(number=b.booking_number, business=name, day=b.booking_date,
                                   at=b.booking_time, for_owner=True))
        await transition(session, b, item.business, item.service, new_status=BookingStatus.CANCELLED,
                         actor=Actor.SYSTEM, reason=EXPIRY_REASON, now=now, notice=notice)
    return ids
