"""Payment pages: a booking's "Pay" page (/bookings/{number}/pay), a guest's payment link
(/pay/{token}), the owner's payments list with "mark received" (/owner/payments) and payouts
report with CSV (/owner/payouts), and the admin's reconciliation (/admin/payments).
Plain forms; no JavaScript needed."""
from __future__ import annotations

import json
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from decimal import Decimal, InvalidOperation

import httpx
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.api.deps import Session, request_ip
from afrobiz.booking import queries as booking_queries
from afrobiz.directory import queries as directory_queries
from afrobiz.errors import DomainError, InvalidInput, NotFound
from afrobiz.kit.dates import parse_date
from afrobiz.db.session import acting_as_system
from afrobiz.payments import guest, providers, queries, reconcile, reports, sandbox, service, webhooks
from afrobiz.payments.models import PaymentMethod, PaymentStatus
from afrobiz.payments.schemas import to_read
from afrobiz.i18n import N_, gettext, lazy_gettext
from afrobiz.web.deps import LoginRequired, csrf_protect, page_user, require_page_role, require_page_user
from afrobiz.web.errors import message
from afrobiz.web.templating import templates

router = APIRouter()
owner_only = require_page_role("business_owner", "admin")
LABELS = {PaymentMethod.CARD: lazy_gettext("Card"), PaymentMethod.MOBILE_MONEY: lazy_gettext("Mobile money (e-wallet)"),
          PaymentMethod.BANK_TRANSFER: lazy_gettext("Bank transfer (EFT)"),
          PaymentMethod.CASH: lazy_gettext("Cash at the business")}


async def _pay_page(request: Request, session: AsyncSession, user: User, number: str, *, error: str | None = None,
                    status_code: int = 200):
    view = await booking_queries.get_booking(session, number=number.upper(), with_history=False)
    if view is None:
        raise NotFound("No booking with that number.")
    booking, payments, ledger = await service.list_booking_payments(session, booking_id=view.booking.id, user=user)
    is_payer = booking.customer_id == user.id
    methods = await service.methods_for(session, request.app.state.settings, booking) if is_payer else []
    reads = [to_read(p, viewer_id=user.id, business_name=view.business.name,
                     business_settings=view.business.settings) for p in payments]
    return _render_pay(request, view, ledger, reads, methods, is_payer=is_payer, error=error,
                       status_code=status_code, action=f"/bookings/{booking.booking_number}/pay", user=user)


def _render_pay(request: Request, view, ledger, reads, methods, *, is_payer: bool, error: str | None,
                status_code: int, action: str, user: User | None, pay_token: str | None = None):
    booking = view.booking
    in_flight = any(p.status in (PaymentStatus.PENDING, PaymentStatus.PROCESSING) for p in reads)
    can_pay = is_payer and not in_flight and ledger.balance_due > 0 and booking.status in service.PAYABLE_BOOKINGS
    return templates.TemplateResponse(request, "payments/pay.html", {
        "v": view, "b": booking, "ledger": ledger, "payments": reads, "methods": methods, "labels": LABELS,
        "can_pay": can_pay, "error": error, "user": user, "pay_action": action,
        "sandbox_phone": _sandbox_link(request, pay_token)}, status_code=status_code)


async def _guest_redirect(request: Request, session: AsyncSession, number: str) -> RedirectResponse | None:
    """A guest booking's number (the guest's handle on it) leads to its payment link."""
    view = await booking_queries.get_guest_booking(session, number)
    if view is None:
        return None
    return RedirectResponse(guest.pay_path(request.app.state.settings, view.booking.id), status_code=303)


@router.get("/bookings/{number}/pay", response_class=HTMLResponse)
async def pay_page(request: Request, number: str, session: AsyncSession = Session,
                   user: User | None = Depends(page_user)):
    if user is None or await booking_queries.get_booking(session, number=number.upper(), with_history=False) is None:
        redirect = await _guest_redirect(request, session, number)
        if redirect is not None:
            return redirect
        if user is None:
            raise LoginRequired(request.url.path)
    return await _pay_page(request, session, user, number)


@router.post("/bookings/{number}/pay", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
async def pay_submit(request: Request, number: str, session: AsyncSession = Session,
                     user: User = Depends(require_page_user)):
    form = await request.form()
    view = await booking_queries.get_booking(session, number=number.upper(), with_history=False)
    if view is None:
        raise NotFound("No booking with that number.")
    try:
        method = PaymentMethod(str(form.get("payment_method") or ""))
    except ValueError:
        return await _pay_page(request, session, user, number, error=gettext("Choose how you want to pay."), status_code=422)
    try:
        async with session.begin_nested():
            await service.create_payment(session, booking_id=view.booking.id, user=user, method=method,
                                         phone=str(form.get("phone") or "") or None,
                                         settings=request.app.state.settings)
    except DomainError as exc:
        if exc.status >= 500:
            raise
        return await _pay_page(request, session, user, number, error=message(exc.detail), status_code=exc.status)
    return RedirectResponse(f"/bookings/{view.booking.booking_number}/pay", status_code=303)


# ---------------------------------------------------------------- a guest's payment link

async def _guest_page(request: Request, session: AsyncSession, token: str, user: User | None, *,
                      error: str | None = None, status_code: int = 200):
    settings = request.app.state.settings
    booking, payments, ledger = await guest.guest_payments(session, settings, token)
    view = await booking_queries.get_guest_booking(session, booking.booking_number)
    async with acting_as_system(session):  # the token proved the link to this guest booking
        methods = await service.methods_for(session, settings, booking)
    reads = [to_read(p, viewer_id=None, business_name=view.business.name, business_settings=view.business.settings,
                     payer=True) for p in payments]
    return _render_pay(request, view, ledger, reads, methods, is_payer=True, error=error, status_code=status_code,
                       action=f"/pay/{token}", user=user, pay_token=token)


@router.get("/pay/{token}", response_class=HTMLResponse)
async def guest_pay_page(request: Request, token: str, session: AsyncSession = Session,
                         user: User | None = Depends(page_user)):
    return await _guest_page(request, session, token, user)


@router.post("/pay/{token}", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
async def guest_pay_submit(request: Request, token: str, session: AsyncSession = Session,
                           user: User | None = Depends(page_user)):
    form = await request.form()
    try:
        method = PaymentMethod(str(form.get("payment_method") or ""))
    except ValueError:
        return await _guest_page(request, session, token, user, error=gettext("Choose how you want to pay."), status_code=422)
    try:
        async with session.begin_nested():
            await guest.create_guest_payment(session, token=token, method=method,
                                             phone=str(form.get("phone") or "") or None,
                                             settings=request.app.state.settings)
    except DomainError as exc:
        if exc.status >= 500 or isinstance(exc, NotFound):
            raise
        return await _guest_page(request, session, token, user, error=message(exc.detail), status_code=exc.status)
    return RedirectResponse(f"/pay/{token}", status_code=303)


@router.get("/owner/payments", response_class=HTMLResponse)
async def owner_payments(request: Request, business: uuid.UUID | None = None, cursor: str | None = None,
                         status: PaymentStatus | None = None, session: AsyncSession = Session,
                         user: User = Depends(owner_only)):
    rows, _ = await directory_queries.list_businesses(session, owner_id=user.id, limit=100)
    current = next((b for b in rows if b.id == business), rows[0] if rows else None)
    items, next_cursor, month = [], None, None
    if current is not None:
        items, next_cursor = await queries.list_business_payments(session, user=user, business_id=current.id,
                                                                  status=status, cursor=cursor)
        now = datetime.now(UTC)
        start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        month = await queries.payouts(session, user=user, business_id=current.id, start=start,
                                      end=now + timedelta(seconds=1))
    return templates.TemplateResponse(request, "payments/owner_payments.html", {
        "businesses": rows, "current": current, "items": items, "next_cursor": next_cursor, "month": month,
        "status_filter": status, "statuses": list(PaymentStatus), "error": request.query_params.get("error")})


@router.post("/owner/payments/{payment_id}/mark-received", dependencies=[Depends(csrf_protect)])
async def owner_mark_received(request: Request, payment_id: uuid.UUID, session: AsyncSession = Session,
                              user: User = Depends(owner_only)):
    form = await request.form()
    target = "/owner/payments" + (f"?business={form.get('business')}" if form.get("business") else "")
    try:
        amount = Decimal(str(form.get("amount_received") or ""))
        if not amount.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        return RedirectResponse(target + ("&" if "?" in target else "?") + "error=amount", status_code=303)
    try:
        async with session.begin_nested():
            await service.mark_received(session, payment_id=payment_id, user=user, amount_received=amount,
                                        ip=request_ip(request))
    except InvalidInput:
        return RedirectResponse(target + ("&" if "?" in target else "?") + "error=amount", status_code=303)
    return RedirectResponse(target, status_code=303)


# ---------------------------------------------------------------- the owner's payouts

def _day(text: str, field: str):
    return parse_date(text, field, malformed=N_("Give dates as YYYY-MM-DD."))


async def _payouts(session: AsyncSession, user: User, business: uuid.UUID | None, period: str, from_text: str,
                   to_text: str):
    rows, _ = await directory_queries.list_businesses(session, owner_id=user.id, limit=100)
    # The chosen business (the report's own check refuses another owner's), else the first own one.
    target = business if business is not None else rows[0].id if rows else None
    report = None
    if target is not None:
        report = await reports.payouts_report(session, user=user, business_id=target, period=period or "month",
                                              start=_day(from_text, "from"), end=_day(to_text, "to"))
    return rows, report


@router.get("/owner/payouts", response_class=HTMLResponse)
async def owner_payouts(request: Request, business: uuid.UUID | None = None, period: str = "month",
                        from_text: str = Query("", alias="from", max_length=10),
                        to_text: str = Query("", alias="to", max_length=10),
                        session: AsyncSession = Session, user: User = Depends(owner_only)):
    businesses, report = await _payouts(session, user, business, period, from_text, to_text)
    return templates.TemplateResponse(request, "payments/payouts.html", {
        "businesses": businesses, "report": report, "periods": reports.PERIODS,
        "csv_query": urlencode({"business": report.business.id, "period": report.period,
                                "from": report.start.isoformat(), "to": report.end.isoformat()}) if report else ""})


@router.get("/owner/payouts.csv")
async def owner_payouts_csv(business: uuid.UUID | None = None, period: str = "month",
                            from_text: str = Query("", alias="from", max_length=10),
                            to_text: str = Query("", alias="to", max_length=10),
                            session: AsyncSession = Session, user: User = Depends(owner_only)):
    _, report = await _payouts(session, user, business, period, from_text, to_text)
    if report is None:
        raise NotFound("You have no business yet.")
    return Response(reports.to_csv(report), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{reports.csv_filename(report)}"'})


# ---------------------------------------------------------------- the admin's reconciliation

admin_only = require_page_role("admin")


@router.get("/admin/payments", response_class=HTMLResponse)
async def admin_reconciliation(request: Request, cursor: str | None = Query(None, max_length=200),
                               session: AsyncSession = Session, user: User = Depends(admin_only)):
    settings = request.app.state.settings
    found, next_cursor = await reconcile.report(session, user=user, settings=settings, cursor=cursor)
    return templates.TemplateResponse(request, "payments/reconciliation.html", {
        "tab": "payments", "providers": reconcile.configured_providers(settings), "checked": len(found),
        "findings": [f.as_json() for f in found if f.mismatch or f.error], "next_cursor": next_cursor,
        "done": request.query_params.get("done")})


@router.post("/admin/payments/{payment_id}/resync", dependencies=[Depends(csrf_protect)])
async def admin_resync(request: Request, payment_id: uuid.UUID, session: AsyncSession = Session,
                       user: User = Depends(admin_only)):
    _, _, outcome = await reconcile.resync(session, payment_id=payment_id, user=user,
                                           settings=request.app.state.settings, ip=request_ip(request))
    return RedirectResponse(f"/admin/payments?{urlencode({'done': outcome})}", status_code=303)


# ---------------------------------------------------------------- the stand-in operator's "phone"

SANDBOX_PHONE = "/sandbox/mobile-money"


def _sandbox_on(request: Request) -> bool:
    # Only the in-process stand-in, only when asked for, never in production: approving here
    # marks money received (payments/sandbox.py).
    settings = request.app.state.settings
    return bool(settings.sandbox_on and settings.mobile_money_url == providers.SANDBOX_URL
                and settings.mobile_money_webhook_secret)


def _sandbox_or_404(request: Request) -> None:
    if not _sandbox_on(request):
        raise NotFound("No such page.")


def _sandbox_link(request: Request, pay_token: str | None) -> str | None:
    """The pay page's link to the payer's own sandbox phone (a guest's carries their link's token)."""
    if not _sandbox_on(request):
        return None
    return f"{SANDBOX_PHONE}?{urlencode({'pay': pay_token})}" if pay_token else SANDBOX_PHONE


@router.get(SANDBOX_PHONE, response_class=HTMLResponse)
async def sandbox_phone(request: Request, pay: str | None = Query(None, max_length=200),
                        session: AsyncSession = Session, user: User | None = Depends(page_user)):
    """What the wallet holder would see on their phone: their own requests to approve or decline."""
    _sandbox_or_404(request)
    pending = await sandbox.own_requests(session, request.app.state.settings, user=user, pay_token=pay)
    return templates.TemplateResponse(request, "payments/sandbox_phone.html",
                                      {"pending": pending[:50], "pay": pay, "user": user})


@router.post(SANDBOX_PHONE + "/{provider_payment_id}/{answer}", dependencies=[Depends(csrf_protect)])
async def sandbox_answer(request: Request, provider_payment_id: str, answer: str, session: AsyncSession = Session,
                         user: User | None = Depends(page_user)):
    """Approve or decline on the "phone", then send the operator's signed callback to our
    webhook through the app's own HTTP stack (as the operator would)."""
    _sandbox_or_404(request)
    form = await request.form()
    pay = str(form.get("pay") or "") or None
    own = dict(await sandbox.own_requests(session, request.app.state.settings, user=user, pay_token=pay))
    if answer not in ("approve", "decline") or provider_payment_id not in own:
        raise NotFound("No such payment request.")
    (providers.SANDBOX.approve if answer == "approve" else providers.SANDBOX.decline)(provider_payment_id)
    body = json.dumps({"id": f"sandbox_{secrets.token_hex(8)}", "type": "payment.updated",
                       "data": {"provider_payment_id": provider_payment_id}}).encode()
    signature = webhooks.sign(request.app.state.settings.mobile_money_webhook_secret, body, int(time.time()))
    transport = httpx.ASGITransport(app=request.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox-operator") as operator:
        sent = await operator.post("/api/v1/payments/webhooks/mobile_money", content=body,
                                   headers={"X-Signature": signature, "Content-Type": "application/json"})
    outcome = sent.json().get("status", "error") if sent.status_code == 200 else "error"
    query = {"done": outcome} | ({"pay": pay} if pay else {})
    return RedirectResponse(f"{SANDBOX_PHONE}?{urlencode(query)}", status_code=303)
