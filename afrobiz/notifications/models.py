"""Notification tables (notifications, notification_preferences), mapped from migration 0001."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    TIMESTAMP,
    Boolean,
    Enum,
    FetchedValue,
    ForeignKey,
    String,
    Text,
    Uuid,
    false,
    func,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from afrobiz.db.base import Base


class NotificationType(enum.StrEnum):
    BOOKING_CONFIRMED = "booking_confirmed"
    BOOKING_CANCELLED = "booking_cancelled"
    BOOKING_REMINDER = "booking_reminder"
    REVIEW_RECEIVED = "review_received"
    REVIEW_RESPONSE = "review_response"
    BUSINESS_APPROVED = "business_approved"
    PAYMENT_RECEIVED = "payment_received"
    SYSTEM_ANNOUNCEMENT = "system_announcement"
    MARKETING = "marketing"
    # Added by migration 0022, in the database's order (after the seed's values).
    BOOKING_REQUESTED = "booking_requested"       # a new booking, told to the owner
    BOOKING_RESCHEDULED = "booking_rescheduled"   # moved to another slot
    PAYMENT_REFUNDED = "payment_refunded"


notification_type = Enum(
    NotificationType,
    name="notification_type",
    create_type=False,
    values_callable=lambda e: [m.value for m in e],
)

TZ = TIMESTAMP(timezone=True)


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, primary_key=True, default=uuid.uuid4, server_default=func.gen_random_uuid())


def _flag(default: bool) -> Mapped[bool]:
    return mapped_column(Boolean, nullable=False, server_default=true() if default else false())


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[uuid.UUID] = _id()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    type: Mapped[NotificationType] = mapped_column(notification_type, nullable=False)
    title: Mapped[str] = mapped_column(String(255), nullable=False)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    is_read: Mapped[bool] = _flag(False)
    is_sent: Mapped[bool] = _flag(False)
    email_sent: Mapped[bool] = _flag(False)
    sms_sent: Mapped[bool] = _flag(False)
    push_sent: Mapped[bool] = _flag(False)
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())
    read_at: Mapped[datetime | None] = mapped_column(TZ)
    sent_at: Mapped[datetime | None] = mapped_column(TZ)
    # What the sending domain rendered for the outside channels (migration 0026), so delivery
    # needs nothing from that domain: where the message leads (a path or an address), the
    # calendar event an e-mail carries as an .ics (kit.icalendar.Event as JSON), and the line
    # an SMS ends with when texts can be answered (two-way SMS is configured).
    link: Mapped[str | None] = mapped_column(Text)
    calendar: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    reply_hint: Mapped[str | None] = mapped_column(String(160))


class NotificationPreference(Base):
    """Which channels a user wants for one notification type (DESIGN 6.10)."""

    __tablename__ = "notification_preferences"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = _id()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    type: Mapped[NotificationType] = mapped_column(notification_type, nullable=False)
    in_app: Mapped[bool] = _flag(True)
    email: Mapped[bool] = _flag(True)
    sms: Mapped[bool] = _flag(False)
    whatsapp: Mapped[bool] = _flag(False)
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        TZ, nullable=False, server_default=func.now(), server_onupdate=FetchedValue()
    )


class OutboundMessage(Base):
    """What a local stand-in channel 'sent' (no SMS/WhatsApp provider or SMTP server
    configured): the message is kept here so nothing is silently dropped. Staff only."""

    __tablename__ = "outbound_messages"

    id: Mapped[uuid.UUID] = _id()
    notification_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("notifications.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(20), nullable=False)
    recipient: Mapped[str] = mapped_column(String(255), nullable=False)
    subject: Mapped[str | None] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())


class SmsInbound(Base):
    """A text message the SMS provider forwarded to us (two-way SMS), stored once per provider
    message id, with what it did and the reply sent back. Staff only (migration 0011)."""

    __tablename__ = "sms_inbound"

    id: Mapped[uuid.UUID] = _id()
    provider_message_id: Mapped[str] = mapped_column(String(255), nullable=False, unique=True)
    from_phone: Mapped[str] = mapped_column(String(32), nullable=False)
    body: Mapped[str] = mapped_column(String(1600), nullable=False)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))
    booking_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("bookings.id", ondelete="SET NULL"))
    command: Mapped[str | None] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(30), nullable=False)
    reply: Mapped[str | None] = mapped_column(String(320))
    reply_sent_at: Mapped[datetime | None] = mapped_column(TZ)
    received_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())
