"""The admin console: /admin overview, the business queue, users (suspend, reinstate), the typed
settings editor and the audit log. Decisions call the owning domains' services; a refused
decision comes back on the same page as an error next to its item (status 4xx)."""
from __future__ import annotations

import uuid
from urllib.parse import urlencode
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts import service as accounts
from afrobiz.accounts.context import Caller
from afrobiz.accounts.models import User
from afrobiz.admin import queries, settings
from afrobiz.api.deps import Session, caller_for, request_ip
from afrobiz.directory import lifecycle
from afrobiz.directory import queries as directory_queries
from afrobiz.directory import service as directory
from afrobiz.directory.models import BusinessStatus
from afrobiz.errors import DomainError, InvalidInput
from afrobiz.i18n import N_, gettext
from afrobiz.i18n.formatting import format_day, format_moment
from afrobiz.kit.dates import parse_date
from afrobiz.web.deps import csrf_protect, require_page_role
from afrobiz.web.errors import message
from afrobiz.web.pages.analytics import money
from afrobiz.web.templating import templates

router = APIRouter(prefix="/admin")
CSRF = [Depends(csrf_protect)]
admin_only = require_page_role("admin")
TZ = ZoneInfo("Africa/Windhoek")
STATUSES = [s.value for s in BusinessStatus]


def _message(exc: DomainError) -> str:
    return message(exc.errors[0]["message"] if exc.errors else (exc.detail or exc.title))


def _text(form, name: str) -> str:  # noqa: ANN001
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _local(moment: datetime | None) -> str:
    return format_moment(moment, "medium") if moment else ""       # Windhoek time, the reader's month names


templates.env.filters["admin_time"] = _local


# ---------------------------------------------------------------- overview

@router.get("", response_class=HTMLResponse)
async def overview(request: Request, session: AsyncSession = Session, user: User = Depends(admin_only)):
    o = await queries.overview(session, today=datetime.now(UTC).astimezone(TZ).date())
    from afrobiz.analytics.charts import bar_chart

    charts = {"bookings": bar_chart([(format_day(w.week, "daymonth"), w.bookings) for w in o.weeks],
                                    title=gettext("Bookings per week")),
              "revenue": bar_chart([(format_day(w.week, "daymonth"), w.revenue) for w in o.weeks],
                                   title=gettext("Revenue per week"), css="bars money", fmt=money)}
    return templates.TemplateResponse(request, "admin/overview.html", {"o": o, "charts": charts, "money": money})


# ---------------------------------------------------------------- businesses

async def _business_page(request: Request, session: AsyncSession, *, status: str, cursor: str | None = None,
                         errors: dict | None = None, code: int = 200) -> HTMLResponse:
    if status not in STATUSES:
        status = "pending"
    try:
        rows, next_cursor = await directory_queries.list_businesses(session, status=status, cursor=cursor)
    except (ValueError, DomainError):
        rows, next_cursor = await directory_queries.list_businesses(session, status=status)
    return templates.TemplateResponse(request, "admin/businesses.html", {
        "rows": rows, "status": status, "statuses": STATUSES, "next_cursor": next_cursor, "errors": errors or {},
        "done": request.query_params.get("done")}, status_code=code)


@router.get("/businesses", response_class=HTMLResponse)
async def businesses(request: Request, status: str = "pending", cursor: str | None = None,
                     session: AsyncSession = Session, user: User = Depends(admin_only)):
    return await _business_page(request, session, status=status, cursor=cursor)


@router.post("/businesses/{business_id}", dependencies=CSRF)
async def decide_business(business_id: uuid.UUID, request: Request, session: AsyncSession = Session,
                          user: User = Depends(admin_only)):
    """One form per business; the pressed button's name says which decision."""
    form = await request.form()
    back = _text(form, "back_status") or "pending"
    decision = _text(form, "decision")
    business = await directory.require_business(session, business_id)
    try:
        async with session.begin_nested():
            if decision in ("active", "suspended", "closed"):
                await lifecycle.change_status(session, business=business, actor=user, status=decision,
                                              reason=_text(form, "reason") or None, ip=request_ip(request))
            elif decision in ("verify", "unverify"):
                await lifecycle.set_verified(session, business=business, actor=user, verified=decision == "verify",
                                             ip=request_ip(request))
            elif decision == "feature":
                until = _text(form, "until")
                if not until:
                    raise InvalidInput("Choose the last day of the featuring.", field="until")
                day = parse_date(until, "until", malformed=N_("Choose a date."))
                end = datetime.combine(day + timedelta(days=1), time(0), TZ)
                await lifecycle.set_featured(session, business=business, actor=user, until=end, ip=request_ip(request))
            elif decision == "unfeature":
                await lifecycle.set_featured(session, business=business, actor=user, until=None, ip=request_ip(request))
            else:
                raise InvalidInput("Choose a decision.", field="decision")
    except DomainError as exc:
        return await _business_page(request, session, status=back, errors={str(business_id): _message(exc)},
                                    code=exc.status)
    return RedirectResponse(f"/admin/businesses?status={back}&done={business.slug}", status_code=303)


# ---------------------------------------------------------------- users

async def _users_page(request: Request, session: AsyncSession, *, errors: dict | None = None,
                      code: int = 200) -> HTMLResponse:
    qp = request.query_params
    q, cursor = qp.get("q", "")[:200], qp.get("cursor")
    suspended = {"yes": True, "no": False}.get(qp.get("suspended", ""))
    try:
        rows, next_cursor = await queries.search_users(session, q=q, suspended=suspended, cursor=cursor)
    except InvalidInput:
        rows, next_cursor = await queries.search_users(session, q=q, suspended=suspended)
    return templates.TemplateResponse(request, "admin/users.html", {
        "rows": rows, "q": q, "suspended": qp.get("suspended", ""), "next_cursor": next_cursor,
        "errors": errors or {}}, status_code=code)


@router.get("/users", response_class=HTMLResponse)
async def users(request: Request, session: AsyncSession = Session, user: User = Depends(admin_only)):
    return await _users_page(request, session)


@router.post("/users/{user_id}/suspend", dependencies=CSRF)
async def suspend(user_id: uuid.UUID, request: Request, session: AsyncSession = Session,
                  user: User = Depends(admin_only), caller: Caller = Depends(caller_for)):
    form = await request.form()
    reason = _text(form, "reason")
    try:
        if not reason:
            raise InvalidInput("Say why (the user is shown the reason).", field="reason")
        async with session.begin_nested():
            await accounts.suspend_user(session, admin=user, user_id=user_id, reason=reason[:500], caller=caller)
    except DomainError as exc:
        return await _users_page(request, session, errors={str(user_id): _message(exc)}, code=exc.status)
    return RedirectResponse("/admin/users?" + urlencode({"q": _text(form, "q")}), status_code=303)


@router.post("/users/{user_id}/reinstate", dependencies=CSRF)
async def reinstate(user_id: uuid.UUID, request: Request, session: AsyncSession = Session,
                    user: User = Depends(admin_only), caller: Caller = Depends(caller_for)):
    form = await request.form()
    await accounts.unsuspend_user(session, admin=user, user_id=user_id, caller=caller)
    return RedirectResponse("/admin/users?" + urlencode({"q": _text(form, "q")}), status_code=303)


# ---------------------------------------------------------------- settings

async def _settings_page(request: Request, session: AsyncSession, *, errors: dict | None = None,
                         drafts: dict | None = None, code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, "admin/settings.html", {
        "items": await settings.list_settings(session), "errors": errors or {}, "drafts": drafts or {},
        "types": settings.DATA_TYPES, "saved": request.query_params.get("saved")}, status_code=code)


@router.get("/settings", response_class=HTMLResponse)
async def settings_page(request: Request, session: AsyncSession = Session, user: User = Depends(admin_only)):
    return await _settings_page(request, session)


@router.post("/settings", dependencies=CSRF)
async def save_setting(request: Request, session: AsyncSession = Session, user: User = Depends(admin_only)):
    form = await request.form()
    key, data_type = _text(form, "key"), _text(form, "data_type") or None
    raw = form.get("value")
    value = raw if isinstance(raw, str) else ""
    if data_type == "boolean" or (data_type is None and key in settings.KNOWN
                                  and settings.KNOWN[key].data_type == "boolean"):
        value = "true" if form.get("value") in ("true", "on") else "false"   # an unticked box sends nothing
    try:
        async with session.begin_nested():
            await settings.set_setting(session, actor=user, key=key, value=value, data_type=data_type,
                                       is_public=form.get("is_public") == "on" if "public_shown" in form else None,
                                       ip=request_ip(request))
    except DomainError as exc:
        return await _settings_page(request, session, errors={key or "_new": _message(exc)},
                                    drafts={key or "_new": value}, code=exc.status)
    return RedirectResponse(f"/admin/settings?saved={key}#s-{key}", status_code=303)


# ---------------------------------------------------------------- audit log

@router.get("/audit", response_class=HTMLResponse)
async def audit(request: Request, session: AsyncSession = Session, user: User = Depends(admin_only)):
    qp = request.query_params
    form = {k: qp.get(k, "")[:100] for k in ("user_id", "table_name", "record_id", "action", "from", "to")}
    errors: dict[str, str] = {}

    def uid(name: str) -> uuid.UUID | None:
        try:
            return uuid.UUID(form[name]) if form[name] else None
        except ValueError:
            errors[name] = gettext("Not an id.")
            return None

    entries, next_cursor = [], None
    filters = {"user_id": uid("user_id"), "record_id": uid("record_id"),
               "table_name": form["table_name"] or None, "action": form["action"] or None}
    try:
        filters["start"] = queries.parse_moment(form["from"], "from")
        filters["end"] = queries.parse_moment(form["to"], "to", end=True)
    except InvalidInput as exc:
        errors[exc.errors[0]["field"]] = _message(exc)
    if not errors:
        try:
            entries, next_cursor = await queries.audit_log(session, cursor=qp.get("cursor"), **filters)
        except InvalidInput as exc:
            errors[exc.errors[0]["field"] if exc.errors else "from"] = _message(exc)
    kept = urlencode({k: v for k, v in form.items() if v})
    return templates.TemplateResponse(request, "admin/audit.html", {
        "entries": entries, "next_cursor": next_cursor, "form": form, "errors": errors, "kept": kept,
        "tables": await queries.audited_tables(session)}, status_code=422 if errors else 200)
