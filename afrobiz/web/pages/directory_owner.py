"""The owner's area: my businesses, list a new one, edit it, its hours and its photos.

Every form posts back to its own page; errors come back on the same form with the values
kept. The rules are the directory services' (the same as the API's).
"""
from __future__ import annotations

import uuid
from datetime import time

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.api.deps import Session, request_ip
from afrobiz.directory import media, present, queries, service
from afrobiz.directory.hours import DAY_NAMES
from afrobiz.directory.models import ImageType, PriceRange
from afrobiz.directory.schemas import BusinessCreate, BusinessUpdate, HoursIn
from afrobiz.errors import DomainError, InvalidInput
from afrobiz.kit import namibia
from afrobiz.kit.images import MAX_BYTES
from afrobiz.storage import get_store
from afrobiz.web.deps import csrf_protect, require_page_role
from afrobiz.i18n import gettext
from afrobiz.web.errors import domain_errors, message, validation_errors
from afrobiz.web.templating import templates

router = APIRouter(prefix="/my/businesses")
owner_or_admin = require_page_role("business_owner", "admin")
FORM_FIELDS = ("name", "description", "category_id", "subcategory_id", "email", "phone", "whatsapp", "website",
               "street_address", "city", "region", "postal_code", "latitude", "longitude", "price_range",
               "meta_title", "meta_description", "keywords")


def _errors_from(exc: Exception) -> dict[str, str]:
    if isinstance(exc, ValidationError):
        return validation_errors(exc)
    if isinstance(exc, DomainError):
        return domain_errors(exc)
    raise exc


def _as_text(values: dict) -> dict[str, str]:
    """Form values as the inputs show them ("" for none), every field present."""
    return {k: "" if values.get(k) is None else str(values[k]) for k in FORM_FIELDS}


async def _form_context(session: AsyncSession) -> dict:
    return {"categories": await queries.category_tree(session), "regions": namibia.REGIONS,
            "towns": sorted({t.name for t in namibia.towns()}), "price_ranges": [p.value for p in PriceRange]}


@router.get("", response_class=HTMLResponse)
async def my_businesses(request: Request, session: AsyncSession = Session, user: User = Depends(owner_or_admin)):
    rows, _ = await queries.list_businesses(session, owner_id=user.id, limit=100)
    return templates.TemplateResponse(request, "directory/my_list.html", {"businesses": rows})


@router.get("/new", response_class=HTMLResponse)
async def new_form(request: Request, session: AsyncSession = Session, user: User = Depends(owner_or_admin)):
    return templates.TemplateResponse(request, "directory/edit.html", {
        "values": _as_text({"region": "Khomas", "city": "Windhoek", "price_range": "moderate"}), "errors": {}, "business": None,
        **await _form_context(session)})


@router.post("/new", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
async def create(request: Request, session: AsyncSession = Session, user: User = Depends(owner_or_admin)):
    form = await request.form()
    values = {k: form.get(k) for k in FORM_FIELDS if isinstance(form.get(k), str)}
    try:
        data = BusinessCreate.model_validate(values)
        async with session.begin_nested():       # a refused listing leaves nothing behind
            business = await service.create_business(session, owner=user, data=data, ip=request_ip(request))
    except (ValidationError, DomainError) as exc:
        return templates.TemplateResponse(request, "directory/edit.html", {
            "values": _as_text(values), "errors": _errors_from(exc), "business": None, **await _form_context(session)},
            status_code=422)
    return RedirectResponse(f"/my/businesses/{business.id}?created=1", status_code=303)


@router.get("/{business_id}", response_class=HTMLResponse)
async def edit_form(business_id: uuid.UUID, request: Request, session: AsyncSession = Session,
                    user: User = Depends(owner_or_admin)):
    business = await service.require_editable(session, business_id, user)
    values = {k: getattr(business, k) for k in FORM_FIELDS}
    values["keywords"] = ", ".join(business.keywords or [])
    return templates.TemplateResponse(request, "directory/edit.html", {
        "values": _as_text(values), "errors": {}, "business": business, "saved": request.query_params.get("saved"),
        "created": request.query_params.get("created"), **await _form_context(session)})


@router.post("/{business_id}", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
async def update(business_id: uuid.UUID, request: Request, session: AsyncSession = Session,
                 user: User = Depends(owner_or_admin)):
    business = await service.require_editable(session, business_id, user)
    form = await request.form()
    values = {k: form.get(k) for k in FORM_FIELDS if isinstance(form.get(k), str)}
    try:
        # A form sends every field: empty optional ones mean "clear it".
        changes = BusinessUpdate.model_validate(values).model_dump(include=set(values))
        async with session.begin_nested():
            await service.update_business(session, business=business, actor=user, changes=changes,
                                          ip=request_ip(request))
    except (ValidationError, DomainError) as exc:
        await session.refresh(business)
        return templates.TemplateResponse(request, "directory/edit.html", {
            "values": _as_text(values), "errors": _errors_from(exc), "business": business,
            **await _form_context(session)}, status_code=422)
    return RedirectResponse(f"/my/businesses/{business.id}?saved=1", status_code=303)


# ---------------------------------------------------------------- hours


@router.get("/{business_id}/hours", response_class=HTMLResponse)
async def hours_form(business_id: uuid.UUID, request: Request, session: AsyncSession = Session,
                     user: User = Depends(owner_or_admin)):
    business = await service.require_editable(session, business_id, user)
    rows = {h.day_of_week: h for h in await queries.hours_of(session, business.id)}
    days = []
    for d in (1, 2, 3, 4, 5, 6, 0):
        h = rows.get(d)
        mode = "closed" if h is None or h.is_closed else "24h" if h.is_24_hours else "open"
        days.append({"day": d, "name": DAY_NAMES[d], "mode": mode,
                     "open": h.open_time.strftime("%H:%M") if h and h.open_time else "",
                     "close": h.close_time.strftime("%H:%M") if h and h.close_time else ""})
    return templates.TemplateResponse(request, "directory/hours.html", {
        "business": business, "days": days, "errors": {}, "saved": request.query_params.get("saved")})


def _parse_week(form) -> tuple[list[HoursIn], list[dict], dict]:  # noqa: ANN001
    week, days, errors = [], [], {}
    for d in (1, 2, 3, 4, 5, 6, 0):
        mode = form.get(f"mode_{d}") or "closed"
        o, c = (form.get(f"open_{d}") or "").strip(), (form.get(f"close_{d}") or "").strip()
        days.append({"day": d, "name": DAY_NAMES[d], "mode": mode, "open": o, "close": c})
        try:
            if mode == "open":
                week.append(HoursIn(day_of_week=d, open_time=time.fromisoformat(o) if o else None,
                                    close_time=time.fromisoformat(c) if c else None))
            else:
                week.append(HoursIn(day_of_week=d, is_closed=mode != "24h", is_24_hours=mode == "24h"))
        except ValueError:
            errors[str(d)] = gettext("Use times like 08:00 or 17:30.")
    return week, days, errors


@router.post("/{business_id}/hours", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
async def save_hours(business_id: uuid.UUID, request: Request, session: AsyncSession = Session,
                     user: User = Depends(owner_or_admin)):
    business = await service.require_editable(session, business_id, user)
    week, days, errors = _parse_week(await request.form())
    if not errors:
        try:
            async with session.begin_nested():
                await service.set_hours(session, business=business, actor=user, week=week, ip=request_ip(request))
        except InvalidInput as exc:
            # The service numbers rows in the order given; show the message on that day.
            for e in exc.errors:
                index = int(e["field"].split(".")[0])
                errors[str(week[index].day_of_week)] = message(e["message"])
    if errors:
        return templates.TemplateResponse(request, "directory/hours.html", {
            "business": business, "days": days, "errors": errors}, status_code=422)
    return RedirectResponse(f"/my/businesses/{business.id}/hours?saved=1", status_code=303)


# ---------------------------------------------------------------- photos


async def _photos_page(request: Request, session: AsyncSession, business, errors: dict, status: int = 200):
    detail = await queries.business_detail(session, business)
    return templates.TemplateResponse(request, "directory/photos.html", {
        "business": business, "images": [present.image_read(i) for i in detail.images], "errors": errors,
        "image_types": [t.value for t in ImageType], "max_mb": MAX_BYTES // (1024 * 1024)}, status_code=status)


@router.get("/{business_id}/photos", response_class=HTMLResponse)
async def photos(business_id: uuid.UUID, request: Request, session: AsyncSession = Session,
                 user: User = Depends(owner_or_admin)):
    return await _photos_page(request, session, await service.require_editable(session, business_id, user), {})


@router.post("/{business_id}/photos", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
async def upload_photo(business_id: uuid.UUID, request: Request, session: AsyncSession = Session,
                       user: User = Depends(owner_or_admin)):
    business = await service.require_editable(session, business_id, user)
    form = await request.form()
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return await _photos_page(request, session, business, {"file": gettext("Choose a picture to upload.")}, 422)
    try:
        async with session.begin_nested():
            await media.add_image(session, business=business, actor=user, store=get_store(request.app.state.settings),
                                  data=await upload.read(MAX_BYTES + 1), image_type=form.get("image_type") or "gallery",
                                  alt_text=(form.get("alt_text") or "").strip() or None, ip=request_ip(request))
    except DomainError as exc:
        return await _photos_page(request, session, business,
                                  {"file": message(exc.errors[0]["message"] if exc.errors else exc.detail)}, exc.status)
    return RedirectResponse(f"/my/businesses/{business.id}/photos", status_code=303)


@router.post("/{business_id}/photos/{image_id}/delete", dependencies=[Depends(csrf_protect)])
async def delete_photo(business_id: uuid.UUID, image_id: uuid.UUID, request: Request,
                       session: AsyncSession = Session, user: User = Depends(owner_or_admin)):
    business = await service.require_editable(session, business_id, user)
    await media.delete_image(session, business=business, actor=user, store=get_store(request.app.state.settings),
                             image_id=image_id, ip=request_ip(request))
    return RedirectResponse(f"/my/businesses/{business.id}/photos", status_code=303)


@router.post("/{business_id}/photos/{image_id}/move", dependencies=[Depends(csrf_protect)])
async def move_photo(business_id: uuid.UUID, image_id: uuid.UUID, request: Request,
                     session: AsyncSession = Session, user: User = Depends(owner_or_admin)):
    business = await service.require_editable(session, business_id, user)
    direction = (await request.form()).get("direction")
    ids = [i.id for i in (await queries.business_detail(session, business)).images]
    if image_id in ids:
        at = ids.index(image_id)
        to = at - 1 if direction == "up" else at + 1
        if 0 <= to < len(ids):
            ids[at], ids[to] = ids[to], ids[at]
            await media.reorder_images(session, business=business, actor=user, image_ids=ids, ip=request_ip(request))
    return RedirectResponse(f"/my/businesses/{business.id}/photos", status_code=303)
