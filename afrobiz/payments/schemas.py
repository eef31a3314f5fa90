"""Payment API shapes: money as "150.00" strings plus currency; next_step only for the payer."""
from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from afrobiz.booking.schemas import Money
from afrobiz.directory.business_settings import BankDetails  # noqa: F401 (the API's shape, kept in the settings)
from afrobiz.payments.models import (
    DepositType,
    Payment,
    PaymentMethod,
    PaymentRefund,
    PaymentStatus,
)
from afrobiz.payments.providers import bank_details

# Input money: up to 8 digits before the point, at most 2 after (NUMERIC(10,2)).
MoneyIn = Decimal


class PaymentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    payment_method: PaymentMethod
    phone: str | None = Field(None, max_length=30, description="mobile-money wallet (default: the booking's phone)")


class MarkReceived(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount_received: MoneyIn = Field(gt=0, max_digits=10, decimal_places=2)


class RefundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: MoneyIn | None = Field(None, gt=0, max_digits=10, decimal_places=2,
                                   description="omit to refund all that is left")
    reason: str | None = Field(None, max_length=1000)


class DepositIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    deposit_type: DepositType
    deposit_value: MoneyIn | None = Field(None, gt=0, max_digits=10, decimal_places=2)


class DepositRead(BaseModel):
    service_id: uuid.UUID
    deposit_type: DepositType
    deposit_value: Money | None


class RefundRead(BaseModel):
    id: uuid.UUID
    amount: Money
    platform_fee: Money
    business_amount: Money
    currency: str
    reason: str | None
    created_at: datetime


class PaymentRead(BaseModel):
    id: uuid.UUID
    booking_id: uuid.UUID | None
    payment_method: PaymentMethod
    payment_provider: str | None
    status: PaymentStatus
    refund_state: str = Field(description="none | partial | full")
    amount: Money
    platform_fee: Money
    business_amount: Money
    refunded_amount: Money
    currency: str
    reference: str | None
    failure_reason: str | None
    created_at: datetime
    processed_at: datetime | None
    failed_at: datetime | None
    refunded_at: datetime | None
    next_step: dict[str, Any] | None = None
    refunds: list[RefundRead] = []


def refund_state(p: Payment) -> str:
    if p.refunded_amount <= 0:
        return "none"
    return "full" if p.refunded_amount >= p.amount else "partial"


def next_step(p: Payment, *, business_name: str, business_settings: dict | None) -> dict[str, Any] | None:
    """What the payer must do now, by method (None once nothing is left to do)."""
    amount = f"{p.currency} {p.amount:.2f}"
    if p.status not in (PaymentStatus.PENDING, PaymentStatus.PROCESSING):
        return None
    if p.payment_method == PaymentMethod.BANK_TRANSFER:
        return {"action": "bank_transfer", "amount": f"{p.amount:.2f}", "currency": p.currency,
                "reference": p.reference, "bank": bank_details(business_settings),
                "message": f"Transfer {amount} to {business_name} and use the reference {p.reference}. "
                           "The business marks it received when it arrives."}
    if p.payment_method == PaymentMethod.CASH:
        return {"action": "pay_at_business", "amount": f"{p.amount:.2f}", "currency": p.currency,
                "message": f"Pay {amount} in cash at {business_name}; they record it."}
    if p.payment_method == PaymentMethod.MOBILE_MONEY:
        last4 = (p.metadata_ or {}).get("phone_last4", "")
        return {"action": "approve_on_phone", "amount": f"{p.amount:.2f}", "currency": p.currency,
                "message": f"Approve the payment request of {amount} on your phone (number ending {last4})."}
    return {"action": "confirm_card", "amount": f"{p.amount:.2f}", "currency": p.currency,
            "client_secret": (p.metadata_ or {}).get("client_secret"),
            "message": "Confirm the card payment with the client secret (Stripe PaymentIntent)."}


def to_read(p: Payment, *, viewer_id: uuid.UUID | None, business_name: str, business_settings: dict | None,
            refunds: list[PaymentRefund] = (), payer: bool = False) -> PaymentRead:
    # payer=True: a guest holding the booking's payment link (no account, so no viewer_id).
    step = next_step(p, business_name=business_name, business_settings=business_settings) \
        if payer or viewer_id is not None and viewer_id == p.user_id else None
    return PaymentRead(
        id=p.id, booking_id=p.booking_id, payment_method=p.payment_method, payment_provider=p.payment_provider,
        status=p.status, refund_state=refund_state(p), amount=p.amount, platform_fee=p.platform_fee,
        business_amount=p.business_amount, refunded_amount=p.refunded_amount, currency=p.currency,
        reference=p.reference, failure_reason=p.failure_reason, created_at=p.created_at,
        processed_at=p.processed_at, failed_at=p.failed_at, refunded_at=p.refunded_at, next_step=step,
        refunds=[RefundRead(id=r.id, amount=r.amount, platform_fee=r.platform_fee, business_amount=r.business_amount,
                            currency=r.currency, reason=r.reason, created_at=r.created_at)
                 for r in refunds if r.payment_id == p.id])

