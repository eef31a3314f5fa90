"""Reads of bookings (no rules, no writes): one booking with its history, and the lists."""
from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.booking.catalog import require_editable_business
from afrobiz.booking.models import Booking, BookingStatus, BookingStatusHistory, Service
from afrobiz.booking.schemas import BookingRead, StatusHistoryRead
from afrobiz.booking.slots import business_tz, ends_at, starts_at
from afrobiz.db.session import acting_as_system
from afrobiz.directory.models import Business
from afrobiz.errors import InvalidInput, NotFound, PermissionDenied

MAX_LIMIT = 100


@dataclass
class BookingView:
    booking: Booking
    business: Business
    service_name: str | None
    history: list[BookingStatusHistory] | None = None

    @property
    def tz(self) -> str:
        return business_tz(self.business)

    @property
    def starts_at(self):
        return starts_at(self.booking, self.tz)

    @property
    def ends_at(self):
        return ends_at(self.booking, self.tz)


def _base() -> Select:
    return (select(Booking, Business, Service.name)
            .join(Business, Business.id == Booking.business_id)
            .outerjoin(Service, Service.id == Booking.service_id))


async def _history(session: AsyncSession, booking_id: uuid.UUID) -> list[BookingStatusHistory]:
    return list((await session.scalars(select(BookingStatusHistory).where(BookingStatusHistory.booking_id == booking_id)
                                       .order_by(BookingStatusHistory.created_at, BookingStatusHistory.id))).all())


async def get_booking(session: AsyncSession, *, booking_id: uuid.UUID | None = None, number: str | None = None,
                      with_history: bool = True) -> BookingView | None:
    """A booking the caller may see (RLS: its customer, its business's owner, staff), or None."""
    q = select(Booking).where(Booking.id == booking_id if booking_id else Booking.booking_number == number)
    booking = (await session.scalars(q)).first()
    if booking is None:
        return None
    return await view_of(session, booking, with_history)


async def view_of(session: AsyncSession, booking: Booking, with_history: bool = False) -> BookingView:
    """The view of a booking the caller already holds (e.g. just created)."""
    business = await session.get(Business, booking.business_id)  # usually already in the session
    if business is None:
        # Read as system: a customer keeps seeing their booking at a business that has since
        # been suspended (the booking row itself was RLS-checked).
        async with acting_as_system(session):
            business = await session.get(Business, booking.business_id)
    service = await session.get(Service, booking.service_id) if booking.service_id else None  # public rows
    history = await _history(session, booking.id) if with_history else None
    return BookingView(booking, business, service.name if service else None, history)


async def get_guest_booking(session: AsyncSession, number: str) -> BookingView | None:
    """A guest's booking by its number, the guest's only handle on it (unguessable, 31^8)."""
    # Guest bookings have no customer_id, so RLS shows them to no visitor: read as system,
    # and only hand out a booking that truly has no account behind it.
    async with acting_as_system(session):
        booking = (await session.scalars(select(Booking).where(Booking.booking_number == number.upper(),
                                                              Booking.customer_id.is_(None)))).first()
        if booking is None:
            return None
        return await _view_as_system(session, booking)


async def _view_as_system(session: AsyncSession, booking: Booking) -> BookingView:
    business = await session.get(Business, booking.business_id)
    name = await session.scalar(select(Service.name).where(Service.id == booking.service_id))
    return BookingView(booking, business, name, await _history(session, booking.id))


def encode_cursor(b: Booking) -> str:
    raw = f"{b.booking_date.isoformat()}|{b.booking_time.isoformat()}|{b.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[date, time, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        d, t, i = raw.split("|")
        return date.fromisoformat(d), time.fromisoformat(t), uuid.UUID(i)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("The cursor is not valid.", field="cursor") from exc


async def _page(session: AsyncSession, q: Select, *, descending: bool, limit: int, cursor: str | None
                ) -> tuple[list[BookingView], str | None]:
    limit = max(1, min(limit, MAX_LIMIT))
    key = tuple_(Booking.booking_date, Booking.booking_time, Booking.id)
    if cursor:
        after = tuple_(*decode_cursor(cursor))
        q = q.where(key < after if descending else key > after)
    cols = (Booking.booking_date, Booking.booking_time, Booking.id)
    q = q.order_by(*(c.desc() for c in cols) if descending else cols).limit(limit + 1)
    rows = (await session.execute(q)).all()
    views = [BookingView(b, biz, name) for b, biz, name in rows[:limit]]
    return views, encode_cursor(rows[limit - 1][0]) if len(rows) > limit else None


async def list_for_customer(session: AsyncSession, *, user: User, when: str | None = None, today: date,
                            limit: int = 20, cursor: str | None = None) -> tuple[list[BookingView], str | None]:
    """The user's own bookings: upcoming (soonest first), past (latest first) or all."""
    q = _base().where(Booking.customer_id == user.id)
    if when == "upcoming":
        q = q.where(Booking.booking_date >= today)
    elif when == "past":
        q = q.where(Booking.booking_date < today)
    return await _page(session, q, descending=when != "upcoming", limit=limit, cursor=cursor)


async def self_cancellable(session: AsyncSession, views: list[BookingView], *, now: datetime) -> set[uuid.UUID]:
    """Ids of these bookings a customer may still cancel themselves (active and before the
    service's cancellation deadline), so pages only offer what will be accepted."""
    active = [v for v in views if v.booking.status in (BookingStatus.PENDING, BookingStatus.CONFIRMED)]
    service_ids = {v.booking.service_id for v in active if v.booking.service_id}
    hours = dict((await session.execute(
        select(Service.id, Service.cancellation_deadline_hours).where(Service.id.in_(service_ids)))).all()
    ) if service_ids else {}
    return {v.booking.id for v in active
            if now < v.starts_at - timedelta(hours=hours.get(v.booking.service_id, 0))}


async def list_for_business(session: AsyncSession, *, user: User, business_id: uuid.UUID,
                            status: list[BookingStatus] | None = None, date_from: date | None = None,
                            date_to: date | None = None, service_id: uuid.UUID | None = None,
                            limit: int = 20, cursor: str | None = None) -> tuple[list[BookingView], str | None]:
    """A business's bookings for its owner (or admin), in time order; 404 to anyone else."""
    try:
        await require_editable_business(session, user=user, business_id=business_id)
    except PermissionDenied:
        raise NotFound("No such business.") from None
    q = _base().where(Booking.business_id == business_id)
    if status:
        q = q.where(Booking.status.in_(status))
    if date_from:
        q = q.where(Booking.booking_date >= date_from)
    if date_to:
        q = q.where(Booking.booking_date <= date_to)
    if service_id:
        q = q.where(Booking.service_id == service_id)
    return await _page(session, q, descending=False, limit=limit, cursor=cursor)


def to_read(view: BookingView, *, with_contact: bool = True) -> BookingRead:
    """The API shape; contact details only for the parties (the caller decides)."""
    b = view.booking
    return BookingRead(
        id=b.id, booking_number=b.booking_number, business_id=b.business_id, business_name=view.business.name,
        service_id=b.service_id, service_name=view.service_name, customer_id=b.customer_id,
        customer_name=b.customer_name, customer_email=b.customer_email if with_contact else None,
        customer_phone=b.customer_phone if with_contact else None, status=b.status,
        booking_date=b.booking_date, booking_time=b.booking_time, starts_at=view.starts_at, ends_at=view.ends_at,
        duration_minutes=b.duration_minutes, guest_count=b.guest_count, service_price=b.service_price,
        additional_fees=b.additional_fees, discount_amount=b.discount_amount, total_amount=b.total_amount,
        currency=b.currency, notes=b.notes, cancellation_reason=b.cancellation_reason, created_at=b.created_at,
        confirmed_at=b.confirmed_at, completed_at=b.completed_at, cancelled_at=b.cancelled_at,
        status_history=[StatusHistoryRead.model_validate(h) for h in view.history] if view.history is not None else None,
    )
