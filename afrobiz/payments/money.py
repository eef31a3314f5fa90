"""The money rules, pure and exact: Decimal, two places, ROUND_HALF_UP to the cent.

* platform fee = amount × percent / 100 + fixed, rounded once, never more than the amount;
  business_amount = amount − fee (so fee + business_amount == amount, the DB's CHECK);
* a deposit is none, a fixed amount, a percentage of the booking total, or the whole total,
  never more than the total;
* a refund is split between fee and business in the payment's proportion; the refund that
  empties the payment takes exactly what is left of each, so every ledger balances.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def cents(value: Decimal | int | str) -> Decimal:
    """Round half-up to the cent."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Split:
    amount: Decimal
    platform_fee: Decimal
    business_amount: Decimal


def split(amount: Decimal, *, percent: Decimal, fixed: Decimal = ZERO) -> Split:
    """The platform's fee and the business's share of an amount."""
    amount = cents(amount)
    if amount < 0:
        raise ValueError("amount must not be negative")
    fee = cents(amount * Decimal(percent) / HUNDRED + Decimal(fixed))
    fee = min(max(fee, ZERO), amount)
    return Split(amount, fee, amount - fee)


def deposit_due(total: Decimal, deposit_type: str, value: Decimal | None) -> Decimal:
    """What must be paid before the appointment: none / fixed / percent of total / full total."""
    total = cents(total)
    if deposit_type == "full":
        return total
    if deposit_type == "fixed" and value is not None:
        return min(cents(value), total)
    if deposit_type == "percent" and value is not None:
        return min(cents(total * Decimal(value) / HUNDRED), total)
    return ZERO


def refund_split(payment: Split, *, refund: Decimal, already_refunded: Split) -> Split:
    """Split one refund of `payment` given what was refunded before; refund must be > 0 and
    at most what is left."""
    refund = cents(refund)
    left = payment.amount - already_refunded.amount
    if refund <= 0 or refund > left:
        raise ValueError("refund must be more than zero and at most what is left")
    fee_left = payment.platform_fee - already_refunded.platform_fee
    business_left = payment.business_amount - already_refunded.business_amount
    if refund == left:
        return Split(refund, fee_left, business_left)
    fee = cents(refund * payment.platform_fee / payment.amount) if payment.amount else ZERO
    # Keep each part within what is left of it, so neither side ever goes negative.
    fee = min(max(fee, refund - business_left), fee_left, refund)
    return Split(refund, fee, refund - fee)


def payment_state(*, total: Decimal, paid: Decimal, refunded: Decimal) -> str:
    """unpaid | part_paid | paid | refunded, from the booking's total and its money in and out."""
    net = paid - refunded
    if paid > 0 and net <= 0:
        return "refunded"
    if net <= 0:
        return "unpaid"
    return "paid" if net >= cents(total) else "part_paid"
