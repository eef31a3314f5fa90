"""Payment pages: a booking's "Pay" page (/bookings/{number}/pay) and the owner's payments
list with "mark received" (/owner/payments). Plain forms; no JavaScript needed."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.api.deps import Session, request_ip
from afrobiz.booking import queries as booking_queries
from afrobiz.directory import queries as directory_queries
from afrobiz.errors import DomainError, InvalidInput, NotFound
from afrobiz.payments import queries, service
from afrobiz.payments.models import PaymentMethod, PaymentStatus
from afrobiz.payments.schemas import to_read
from afrobiz.web.deps import csrf_protect, require_page_role, require_page_user
from afrobiz.web.templating import templates

router = APIRouter()
owner_only = require_page_role("business_owner", "admin")
LABELS = {PaymentMethod.CARD: "Card", PaymentMethod.MOBILE_MONEY: "Mobile money (e-wallet)",
          PaymentMethod.BANK_TRANSFER: "Bank transfer (EFT)", PaymentMethod.CASH: "Cash at the business"}


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
    in_flight = any(p.status in (PaymentStatus.PENDING, PaymentStatus.PROCESSING) for p in payments)
    can_pay = is_payer and not in_flight and ledger.balance_due > 0 and booking.status in service.PAYABLE_BOOKINGS
    return templates.TemplateResponse(request, "payments/pay.html", {
        "v": view, "b": booking, "ledger": ledger, "payments": reads, "methods": methods, "labels": LABELS,
        "can_pay": can_pay, "error": error, "user": user}, status_code=status_code)


@router.get("/bookings/{number}/pay", response_class=HTMLResponse)
async def pay_page(request: Request, number: str, session: AsyncSession = Session,
                   user: User = Depends(require_page_user)):
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
        return await _pay_page(request, session, user, number, error="Choose how you want to pay.", status_code=422)
    try:
        async with session.begin_nested():
            await service.create_payment(session, booking_id=view.booking.id, user=user, method=method,
                                         phone=str(form.get("phone") or "") or None,
                                         settings=request.app.state.settings)
    except DomainError as exc:
        if exc.status >= 500:
            raise
        return await _pay_page(request, session, user, number, error=exc.detail, status_code=exc.status)
    return RedirectResponse(f"/bookings/{view.booking.booking_number}/pay", status_code=303)


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
