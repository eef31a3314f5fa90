"""Reads: the fee settings, a service's deposit, a booking's payments and its ledger."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.admin.settings import get_setting   # the one typed, cached reader of system_settings
from afrobiz.booking.models import Booking, BookingStatus
from afrobiz.payments import money
from afrobiz.payments.models import (
    Payment,
    PaymentRefund,
    PaymentStatus,
    ServiceDeposit,
)

# system_settings keys (a missing or unreadable row means the default).
FEE_PERCENT_KEY = "payments.platform_fee_percent"
FEE_FIXED_KEY = "payments.platform_fee_fixed"
RELEASE_MINUTES_KEY = "payments.unpaid_release_minutes"
DEFAULT_FEE_PERCENT = Decimal("5.0")
DEFAULT_FEE_FIXED = Decimal(0)
DEFAULT_RELEASE_MINUTES = 60

# Money that arrived (refunded ones arrived too; their refunds are subtracted separately).
RECEIVED = (PaymentStatus.COMPLETED, PaymentStatus.REFUNDED)
IN_FLIGHT = (PaymentStatus.PENDING, PaymentStatus.PROCESSING)
# Bookings that can still be paid for.
PAYABLE_BOOKINGS = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


async def _setting(session: AsyncSession, key: str) -> str | None:
    value = await get_setting(session, key)
    return None if value is None else str(value)


async def _decimal_setting(session: AsyncSession, key: str, default: Decimal) -> Decimal:
    value = await _setting(session, key)
    try:
        parsed = Decimal(value) if value is not None else default
    except InvalidOperation:
        return default  # a mistyped setting must not stop payments
    return parsed if parsed.is_finite() and parsed >= 0 else default


async def fee_settings(session: AsyncSession) -> tuple[Decimal, Decimal]:
    """(percent, fixed) of the platform fee from system_settings."""
    percent = min(await _decimal_setting(session, FEE_PERCENT_KEY, DEFAULT_FEE_PERCENT), money.HUNDRED)
    return percent, await _decimal_setting(session, FEE_FIXED_KEY, DEFAULT_FEE_FIXED)


async def release_minutes(session: AsyncSession) -> int:
    value = await _decimal_setting(session, RELEASE_MINUTES_KEY, Decimal(DEFAULT_RELEASE_MINUTES))
    return max(1, int(value))


async def deposit_of(session: AsyncSession, service_id: uuid.UUID | None) -> ServiceDeposit | None:
    return await session.get(ServiceDeposit, service_id) if service_id else None


async def deposit_for(session: AsyncSession, booking: Booking) -> Decimal:
    """What this booking must have paid up front (0 when its service asks nothing)."""
    d = await deposit_of(session, booking.service_id)
    return money.deposit_due(booking.total_amount, d.deposit_type, d.deposit_value) if d else money.ZERO


async def payments_of(session: AsyncSession, booking_id: uuid.UUID) -> list[Payment]:
    return list((await session.scalars(select(Payment).where(Payment.booking_id == booking_id)
                                       .order_by(Payment.created_at, Payment.id))).all())


async def refunds_of(session: AsyncSession, payment_ids: list[uuid.UUID]) -> list[PaymentRefund]:
    if not payment_ids:
        return []
    return list((await session.scalars(select(PaymentRefund).where(PaymentRefund.payment_id.in_(payment_ids))
                                       .order_by(PaymentRefund.created_at, PaymentRefund.id))).all())


@dataclass
class Ledger:
    """A booking's money: in (received), out (refunded), and how the net divides. Always
    net == platform_fee + business_amount."""

    currency: str
    total: Decimal
    deposit_required: Decimal
    received: Decimal
    refunded: Decimal
    net: Decimal
    platform_fee: Decimal
    business_amount: Decimal
    state: str

    @property
    def deposit_paid(self) -> bool:
        return self.net >= self.deposit_required

    @property
    def balance_due(self) -> Decimal:
        return max(self.total - self.net, money.ZERO)

    def as_json(self) -> dict:
        return {"currency": self.currency, "total": str(self.total), "deposit_required": str(self.deposit_required),
                "deposit_paid": self.deposit_paid, "received": str(self.received), "refunded": str(self.refunded),
                "net": str(self.net), "platform_fee": str(self.platform_fee),
                "business_amount": str(self.business_amount), "balance_due": str(self.balance_due),
                "state": self.state}


def build_ledger(booking: Booking, deposit: Decimal, payments: list[Payment], refunds: list[PaymentRefund]
                 ) -> Ledger:
    got = [p for p in payments if p.status in RECEIVED]
    received = sum((p.amount for p in got), money.ZERO)
    fee_in = sum((p.platform_fee for p in got), money.ZERO)
    refunded = sum((r.amount for r in refunds), money.ZERO)
    fee_out = sum((r.platform_fee for r in refunds), money.ZERO)
    net = received - refunded
    fee = fee_in - fee_out
    return Ledger(booking.currency, money.cents(booking.total_amount), deposit, received, refunded, net, fee,
                  net - fee, money.payment_state(total=booking.total_amount, paid=received, refunded=refunded))


async def ledger_for(session: AsyncSession, booking: Booking) -> Ledger:
    """The booking's ledger, from its payments and refunds (as the caller may see them)."""
    payments = await payments_of(session, booking.id)
    refunds = await refunds_of(session, [p.id for p in payments])
    return build_ledger(booking, await deposit_for(session, booking), payments, refunds)
