"""Booking pages: the customer's flow (/book/{service}), a booking's own page, my bookings.

The flow works without JavaScript: pick a day (links), pick a time (links), give your
details and confirm (one POST form), land on /bookings/{booking_number}. The owner's pages
are at the end of this module.
"""
from __future__ import annotations

import uuid
from collections import OrderedDict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.api.deps import Session, request_ip
from afrobiz.booking import catalog, ics, queries, slots, status
from afrobiz.booking.availability import DEFAULT_TZ
from afrobiz.booking.models import BookingStatus
from afrobiz.booking.schemas import BookingCreate, ServiceCreate, ServiceUpdate, WindowIn
from afrobiz.booking.service import create_booking
from afrobiz.directory import queries as directory_queries
from afrobiz.errors import DomainError, InvalidInput, NotFound, RateLimited
from afrobiz.kit import dates
from afrobiz.kit.dates import BoundedDate
from afrobiz.web.deps import csrf_protect, page_user, require_page_role, require_page_user
from afrobiz.i18n import gettext
from afrobiz.i18n.formatting import weekday_name
from afrobiz.web.errors import message, validation_errors
from afrobiz.web.templating import templates

router = APIRouter()
DAYS_SHOWN = 14
CONTACT_FIELDS = ("customer_name", "customer_phone", "customer_email", "notes", "guest_count")


def _today() -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(DEFAULT_TZ)).date()


def _errors(exc: Exception) -> dict[str, str]:
    if isinstance(exc, ValidationError):
        # The day and time are picked from links, not typed: their refusal goes on top of the form.
        fields = validation_errors(exc)
        picked = [fields.pop(k) for k in ("booking_date", "booking_time") if k in fields]
        return fields | ({"form": picked[0]} if picked else {})
    if isinstance(exc, DomainError):
        fields = {e["field"]: message(e["message"]) for e in exc.errors if e.get("field") != "booking_time"}
        return fields or {"form": message(exc.detail)}
    raise exc


async def _flow(request: Request, session: AsyncSession, service_id: uuid.UUID, user: User | None,
                day: date | None, at: str | None, values: dict | None = None, errors: dict | None = None,
                status_code: int = 200) -> Response:
    today = _today()
    ctx, free = await slots.free_slots(session, service_id=service_id, from_date=today,
                                       to_date=today + timedelta(days=DAYS_SHOWN - 1))
    by_day: OrderedDict[date, list] = OrderedDict()
    for s in free:
        by_day.setdefault(s.date, []).append(s)
    chosen = None
    if day is not None and at:
        chosen = next((s for s in by_day.get(day, []) if s.time.strftime("%H:%M") == at), None)
        if chosen is None and not errors:
            errors = {"form": gettext("That time is no longer free. Please pick another.")}
    if values is None:
        values = {"customer_name": f"{user.first_name} {user.last_name}" if user else "",
                  "customer_phone": (user.phone or "") if user else "", "customer_email": user.email if user else "",
                  "notes": "", "guest_count": "1"}
    return templates.TemplateResponse(request, "booking/book.html", {
        "service": ctx.service, "business": ctx.business, "days": by_day, "day": day,
        "day_slots": by_day.get(day, []) if day else [], "chosen": chosen, "values": values,
        "errors": errors or {}, "user": user}, status_code=status_code)


@router.get("/book/{service_id}", response_class=HTMLResponse)
async def book_page(request: Request, service_id: uuid.UUID, date: BoundedDate | None = None, time: str | None = None,
                    session: AsyncSession = Session, user: User | None = Depends(page_user)):
    return await _flow(request, session, service_id, user, date, time)


@router.post("/book/{service_id}", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
async def book_submit(request: Request, service_id: uuid.UUID, session: AsyncSession = Session,
                      user: User | None = Depends(page_user)):
    form = await request.form()
    values = {k: str(form.get(k) or "").strip() for k in CONTACT_FIELDS}
    day_text, at = str(form.get("date") or ""), str(form.get("time") or "")
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise NotFound("Pick a day first.") from None
    try:
        data = BookingCreate.model_validate({
            "service_id": service_id, "booking_date": day, "booking_time": at,
            "guest_count": values["guest_count"] or 1, "notes": values["notes"] or None,
            "customer_name": values["customer_name"] or None, "customer_phone": values["customer_phone"] or None,
            "customer_email": values["customer_email"] or None})
        async with session.begin_nested():  # a refused booking leaves nothing behind
            booking = await create_booking(session, user=user, data=data, ip=request_ip(request))
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, NotFound):
            raise
        throttled = isinstance(exc, RateLimited)
        page = await _flow(request, session, service_id, user, day, at, values, _errors(exc),
                           status_code=exc.status if throttled else 422)
        page.headers.update(exc.headers if throttled else {})     # Retry-After
        return page
    return RedirectResponse(f"/bookings/{booking.booking_number}?new=1", status_code=303)


async def _view_for_page(session: AsyncSession, number: str, user: User | None):
    view = await queries.get_booking(session, number=number.upper()) if user else None
    if view is None:
        # No account behind it: the booking number is the guest's handle (queries explains).
        view = await queries.get_guest_booking(session, number)
    if view is None:
        raise NotFound("No booking with that number.")
    return view


@router.get("/bookings/{number}.ics")
async def booking_ics(request: Request, number: str, session: AsyncSession = Session,
                      user: User | None = Depends(page_user)):
    view = await _view_for_page(session, number, user)
    return Response(ics.for_view(view, base_url=request.app.state.settings.base_url), media_type="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="{view.booking.booking_number}.ics"'})


@router.get("/bookings/{number}", response_class=HTMLResponse)
async def booking_page(request: Request, number: str, new: int = 0, session: AsyncSession = Session,
                       user: User | None = Depends(page_user)):
    view = await _view_for_page(session, number, user)
    can_cancel = (user is not None and view.booking.customer_id == user.id
                  and status.can_transition(status.Actor.CUSTOMER, view.booking.status, BookingStatus.CANCELLED))
    # Moving is offered on the same terms as the service's own rule (active, before its deadline).
    can_move = can_cancel and view.booking.id in await queries.self_cancellable(session, [view], now=datetime.now(UTC))
    return templates.TemplateResponse(request, "booking/booking.html", {
        "v": view, "b": view.booking, "new": bool(new), "can_cancel": can_cancel, "user": user,
        "can_move": can_move, "moved": request.query_params.get("moved") == "1"})


@router.post("/bookings/{number}/cancel", dependencies=[Depends(csrf_protect)])
async def cancel(request: Request, number: str, session: AsyncSession = Session,
                 user: User = Depends(require_page_user)):
    view = await queries.get_booking(session, number=number.upper(), with_history=False)
    if view is None:
        raise NotFound("No booking with that number.")
    form = await request.form()
    await status.change_status(session, booking_id=view.booking.id, user=user, new_status=BookingStatus.CANCELLED,
                               reason=str(form.get("reason") or "").strip() or None, ip=request_ip(request))
    return RedirectResponse(str(form.get("next") or f"/bookings/{view.booking.booking_number}"), status_code=303)


# ---------------------------------------------------------------- moving a booking (the customer)

async def _reschedule_page(request: Request, session: AsyncSession, number: str, user: User, day: date | None,
                           at: str | None, error: str | None = None, status_code: int = 200) -> Response:
    view = await queries.get_booking(session, number=number.upper(), with_history=False)
    if view is None or view.booking.customer_id != user.id or view.booking.service_id is None:
        raise NotFound("No booking with that number.")
    today = _today()
    _ctx, free = await slots.free_slots(session, service_id=view.booking.service_id, from_date=today,
                                        to_date=today + timedelta(days=DAYS_SHOWN - 1))
    by_day: OrderedDict[date, list] = OrderedDict()
    for s in free:
        by_day.setdefault(s.date, []).append(s)
    chosen = next((s for s in by_day.get(day, []) if s.time.strftime("%H:%M") == at), None) if day and at else None
    return templates.TemplateResponse(request, "booking/reschedule.html", {
        "v": view, "b": view.booking, "days": by_day, "day": day, "day_slots": by_day.get(day, []) if day else [],
        "chosen": chosen, "error": error}, status_code=status_code)


@router.get("/bookings/{number}/reschedule", response_class=HTMLResponse)
async def reschedule_page(request: Request, number: str, date: BoundedDate | None = None, time: str | None = None,
                          session: AsyncSession = Session, user: User = Depends(require_page_user)):
    return await _reschedule_page(request, session, number, user, date, time)


@router.post("/bookings/{number}/reschedule", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
async def reschedule(request: Request, number: str, session: AsyncSession = Session,
                     user: User = Depends(require_page_user)):
    view = await queries.get_booking(session, number=number.upper(), with_history=False)
    if view is None or view.booking.customer_id != user.id:
        raise NotFound("No booking with that number.")
    form = await request.form()
    day_text, at = str(form.get("date") or ""), str(form.get("time") or "")
    try:
        day, moment = date.fromisoformat(day_text), datetime.strptime(at, "%H:%M").time()
    except ValueError:
        return await _reschedule_page(request, session, number, user, None, None,
                                      gettext("Pick a day and a time."), status_code=422)
    if not dates.within(day):
        return await _reschedule_page(request, session, number, user, None, None, message(dates.OUT_OF_RANGE),
                                      status_code=422)
    try:
        async with session.begin_nested():   # a refused move leaves the booking as it was
            await status.reschedule_booking(session, booking_id=view.booking.id, user=user, booking_date=day,
                                            booking_time=moment, ip=request_ip(request))
    except DomainError as exc:
        return await _reschedule_page(request, session, number, user, day, None, message(exc.detail),
                                      status_code=exc.status)
    return RedirectResponse(f"/bookings/{view.booking.booking_number}?moved=1", status_code=303)


@router.get("/me/bookings", response_class=HTMLResponse)
async def my_bookings(request: Request, session: AsyncSession = Session, user: User = Depends(require_page_user)):
    today = _today()
    upcoming, _ = await queries.list_for_customer(session, user=user, when="upcoming", today=today, limit=100)
    past, _ = await queries.list_for_customer(session, user=user, when="past", today=today, limit=50)
    return templates.TemplateResponse(request, "booking/my_bookings.html", {
        "upcoming": upcoming, "past": past,
        "cancellable": await queries.self_cancellable(session, upcoming, now=datetime.now(UTC))})



# ---------------------------------------------------------------- the owner's pages

owner_only = require_page_role("business_owner", "admin")
DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
SERVICE_FIELDS = ("name", "description", "price", "duration_minutes", "category", "buffer_before_minutes",
                  "buffer_after_minutes", "capacity", "cancellation_deadline_hours", "min_advance_booking_hours",
                  "max_advance_booking_days", "slot_interval_minutes")


async def _my_businesses(session: AsyncSession, user: User, chosen: uuid.UUID | None):
    rows, _ = await directory_queries.list_businesses(session, owner_id=user.id, limit=100)
    current = next((b for b in rows if b.id == chosen), rows[0] if rows else None)
    return rows, current


@router.get("/owner/bookings", response_class=HTMLResponse)
async def owner_bookings(request: Request, business: uuid.UUID | None = None, date: BoundedDate | None = None,
                         view: str = "day", status_text: str = Query("", alias="status"),
                         service_text: str = Query("", alias="service"), session: AsyncSession = Session,
                         user: User = Depends(owner_only)):
    # The filter form sends "All" as an empty value: treat it as no filter, not as bad input.
    try:
        status_filter = BookingStatus(status_text) if status_text else None
        service = uuid.UUID(service_text) if service_text else None
    except ValueError:
        raise InvalidInput("Choose a status and a service from the lists.", field="status") from None
    businesses, current = await _my_businesses(session, user, business)
    start = date or _today()
    if view == "week":
        start -= timedelta(days=start.weekday())  # Monday
    end = start + timedelta(days=6 if view == "week" else 0)
    days: OrderedDict[date, list] = OrderedDict((start + timedelta(days=i), []) for i in range((end - start).days + 1))
    services = []
    if current is not None:
        views, _ = await queries.list_for_business(session, user=user, business_id=current.id,
                                                   status=[status_filter] if status_filter else None,
                                                   date_from=start, date_to=end, service_id=service, limit=100)
        for v in views:
            days[v.booking.booking_date].append(v)
        services = await catalog.list_services(session, business_id=current.id, include_inactive=True)
    step = timedelta(days=7 if view == "week" else 1)
    return templates.TemplateResponse(request, "booking/owner_bookings.html", {
        "businesses": businesses, "current": current, "days": days, "view": view, "start": start,
        "prev": start - step, "next": start + step, "status_filter": status_filter, "service_filter": service,
        "services": services, "statuses": list(BookingStatus), "moves": _owner_moves})


def _owner_moves(b) -> list[BookingStatus]:
    return [s for s in (BookingStatus.CONFIRMED, BookingStatus.IN_PROGRESS, BookingStatus.COMPLETED,
                        BookingStatus.NO_SHOW, BookingStatus.CANCELLED)
            if status.can_transition(status.Actor.OWNER, b.status, s)]


@router.post("/owner/bookings/{booking_id}/status", dependencies=[Depends(csrf_protect)])
async def owner_set_status(request: Request, booking_id: uuid.UUID, session: AsyncSession = Session,
                           user: User = Depends(owner_only)):
    form = await request.form()
    try:
        new = BookingStatus(str(form.get("status")))
    except ValueError:
        raise NotFound("Unknown status.") from None
    await status.change_status(session, booking_id=booking_id, user=user, new_status=new,
                               reason=str(form.get("reason") or "").strip() or None, ip=request_ip(request))
    target = str(form.get("next") or "/owner/bookings")
    return RedirectResponse(target if target.startswith("/owner/") else "/owner/bookings", status_code=303)


def _windows_text(windows) -> dict[int, str]:
    out: dict[int, list[str]] = {d: [] for d in range(7)}
    for w in windows:
        out[w.day_of_week].append(f"{w.start_time:%H:%M}-{w.end_time:%H:%M}")
    return {d: ", ".join(v) for d, v in out.items()}


def _parse_windows(form) -> list[WindowIn]:
    windows = []
    for d in range(7):
        for part in filter(None, (p.strip() for p in str(form.get(f"day{d}") or "").split(","))):
            start, sep, end = part.partition("-")
            if not sep:
                raise InvalidInput(gettext("Write the times for %(day)s like 09:00-13:00, 14:00-17:00.")
                                   % {"day": weekday_name(d)}, field=f"day{d}")
            try:
                windows.append(WindowIn(day_of_week=d, start_time=start.strip(), end_time=end.strip()))
            except ValidationError:
                raise InvalidInput(gettext("%(part)s is not a time range like 09:00-13:00.") % {"part": part},
                                   field=f"day{d}") from None
    return windows


async def _services_page(request, session, user, current_id, *, service=None, values=None, errors=None,
                         windows_values=None, code=200):
    businesses, current = await _my_businesses(session, user, current_id)
    services = await catalog.list_services(session, business_id=current.id, include_inactive=True) if current else []
    windows = _windows_text(await catalog.list_windows(session, service.id)) if service else {}
    if values is None:
        values = {k: "" if service is None or getattr(service, k) is None else str(getattr(service, k))
                  for k in SERVICE_FIELDS}
        if service is None:
            values |= {"duration_minutes": "60", "capacity": "1", "buffer_before_minutes": "0",
                       "buffer_after_minutes": "0", "cancellation_deadline_hours": "0",
                       "min_advance_booking_hours": "1", "max_advance_booking_days": "30"}
    return templates.TemplateResponse(request, "booking/owner_services.html", {
        "businesses": businesses, "current": current, "services": services, "service": service,
        "values": values, "errors": errors or {}, "windows": windows_values or windows, "day_names": DAY_NAMES},
        status_code=code)


@router.get("/owner/services", response_class=HTMLResponse)
async def owner_services(request: Request, business: uuid.UUID | None = None, session: AsyncSession = Session,
                         user: User = Depends(owner_only)):
    return await _services_page(request, session, user, business)


@router.get("/owner/services/{service_id}", response_class=HTMLResponse)
async def owner_service(request: Request, service_id: uuid.UUID, session: AsyncSession = Session,
                        user: User = Depends(owner_only)):
    svc = await catalog.require_editable_service(session, user=user, service_id=service_id)
    return await _services_page(request, session, user, svc.business_id, service=svc)


@router.post("/owner/services", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
@router.post("/owner/services/{service_id}", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
async def owner_save_service(request: Request, service_id: uuid.UUID | None = None, session: AsyncSession = Session,
                             user: User = Depends(owner_only)):
    form = await request.form()
    values = {k: str(form.get(k) or "").strip() for k in SERVICE_FIELDS}
    data = {k: v for k, v in values.items() if v != "" or k in ("description", "category", "slot_interval_minutes")}
    data = {k: (None if v == "" else v) for k, v in data.items()}
    svc = await catalog.require_editable_service(session, user=user, service_id=service_id) if service_id else None
    try:
        async with session.begin_nested():
            if svc is None:
                business_id = uuid.UUID(str(form.get("business_id")))
                svc = await catalog.create_service(session, user=user, business_id=business_id,
                                                   data=ServiceCreate.model_validate(data), ip=request_ip(request))
            else:
                svc = await catalog.update_service(session, user=user, service_id=svc.id,
                                                   data=ServiceUpdate.model_validate(data), ip=request_ip(request))
    except (ValidationError, DomainError) as exc:
        return await _services_page(request, session, user, svc.business_id if svc else None, service=svc,
                                    values=values, errors=_errors(exc), code=422)
    return RedirectResponse(f"/owner/services/{svc.id}?saved=1", status_code=303)


@router.post("/owner/services/{service_id}/availability", response_class=HTMLResponse,
             dependencies=[Depends(csrf_protect)])
async def owner_save_windows(request: Request, service_id: uuid.UUID, session: AsyncSession = Session,
                             user: User = Depends(owner_only)):
    svc = await catalog.require_editable_service(session, user=user, service_id=service_id)
    form = await request.form()
    try:
        async with session.begin_nested():
            await catalog.set_availability(session, user=user, service_id=svc.id, windows=_parse_windows(form),
                                           ip=request_ip(request))
    except DomainError as exc:
        errors = {e["field"]: message(e["message"]) for e in exc.errors} or {"form": message(exc.detail)}
        if "windows" in errors or any(k[0].isdigit() for k in errors):
            errors = {"windows": message(exc.detail)}
        return await _services_page(request, session, user, svc.business_id, service=svc, errors=errors,
                                    windows_values={d: str(form.get(f"day{d}") or "") for d in range(7)}, code=422)
    return RedirectResponse(f"/owner/services/{svc.id}?saved=1", status_code=303)


@router.post("/owner/services/{service_id}/deactivate", dependencies=[Depends(csrf_protect)])
async def owner_deactivate(request: Request, service_id: uuid.UUID, session: AsyncSession = Session,
                           user: User = Depends(owner_only)):
    await catalog.deactivate_service(session, user=user, service_id=service_id, ip=request_ip(request))
    return RedirectResponse(f"/owner/services/{service_id}", status_code=303)
