"""Refunds: full or partial, never more than was paid, split like the payment.

A partial refund leaves the payment `completed` with `refunded_amount` > 0 (the API shows
refund_state "partial"); the refund that empties it sets `refunded` and `refunded_at`.
Card and mobile-money refunds go back through their provider; bank-transfer and cash refunds
are paid back by the business and recorded here.
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.admin.audit import record
from afrobiz.booking.messages import booking_link, tell_guest
from afrobiz.booking.models import Booking
from afrobiz.config import Settings
from afrobiz.db.session import acting_as_system
from afrobiz.directory.models import Business
from afrobiz.errors import InvalidInput
from afrobiz.notifications.models import NotificationType
from afrobiz.notifications.service import notify
from afrobiz.payments import ledger as L
from afrobiz.payments import money, providers
from afrobiz.payments.models import Payment, PaymentMethod, PaymentRefund
from afrobiz.payments.models import PaymentStatus as P
from afrobiz.payments.service import PaymentConflict, require_managed_payment


async def refund_payment(session: AsyncSession, *, payment_id: uuid.UUID, user: User, settings: Settings,
                         amount: Decimal | None = None, reason: str | None = None, ip: str | None = None,
                         now: datetime | None = None) -> tuple[Payment, PaymentRefund]:
    """Refund all that is left of a completed payment (amount=None) or part of it; the owner
    or an admin; more than what is left is refused."""
    now = now or datetime.now(UTC)
    payment = await require_managed_payment(session, payment_id=payment_id, user=user)
    if payment.status != P.COMPLETED:
        raise PaymentConflict(f"A payment that is {payment.status!s} cannot be refunded.")
    before = await L.refunds_of(session, [payment.id])
    done = money.Split(sum((r.amount for r in before), money.ZERO), sum((r.platform_fee for r in before), money.ZERO),
                       sum((r.business_amount for r in before), money.ZERO))
    left = payment.amount - done.amount
    wanted = left if amount is None else money.cents(amount)
    if wanted <= 0:
        raise InvalidInput("The refund must be more than zero.", field="amount")
    if wanted > left:
        raise InvalidInput(f"At most {payment.currency} {left} can still be refunded.", field="amount")
    parts = money.refund_split(money.Split(payment.amount, payment.platform_fee, payment.business_amount),
                               refund=wanted, already_refunded=done)
    refund = PaymentRefund(payment_id=payment.id, amount=parts.amount, platform_fee=parts.platform_fee,
                           business_amount=parts.business_amount, currency=payment.currency,
                           reason=(reason or None) and reason[:1000], created_by=user.id)
    session.add(refund)
    await session.flush()
    refund.provider_refund_id = await _send_back(settings, payment, parts.amount, refund.id)
    old = {"status": str(payment.status), "refunded_amount": str(payment.refunded_amount)}
    payment.refunded_amount = done.amount + parts.amount
    if payment.refunded_amount == payment.amount:
        payment.status, payment.refunded_at = P.REFUNDED, now
    await session.flush()
    await record(session, actor_id=user.id, action="payment.refund", table_name="payments", record_id=payment.id,
                 old=old, new={"status": str(payment.status), "refunded_amount": str(payment.refunded_amount),
                               "refund": str(parts.amount), "reason": reason}, ip=ip)
    await _tell_customer(session, payment, parts.amount)
    return payment, refund


async def _tell_customer(session: AsyncSession, payment: Payment, amount: Decimal) -> None:
    """The customer (or guest) hears of every refund, full or partial."""
    async with acting_as_system(session):  # the owner refunding may not read the customer's row
        booking = await session.get(Booking, payment.booking_id) if payment.booking_id else None
        business = await session.get(Business, payment.business_id) if payment.business_id else None
    number = booking.booking_number if booking else ""
    full = payment.status == P.REFUNDED
    title = f"Refund for {number}" if number else "Refund"
    message = (f"{business.name if business else 'The business'} refunded {payment.currency} {amount} "
               f"{'(the whole payment)' if full else f'of your {payment.currency} {payment.amount} payment'}. "
               + {PaymentMethod.CARD: "It goes back to your card.",
                  PaymentMethod.MOBILE_MONEY: "It goes back to your mobile-money wallet."}.get(
                   payment.payment_method, "The business pays it back to you."))
    customer_id = (booking.customer_id if booking else None) or payment.user_id
    if customer_id:
        await notify(session, user_id=customer_id, type=NotificationType.PAYMENT_REFUNDED, title=title,
                     message=message, data={"event": "payment.refunded", "payment_id": str(payment.id),
                                            "booking_id": str(payment.booking_id), "booking_number": number,
                                            "amount": str(amount), "full": full},
                     link=booking_link(booking) if booking else None)
    elif booking is not None:
        await tell_guest(session, booking, title=title, message=message)


async def _send_back(settings: Settings, payment: Payment, amount: Decimal, refund_id: uuid.UUID) -> str | None:
    if payment.payment_method == PaymentMethod.CARD and payment.provider_payment_id:
        return await providers.card_refund(settings, intent_id=payment.provider_payment_id, amount=amount,
                                           refund_key=f"refund-{refund_id}")
    if payment.payment_method == PaymentMethod.MOBILE_MONEY and payment.provider_payment_id:
        mm = providers.mobile_money_for(settings)
        if mm is None:
            raise PaymentConflict("Mobile money is not configured, so this refund cannot be sent.")
        return await mm.refund(payment.provider_payment_id, amount)
    return None  # cash and bank transfer: the business pays it back itself
