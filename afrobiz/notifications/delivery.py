"""Deliver one notification on one channel, exactly once; and a guest's message, and the
answer to an inbound text.

Each function locks the notification row, skips if the channel's flag says it already went
(a job queued twice, or retried after a send whose commit was lost, waits on the lock and
then skips), sends, and sets the flag in the same transaction as the job's completion.
What a message says, where it leads and what it carries were rendered by the domain that
sent it (stored on the notification row, or in a guest job's arguments): delivery reads
only this domain's tables and the recipient's contact (recipients.py).
"""
from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.admin.settings import get_setting   # the one typed, cached reader of system_settings
from afrobiz.config import Settings
from afrobiz.kit import icalendar
from afrobiz.kit.emails import mailbox_key
from afrobiz.kit.phones import phone_key
from afrobiz.notifications import channels, messages
from afrobiz.notifications.models import Notification, NotificationType, SmsInbound
from afrobiz.notifications.recipients import get_recipient
from afrobiz.payments.models import IdempotencyKey

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


def absolute(settings: Settings, link: str | None) -> str | None:
    """A path on this site as an address (a full address stays as it is)."""
    if not link:
        return None
    return link if link.startswith("http") else settings.base_url.rstrip("/") + "/" + link.lstrip("/")


def _calendar(event: dict[str, Any] | None, link: str | None) -> tuple[str | None, str | None]:
    """(the .ics text, the e-mail's note on it) of a stored event; the event links where
    the message does."""
    if not event:
        return None, None
    parsed = icalendar.Event.from_json(event).with_url(link)
    return icalendar.render(parsed), "cancelled" if parsed.status == "CANCELLED" else "booked"


async def deliver_email(session: AsyncSession, *, notification_id: uuid.UUID | str, settings: Settings) -> bool:
    """E-mail the notification unless it already went; True when this call sent it."""
    n = await _claim(session, notification_id, "email")
    if n is None:
        return False
    user = await get_recipient(session, n.user_id)
    if user is None:
        return False
    settings_link = settings.base_url.rstrip("/") + "/me/notifications#preferences"
    link = absolute(settings, n.link or (n.data or {}).get("url"))
    ics, note = _calendar(n.calendar, link)
    plain, html_body = messages.email_bodies(
        first_name=user.first_name, title=n.title, message=n.message, link=link,
        settings_link=settings_link, opt_out=n.type is NotificationType.MARKETING,
        lang=user.preferred_language, attachment_note=note)
    sender = channels.smtp_sender(settings)
    msg = channels.build_email(to=user.email, subject=n.title, plain=plain, html_body=html_body, sender=sender,
                               message_id=f"<notification-{n.id}@{sender[1].split('@')[-1]}>", ics=ics)
    if n.type is NotificationType.MARKETING:
        msg["List-Unsubscribe"] = f"<{settings_link}>"
    await channels.send_email(session, settings, msg, notification_id=n.id)
    _mark_sent(n, "email")
    await session.flush()
    return True


def two_way_sms(settings: Settings) -> bool:
    """Texts sent to the platform reach it (the inbound-SMS webhook is configured)."""
    return bool(getattr(settings, "sms_webhook_secret", None))


async def deliver_text(session: AsyncSession, *, notification_id: uuid.UUID | str, channel: str,
                       settings: Settings) -> bool:
    """Send the notification as one short SMS or WhatsApp message unless it already went."""
    n = await _claim(session, notification_id, channel)
    if n is None:
        return False
    user = await get_recipient(session, n.user_id)
    to = channels.e164(user.phone) if user else None
    if to is None:
        return False
    suffix = "Reply STOP to opt out" if n.type is NotificationType.MARKETING else ""
    if channel == "sms" and n.reply_hint and two_way_sms(settings):
        suffix = n.reply_hint          # e.g. how an owner answers a new booking from a basic phone
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


async def deliver_to_guest(session: AsyncSession, *, channel: str, to: str, title: str, message: str, link: str,
                           settings: Settings, key: str, name: str | None = None,
                           calendar: dict[str, Any] | None = None) -> bool:
    """Send one message to a guest (someone without an account) on one channel, once per key
    and channel: e-mail (with the calendar event as an .ics when given) or one short GSM-7 SMS
    ending with the link (the guest's way back, e.g. their booking's page). True when sent."""
    to = to if channel == "email" else channels.e164(to) if channel == "sms" else None
    if not to or not await _claim_guest(session, key=key, channel=channel, to=to):
        return False
    link = absolute(settings, link)
    if channel == "sms":
        await channels.gateway_for("sms", session, settings).send(to, messages.sms_text(title, message, suffix=link))
        return True
    ics, note = _calendar(calendar, link)
    plain, html_body = messages.email_bodies(
        first_name=(name or "").split(" ")[0] or None, title=title, message=message,
        link=link, settings_link=link, opt_out=False, guest=True, attachment_note=note)
    sender = channels.smtp_sender(settings)
    msg = channels.build_email(to=to, subject=title, plain=plain, html_body=html_body, sender=sender,
                               message_id=f"<guest-{key}@{sender[1].split('@')[-1]}>", ics=ics)
    await channels.send_email(session, settings, msg)
    return True


# ---------------------------------------------------------------- answers to inbound texts


async def deliver_sms_reply(session: AsyncSession, *, inbound_id: uuid.UUID | str, settings: Settings) -> bool:
    """Text the stored reply to an inbound SMS back once (a retried job finds reply_sent_at
    and skips)."""
    row = await session.scalar(select(SmsInbound).where(SmsInbound.id == uuid.UUID(str(inbound_id)))
                               .with_for_update())
    if row is None or not row.reply or row.reply_sent_at is not None:
        return False
    await channels.gateway_for("sms", session, settings, recipient_kind="sender of a text").send(
        row.from_phone, messages.sms_text("", row.reply))
    row.reply_sent_at = func.now()
    await session.flush()
    return True
