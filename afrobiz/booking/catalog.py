"""What a business offers: services, their weekly availability windows, closure days."""
from __future__ import annotations

import uuid
from datetime import date, time

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.admin.audit import record
from afrobiz.booking.availability import InvalidWindows, validate_windows
from afrobiz.booking.models import BusinessClosure, Service, ServiceAvailability
from afrobiz.booking.schemas import ClosureIn, ServiceCreate, ServiceUpdate, WindowIn
from afrobiz.directory.models import Business, BusinessHours
from afrobiz.directory.service import require_business
from afrobiz.errors import InvalidInput, NotFound, PermissionDenied

_MIDNIGHT = time(0, 0)


def is_staff(user: User | None) -> bool:
    return user is not None and str(user.role) == "admin"


async def require_editable_business(session: AsyncSession, *, user: User, business_id: uuid.UUID) -> Business:
    """The business if the user owns it (or is admin); 404 if they cannot see it, else 403."""
    business = await session.get(Business, business_id)  # RLS: invisible businesses read as None
    if business is None:
        raise NotFound("No such business.")
    if business.owner_id != user.id and not is_staff(user):
        raise PermissionDenied("Only the business's owner may change its services.")
    return business


async def get_service(session: AsyncSession, service_id: uuid.UUID) -> Service | None:
    return await session.get(Service, service_id)


async def require_editable_service(session: AsyncSession, *, user: User, service_id: uuid.UUID) -> Service:
    """The service if the user owns its business (or is admin)."""
    service = await get_service(session, service_id)
    if service is None:
        raise NotFound("No such service.")
    await require_editable_business(session, user=user, business_id=service.business_id)
    return service


async def public_services(session: AsyncSession, *, business_id: uuid.UUID) -> list[Service]:
    """A business's active services, as anyone may read them: NotFound while the business is
    hidden from the caller (pending or suspended: only its owner and staff see it)."""
    await require_business(session, business_id)
    return await list_services(session, business_id=business_id)


async def public_closures(session: AsyncSession, *, business_id: uuid.UUID) -> list[BusinessClosure]:
    """A business's closure days, under the same rule as its services."""
    await require_business(session, business_id)
    return await list_closures(session, business_id)


async def list_services(session: AsyncSession, *, business_id: uuid.UUID, include_inactive: bool = False
                        ) -> list[Service]:
    """A business's services in the owner's order (active ones only unless asked)."""
    q = select(Service).where(Service.business_id == business_id)
    if not include_inactive:
        q = q.where(Service.is_active)
    return list((await session.scalars(q.order_by(Service.sort_order, Service.name, Service.id))).all())


async def create_service(session: AsyncSession, *, user: User, business_id: uuid.UUID, data: ServiceCreate,
                         ip: str | None = None) -> Service:
    """Owners (and admins) add a service; it goes last in the business's order."""
    await require_editable_business(session, user=user, business_id=business_id)
    last = await session.scalar(select(Service.sort_order).where(Service.business_id == business_id)
                                .order_by(Service.sort_order.desc()).limit(1))
    service = Service(business_id=business_id, sort_order=(last or 0) + 1, **data.model_dump())
    session.add(service)
    await session.flush()
    await record(session, actor_id=user.id, action="service.create", table_name="services",
                 record_id=service.id, new=data.model_dump(mode="json"), ip=ip)
    return service


async def update_service(session: AsyncSession, *, user: User, service_id: uuid.UUID, data: ServiceUpdate,
                         ip: str | None = None) -> Service:
    """Owners change any field given; existing bookings keep their own snapshot."""
    service = await require_editable_service(session, user=user, service_id=service_id)
    changes = data.model_dump(exclude_unset=True)
    for field in ("name", "duration_minutes", "capacity", "is_active", "requires_booking",
                  "max_advance_booking_days", "min_advance_booking_hours", "price_per_person",
                  "buffer_before_minutes", "buffer_after_minutes", "cancellation_deadline_hours"):
        if field in changes and changes[field] is None:
            raise InvalidInput(f"{field} cannot be empty.", field=field)
    old = {k: getattr(service, k) for k in changes}
    for k, v in changes.items():
        setattr(service, k, v)
    await session.flush()
    await record(session, actor_id=user.id, action="service.update", table_name="services",
                 record_id=service.id, old=old, new=changes, ip=ip)
    return service


async def deactivate_service(session: AsyncSession, *, user: User, service_id: uuid.UUID,
                             ip: str | None = None) -> Service:
    """A service is never deleted (bookings point at it): it stops being offered."""
    service = await require_editable_service(session, user=user, service_id=service_id)
    if service.is_active:
        service.is_active = False
        await session.flush()
        await record(session, actor_id=user.id, action="service.deactivate", table_name="services",
                     record_id=service.id, old={"is_active": True}, new={"is_active": False}, ip=ip)
    return service


async def reorder_services(session: AsyncSession, *, user: User, business_id: uuid.UUID,
                           service_ids: list[uuid.UUID], ip: str | None = None) -> list[Service]:
    """The given ids come first in that order; services not named keep their order after them."""
    await require_editable_business(session, user=user, business_id=business_id)
    services = await list_services(session, business_id=business_id, include_inactive=True)
    by_id = {s.id: s for s in services}
    unknown = [str(i) for i in service_ids if i not in by_id]
    if unknown or len(set(service_ids)) != len(service_ids):
        raise InvalidInput("Name each of this business's services at most once.", field="service_ids")
    ordered = [by_id[i] for i in service_ids] + [s for s in services if s.id not in set(service_ids)]
    for position, service in enumerate(ordered, start=1):
        service.sort_order = position
    await session.flush()
    await record(session, actor_id=user.id, action="service.reorder", table_name="services",
                 record_id=business_id, new={"order": [str(s.id) for s in ordered]}, ip=ip)
    return ordered


# ---------------------------------------------------------------- availability windows

async def list_windows(session: AsyncSession, service_id: uuid.UUID) -> list[ServiceAvailability]:
    return list((await session.scalars(
        select(ServiceAvailability)
        .where(ServiceAvailability.service_id == service_id, ServiceAvailability.is_available)
        .order_by(ServiceAvailability.day_of_week, ServiceAvailability.start_time))).all())


async def business_hours(session: AsyncSession, business_id: uuid.UUID) -> list[BusinessHours]:
    return list((await session.scalars(
        select(BusinessHours).where(BusinessHours.business_id == business_id))).all())


def _end(t: time) -> int:
    return 24 * 60 if t == _MIDNIGHT else t.hour * 60 + t.minute


def _start(t: time) -> int:
    return t.hour * 60 + t.minute


def check_within_hours(windows: list[WindowIn], hours: list[BusinessHours]) -> None:
    """Each window must fit the business's opening hours of its day (no hours given = no cap)."""
    by_day = {h.day_of_week: h for h in hours}
    for i, w in enumerate(windows):
        h = by_day.get(w.day_of_week)
        if h is None or h.is_24_hours:
            continue
        field = f"{i}.start_time"
        if h.is_closed:
            raise InvalidInput(f"The business is closed on day {w.day_of_week}.", field=field)
        opens, closes = _start(h.open_time), _end(h.close_time)
        if closes <= opens:  # overnight hours: open until midnight on this day
            closes = 24 * 60
        prev = by_day.get((w.day_of_week - 1) % 7)
        spill = (_end(prev.close_time) if prev and not prev.is_closed and not prev.is_24_hours
                 and prev.close_time is not None and prev.open_time is not None
                 and _end(prev.close_time) <= _start(prev.open_time) else 0)
        inside = (opens <= _start(w.start_time) and _end(w.end_time) <= closes) or _end(w.end_time) <= spill
        if not inside:
            raise InvalidInput(
                f"{w.start_time:%H:%M}-{w.end_time:%H:%M} on day {w.day_of_week} is outside the business hours "
                f"({h.open_time:%H:%M}-{h.close_time:%H:%M}).", field=field)


async def set_availability(session: AsyncSession, *, user: User, service_id: uuid.UUID, windows: list[WindowIn],
                           ip: str | None = None) -> list[ServiceAvailability]:
    """Replace the service's weekly windows: start before end, no overlaps, inside business hours."""
    service = await require_editable_service(session, user=user, service_id=service_id)
    try:
        validate_windows([(w.day_of_week, w.start_time, w.end_time) for w in windows])
    except InvalidWindows as exc:
        raise InvalidInput(str(exc), field="windows") from exc
    check_within_hours(windows, await business_hours(session, service.business_id))
    old = [f"{w.day_of_week} {w.start_time:%H:%M}-{w.end_time:%H:%M}" for w in await list_windows(session, service_id)]
    await session.execute(delete(ServiceAvailability).where(ServiceAvailability.service_id == service_id))
    rows = [ServiceAvailability(service_id=service_id, day_of_week=w.day_of_week, start_time=w.start_time,
                                end_time=w.end_time) for w in windows]
    session.add_all(rows)
    await session.flush()
    await record(session, actor_id=user.id, action="service.availability", table_name="service_availability",
                 record_id=service_id, old={"windows": old},
                 new={"windows": [f"{w.day_of_week} {w.start_time:%H:%M}-{w.end_time:%H:%M}" for w in windows]}, ip=ip)
    return await list_windows(session, service_id)


# ---------------------------------------------------------------- closure days

async def list_closures(session: AsyncSession, business_id: uuid.UUID, *, start: date | None = None,
                        end: date | None = None) -> list[BusinessClosure]:
    q = select(BusinessClosure).where(BusinessClosure.business_id == business_id)
    if start is not None:
        q = q.where(BusinessClosure.closed_on >= start)
    if end is not None:
        q = q.where(BusinessClosure.closed_on <= end)
    return list((await session.scalars(q.order_by(BusinessClosure.closed_on))).all())


async def set_closures(session: AsyncSession, *, user: User, business_id: uuid.UUID, closures: list[ClosureIn],
                       ip: str | None = None) -> list[BusinessClosure]:
    """Replace the business's closure days (existing bookings on them stay; the owner cancels them)."""
    await require_editable_business(session, user=user, business_id=business_id)
    days = [c.date for c in closures]
    if len(set(days)) != len(days):
        raise InvalidInput("Each closure date may appear once.", field="date")
    await session.execute(delete(BusinessClosure).where(BusinessClosure.business_id == business_id))
    session.add_all([BusinessClosure(business_id=business_id, closed_on=c.date, reason=c.reason) for c in closures])
    await session.flush()
    await record(session, actor_id=user.id, action="business.closures", table_name="business_closures",
                 record_id=business_id, new={"dates": [d.isoformat() for d in sorted(days)]}, ip=ip)
    return await list_closures(session, business_id)


async def get_public_service(session: AsyncSession, service_id: uuid.UUID) -> Service:
    """A service whose business the caller may see (RLS on businesses), else NotFound."""
    row = (await session.execute(select(Service).join(Business, Business.id == Service.business_id)
                                 .where(Service.id == service_id))).scalars().first()
    if row is None:
        raise NotFound("No such service.")
    return row
