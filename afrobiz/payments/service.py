"""Paying for a booking: creating a payment, the status machine, marking money received.

Decisions (documented for the owner and the API):
* The amount is what the booking still needs: the deposit still due if the service asks one
  and it is not yet covered, otherwise the balance of the total. Nothing left → 409.
* One payment in flight per booking (pending/processing) → a second one is 409 (the booking
  row is locked and a unique index backs it up). After a deposit is paid, the balance may be paid.
* When money arrives and covers the deposit of a *pending* booking, the booking is confirmed
  at once: the customer committed money, and a paid booking must not be cancelled by the
  pending-expiry job while the owner is away. Services without a deposit are left to the owner.
* Status moves only forward: pending → processing → completed | failed | cancelled; a
  failed/cancelled payment may still complete when the provider later says so (money did
  arrive); completed → refunded happens in refunds.py. Nothing moves backwards, so webhooks
  arriving out of order cannot undo a later state.
"""
from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.admin.audit import record
from afrobiz.booking.models import Booking
from afrobiz.config import Settings
from afrobiz.db.session import acting_as_system
from afrobiz.directory.models import Business
from afrobiz.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from afrobiz.kit.phones import normalize_phone
from afrobiz.payments import flows, money, providers
from afrobiz.payments import ledger as L
from afrobiz.payments.ledger import PAYABLE_BOOKINGS
from afrobiz.payments.models import Payment, PaymentMethod
from afrobiz.payments.models import PaymentStatus as P

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_RANK = {P.PENDING: 0, P.PROCESSING: 1, P.FAILED: 2, P.CANCELLED: 2, P.COMPLETED: 3, P.REFUNDED: 4}


class PaymentConflict(Conflict):
    title = "Payment not possible"


class MethodUnavailable(InvalidInput):
    title = "Payment method unavailable"


def new_reference() -> str:
    return "PAY-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def is_staff(user: User) -> bool:
    return str(user.role) == "admin"


async def business_of(session: AsyncSession, business_id: uuid.UUID) -> Business:
    # The payment or booking the caller holds was RLS-checked; the business row is read as
    # system so a customer still sees bank details of a business that is not (yet) public.
    async with acting_as_system(session):
        return await session.get(Business, business_id)


async def _payable_booking(session: AsyncSession, booking_id: uuid.UUID, user: User) -> Booking:
    # RLS shows a booking only to its customer, its business's owner and staff; FOR UPDATE
    # makes two payment attempts for one booking take turns.
    booking = (await session.scalars(select(Booking).where(Booking.id == booking_id).with_for_update())).first()
    if booking is None:
        raise NotFound("No such booking.")
    if booking.customer_id != user.id:
        raise PermissionDenied("Only the booking's customer can pay for it.")
    if booking.status not in PAYABLE_BOOKINGS:
        raise PaymentConflict(f"A booking that is {booking.status!s} cannot be paid.")
    return booking


async def methods_for(session: AsyncSession, settings: Settings, booking: Booking) -> list[PaymentMethod]:
    """The methods this booking's customer may choose (configured ones only)."""
    business = await business_of(session, booking.business_id)
    deposit = await L.deposit_for(session, booking)
    return providers.available_methods(settings, business_settings=business.settings, deposit_required=deposit > 0)


async def create_payment(session: AsyncSession, *, booking_id: uuid.UUID, user: User, method: PaymentMethod,
                         settings: Settings, phone: str | None = None) -> Payment:
    """Start paying what the booking still needs by one configured method (409 while another
    payment is in flight or when nothing is owed)."""
    booking = await _payable_booking(session, booking_id, user)
    return await start_payment(session, booking=booking, payer_id=user.id, method=method, settings=settings,
                               phone=phone or booking.customer_phone or user.phone)


async def start_payment(session: AsyncSession, *, booking: Booking, payer_id: uuid.UUID | None,
                        method: PaymentMethod, settings: Settings, phone: str | None) -> Payment:
    """Start paying what the (locked, payable) booking still needs; the caller proved the
    right to pay for it (its customer, or a guest's payment link)."""
    if method not in await methods_for(session, settings, booking):
        raise MethodUnavailable(f"Paying by {method.value.replace('_', ' ')} is not available for this booking.",
                                field="payment_method")
    payments = await L.payments_of(session, booking.id)
    if any(p.status in L.IN_FLIGHT for p in payments):
        raise PaymentConflict("A payment for this booking is already under way.")
    led = L.build_ledger(booking, await L.deposit_for(session, booking), payments,
                         await L.refunds_of(session, [p.id for p in payments]))
    amount = led.deposit_required - led.net if not led.deposit_paid else led.balance_due
    if amount <= 0:
        raise PaymentConflict("Nothing is owed on this booking.")
    percent, fixed = await L.fee_settings(session)
    parts = money.split(amount, percent=percent, fixed=fixed)
    if method == PaymentMethod.MOBILE_MONEY:
        phone = normalize_phone(phone or "")
        if not phone:
            raise InvalidInput("Give the phone number of the mobile-money wallet.", field="phone")
    payment = Payment(booking_id=booking.id, user_id=payer_id, business_id=booking.business_id,
                      payment_method=method, amount=parts.amount, platform_fee=parts.platform_fee,
                      business_amount=parts.business_amount, currency=booking.currency, status=P.PENDING,
                      metadata_={"purpose": "deposit" if not led.deposit_paid else "balance"})
    await _insert(session, payment)
    if method == PaymentMethod.MOBILE_MONEY:
        mm = providers.mobile_money_for(settings)
        payment.payment_provider = mm.name
        payment.provider_payment_id = await mm.request_to_pay(reference=payment.reference, amount=payment.amount,
                                                              currency=payment.currency, phone=phone)
        payment.status = P.PROCESSING
        payment.metadata_ = payment.metadata_ | {"phone_last4": phone[-4:]}
    elif method == PaymentMethod.CARD:
        intent_id, client_secret = await providers.card_create_intent(
            settings, amount=payment.amount, currency=payment.currency, payment_id=str(payment.id),
            booking_id=str(booking.id))
        payment.payment_provider, payment.provider_payment_id = "stripe", intent_id
        # Only the payer is shown this (api renders next_step for the payer alone).
        payment.metadata_ = payment.metadata_ | {"client_secret": client_secret}
    await session.flush()
    return payment


async def _insert(session: AsyncSession, payment: Payment) -> None:
    for _attempt in range(3):
        payment.reference = new_reference()
        try:
            async with session.begin_nested():
                session.add(payment)
                await session.flush()
            return
        except IntegrityError as exc:
            constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", None)
            if constraint == "uq_payments_booking_in_flight":
                raise PaymentConflict("A payment for this booking is already under way.") from None
            if constraint != "uq_payments_reference":
                raise
    raise RuntimeError("could not find a free payment reference")  # 3 collisions in 8.5e11: a bug


async def apply_status(session: AsyncSession, payment: Payment, new: P, *, now: datetime | None = None,
                       reason: str | None = None) -> bool:
    """Move a payment forward to `new` (never backwards); on completion notify both parties
    and confirm a pending booking whose deposit is now covered. Returns whether it moved."""
    now = now or datetime.now(UTC)
    old = payment.status
    if _RANK[new] <= _RANK[old] or new == P.REFUNDED:
        return False
    payment.status = new
    if new == P.COMPLETED:
        payment.processed_at, payment.failure_reason = now, None
    elif new == P.FAILED:
        payment.failed_at, payment.failure_reason = now, (reason or "The payment failed.")[:1000]
    elif new == P.CANCELLED:
        payment.failure_reason = reason
    await session.flush()
    if new == P.COMPLETED:
        await flows.on_payment_received(session, payment, now)
    return True


async def require_managed_payment(session: AsyncSession, *, payment_id: uuid.UUID, user: User) -> Payment:
    """A payment the caller manages (its business's owner, or an admin), locked; others get 404
    (RLS hides it) or 403 (the payer, who sees it but may not manage it)."""
    payment = (await session.scalars(select(Payment).where(Payment.id == payment_id).with_for_update())).first()
    if payment is None:
        raise NotFound("No such payment.")
    if not is_staff(user):
        business = await business_of(session, payment.business_id)
        if business is None or business.owner_id != user.id:
            raise PermissionDenied("Only the business's owner or an admin can do this.")
    return payment


async def mark_received(session: AsyncSession, *, payment_id: uuid.UUID, user: User, amount_received: Decimal,
                        ip: str | None = None, now: datetime | None = None) -> Payment:
    """The owner or an admin records a bank transfer or cash as received, with the amount that
    actually arrived (more than the booking still owes is refused: refund the difference)."""
    payment = await require_managed_payment(session, payment_id=payment_id, user=user)
    if payment.payment_method not in (PaymentMethod.BANK_TRANSFER, PaymentMethod.CASH):
        raise PaymentConflict("Card and mobile-money payments are confirmed by their provider.")
    if payment.status not in L.IN_FLIGHT:
        raise PaymentConflict(f"A payment that is {payment.status!s} cannot be marked received.")
    received = money.cents(amount_received)
    async with acting_as_system(session):  # the whole booking's ledger, whoever recorded it
        booking = await session.get(Booking, payment.booking_id)
        others = [p for p in await L.payments_of(session, booking.id) if p.id != payment.id]
        led = L.build_ledger(booking, money.ZERO, others, await L.refunds_of(session, [p.id for p in others]))
    if received <= 0:
        raise InvalidInput("The amount received must be more than zero.", field="amount_received")
    if received > led.balance_due:
        raise InvalidInput(f"That is more than the booking still owes ({booking.currency} {led.balance_due}).",
                           field="amount_received")
    old = {"status": str(payment.status), "amount": str(payment.amount)}
    if received != payment.amount:
        percent, fixed = await L.fee_settings(session)
        parts = money.split(received, percent=percent, fixed=fixed)
        payment.metadata_ = payment.metadata_ | {"expected_amount": str(payment.amount)}
        payment.amount, payment.platform_fee, payment.business_amount = (
            parts.amount, parts.platform_fee, parts.business_amount)
    await apply_status(session, payment, P.COMPLETED, now=now)
    await record(session, actor_id=user.id, action="payment.mark_received", table_name="payments",
                 record_id=payment.id, old=old, new={"status": str(payment.status), "amount": str(payment.amount)},
                 ip=ip)
    return payment


async def list_booking_payments(session: AsyncSession, *, booking_id: uuid.UUID, user: User
                                ) -> tuple[Booking, list[Payment], L.Ledger]:
    """A booking's payments and ledger, for its customer, its business's owner and staff."""
    booking = (await session.scalars(select(Booking).where(Booking.id == booking_id))).first()
    if booking is None:  # RLS: not a party to it
        raise NotFound("No such booking.")
    payments = await L.payments_of(session, booking.id)
    led = L.build_ledger(booking, await L.deposit_for(session, booking), payments,
                         await L.refunds_of(session, [p.id for p in payments]))
    return booking, payments, led
