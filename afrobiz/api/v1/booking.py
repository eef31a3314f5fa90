"""Booking endpoints (API.md, Booking): services, availability, slots, bookings, status."""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.api.deps import Session, current_user, optional_user, request_ip, require_role
from afrobiz.db.raw import Reader, session_reader
from afrobiz.kit.dates import BoundedDate
from afrobiz.booking import catalog, ics, idempotency, queries, slots, status
from afrobiz.booking.availability import DEFAULT_TZ
from afrobiz.booking.models import BookingStatus
from afrobiz.booking.schemas import (
    BookingCreate,
    BookingList,
    BookingRead,
    ClosureIn,
    ClosureRead,
    RescheduleIn,
    ReorderIn,
    ServiceCreate,
    ServiceRead,
    ServiceUpdate,
    SlotRead,
    SlotsQuery,
    StatusChange,
    WindowIn,
    WindowRead,
)
from afrobiz.booking.service import create_booking
from afrobiz.errors import NotAuthenticated, NotFound
from afrobiz.payments import guest as guest_payment

router = APIRouter(tags=["booking"])
Owner = Depends(require_role("business_owner", "admin"))


# ---------------------------------------------------------------- services

@router.post("/businesses/{business_id}/services", status_code=201, response_model=ServiceRead,
             summary="Add a service (the business's owner)")
async def add_service(business_id: uuid.UUID, body: ServiceCreate, request: Request,
                      user: User = Owner, session: AsyncSession = Session):
    return await catalog.create_service(session, user=user, business_id=business_id, data=body, ip=request_ip(request))


@router.get("/businesses/{business_id}/services", response_model=list[ServiceRead], summary="A business's services")
async def business_services(business_id: uuid.UUID, include_inactive: bool = False,
                            user: User | None = Depends(optional_user), session: AsyncSession = Session):
    if include_inactive:
        if user is None:
            raise NotAuthenticated("Log in to see inactive services.")
        await catalog.require_editable_business(session, user=user, business_id=business_id)
        return await catalog.list_services(session, business_id=business_id, include_inactive=True)
    return await catalog.public_services(session, business_id=business_id)


@router.post("/businesses/{business_id}/services/reorder", response_model=list[ServiceRead],
             summary="Put services in this order")
async def reorder(business_id: uuid.UUID, body: ReorderIn, request: Request, user: User = Owner,
                  session: AsyncSession = Session):
    return await catalog.reorder_services(session, user=user, business_id=business_id,
                                          service_ids=body.service_ids, ip=request_ip(request))


@router.get("/services/{service_id}", response_model=ServiceRead, summary="One service")
async def get_service(service_id: uuid.UUID, user: User | None = Depends(optional_user),
                      session: AsyncSession = Session):
    return await catalog.get_public_service(session, service_id)


@router.patch("/services/{service_id}", response_model=ServiceRead, summary="Change a service")
async def patch_service(service_id: uuid.UUID, body: ServiceUpdate, request: Request, user: User = Owner,
                        session: AsyncSession = Session):
    return await catalog.update_service(session, user=user, service_id=service_id, data=body, ip=request_ip(request))


@router.delete("/services/{service_id}", status_code=204, summary="Stop offering a service (deactivate)")
async def deactivate(service_id: uuid.UUID, request: Request, user: User = Owner, session: AsyncSession = Session):
    await catalog.deactivate_service(session, user=user, service_id=service_id, ip=request_ip(request))
    return Response(status_code=204)


@router.get("/services/{service_id}/availability", response_model=list[WindowRead], summary="Weekly windows")
async def get_windows(service_id: uuid.UUID, user: User | None = Depends(optional_user),
                      session: AsyncSession = Session):
    await catalog.get_public_service(session, service_id)
    return await catalog.list_windows(session, service_id)


@router.put("/services/{service_id}/availability", response_model=list[WindowRead],
            summary="Replace the weekly windows (several per weekday allowed)")
async def put_windows(service_id: uuid.UUID, request: Request, body: list[WindowIn] = Body(max_length=100),
                      user: User = Owner, session: AsyncSession = Session):
    return await catalog.set_availability(session, user=user, service_id=service_id, windows=body,
                                          ip=request_ip(request))


@router.get("/businesses/{business_id}/closures", response_model=list[ClosureRead], summary="Closure days")
async def get_closures(business_id: uuid.UUID, user: User | None = Depends(optional_user),
                       session: AsyncSession = Session):
    return [ClosureRead(date=c.closed_on, reason=c.reason)
            for c in await catalog.public_closures(session, business_id=business_id)]


@router.put("/businesses/{business_id}/closures", response_model=list[ClosureRead],
            summary="Replace the closure days (holidays, leave)")
async def put_closures(business_id: uuid.UUID, request: Request, body: list[ClosureIn] = Body(max_length=400),
                       user: User = Owner, session: AsyncSession = Session):
    rows = await catalog.set_closures(session, user=user, business_id=business_id, closures=body,
                                      ip=request_ip(request))
    return [ClosureRead(date=c.closed_on, reason=c.reason) for c in rows]


def _iso(instant: datetime) -> str:
    text = instant.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text  # as pydantic writes it


def slots_json(tz: str, found: list) -> bytes:
    """The SlotRead list as JSON, written directly (a day's slots are dozens; a model per slot
    and a validation pass cost more than the rest of the request)."""
    z = ZoneInfo(tz)
    return json.dumps([{"date": s.date.isoformat(), "time": f"{s.time:%H:%M}",
                        "starts_at": _iso(s.starts_at.astimezone(z)), "ends_at": _iso(s.ends_at.astimezone(z))}
                       for s in found], ensure_ascii=False, separators=(",", ":")).encode()


async def slots_answer(db: Reader, params: SlotsQuery, state, *, service_id: uuid.UUID) -> Response:  # noqa: ANN001, ARG001
    """GET .../slots' answer, for the route and the hot lane (api/hot.py), which answers it for
    anonymous callers; the route for the rest, under the caller's identity."""
    tz, found = await slots.public_free_slots(db, service_id=service_id, from_date=params.from_,
                                              to_date=params.to or params.from_)
    return Response(slots_json(tz, found), media_type="application/json")


@router.get("/services/{service_id}/slots", response_model=list[SlotRead], summary="Free slots between two dates")
async def get_slots(request: Request, service_id: uuid.UUID, params: Annotated[SlotsQuery, Query()],
                    user: User | None = Depends(optional_user), session: AsyncSession = Session):
    return await slots_answer(await session_reader(session), params, request.app.state, service_id=service_id)


# ---------------------------------------------------------------- bookings

@router.post("/bookings", status_code=201, response_model=BookingRead, summary="Book a slot (customer or guest)",
             responses={409: {"description": "The slot is taken"},
                        429: {"description": "Too many guest bookings from this address or contact (Retry-After)"}})
async def book(body: BookingCreate, request: Request, user: User | None = Depends(optional_user),
               session: AsyncSession = Session,
               idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    claim = None
    if idempotency_key is not None:
        claim = await idempotency.claim(session, scope="booking.create", user_id=user.id if user else None,
                                        key=idempotency_key, body=body.model_dump(mode="json"))
        if isinstance(claim, idempotency.Replay):
            return JSONResponse(claim.body, status_code=claim.status, headers={"Idempotent-Replayed": "true"})
    booking = await create_booking(session, user=user, data=body, ip=request_ip(request))
    read = queries.to_read(await queries.view_of(session, booking))
    payload = read.model_dump(mode="json")
    if claim is not None:
        await idempotency.finish(session, claim, status=201, body=payload)
    # A guest has no log-in to pay with: the Link header is their booking's payment link (payments/guest.py).
    return JSONResponse(payload, status_code=201,
                        headers=None if user else guest_payment.link_header(request.app.state.settings, booking.id))


# {booking_id:uuid}: "<id>.ics" is no booking id, so it never reaches GET /bookings/{booking_id}.
@router.get("/bookings/{booking_id}/calendar.ics", include_in_schema=False)
@router.get("/bookings/{booking_id:uuid}.ics", summary="The booking as a calendar file",
            response_class=Response, responses={200: {"content": {"text/calendar": {}}}})
async def booking_calendar(booking_id: uuid.UUID, request: Request, user: User | None = Depends(optional_user),
                           session: AsyncSession = Session):
    view = await queries.get_booking(session, booking_id=booking_id, with_history=False)
    if view is None:
        raise NotFound("No such booking.")
    return Response(ics.for_view(view, base_url=request.app.state.settings.base_url), media_type="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{view.booking.booking_number}.ics"'})


@router.get("/bookings/{booking_id:uuid}", response_model=BookingRead, summary="One booking with its status history")
async def get_booking(booking_id: uuid.UUID, user: User = Depends(current_user), session: AsyncSession = Session):
    view = await queries.get_booking(session, booking_id=booking_id)  # RLS: parties and staff only
    if view is None:
        raise NotFound("No such booking.")
    return queries.to_read(view)


@router.get("/me/bookings", response_model=BookingList, summary="My bookings")
async def my_bookings(when: str | None = Query(None, pattern="^(upcoming|past)$"),
                      limit: int = Query(20, ge=1, le=100), cursor: str | None = None,
                      user: User = Depends(current_user), session: AsyncSession = Session):
    today = datetime.now(UTC).astimezone(ZoneInfo(DEFAULT_TZ)).date()
    views, nxt = await queries.list_for_customer(session, user=user, when=when, today=today, limit=limit,
                                                 cursor=cursor)
    return BookingList(items=[queries.to_read(v) for v in views], next_cursor=nxt)


@router.get("/businesses/{business_id}/bookings", response_model=BookingList, summary="A business's bookings")
async def business_bookings(business_id: uuid.UUID, status: list[BookingStatus] | None = Query(None),
                            from_: BoundedDate | None = Query(None, alias="from"), to: BoundedDate | None = None,
                            service_id: uuid.UUID | None = None, limit: int = Query(20, ge=1, le=100),
                            cursor: str | None = None, user: User = Depends(current_user),
                            session: AsyncSession = Session):
    views, nxt = await queries.list_for_business(session, user=user, business_id=business_id, status=status,
                                                 date_from=from_, date_to=to, service_id=service_id,
                                                 limit=limit, cursor=cursor)
    return BookingList(items=[queries.to_read(v) for v in views], next_cursor=nxt)


@router.post("/bookings/{booking_id}/status", response_model=BookingRead, summary="Move a booking's status",
             responses={409: {"description": "The state machine or your role forbids it"}})
async def set_status(booking_id: uuid.UUID, body: StatusChange, request: Request,
                     user: User = Depends(current_user), session: AsyncSession = Session):
    booking = await status.change_status(session, booking_id=booking_id, user=user, new_status=body.status,
                                         reason=body.reason, ip=request_ip(request))
    return queries.to_read(await queries.view_of(session, booking, with_history=True))


@router.post("/bookings/{booking_id}/reschedule", response_model=BookingRead, summary="Move to another free slot")
async def reschedule(booking_id: uuid.UUID, body: RescheduleIn, request: Request,
                     user: User = Depends(current_user), session: AsyncSession = Session):
    booking = await status.reschedule_booking(session, booking_id=booking_id, user=user,
                                              booking_date=body.booking_date, booking_time=body.booking_time,
                                              ip=request_ip(request))
    return queries.to_read(await queries.view_of(session, booking, with_history=True))

