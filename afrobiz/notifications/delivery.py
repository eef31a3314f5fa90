"""Deliver one notification on one channel, exactly once.

Each function locks the notification row, skips if the channel's flag says it already went
(a job queued twice, or retried after a send whose commit was lost, waits on the lock and
then skips), sends, and sets the flag in the same transaction as the job's completion.
"""
from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import timedelta

from sqlalchemy import func, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.emails import mailbox_key
from afrobiz.accounts.models import User
from afrobiz.config import Settings
from afrobiz.kit.phones import phone_key
from afrobiz.notifications import channels, messages, sms_inbound
from afrobiz.notifications.models import Notification, NotificationType

# The seed has no WhatsApp column; WhatsApp is this platform's push channel, so push_sent
# records it.
log = logging.getLogger("afrobiz.notifications")
SENT_FLAG = {"email": "email_sent", "sms": "sms_sent", "whatsapp": "push_sent"}


async def _claim(session: AsyncSession, notification_id: uuid.UUID | str, channel: str) -> Notification | None:
    n = await session.scalar(select(Notification).where(Notification.id == uuid.UUID(str(notification_id)))
                             .with_for_update())
    if n is None or getattr(n, SENT_FLAG[channel]):
        return None
    return n


def _mark_sent(n: Notification, channel: str) -> None:
    setattr(n, SENT_FLAG[channel], True)
    n.is_sent = True
    if n.sent_at is None:
        n.sent_at = func.now()


def _link(settings: Settings, n: Notification) -> str | None:
    data = n.data or {}
    url = data.get("url")
    if not url and data.get("booking_number"):
        url = f"/bookings/{data['booking_number']}"      # a booking message opens that booking
    if not url:
        return None
    return url if url.startswith("http") else settings.base_url.rstrip("/") + "/" + url.lstrip("/")


# Customer e-mails about these carry the booking's .ics: confirmation, cancellation and a move.
ICS_TYPES = {NotificationType.BOOKING_CONFIRMED, NotificationType.BOOKING_CANCELLED,
             NotificationType.BOOKING_RESCHEDULED}


async def _booking_ics(session: AsyncSession, n: Notification, user: User, settings: Settings) -> str | None:
    """The booking's calendar file for its customer (not for the owner's copy), else None."""
    booking_id = (n.data or {}).get("booking_id")
    if n.type not in ICS_TYPES or not booking_id:
        return None
    from afrobiz.booking import ics, queries
    from afrobiz.booking.models import Booking

    try:
        booking = await session.get(Booking, uuid.UUID(str(booking_id)))
    except ValueError:
        return None
    if booking is None or booking.customer_id != user.id:
        return None
    return ics.for_view(await queries.view_of(session, booking), base_url=settings.base_url)


async def deliver_email(session: AsyncSession, *, notification_id: uuid.UUID | str, settings: Settings) -> bool:
    """E-mail the notification unless it already went; True when this call sent it."""
    n = await _claim(session, notification_id, "email")
    if n is None:
        return False
    user = await session.get(User, n.user_id)
    if user is None:
        return False
    settings_link = settings.base_url.rstrip("/") + "/me/notifications#preferences"
    ics = await _booking_ics(session, n, user, settings)
    plain, html_body = messages.email_bodies(
        first_name=user.first_name, title=n.title, message=n.message, link=_link(settings, n),
        settings_link=settings_link, opt_out=n.type is NotificationType.MARKETING,
        lang=user.preferred_language,
        attachment_note=None if ics is None else "cancelled" if "STATUS:CANCELLED" in ics else "booked")
    sender = channels.smtp_sender(settings)
    msg = channels.build_email(to=user.email, subject=n.title, plain=plain, html_body=html_body, sender=sender,
                               message_id=f"<notification-{n.id}@{sender[1].split('@')[-1]}>", ics=ics)
    if n.type is NotificationType.MARKETING:
        msg["List-Unsubscribe"] = f"<{settings_link}>"
    await channels.send_email(session, settings, msg, notification_id=n.id)
    _mark_sent(n, "email")
    await session.flush()
    return True


async def deliver_text(session: AsyncSession, *, notification_id: uuid.UUID | str, channel: str,
                       settings: Settings) -> bool:
    """Send the notification as one short SMS or WhatsApp message unless it already went."""
    n = await _claim(session, notification_id, channel)
    if n is None:
        return False
    user = await session.get(User, n.user_id)
    to = channels.e164(user.phone) if user else None
    if to is None:
        return False
    suffix = "Reply STOP to opt out" if n.type is NotificationType.MARKETING else ""
    data = n.data or {}
    if (channel == "sms" and data.get("event") == "booking.created" and data.get("booking_number")
            and getattr(settings, "sms_webhook_secret", None)):
        # Two-way SMS is on: tell the owner how to answer from a basic phone.
        suffix = sms_inbound.reply_hint(data["booking_number"])
    text = messages.sms_text(n.title, n.message, suffix=suffix)
    await channels.gateway_for(channel, session, settings, notification_id=n.id).send(to, text)
    _mark_sent(n, channel)
    await session.flush()
    return True


# ---------------------------------------------------------------- guests

# A guest has no notifications row to carry the sent flags, so each guest message is claimed
# in idempotency_keys (user-less keys are allowed there, and unique per scope and key): the
# claim commits with the job's completion, exactly like a notification's flag. A twin job
# waits on the unique index until the first one commits (then skips) or rolls back (then
# sends); a failed send rolls the claim back, so the retry sends.
GUEST_SCOPE = "notifications.guest"
GUEST_CLAIM_KEPT = timedelta(days=30)      # far longer than any retry (DELIVERY_RETRY: ~2.3 h)
GUEST_CAP_WINDOW = timedelta(hours=1)


# A guest's e-mail address or phone was typed by whoever booked and is verified by no one, so
# the platform must not be usable to flood it: each claim carries a digest of its recipient, and
# no more than `notifications.guest_messages_per_hour` claims per recipient are made in an hour
# (counted under an advisory lock per recipient, so concurrent jobs cannot both take the last
# place). A message over the cap is dropped, not delayed: a flood must not drain later.
GUEST_CAP_SETTING = "notifications.guest_messages_per_hour"


def recipient_digest(channel: str, to: str) -> str:
    key = mailbox_key(to) if channel == "email" else phone_key(to)
    return hashlib.sha256(f"guest-recipient|{channel}|{key}".encode()).hexdigest()


async def _claim_guest(session: AsyncSession, *, key: str, channel: str, to: str) -> bool:
    from afrobiz.admin.settings import get_setting   # the one typed, cached reader of system_settings
    from afrobiz.payments.models import IdempotencyKey

    digest = recipient_digest(channel, to)
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(digest, 0))))
    cap = await get_setting(session, GUEST_CAP_SETTING)
    recent = await session.scalar(
        select(func.count()).select_from(IdempotencyKey)
        # The scope inlined, so even a generic plan matches idx_idempotency_keys_guest_recipient.
        .where(IdempotencyKey.scope == literal(GUEST_SCOPE, literal_execute=True),
               IdempotencyKey.request_hash == digest,
               IdempotencyKey.created_at > func.now() - GUEST_CAP_WINDOW))
    if recent >= cap:
        log.warning("guest %s not sent: its recipient already had %d messages this hour", channel, recent)
        return False
    claimed = await session.scalar(
        pg_insert(IdempotencyKey).values(
            scope=GUEST_SCOPE, user_id=None, key=f"{key}:{channel}"[:255], request_hash=digest,
            expires_at=func.now() + GUEST_CLAIM_KEPT)
        .on_conflict_do_nothing().returning(IdempotencyKey.id))
    return claimed is not None


def guest_link(settings: Settings, booking) -> str:
    """The guest's own way back to their booking: its page by booking number, the handle a
    guest already has (booking.queries.get_guest_booking; 31^8 numbers, never sequential).
    It opens only bookings without an account, and from it the guest reaches the payment
    link (payments.guest)."""
    return f"{settings.base_url.rstrip('/')}/bookings/{booking.booking_number}"


async def deliver_to_guest(session: AsyncSession, *, booking_id: uuid.UUID | str, channel: str, title: str,
                           message: str, settings: Settings, key: str, type: str | None = None) -> bool:
    """Send one message to a guest (a booking without an account) on one channel, once per
    key and channel: e-mail (with the booking's .ics for a confirmation, cancellation or
    move) or one short GSM-7 SMS ending with the link to their booking. True when sent."""
    from afrobiz.booking import ics as booking_ics, queries
    from afrobiz.booking.models import Booking

    booking = await session.get(Booking, uuid.UUID(str(booking_id)))
    # Only a guest booking: anyone with an account is told through notify() and their choices.
    if booking is None or booking.customer_id is not None:
        return False
    to = (booking.customer_email if channel == "email"
          else channels.e164(booking.customer_phone) if channel == "sms" else None)
    if not to or not await _claim_guest(session, key=key, channel=channel, to=to):
        return False
    link = guest_link(settings, booking)
    if channel == "sms":
        await channels.gateway_for("sms", session, settings).send(to, messages.sms_text(title, message, suffix=link))
        return True
    ics = None
    if type and NotificationType(type) in ICS_TYPES:
        ics = booking_ics.for_view(await queries.view_of(session, booking), base_url=settings.base_url)
    plain, html_body = messages.email_bodies(
        first_name=(booking.customer_name or "").split(" ")[0] or None, title=title, message=message,
        link=link, settings_link=link, opt_out=False, guest=True,
        attachment_note=None if ics is None else "cancelled" if "STATUS:CANCELLED" in ics else "booked")
    sender = channels.smtp_sender(settings)
    msg = channels.build_email(to=to, subject=title, plain=plain, html_body=html_body, sender=sender,
                               message_id=f"<guest-{key}@{sender[1].split('@')[-1]}>", ics=ics)
    await channels.send_email(session, settings, msg)
    return True
