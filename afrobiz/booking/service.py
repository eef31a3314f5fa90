"""Making a booking: the slot re-check, the price snapshot, and the database's last word
on double booking."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from psycopg import errors as pg_errors
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.booking import availability as av, guest_limits, sms
from afrobiz.booking.errors import SlotUnavailable
from afrobiz.booking.messages import tell_customer, tell_owner
from afrobiz.booking.models import Booking, BookingStatus, BookingStatusHistory, Service
from afrobiz.booking.numbers import new_booking_number
from afrobiz.booking.schemas import BookingCreate, Guest
from afrobiz.booking.slots import ServiceContext, load_context, lock_service, slot_problem
from afrobiz.db.session import acting_as_system
from afrobiz.errors import InvalidInput
from afrobiz.notifications.models import NotificationType

CENTS = Decimal("0.01")


@dataclass(frozen=True)
class Price:
    service_price: Decimal
    additional_fees: Decimal
    discount_amount: Decimal
    total_amount: Decimal


def price_booking(service: Service, guest_count: int, *, fees: Decimal = Decimal("0"),
                  discount: Decimal = Decimal("0")) -> Price:
    """Snapshot of the price: the service's price, times guest_count only for a per-person
    service; total = price + fees - discount, never below zero. No price = free / on request."""
    unit = service.price if service.price is not None else Decimal("0")
    base = (unit * (guest_count if service.price_per_person else 1)).quantize(CENTS)
    total = max(base + fees - discount, Decimal("0")).quantize(CENTS)
    return Price(base, fees.quantize(CENTS), discount.quantize(CENTS), total)


def lost_race(exc: DBAPIError) -> bool:
    """Did bookings_no_overlap refuse our row? Either directly (ExclusionViolation) or, when
    two racers' uncommitted rows wait on each other while checking the constraint, through
    PostgreSQL's deadlock detector, which aborts one of them: that one lost the slot."""
    return isinstance(exc.orig, (pg_errors.ExclusionViolation, pg_errors.DeadlockDetected))


def _constraint(exc: DBAPIError) -> str | None:
    diag = getattr(exc.orig, "diag", None)
    return getattr(diag, "constraint_name", None)


def _contact(user: User | None, data: BookingCreate) -> Guest:
    if user is None:
        if not data.customer_name:
            raise InvalidInput("Tell us your name.", field="customer_name")
        if not data.customer_email and not data.customer_phone:
            raise InvalidInput("Give an e-mail address or a phone number so the business can reach you.",
                               field="customer_email")
        return Guest(name=data.customer_name, email=data.customer_email, phone=data.customer_phone)
    return Guest.model_construct(name=data.customer_name or f"{user.first_name} {user.last_name}".strip(),
                                 email=data.customer_email or user.email, phone=data.customer_phone or user.phone)


async def _insert(session: AsyncSession, booking: Booking, history: BookingStatusHistory, *, guest: bool) -> None:
    """Insert in a savepoint, so a lost race becomes a clean 409 instead of a broken transaction."""
    for _attempt in range(3):
        booking.booking_number = new_booking_number()
        try:
            if guest:
                # A guest booking has no customer_id, and RLS lets only the business's owner
                # or staff write such a row: insert it (and its history) as system. The
                # savepoint sits inside the block so the identity is restored after a rollback.
                async with acting_as_system(session):
                    await _insert_once(session, booking, history)
            else:
                await _insert_once(session, booking, history)
            return
        except (IntegrityError, OperationalError) as exc:
            if lost_race(exc):
                raise SlotUnavailable(av.SlotProblem.FULL) from None
            if _constraint(exc) != "bookings_booking_number_key":
                raise
    raise RuntimeError("could not find a free booking number")  # 3 collisions in 8.5e11: a bug


async def _insert_once(session: AsyncSession, booking: Booking, history: BookingStatusHistory) -> None:
    async with session.begin_nested():
        session.add(booking)
        await session.flush()
        history.booking_id = booking.id
        session.add(history)
        await session.flush()


def _check(problem: av.SlotProblem | None) -> None:
    if problem is not None:
        raise SlotUnavailable(problem)


async def create_booking(session: AsyncSession, *, user: User | None, data: BookingCreate,
                         now: datetime | None = None, ip: str | None = None) -> Booking:
    """Book a free slot as a customer or a guest: re-checked in this transaction; a
    capacity-1 service relies on the exclusion constraint, capacity N on the service row lock.
    A guest (no user) books within guest_limits (per client address `ip` and per contact)."""
    now = now or datetime.now(UTC)
    contact = _contact(user, data)
    # Read the capacity first without a lock; only shared services need the row lock.
    # Capacity counts bookings, not guests: one booking for 3 people takes one place.
    ctx: ServiceContext = await load_context(session, data.service_id)
    if ctx.service.capacity > 1:
        ctx = await lock_service(session, ctx)
    _check(await slot_problem(session, ctx, local_date=data.booking_date, local_time=data.booking_time, now=now))
    if user is None:     # counted only for a slot that can be booked: a refused pick costs nothing
        await guest_limits.admit(session, contact=contact, ip=ip, business_id=ctx.business.id, now=now)

    starts_at = av.local_to_utc(data.booking_date, data.booking_time, ctx.rules.tz)
    lo, hi = av.occupied_range(ctx.rules, starts_at)
    price = price_booking(ctx.service, data.guest_count)
    booking = Booking(
        customer_id=user.id if user else None, business_id=ctx.business.id, service_id=ctx.service.id,
        booking_date=data.booking_date, booking_time=data.booking_time,
        duration_minutes=ctx.service.duration_minutes, guest_count=data.guest_count,
        customer_name=contact.name[:255], customer_email=contact.email, customer_phone=contact.phone,
        service_price=price.service_price, additional_fees=price.additional_fees,
        discount_amount=price.discount_amount, total_amount=price.total_amount, currency=ctx.service.currency,
        status=BookingStatus.PENDING, notes=data.notes,
        time_range=Range(lo, hi, bounds="[)"), exclusive_slot=ctx.service.capacity == 1,
    )
    history = BookingStatusHistory(old_status=None, new_status=BookingStatus.PENDING,
                                   changed_by=user.id if user else None, reason="Booked")
    await _insert(session, booking, history, guest=user is None)

    local = f"{data.booking_date:%a %d %b} {data.booking_time:%H:%M}"
    # The owner's SMS ends with how to answer it by text (when two-way SMS is on).
    await tell_owner(session, ctx.business.owner_id, booking, kind=NotificationType.BOOKING_REQUESTED,
                     title=f"New booking {booking.booking_number}",
                     message=f"{contact.name} booked {ctx.service.name} on {local}. Please confirm it.",
                     data={"event": "booking.created", "booking_id": str(booking.id),
                           "booking_number": booking.booking_number},
                     reply_hint=sms.reply_hint(booking.booking_number))
    await _tell_booker(session, booking, ctx)
    return booking


async def _tell_booker(session: AsyncSession, booking: Booking, ctx: ServiceContext) -> None:
    """"We got your booking": a guest by e-mail and/or SMS (their only record of it, with the
    link back to it); a customer in their inbox only, having just seen it on screen (the
    business's confirmation is what reaches them by e-mail and SMS)."""
    local = f"{booking.booking_date:%a %d %b} {booking.booking_time:%H:%M}"
    # Not "booking.created": that event is the owner's (its SMS asks for YES/NO).
    await tell_customer(session, booking, kind=NotificationType.BOOKING_CONFIRMED,
                        title=f"Booking {booking.booking_number} received",
                        message=f"{ctx.business.name} has your booking for {ctx.service.name} on {local}. "
                                f"We will tell you when they confirm it.",
                        data={"event": "booking.received", "booking_id": str(booking.id),
                              "booking_number": booking.booking_number}, outside=False)
