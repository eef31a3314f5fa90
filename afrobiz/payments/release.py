"""Releasing unpaid bookings, and the owner's payment settings (deposits, bank details)."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.admin.audit import record
from afrobiz.booking.catalog import require_editable_business, require_editable_service
from afrobiz.booking.models import Booking, BookingStatus, BookingStatusHistory
from afrobiz.db.session import acting_as_system
from afrobiz.directory.business_settings import BusinessSettings, PaymentSettings, bank_of, merged
from afrobiz.errors import InvalidInput
from afrobiz.notifications.models import NotificationType
from afrobiz.notifications.service import notify
from afrobiz.payments import ledger as L
from afrobiz.payments import money
from afrobiz.payments.models import DepositType, ServiceDeposit
from afrobiz.payments.models import PaymentStatus as P

RELEASE_REASON = "Payment not received in time"
BATCH = 200


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
            old = booking.status
            booking.status, booking.cancelled_at, booking.cancellation_reason = (
                BookingStatus.CANCELLED, now, RELEASE_REASON)
            session.add(BookingStatusHistory(booking_id=booking.id, old_status=old,
                                             new_status=BookingStatus.CANCELLED, changed_by=None,
                                             reason=RELEASE_REASON))
            released.append(booking.id)
        await session.flush()
        for booking in rows:
            if booking.id in released and booking.customer_id:
                await notify(session, user_id=booking.customer_id, type=NotificationType.BOOKING_CANCELLED,
                             title=f"Booking {booking.booking_number} released",
                             message="The deposit for your booking was not paid in time, so the slot was released.",
                             data={"event": "booking.released_unpaid", "booking_id": str(booking.id),
                                   "booking_number": booking.booking_number})
    return released


async def set_deposit(session: AsyncSession, *, user: User, service_id: uuid.UUID, deposit_type: DepositType,
                      deposit_value: Decimal | None, ip: str | None = None) -> ServiceDeposit:
    """The owner sets what a service asks up front: none, fixed (> 0), percent (0-100] or full."""
    service = await require_editable_service(session, user=user, service_id=service_id)
    if deposit_type in (DepositType.FIXED, DepositType.PERCENT):
        if deposit_value is None or deposit_value <= 0:
            raise InvalidInput("Give the deposit: an amount or a percentage above zero.", field="deposit_value")
        if deposit_type == DepositType.PERCENT and deposit_value > 100:
            raise InvalidInput("A percentage is at most 100.", field="deposit_value")
        deposit_value = money.cents(deposit_value)
    else:
        deposit_value = None
    row = await session.get(ServiceDeposit, service.id)
    old = {"deposit_type": row.deposit_type, "deposit_value": str(row.deposit_value)} if row else None
    if row is None:
        row = ServiceDeposit(service_id=service.id)
        session.add(row)
    row.deposit_type, row.deposit_value = deposit_type.value, deposit_value
    await session.flush()
    await record(session, actor_id=user.id, action="service.deposit", table_name="service_deposits",
                 record_id=service.id, old=old,
                 new={"deposit_type": deposit_type.value, "deposit_value": str(deposit_value)}, ip=ip)
    return row


async def set_bank_details(session: AsyncSession, *, user: User, business_id: uuid.UUID, details: dict,
                           ip: str | None = None) -> dict:
    """The owner's bank account for transfers, kept in businesses.settings['payments']['bank']."""
    business = await require_editable_business(session, user=user, business_id=business_id)
    old = bank_of(business.settings)
    business.settings = merged(business.settings, BusinessSettings(payments=PaymentSettings(bank=details)))
    await session.flush()
    await record(session, actor_id=user.id, action="business.bank_details", table_name="businesses",
                 record_id=business.id, old={"bank": old}, new={"bank": details}, ip=ip)
    return details

