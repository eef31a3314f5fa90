"""The booking status machine, who may make each move, and rescheduling.

transition() is the one way a booking's status changes, whoever asks: a customer, a guest
(by text), the owner, an admin, or the platform itself (a pending booking expiring, a
deposit paid or not paid in time).
"""
from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.admin.audit import record
from afrobiz.booking import availability as av
from afrobiz.booking import ics
from afrobiz.booking.errors import CancellationDeadlinePassed, SlotUnavailable, TransitionNotAllowed
from afrobiz.booking.messages import GUEST_CHANNELS, Words, tell_customer, tell_owner
from afrobiz.booking.models import ACTIVE_STATUSES, Booking, BookingStatus as S, BookingStatusHistory, Service
from afrobiz.booking.service import lost_race
from afrobiz.booking.slots import business_tz, load_context, slot_problem, starts_at
from afrobiz.db.session import acting_as_system
from afrobiz.directory.models import Business
from afrobiz.errors import InvalidInput, NotFound
from afrobiz.notifications.models import NotificationType

TRANSITIONS: dict[S, frozenset[S]] = {
    S.PENDING: frozenset({S.CONFIRMED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.IN_PROGRESS, S.CANCELLED, S.NO_SHOW, S.COMPLETED}),
    S.IN_PROGRESS: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
    S.NO_SHOW: frozenset(),
}


class Actor(enum.StrEnum):
    CUSTOMER = "customer"
    OWNER = "owner"
    ADMIN = "admin"
    SYSTEM = "system"      # the platform's clock and money: expiry, a deposit paid or not paid in time


# What each party may ask for (on top of the machine): the customer may only cancel.
ROLE_MOVES: dict[Actor, frozenset[S]] = {
    Actor.CUSTOMER: frozenset({S.CANCELLED}),
    Actor.OWNER: frozenset({S.CONFIRMED, S.IN_PROGRESS, S.COMPLETED, S.NO_SHOW, S.CANCELLED}),
    Actor.ADMIN: frozenset(S),
    Actor.SYSTEM: frozenset({S.CONFIRMED, S.CANCELLED}),
}
_STAMPS = {S.CONFIRMED: "confirmed_at", S.COMPLETED: "completed_at", S.CANCELLED: "cancelled_at"}
# A customer's message about these carries the booking as a calendar event (.ics).
CALENDAR_KINDS = {NotificationType.BOOKING_CONFIRMED, NotificationType.BOOKING_CANCELLED,
                  NotificationType.BOOKING_RESCHEDULED}
_KIND = {S.CONFIRMED: NotificationType.BOOKING_CONFIRMED, S.CANCELLED: NotificationType.BOOKING_CANCELLED}


@dataclass(frozen=True)
class Notice:
    """What the platform's own move tells each party (None: that party is not told), and on
    which channels a guest customer hears it (none: not at all)."""

    customer: Words | None = None
    owner: Words | None = None
    guest_by: tuple[str, ...] = GUEST_CHANNELS


def can_transition(actor: Actor, old: S, new: S) -> bool:
    """The machine allows old → new and the actor's role may ask for new."""
    return new in TRANSITIONS[old] and new in ROLE_MOVES[actor]


def cancellation_deadline(starts_at: datetime, deadline_hours: int) -> datetime:
    """The last moment a customer may cancel (or move) a booking themselves."""
    return starts_at - timedelta(hours=deadline_hours)


async def _load_for_change(session: AsyncSession, booking_id: uuid.UUID, user: User
                           ) -> tuple[Booking, Business, Service | None, Actor]:
    # RLS shows the booking only to its customer, its business's owner and staff: anyone
    # else gets 404. FOR UPDATE serialises two people changing the same booking.
    booking = (await session.scalars(select(Booking).where(Booking.id == booking_id).with_for_update())).first()
    if booking is None:
        raise NotFound("No such booking.")
    # The booking being visible proves the caller is a party to it; the business row is read
    # as system because a customer must still be able to cancel at a suspended business.
    async with acting_as_system(session):
        business = await session.get(Business, booking.business_id)
    service = await session.get(Service, booking.service_id) if booking.service_id else None
    if str(user.role) == "admin":
        actor = Actor.ADMIN
    elif business.owner_id == user.id:
        actor = Actor.OWNER
    elif booking.customer_id == user.id:
        actor = Actor.CUSTOMER
    else:
        raise NotFound("No such booking.")
    return booking, business, service, actor


def _check_deadline(actor: Actor, booking: Booking, business: Business, service: Service | None,
                    now: datetime, what: str) -> None:
    if actor is not Actor.CUSTOMER:
        return
    start = starts_at(booking, business_tz(business))
    deadline = cancellation_deadline(start, service.cancellation_deadline_hours if service else 0)
    if now >= deadline:
        local = deadline.astimezone(ZoneInfo(business_tz(business)))
        raise CancellationDeadlinePassed(
            f"Bookings can only be {what} by you until {local:%d %b %Y %H:%M}. Please contact the business.")


async def transition(session: AsyncSession, booking: Booking, business: Business, service: Service | None, *,
                     new_status: S, actor: Actor, changed_by: uuid.UUID | None = None, reason: str | None = None,
                     now: datetime, ip: str | None = None, notice: Notice | None = None) -> Booking:
    """Move a (locked) booking along the machine, as `actor` may: the customer's deadline
    and the owner's reason for a cancellation, the stamp, the history row, the audit row
    for an owner's or admin's move, and the other party told: the owner of a customer's
    move, the customer of the business's; the platform's own move tells whom `notice` says."""
    old = booking.status
    if not can_transition(actor, old, new_status):
        by_you = " by you" if actor is not Actor.SYSTEM else ""
        raise TransitionNotAllowed(f"A booking that is {old.value} cannot be set to {new_status.value}{by_you}.")
    if new_status is S.CANCELLED:
        _check_deadline(actor, booking, business, service, now, "cancelled")
        if actor is Actor.OWNER and not (reason or "").strip():
            raise InvalidInput("Tell the customer why you cancel.", field="reason")
        booking.cancellation_reason = reason
    booking.status = new_status
    if new_status in _STAMPS:
        setattr(booking, _STAMPS[new_status], now)
    session.add(BookingStatusHistory(booking_id=booking.id, old_status=old, new_status=new_status,
                                     changed_by=changed_by, reason=reason))
    await session.flush()
    if actor in (Actor.OWNER, Actor.ADMIN):
        await record(session, actor_id=changed_by, action=f"booking.{new_status.value}", table_name="bookings",
                     record_id=booking.id, old={"status": old.value}, new={"status": new_status.value,
                                                                           "reason": reason}, ip=ip)
    if actor is Actor.SYSTEM:
        await _tell_as_noticed(session, booking, business, service, notice)
    else:
        await _tell_other_party(session, booking, business, service, actor, new_status, reason)
    return booking


async def change_status(session: AsyncSession, *, booking_id: uuid.UUID, user: User, new_status: S,
                        reason: str | None = None, now: datetime | None = None, ip: str | None = None) -> Booking:
    """A party to the booking moves it (transition() as the caller's role)."""
    booking, business, service, actor = await _load_for_change(session, booking_id, user)
    return await transition(session, booking, business, service, new_status=new_status, actor=actor,
                            changed_by=user.id, reason=reason, now=now or datetime.now(UTC), ip=ip)


async def cancel_as_guest(session: AsyncSession, *, booking: Booking, reason: str | None,
                          now: datetime | None = None) -> Booking:
    """A guest (a booking without an account) cancels their own booking: the customer's rules
    (the machine, the customer's role, the service's cancellation deadline), a history row with
    no changed_by, and the owner is told, as change_status does for a customer.

    The caller has already proved the guest's right to this booking (e.g. the text came from
    the phone on it, booking.flows); no account can stand behind it. The booking is read
    afresh and locked; guest rows are written as system, the only identity RLS lets write a
    booking without a customer."""
    async with acting_as_system(session):
        booking = (await session.scalars(select(Booking).where(Booking.id == booking.id).with_for_update()
                                         .execution_options(populate_existing=True))).first()
        if booking is None or booking.customer_id is not None:
            raise NotFound("No such booking.")
        business = await session.get(Business, booking.business_id)
        service = await session.get(Service, booking.service_id) if booking.service_id else None
        return await transition(session, booking, business, service, new_status=S.CANCELLED,
                                actor=Actor.CUSTOMER, reason=reason, now=now or datetime.now(UTC))


def _when(booking: Booking) -> str:
    return f"{booking.booking_date:%a %d %b} {booking.booking_time:%H:%M}"


def _calendar(booking: Booking, business: Business, service: Service | None, kind: NotificationType):
    return ics.event_for(booking, business, service.name if service else None) if kind in CALENDAR_KINDS else None


async def _tell_as_noticed(session: AsyncSession, booking: Booking, business: Business, service: Service | None,
                           notice: Notice | None) -> None:
    """The platform's own move: each party told in the words given, both as a cancellation
    (expiry, a release) or a confirmation, with booking_id added to what the inbox keeps."""
    if notice is None:
        return
    kind = _KIND[booking.status]
    if notice.customer:
        w = notice.customer
        await tell_customer(session, booking, kind=kind, title=w.title, message=w.message,
                            data={**w.data, "booking_id": str(booking.id)},
                            calendar=_calendar(booking, business, service, kind), guest_by=notice.guest_by)
    if notice.owner:
        w = notice.owner
        await tell_owner(session, business.owner_id, booking, kind=kind, title=w.title, message=w.message,
                         data={**w.data, "booking_id": str(booking.id)})


async def _tell_other_party(session: AsyncSession, booking: Booking, business: Business, service: Service | None,
                            actor: Actor, new_status: S, reason: str | None, *, message: str | None = None,
                            kind: NotificationType | None = None) -> None:
    """The customer's move is told to the owner; the business's (or an admin's) to the
    customer: in their inbox and by their chosen channels, or, for a guest, by e-mail and/or
    SMS to the contact on the booking (with the .ics for a confirmation, cancellation or move)."""
    kind = kind or _KIND.get(new_status)
    if kind is None:
        return
    when = _when(booking)
    data = {"event": f"booking.{new_status.value}", "booking_id": str(booking.id),
            "booking_number": booking.booking_number}
    moved = kind is NotificationType.BOOKING_RESCHEDULED
    title = f"Booking {booking.booking_number} {'moved' if moved else new_status.value}"
    calendar = _calendar(booking, business, service, kind)
    if actor is Actor.CUSTOMER:
        await tell_owner(session, business.owner_id, booking, kind=kind, title=title, data=data,
                         message=message or f"{booking.customer_name} cancelled {when}."
                         + (f" Reason: {reason}" if reason else ""))
        if new_status is S.CANCELLED and message is None:
            # The customer who cancelled gets it in writing, with the cancelled .ics so the
            # appointment leaves their calendar; a guest by e-mail only (one who cancelled
            # by text already had the answer by text, booking.flows).
            await tell_customer(session, booking, kind=kind, title=title, data=data, calendar=calendar,
                                message=f"You cancelled your booking at {business.name} on {when}. "
                                        f"{business.name} has been told.", guest_by=("email",))
        return
    text = message or {S.CONFIRMED: f"{business.name} confirmed your booking on {when}.",
                       S.CANCELLED: f"{business.name} cancelled your booking on {when}."
                       + (f" Reason: {reason}" if reason else "")}[new_status]
    await tell_customer(session, booking, kind=kind, title=title, message=text, data=data, calendar=calendar)


async def reschedule_booking(session: AsyncSession, *, booking_id: uuid.UUID, user: User, booking_date: date,
                             booking_time: time, now: datetime | None = None, ip: str | None = None) -> Booking:
    """Move an active booking to another free slot in one step; the old slot frees as the
    row changes (customers only before the cancellation deadline)."""
    now = now or datetime.now(UTC)
    booking, business, service, actor = await _load_for_change(session, booking_id, user)
    if booking.status not in ACTIVE_STATUSES or booking.status is S.IN_PROGRESS or service is None:
        raise TransitionNotAllowed(f"A booking that is {booking.status.value} cannot be moved.")
    _check_deadline(actor, booking, business, service, now, "moved")
    ctx = await load_context(session, service.id, lock=service.capacity > 1)
    problem = await slot_problem(session, ctx, local_date=booking_date, local_time=booking_time, now=now,
                                 exclude=booking.id)
    if problem is not None:
        raise SlotUnavailable(problem)
    start = av.local_to_utc(booking_date, booking_time, ctx.rules.tz)
    lo, hi = av.occupied_range(ctx.rules, start)
    before = f"{booking.booking_date.isoformat()} {booking.booking_time:%H:%M}"
    after = f"{booking_date.isoformat()} {booking_time:%H:%M}"
    try:
        async with session.begin_nested():
            booking.booking_date, booking.booking_time = booking_date, booking_time
            booking.duration_minutes = service.duration_minutes
            booking.time_range = Range(lo, hi, bounds="[)")
            booking.exclusive_slot = service.capacity == 1
            await session.flush()
    except (IntegrityError, OperationalError) as exc:
        if lost_race(exc):
            await session.refresh(booking)
            raise SlotUnavailable(av.SlotProblem.FULL) from None
        raise
    reason = f"Rescheduled from {before} to {after}"
    session.add(BookingStatusHistory(booking_id=booking.id, old_status=booking.status, new_status=booking.status,
                                     changed_by=user.id, reason=reason))
    await session.flush()
    if actor is not Actor.CUSTOMER:
        await record(session, actor_id=user.id, action="booking.reschedule", table_name="bookings",
                     record_id=booking.id, old={"slot": before}, new={"slot": after}, ip=ip)
    await _tell_other_party(session, booking, business, service, actor, booking.status, None,
                            kind=NotificationType.BOOKING_RESCHEDULED,
                            message=f"Booking {booking.booking_number} moved from {before} to {after}.")
    return booking
