"""notify(): the one entry point every domain uses to tell a user something, and the
in-app inbox (list, unread count, mark read).

notify() records the in-app notification and, in the same transaction, defers one delivery
job per outside channel the user's preferences and the type allow: a rolled-back request
sends nothing, a committed one loses nothing (DESIGN 4.2).

A leaf: the caller hands over ids and rendered text (and, for the outside channels, where
the message leads, a calendar event, an SMS reply hint); nothing here reads another domain.
"""
from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.db.session import acting_as_system
from afrobiz.errors import InvalidInput, NotFound
from afrobiz.kit.icalendar import Event
from afrobiz.notifications import jobs
from afrobiz.notifications.models import Notification, NotificationType
from afrobiz.notifications.preferences import channels_for
from afrobiz.notifications.recipients import get_recipient
from afrobiz.worker.app import defer_in_transaction

MAX_LIMIT = 100


async def notify(session: AsyncSession, *, user_id: uuid.UUID, type: NotificationType | str, title: str,
                 message: str, data: dict[str, Any] | None = None, outside: bool = True,
                 link: str | None = None, calendar: Event | None = None,
                 reply_hint: str | None = None) -> Notification:
    """Record a notification for user_id and queue its e-mail/SMS/WhatsApp deliveries as the
    user's preferences allow (whoever triggers it: RLS would refuse a row for another user,
    and telling another user is exactly what notify is for). outside=False: in-app only,
    for news the user already saw on screen (e.g. "we got your booking").

    For the outside channels: `link` is where the message leads (a path on this site or an
    address; else data["url"]), `calendar` an event the e-mail attaches as an .ics, and
    `reply_hint` the line an SMS ends with when texts can be answered (two-way SMS)."""
    type = NotificationType(type)
    await session.flush()        # the caller's own changes, under the caller's identity
    async with acting_as_system(session):
        user = await get_recipient(session, user_id)
        channels = await channels_for(session, user=user, type=type) if user else None
        notification = Notification(user_id=user_id, type=type, title=title[:255], message=message,
                                    data=data or {}, link=link, reply_hint=reply_hint,
                                    # Kept only for an e-mail that will carry it.
                                    calendar=calendar.to_json() if calendar and channels and channels.email
                                    and outside else None,
                                    # In-app switched off: kept for the record, never "unread".
                                    is_read=bool(channels and not channels.in_app))
        session.add(notification)
        await session.flush()
    if channels is None or not outside:
        return notification
    nid = str(notification.id)
    if channels.email:
        await defer_in_transaction(session, jobs.send_email, notification_id=nid)
    if channels.sms:
        await defer_in_transaction(session, jobs.send_text, notification_id=nid, channel="sms")
    if channels.whatsapp:
        await defer_in_transaction(session, jobs.send_text, notification_id=nid, channel="whatsapp")
    return notification


async def notify_guest(session: AsyncSession, *, email: str | None = None, phone: str | None = None,
                       name: str | None, link: str, title: str, message: str,
                       calendar: Event | None = None) -> int:
    """Tell a guest (someone without an account, e.g. who booked as a guest) something: the
    one entry point for guest messages. A guest has no inbox and no preferences, so the
    message goes to the e-mail address and/or phone given, one job per channel; returns how
    many were queued. The jobs share one message key under which delivery.deliver_to_guest
    records each channel as sent, so a retried or twice-queued job never sends again.

    `link` is the guest's way back (a path on this site or an address): the e-mail links it
    and the SMS ends with it; `calendar` is attached to the e-mail as an .ics."""
    key = uuid.uuid4().hex
    queued = 0
    for channel, contact in (("email", email), ("sms", phone)):
        if contact:
            await defer_in_transaction(session, jobs.send_guest, channel=channel, to=contact, name=name,
                                       link=link, title=title, message=message, key=key,
                                       calendar=calendar.to_json() if calendar and channel == "email" else None)
            queued += 1
    return queued


# ---------------------------------------------------------------- the inbox


def _encode_cursor(n: Notification) -> str:
    raw = f"{n.created_at.isoformat()}|{n.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, nid = raw.split("|")
        return datetime.fromisoformat(at), uuid.UUID(nid)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("The cursor is not valid.", field="cursor") from None


async def list_notifications(session: AsyncSession, *, user_id: uuid.UUID, limit: int = 20,
                             cursor: str | None = None, unread_only: bool = False) -> dict[str, Any]:
    """The user's notifications, newest first, keyset-paginated, with the unread count."""
    limit = max(1, min(limit, MAX_LIMIT))
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.is_read.is_(False))
    if cursor:
        at, nid = _decode_cursor(cursor)
        query = query.where(or_(Notification.created_at < at,
                                and_(Notification.created_at == at, Notification.id < nid)))
    rows = list(await session.scalars(
        query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": _encode_cursor(rows[-1]) if more else None,
            "unread_count": await unread_count(session, user_id=user_id)}


async def unread_count(session: AsyncSession, *, user_id: uuid.UUID) -> int:
    return await session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.is_read.is_(False))) or 0


async def mark_read(session: AsyncSession, *, user_id: uuid.UUID, notification_id: uuid.UUID) -> None:
    """Mark one of the user's notifications read; another user's is 'not found'."""
    n = await session.get(Notification, notification_id)
    if n is None or n.user_id != user_id:
        raise NotFound("No such notification.")
    if not n.is_read:
        n.is_read, n.read_at = True, func.now()
        await session.flush()


async def mark_all_read(session: AsyncSession, *, user_id: uuid.UUID) -> int:
    """Mark every unread notification of the user read; returns how many."""
    result = await session.execute(
        update(Notification).where(Notification.user_id == user_id, Notification.is_read.is_(False))
        .values(is_read=True, read_at=func.now()).execution_options(synchronize_session=False))
    return result.rowcount or 0


async def queue_account_email(session: AsyncSession, *, to: str, subject: str, body: str) -> int:
    """Queue an account e-mail (verification link, password reset, security notice) in the
    request's transaction: it goes out only if the request commits, and once committed a
    crash cannot lose it. Its text (which may hold a one-time link) lives in the job row
    until the job succeeds; the worker deletes succeeded jobs."""
    return await defer_in_transaction(session, jobs.send_account_email, to=to, subject=subject, body=body)
