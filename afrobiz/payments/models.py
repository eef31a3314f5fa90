"""Payment tables (payments, payment_webhook_events, idempotency_keys) from migration 0001;
service_deposits, payment_refunds and the payments.reference/refunded_amount columns from 0008."""
from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    TIMESTAMP,
    Enum,
    FetchedValue,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from afrobiz.db.base import Base


class PaymentMethod(enum.StrEnum):
    CARD = "card"
    MOBILE_MONEY = "mobile_money"
    BANK_TRANSFER = "bank_transfer"
    CASH = "cash"


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"


def _values(e: type[enum.Enum]) -> list[str]:
    return [m.value for m in e]


payment_method_enum = Enum(PaymentMethod, name="payment_method_enum", create_type=False, values_callable=_values)
payment_status = Enum(PaymentStatus, name="payment_status", create_type=False, values_callable=_values)

TZ = TIMESTAMP(timezone=True)
MONEY = Numeric(10, 2)


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, primary_key=True, default=uuid.uuid4, server_default=func.gen_random_uuid())


class Payment(Base):
    """A payment; platform_fee + business_amount = amount (a CHECK in the database)."""

    __tablename__ = "payments"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = _id()
    booking_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("bookings.id"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    business_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("businesses.id"))
    payment_method: Mapped[PaymentMethod] = mapped_column(payment_method_enum, nullable=False)
    payment_provider: Mapped[str | None] = mapped_column(String(50))
    provider_payment_id: Mapped[str | None] = mapped_column(String(255))
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, server_default="NAD")
    platform_fee: Mapped[Decimal] = mapped_column(MONEY, nullable=False, server_default=text("0"))
    business_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    status: Mapped[PaymentStatus] = mapped_column(
        payment_status, nullable=False, server_default=PaymentStatus.PENDING.value
    )
    failure_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        TZ, nullable=False, server_default=func.now(), server_onupdate=FetchedValue()
    )
    processed_at: Mapped[datetime | None] = mapped_column(TZ)
    failed_at: Mapped[datetime | None] = mapped_column(TZ)
    refunded_at: Mapped[datetime | None] = mapped_column(TZ)
    metadata_: Mapped[dict[str, Any]] = mapped_column(
        "metadata", JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )
    # Migration 0008: the bank-transfer reference, and the sum of refunds (≤ amount).
    reference: Mapped[str | None] = mapped_column(String(20))
    refunded_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False, server_default=text("0"))

    def __repr__(self) -> str:
        return f"<Payment {self.id} {self.amount} {self.currency} {self.status}>"


class PaymentWebhookEvent(Base):
    """Every provider webhook event once (unique provider + event_id), so a replay changes nothing."""

    __tablename__ = "payment_webhook_events"

    id: Mapped[uuid.UUID] = _id()
    provider: Mapped[str] = mapped_column(String(50), nullable=False)
    event_id: Mapped[str] = mapped_column(String(255), nullable=False)
    event_type: Mapped[str] = mapped_column(String(100), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    payment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("payments.id", ondelete="SET NULL"))
    received_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())
    processed_at: Mapped[datetime | None] = mapped_column(TZ)
    error: Mapped[str | None] = mapped_column(Text)


class IdempotencyKey(Base):
    """The first answer to a POST with an Idempotency-Key, replayed until expires_at (24 h)."""

    __tablename__ = "idempotency_keys"

    id: Mapped[uuid.UUID] = _id()
    key: Mapped[str] = mapped_column(String(255), nullable=False)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(100), nullable=False)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[Any | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(
        TZ, nullable=False, server_default=text("(now() + interval '24 hours')")
    )


class DepositType(enum.StrEnum):
    NONE = "none"
    FIXED = "fixed"
    PERCENT = "percent"
    FULL = "full"


class ServiceDeposit(Base):
    """What a service asks to be paid up front (no row = nothing)."""

    __tablename__ = "service_deposits"
    __mapper_args__ = {"eager_defaults": True}

    service_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("services.id", ondelete="CASCADE"), primary_key=True
    )
    deposit_type: Mapped[str] = mapped_column(String(10), nullable=False, server_default="none")
    deposit_value: Mapped[Decimal | None] = mapped_column(MONEY)
    updated_at: Mapped[datetime] = mapped_column(
        TZ, nullable=False, server_default=func.now(), server_onupdate=FetchedValue()
    )


class PaymentRefund(Base):
    """One refund of a payment, split between platform fee and business like the payment."""

    __tablename__ = "payment_refunds"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = _id()
    payment_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("payments.id", ondelete="CASCADE"), nullable=False
    )
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    platform_fee: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    business_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, server_default="NAD")
    reason: Mapped[str | None] = mapped_column(Text)
    provider_refund_id: Mapped[str | None] = mapped_column(String(255))
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())
