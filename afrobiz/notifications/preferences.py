"""Which channels a notification goes out on: the user's choice per type, else the type's
default, always within consent (marketing) and reachability (a verified phone for SMS)."""
from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.errors import InvalidInput
from afrobiz.notifications.models import NotificationPreference, NotificationType

T = NotificationType
# Messages about a booking or a payment the user made: the ones SMS exists for here.
TRANSACTIONAL = {T.BOOKING_REQUESTED, T.BOOKING_CONFIRMED, T.BOOKING_RESCHEDULED, T.BOOKING_CANCELLED,
                 T.BOOKING_REMINDER, T.PAYMENT_RECEIVED, T.PAYMENT_REFUNDED}
CHANNELS = ("in_app", "email", "sms", "whatsapp")
LABELS = {
    T.BOOKING_REQUESTED: "New booking of your business",
    T.BOOKING_CONFIRMED: "Booking confirmed",
    T.BOOKING_RESCHEDULED: "Booking moved to another time",
    T.BOOKING_CANCELLED: "Booking cancelled",
    T.BOOKING_REMINDER: "Booking reminders and follow-ups",
    T.REVIEW_RECEIVED: "New review of your business",
    T.REVIEW_RESPONSE: "A business replied to your review",
    T.BUSINESS_APPROVED: "Your business listing approved",
    T.PAYMENT_RECEIVED: "Payments",
    T.PAYMENT_REFUNDED: "Refunds",
    T.SYSTEM_ANNOUNCEMENT: "Announcements from AfroBiz Connect",
    T.MARKETING: "News and offers (marketing)",
}


class Person(Protocol):
    """What the rules read of a person: a recipients.Recipient, or the signed-in user."""

    id: uuid.UUID
    phone: str | None
    phone_verified: bool
    marketing_consent: bool
    is_active: bool
    is_suspended: bool


@dataclass(frozen=True)
class Channels:
    in_app: bool
    email: bool
    sms: bool
    whatsapp: bool

    def as_dict(self) -> dict[str, bool]:
        return asdict(self)


def default_channels(user: Person, type: NotificationType) -> Channels:
    """Transactional booking messages: in-app, e-mail, and SMS when the phone is verified;
    marketing: nothing without consent; everything else: in-app and e-mail."""
    if type is T.MARKETING:
        return Channels(in_app=user.marketing_consent, email=user.marketing_consent, sms=False, whatsapp=False)
    sms = type in TRANSACTIONAL and bool(user.phone) and user.phone_verified
    return Channels(in_app=True, email=True, sms=sms, whatsapp=False)


def allowed(user: Person, type: NotificationType, chosen: Channels) -> Channels:
    """The hard limits over any choice: no marketing without consent, no text messages to an
    unverified phone, nothing beyond the app for a suspended or closed account."""
    reachable_phone = bool(user.phone) and user.phone_verified
    outside = user.is_active and not user.is_suspended
    consent = type is not T.MARKETING or user.marketing_consent
    return Channels(
        in_app=chosen.in_app and consent,
        email=chosen.email and consent and outside,
        sms=chosen.sms and consent and outside and reachable_phone,
        whatsapp=chosen.whatsapp and consent and outside and reachable_phone,
    )


async def _stored(session: AsyncSession, user_id: uuid.UUID) -> dict[NotificationType, NotificationPreference]:
    rows = await session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user_id))
    return {row.type: row for row in rows}


async def channels_for(session: AsyncSession, *, user: Person, type: NotificationType) -> Channels:
    """The channels one notification of this type goes out on for this user."""
    row = await session.scalar(select(NotificationPreference).where(
        NotificationPreference.user_id == user.id, NotificationPreference.type == type))
    chosen = Channels(row.in_app, row.email, row.sms, row.whatsapp) if row else default_channels(user, type)
    return allowed(user, type, chosen)


async def list_preferences(session: AsyncSession, *, user: Person) -> list[dict]:
    """Every type with the channels in effect and whether the user chose them."""
    stored = await _stored(session, user.id)
    items = []
    for type in NotificationType:
        row = stored.get(type)
        chosen = Channels(row.in_app, row.email, row.sms, row.whatsapp) if row else default_channels(user, type)
        items.append({"type": type.value, "label": LABELS[type], "custom": row is not None,
                      **allowed(user, type, chosen).as_dict()})
    return items


async def set_preferences(session: AsyncSession, *, user: Person, items: list[dict]) -> list[dict]:
    """Store the user's channel choices per type (types not given keep theirs)."""
    stored = await _stored(session, user.id)
    seen: set[NotificationType] = set()
    for i, item in enumerate(items):
        try:
            type = NotificationType(item["type"])
        except (KeyError, ValueError):
            raise InvalidInput("Unknown notification type.", field=f"items.{i}.type") from None
        if type in seen:
            raise InvalidInput("Each type may appear once.", field=f"items.{i}.type")
        seen.add(type)
        row = stored.get(type)
        if row is None:
            current = default_channels(user, type)
            row = NotificationPreference(user_id=user.id, type=type, **current.as_dict())
            session.add(row)
        for channel in CHANNELS:
            if item.get(channel) is not None:
                setattr(row, channel, bool(item[channel]))
    await session.flush()
    return await list_preferences(session, user=user)
