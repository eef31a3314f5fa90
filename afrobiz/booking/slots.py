"""Free slots and the slot re-check: loads a service's rules from the database and hands
them to the pure maths in availability.py."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import literal, select, text
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.booking import availability as av
from afrobiz.booking.models import ACTIVE_STATUSES, Booking, BusinessClosure, Service, ServiceAvailability
from afrobiz.db.raw import Reader
from afrobiz.db.session import acting_as_system
from afrobiz.directory import business_settings
from afrobiz.directory.models import Business, BusinessHours, BusinessStatus
from afrobiz.errors import InvalidInput, NotFound


_instant = datetime.fromisoformat  # JSON timestamps (in the session's zone, UTC: db/session.py)


def business_tz(business: Business | None) -> str:
    """A business's zone: its settings may name one, else Namibia's."""
    return (business_settings.timezone_of(business.settings) if business is not None else None) or av.DEFAULT_TZ


def starts_at(booking: Booking, tz: str) -> datetime:
    """The booking's start as an aware instant in the business's zone."""
    utc = av.local_to_utc(booking.booking_date, booking.booking_time, tz)
    if utc is None:  # only if the zone's rules changed after booking: fall back to the range
        utc = booking.time_range.lower
    return utc.astimezone(ZoneInfo(tz))


def ends_at(booking: Booking, tz: str) -> datetime:
    return starts_at(booking, tz) + timedelta(minutes=booking.duration_minutes or 0)


@dataclass
class ServiceContext:
    """Everything the slot maths needs about one bookable service."""

    service: Service
    business: Business
    rules: av.ServiceRules
    windows: list[tuple[int, time, time]]
    hours: list[av.BusinessHours]


def rules_for(service: Service, tz: str) -> av.ServiceRules:
    return av.ServiceRules(
        duration_minutes=service.duration_minutes or 60,
        buffer_before_minutes=service.buffer_before_minutes,
        buffer_after_minutes=service.buffer_after_minutes,
        capacity=service.capacity,
        min_advance_hours=service.min_advance_booking_hours,
        max_advance_days=service.max_advance_booking_days,
        slot_step_minutes=service.slot_interval_minutes,
        tz=tz,
    )


async def load_context(session: AsyncSession, service_id: uuid.UUID, *, lock: bool = False) -> ServiceContext:
    """The bookable service with its business, windows and hours; NotFound if it cannot be booked.

    lock=True takes the service row FOR UPDATE: bookings of a capacity-N service are
    serialised on it, so counting the overlaps and inserting cannot interleave."""
    q = select(Service, Business).join(Business, Business.id == Service.business_id).where(Service.id == service_id)
    row = (await session.execute(q)).first()  # RLS: a business not visible to the caller hides its services
    if row is None:
        raise NotFound("No such service.")
    service, business = row
    if lock:
        # Locking a row asks for the right to change it, which RLS gives only the business's
        # owner and staff (migration 0024); the booker may see the service (just checked) and
        # only takes the lock that serialises bookings, as the system.
        async with acting_as_system(session):
            await session.execute(select(Service.id).where(Service.id == service_id).with_for_update())
    if (not service.is_active or not service.requires_booking or service.duration_minutes is None
            or business.status != BusinessStatus.ACTIVE):
        raise NotFound("This service cannot be booked online.")
    # Windows and hours in one round trip (both small, public rows).
    rows = (await session.execute(
        select(literal("w"), ServiceAvailability.day_of_week, ServiceAvailability.start_time,
               ServiceAvailability.end_time, literal(False), literal(False))
        .where(ServiceAvailability.service_id == service_id, ServiceAvailability.is_available)
        .union_all(select(literal("h"), BusinessHours.day_of_week, BusinessHours.open_time, BusinessHours.close_time,
                          BusinessHours.is_closed, BusinessHours.is_24_hours)
                   .where(BusinessHours.business_id == business.id)))).all()
    windows = [(r[1], r[2], r[3]) for r in rows if r[0] == "w"]
    hours = [av.BusinessHours(r[1], r[2], r[3], r[4], r[5]) for r in rows if r[0] == "h"]
    return ServiceContext(
        service=service, business=business, rules=rules_for(service, business_tz(business)),
        windows=windows, hours=hours,
    )


async def closures(session: AsyncSession, business_id: uuid.UUID, start: date, end: date) -> list[date]:
    return list((await session.scalars(select(BusinessClosure.closed_on).where(
        BusinessClosure.business_id == business_id, BusinessClosure.closed_on.between(start, end)))).all())


async def busy_ranges(session: AsyncSession, service_id: uuid.UUID, lo: datetime, hi: datetime, *,
                      exclude: uuid.UUID | None = None) -> list[tuple[datetime, datetime]]:
    """Occupied ranges (buffers included) of the service's active bookings that touch [lo, hi).

    Runs as system: every customer's booking blocks the slot, but RLS shows each caller
    only their own (and an anonymous visitor none); only the ranges leave this block."""
    q = select(Booking.time_range).where(
        Booking.service_id == service_id, Booking.status.in_(ACTIVE_STATUSES),
        Booking.time_range.overlaps(Range(lo, hi, bounds="[)")))
    if exclude is not None:
        q = q.where(Booking.id != exclude)
    async with acting_as_system(session):
        ranges = (await session.scalars(q)).all()
    return [(r.lower, r.upper) for r in ranges]


async def free_slots(session: AsyncSession, *, service_id: uuid.UUID, from_date: date, to_date: date,
                     now: datetime | None = None) -> tuple[ServiceContext, list[av.Slot]]:
    """Bookable slots of a service between two local dates (at most 62 days)."""
    if to_date < from_date:
        raise InvalidInput("'to' must not be before 'from'.", field="to")
    if (to_date - from_date).days > av.MAX_RANGE_DAYS:
        raise InvalidInput(f"At most {av.MAX_RANGE_DAYS} days of slots at once.", field="to")
    now = now or datetime.now(UTC)
    ctx = await load_context(session, service_id)
    today = now.astimezone(ZoneInfo(ctx.rules.tz)).date()
    # Nothing to compute (and no query to make) for days wholly in the past or too far.
    start, end = max(from_date, today), min(to_date, today + timedelta(days=ctx.rules.max_advance_days))
    if start > end or not ctx.windows:
        return ctx, []
    margin = timedelta(days=1, minutes=ctx.rules.buffer_before_minutes + ctx.rules.buffer_after_minutes
                       + ctx.rules.duration_minutes)
    lo = datetime.combine(start, time(0), UTC) - margin
    hi = datetime.combine(end + timedelta(days=1), time(0), UTC) + margin
    booked = await busy_ranges(session, service_id, lo, hi)
    shut = await closures(session, ctx.business.id, start - timedelta(days=1), end)
    return ctx, av.free_slots(ctx.rules, ctx.windows, ctx.hours, shut, booked, now, start, end)


async def lock_service(session: AsyncSession, ctx: ServiceContext) -> ServiceContext:
    """Take the service row FOR UPDATE, in one statement that also re-reads it: bookings of a
    capacity-N service are serialised on this lock (count the overlaps, then insert), and the
    rules used are the locked, latest ones."""
    async with acting_as_system(session):   # as in load_context: the lock, not a right to change it
        service = (await session.scalars(select(Service).where(Service.id == ctx.service.id).with_for_update()
                                         .execution_options(populate_existing=True))).one()
    if not service.is_active or not service.requires_booking or service.duration_minutes is None:
        raise NotFound("This service cannot be booked online.")
    return ServiceContext(service=service, business=ctx.business, rules=rules_for(service, business_tz(ctx.business)),
                          windows=ctx.windows, hours=ctx.hours)


# The re-check's reads in one round trip: busy ranges past RLS (migration 0014), closures.
_SLOT_CHECK = text(
    "SELECT booking_busy_ranges(:service_id, :lo, :hi, :exclude),"
    " (SELECT coalesce(json_agg(closed_on), '[]'::json) FROM business_closures"
    "   WHERE business_id = :business_id AND closed_on BETWEEN :first_day AND :last_day)")


async def slot_problem(session: AsyncSession, ctx: ServiceContext, *, local_date: date, local_time: time,
                       now: datetime, exclude: uuid.UUID | None = None) -> av.SlotProblem | None:
    """Re-check one slot inside the booking's transaction (None = bookable)."""
    start = av.local_to_utc(local_date, local_time, ctx.rules.tz)
    if start is None:
        return av.SlotProblem.OUTSIDE_HOURS
    lo, hi = av.occupied_range(ctx.rules, start)
    busy, shut = (await session.execute(_SLOT_CHECK, {
        "service_id": ctx.service.id, "lo": lo, "hi": hi, "exclude": exclude, "business_id": ctx.business.id,
        "first_day": local_date - timedelta(days=1), "last_day": local_date})).one()
    booked = [(_instant(a), _instant(b)) for a, b in busy]
    closed = [date.fromisoformat(c) for c in shut]
    return av.is_bookable(ctx.rules, ctx.windows, ctx.hours, closed, booked, now, local_date, local_time)


# ---------------------------------------------------------------- the public read, one round trip

_SLOT_INPUTS = "SELECT booking_slot_inputs(:service_id, :from_date, :to_date, :now, :zone) AS data"


def _time(value: str | None) -> time | None:
    return time.fromisoformat(value) if value is not None else None


async def public_free_slots(db: Reader, *, service_id: uuid.UUID, from_date: date, to_date: date,
                            now: datetime | None = None) -> tuple[str, list[av.Slot]]:
    """(the business's zone, free slots) of a service between two local dates: the same
    answer as free_slots(), from ONE statement (migration 0014), under db's identity (the
    hot lane's connections are anonymous)."""
    if to_date < from_date:
        raise InvalidInput("'to' must not be before 'from'.", field="to")
    if (to_date - from_date).days > av.MAX_RANGE_DAYS:
        raise InvalidInput(f"At most {av.MAX_RANGE_DAYS} days of slots at once.", field="to")
    now = now or datetime.now(UTC)
    data = (await db.one(_SLOT_INPUTS, {
        "service_id": service_id, "from_date": from_date, "to_date": to_date, "now": now,
        "zone": av.DEFAULT_TZ})).data
    if data is None:  # RLS: a business not visible to the caller hides its services
        raise NotFound("No such service.")
    svc = data["service"]
    if "windows" not in data:
        raise NotFound("This service cannot be booked online.")
    tz = business_settings.timezone_of({"timezone": svc["timezone"]}) or av.DEFAULT_TZ
    rules = av.ServiceRules(
        duration_minutes=svc["duration_minutes"], buffer_before_minutes=svc["buffer_before_minutes"],
        buffer_after_minutes=svc["buffer_after_minutes"], capacity=svc["capacity"],
        min_advance_hours=svc["min_advance_booking_hours"], max_advance_days=svc["max_advance_booking_days"],
        slot_step_minutes=svc["slot_interval_minutes"], tz=tz)
    today = now.astimezone(ZoneInfo(tz)).date()
    start, end = max(from_date, today), min(to_date, today + timedelta(days=rules.max_advance_days))
    if start > end or not data["windows"]:
        return tz, []
    windows = [(d, time.fromisoformat(a), time.fromisoformat(b)) for d, a, b in data["windows"]]
    hours = [av.BusinessHours(d, _time(o), _time(c), closed, all_day) for d, o, c, closed, all_day in data["hours"]]
    shut = [date.fromisoformat(c) for c in data["closures"]]
    booked = [(_instant(lo), _instant(hi)) for lo, hi in data["busy"]]
    return tz, av.free_slots(rules, windows, hours, shut, booked, now, start, end)
