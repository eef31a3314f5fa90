"""What money does to a booking: a deposit paid confirms it, a deposit not paid in time
releases it. Both move the booking through booking.status.transition(), as the platform
(no person decides), and tell its parties.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.booking.messages import Words, tell_customer, tell_owner
from afrobiz.booking.models import Booking, BookingStatus, Service
from afrobiz.booking.status import Actor, Notice, transition
from afrobiz.db.session import acting_as_system
from afrobiz.directory.models import Business
from afrobiz.notifications.models import NotificationType
from afrobiz.payments import ledger as L
from afrobiz.payments.models import DepositType, Payment, ServiceDeposit
from afrobiz.payments.models import PaymentStatus as P

RELEASE_REASON = "Payment not received in time"
BATCH = 200


async def on_payment_received(session: AsyncSession, payment: Payment, now: datetime) -> None:
    """Money arrived: a pending booking whose deposit is now covered is confirmed (the
    customer committed money, and a paid booking must not lapse while the owner is away);
    money for a booking released or cancelled meanwhile is flagged for a refund; both
    parties hear of the payment."""
    # Completion may come from a webhook (no user) or an owner: the booking and business are
    # read and updated as system; the payment row itself already proved the link.
    async with acting_as_system(session):
        booking = await session.get(Booking, payment.booking_id, with_for_update=True)
        business = await session.get(Business, payment.business_id)
        led = await L.ledger_for(session, booking)
        confirmed = booking.status == BookingStatus.PENDING and led.deposit_required > 0 and led.deposit_paid
        if confirmed:
            # The payment's message below says so: the move itself tells no one.
            await transition(session, booking, business, None, new_status=BookingStatus.CONFIRMED,
                             actor=Actor.SYSTEM, reason="Deposit paid", now=now)
        elif booking.status not in L.PAYABLE_BOOKINGS and booking.status != BookingStatus.COMPLETED:
            # Money arrived for a booking that was released or cancelled meanwhile: flag it
            # so the owner refunds it (it shows in the owner's list and reconciliation).
            payment.metadata_ = payment.metadata_ | {"needs_refund": True}
        await session.flush()
    amount = f"{payment.currency} {payment.amount}"
    data = {"event": "payment.completed", "payment_id": str(payment.id), "booking_id": str(booking.id),
            "booking_number": booking.booking_number}
    await tell_owner(session, business.owner_id, booking, kind=NotificationType.PAYMENT_RECEIVED,
                     title=f"Payment received for {booking.booking_number}",
                     message=f"{amount} by {str(payment.payment_method).replace('_', ' ')} "
                             f"({led.state.replace('_', ' ')}).", data=data)
    extra = " Your booking is confirmed." if confirmed else ""
    await tell_customer(session, booking, kind=NotificationType.PAYMENT_RECEIVED,
                        title=f"Payment received: {booking.booking_number}",
                        message=f"{business.name} received your payment of {amount}.{extra}", data=data)


async def release_unpaid_bookings(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """Cancel pending/confirmed bookings whose service asks a deposit that is still not paid
    `payments.unpaid_release_minutes` after booking, freeing the slot and telling the customer.
    A payment the provider is still processing (started within the window) gets its chance
    first. Safe to run twice."""
    minutes = await L.release_minutes(session)
    cutoff = now - timedelta(minutes=minutes)
    released: list[uuid.UUID] = []
    async with acting_as_system(session):  # a job sweeps every business's bookings
        rows = (await session.scalars(
            select(Booking).join(ServiceDeposit, ServiceDeposit.service_id == Booking.service_id)
            .where(ServiceDeposit.deposit_type != DepositType.NONE.value,
                   Booking.status.in_((BookingStatus.PENDING, BookingStatus.CONFIRMED)),
                   Booking.created_at < cutoff)
            .order_by(Booking.created_at).limit(BATCH).with_for_update(of=Booking, skip_locked=True))).all()
        for booking in rows:
            payments = await L.payments_of(session, booking.id)
            led = L.build_ledger(booking, await L.deposit_for(session, booking), payments,
                                 await L.refunds_of(session, [p.id for p in payments]))
            if led.deposit_paid or any(p.status == P.PROCESSING and p.created_at >= cutoff for p in payments):
                continue
            for p in payments:
                if p.status in L.IN_FLIGHT:
                    p.status, p.failure_reason = P.CANCELLED, RELEASE_REASON
            business = await session.get(Business, booking.business_id)
            service = await session.get(Service, booking.service_id) if booking.service_id else None
            # A customer with an account is told; a guest never was (guest_by=()).
            notice = Notice(customer=Words(
                title=f"Booking {booking.booking_number} released",
                message="The deposit for your booking was not paid in time, so the slot was released.",
                data={"event": "booking.released_unpaid", "booking_number": booking.booking_number}),
                guest_by=())
            await transition(session, booking, business, service, new_status=BookingStatus.CANCELLED,
                             actor=Actor.SYSTEM, reason=RELEASE_REASON, now=now, notice=notice)
            released.append(booking.id)
    return released
