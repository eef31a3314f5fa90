"""Review and favourite pages: write a review, read them all, vote and report, my favourites,
the owner's replies and the admin's moderation queue. Every form works without JavaScript and
posts back to a page; refusals come back as field errors on the same form.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from afrobiz.accounts.models import User
from afrobiz.api.deps import Session, request_ip
from afrobiz.directory import service as directory
from afrobiz.engagement import queries as favourites
from afrobiz.engagement import service as favourite_service
from afrobiz.errors import DomainError, InvalidInput
from afrobiz.reviews import moderation, queries, service
from afrobiz.reviews.models import ReviewStatus
from afrobiz.storage import get_store
from afrobiz.web.deps import csrf_protect, page_user, require_page_role, require_page_user, safe_next
from afrobiz.i18n import gettext, lazy_gettext
from afrobiz.i18n.formatting import format_day
from afrobiz.web.errors import domain_errors, message
from afrobiz.web.templating import templates

router = APIRouter()
CSRF = [Depends(csrf_protect)]
reviewer_roles = require_page_role("customer", "business_owner")
owner_roles = require_page_role("business_owner")
admin_only = require_page_role("admin")
SORT_LABELS = {"newest": lazy_gettext("Newest"), "helpful": lazy_gettext("Most helpful"),
               "highest": lazy_gettext("Highest rated"), "lowest": lazy_gettext("Lowest rated")}


def _local_date(value: datetime | None, tz: str = "Africa/Windhoek") -> str:
    return format_day(value.astimezone(ZoneInfo(tz)), "medium") if value else ""   # the reader's month names


templates.env.filters["local_date"] = _local_date


def _errors(exc: DomainError) -> dict[str, str]:
    return domain_errors(exc)


async def _form(request: Request):  # noqa: ANN202
    return await request.form()          # parsed once (csrf_protect read it already)


def _int_or_none(value) -> int | None:  # noqa: ANN001
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return -1                         # shown as "must be 1 to 5" by the service's check


def _text(form, name: str) -> str | None:  # noqa: ANN001
    value = form.get(name)
    return value if isinstance(value, str) else None       # a file sent under a text name is ignored


def _back(request: Request, form, default: str) -> RedirectResponse:  # noqa: ANN001
    return RedirectResponse(safe_next(_text(form, "next"), default), status_code=303)


async def reviews_context(session: AsyncSession, *, business_id: uuid.UUID, user: User | None,
                          sort: str = "newest", cursor: str | None = None, limit: int = 10) -> dict:
    """What the reviews section of a business page needs (see reviews/_section.html)."""
    page = await queries.public_reviews(session, business_id=business_id, sort=sort, limit=limit, cursor=cursor,
                                        viewer_id=user and user.id)
    return {"reviews": page.items, "reviews_next": page.next_cursor, "reviews_sort": sort,
            "sort_labels": SORT_LABELS, "summary": await queries.rating_summary(session, business_id=business_id),
            "is_favorite": await favourites.is_favorite(session, user_id=user and user.id, business_id=business_id),
            "viewer": user}


# ---------------------------------------------------------------- reading reviews

@router.get("/b/{slug}/reviews", response_class=HTMLResponse)
async def all_reviews(slug: str, request: Request, sort: str = "newest", cursor: str | None = None,
                      session: AsyncSession = Session, user: User | None = Depends(page_user)):
    business = await directory.require_business(session, slug)
    if sort not in SORT_LABELS:
        sort = "newest"
    try:
        ctx = await reviews_context(session, business_id=business.id, user=user, sort=sort, cursor=cursor, limit=20)
    except InvalidInput:                  # a stale or hand-made cursor: start from the top
        ctx = await reviews_context(session, business_id=business.id, user=user, sort=sort, limit=20)
    return templates.TemplateResponse(request, "reviews/list.html", {
        "business": business, "submitted": request.query_params.get("submitted"), **ctx})


# ---------------------------------------------------------------- writing a review

async def _write_page(request: Request, session: AsyncSession, business, user: User, *,  # noqa: ANN001
                      values: dict, errors: dict, status: int = 200):
    bookings = await queries.reviewable_bookings(session, user_id=user.id, business_id=business.id)
    return templates.TemplateResponse(request, "reviews/write.html", {
        "business": business, "bookings": bookings, "values": values, "errors": errors,
        "details": [("service_rating", gettext("Service")), ("quality_rating", gettext("Quality")),
                    ("value_rating", gettext("Value for money")), ("cleanliness_rating", gettext("Cleanliness"))], "limits": service}, status_code=status)


@router.get("/b/{slug}/review", response_class=HTMLResponse)
async def write_form(slug: str, request: Request, booking: str | None = None, session: AsyncSession = Session,
                     user: User = Depends(reviewer_roles)):
    business = await directory.require_business(session, slug)
    return await _write_page(request, session, business, user, values={"booking_id": booking or ""}, errors={})


@router.post("/b/{slug}/review", response_class=HTMLResponse, dependencies=CSRF)
async def write_submit(slug: str, request: Request, session: AsyncSession = Session,
                       user: User = Depends(reviewer_roles)):
    business = await directory.require_business(session, slug)
    form = await _form(request)
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    uploads = [f for f in form.getlist("photos") if isinstance(f, UploadFile) and f.filename]
    # One more than allowed is enough to refuse: never read a flood of files into memory.
    photos = [service.Photo(await f.read(service.MAX_UPLOAD_BYTES + 1)) for f in uploads[:service.PHOTOS_MAX + 1]]
    try:
        booking_id = uuid.UUID(values["booking_id"]) if values.get("booking_id") else None
    except ValueError:
        booking_id = None
    try:
        review = await service.create_review(
            session, author=user, business_id=business.id, rating=_int_or_none(values.get("rating")),
            title=values.get("title"), content=values.get("content"), booking_id=booking_id,
            details={k: _int_or_none(values.get(k)) for k in service.DETAIL_RATINGS}, ip=request_ip(request),
            photos=[p for p in photos if p.data], store=get_store(request.app.state.settings))
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await _write_page(request, session, business, user, values=values, errors=_errors(exc),
                                 status=exc.status)
    return RedirectResponse(f"/b/{business.slug}/reviews?submitted={review.status}", status_code=303)


# ---------------------------------------------------------------- votes and reports

@router.post("/reviews/{review_id}/vote", dependencies=CSRF)
async def vote(review_id: uuid.UUID, request: Request, session: AsyncSession = Session,
               user: User = Depends(require_page_user)):
    form = await _form(request)
    helpful = form.get("helpful") in ("1", "true", "yes")
    if form.get("helpful") == "clear":
        await moderation.remove_vote(session, user=user, review_id=review_id)
    else:
        await moderation.vote(session, user=user, review_id=review_id, helpful=helpful)
    return _back(request, form, "/")


@router.post("/reviews/{review_id}/report", response_class=HTMLResponse, dependencies=CSRF)
async def report(review_id: uuid.UUID, request: Request, session: AsyncSession = Session,
                 user: User = Depends(require_page_user)):
    form = await _form(request)
    try:
        await moderation.report_review(session, user=user, review_id=review_id, reason=_text(form, "reason"))
        message = gettext("Thank you. Our team will look at this review.")
    except moderation.AlreadyReported:
        message = gettext("You have already reported this review; our team will look at it.")
    return templates.TemplateResponse(request, "reviews/notice.html", {
        "title": gettext("Review reported"), "message": message, "back": safe_next(_text(form, "next"), "/")})


# ---------------------------------------------------------------- favourites

@router.get("/me/favorites", response_class=HTMLResponse)
async def my_favorites(request: Request, cursor: str | None = None, session: AsyncSession = Session,
                       user: User = Depends(require_page_user)):
    try:
        page = await favourites.list_favorites(session, user_id=user.id, limit=24, cursor=cursor)
    except InvalidInput:
        page = await favourites.list_favorites(session, user_id=user.id, limit=24)
    return templates.TemplateResponse(request, "reviews/favorites.html", {"page": page})


@router.post("/me/favorites/{business_id}", dependencies=CSRF)
async def toggle_favorite(business_id: uuid.UUID, request: Request, session: AsyncSession = Session,
                          user: User = Depends(require_page_user)):
    form = await _form(request)
    if form.get("action") == "remove":
        await favourite_service.remove_favorite(session, user=user, business_id=business_id)
    else:
        await favourite_service.add_favorite(session, user=user, business_id=business_id)
    if request.headers.get("x-requested-with") == "fetch":     # the heart's script: no page needed
        return Response(status_code=204)
    return _back(request, form, "/me/favorites")


# ---------------------------------------------------------------- the owner's replies

@router.get("/owner/reviews", response_class=HTMLResponse)
async def owner_reviews(request: Request, cursor: str | None = None, session: AsyncSession = Session,
                        user: User = Depends(owner_roles)):
    try:
        page = await queries.owner_reviews(session, owner_id=user.id, cursor=cursor)
    except InvalidInput:
        page = await queries.owner_reviews(session, owner_id=user.id)
    return templates.TemplateResponse(request, "reviews/owner.html", {
        "page": page, "errors": {}, "saved": request.query_params.get("saved")})


@router.post("/owner/reviews/{review_id}/reply", response_class=HTMLResponse, dependencies=CSRF)
async def owner_reply(review_id: uuid.UUID, request: Request, session: AsyncSession = Session,
                      user: User = Depends(owner_roles)):
    form = await _form(request)
    content = _text(form, "content") or ""
    try:
        await service.respond_to_review(session, owner=user, review_id=review_id, content=content,
                                        ip=request_ip(request))
    except InvalidInput as exc:
        page = await queries.owner_reviews(session, owner_id=user.id)
        return templates.TemplateResponse(request, "reviews/owner.html", {
            "page": page, "errors": {str(review_id): message(exc.errors[0]["message"] if exc.errors else exc.detail)},
            "drafts": {str(review_id): content}, "saved": None}, status_code=422)
    return RedirectResponse(f"/owner/reviews?saved={review_id}#r-{review_id}", status_code=303)


# ---------------------------------------------------------------- moderation

@router.get("/admin/reviews", response_class=HTMLResponse)
async def admin_queue(request: Request, status: str = "pending", cursor: str | None = None,
                      session: AsyncSession = Session, user: User = Depends(admin_only)):
    if status not in [s.value for s in ReviewStatus]:
        status = "pending"
    try:
        page = await queries.moderation_queue(session, status=status, cursor=cursor)
    except InvalidInput:
        page = await queries.moderation_queue(session, status=status)
    return templates.TemplateResponse(request, "reviews/admin.html", {
        "page": page, "status": status, "statuses": [s.value for s in ReviewStatus]})


@router.post("/admin/reviews/{review_id}/moderate", dependencies=CSRF)
async def admin_moderate(review_id: uuid.UUID, request: Request, session: AsyncSession = Session,
                         user: User = Depends(admin_only)):
    form = await _form(request)
    await moderation.moderate_review(session, admin=user, review_id=review_id, status=str(form.get("status", "")),
                                     notes=_text(form, "notes"),
                                     ip=request_ip(request))
    return _back(request, form, "/admin/reviews")
