"""Payment reports and guest payments: the owner's payouts (JSON and CSV), the admin's
reconciliation report and re-sync, and paying a guest booking through its payment link."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.api.deps import Session, request_ip, require_role
from afrobiz.booking import idempotency
from afrobiz.db.session import acting_as_system
from afrobiz.kit.dates import BoundedDate
from afrobiz.payments import guest, ledger, reconcile, reports, service
from afrobiz.payments.schemas import PaymentCreate, PaymentRead, to_read

router = APIRouter(tags=["payments"])
Manager = Depends(require_role("business_owner", "admin"))
AdminOnly = Depends(require_role("admin"))
Period = Literal["day", "week", "month"]


class PayoutRowOut(BaseModel):
    period_start: date
    period_end: date
    payments: int
    received: str
    platform_fee: str
    refunded: str
    refunded_platform_fee: str
    net_to_business: str


class PayoutsOut(BaseModel):
    business_id: uuid.UUID
    business_name: str
    period: Period
    from_: date = Field(alias="from")
    to: date
    timezone: str
    currency: str
    rows: list[PayoutRowOut]
    totals: PayoutRowOut

    model_config = ConfigDict(populate_by_name=True)


async def _report(session: AsyncSession, user: User, business_id: uuid.UUID, period: str, start: date | None,
                  end: date | None) -> reports.PayoutReport:
    return await reports.payouts_report(session, user=user, business_id=business_id, period=period, start=start,
                                        end=end)


@router.get("/businesses/{business_id}/payouts", response_model=PayoutsOut,
            summary="What the business was paid, its fees, refunds and net, by period (owner, admin)")
async def payouts(business_id: uuid.UUID, period: Period = "month",
                  from_: BoundedDate | None = Query(None, alias="from", description="first day (Africa/Windhoek)"),
                  to: BoundedDate | None = Query(None, description="last day, inclusive (Africa/Windhoek)"),
                  user: User = Manager, session: AsyncSession = Session):
    r = await _report(session, user, business_id, period, from_, to)
    return PayoutsOut(business_id=r.business.id, business_name=r.business.name, period=r.period, from_=r.start,
                      to=r.end, timezone=reports.TZ_NAME, currency=r.currency,
                      rows=[PayoutRowOut(**row.as_json()) for row in r.rows],
                      totals=PayoutRowOut(**r.totals.as_json()))


@router.get("/businesses/{business_id}/payouts.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "The payouts by period as CSV"}},
            summary="The payouts report as CSV (owner, admin)")
async def payouts_csv(business_id: uuid.UUID, period: Period = "month",
                      from_: BoundedDate | None = Query(None, alias="from"), to: BoundedDate | None = Query(None),
                      user: User = Manager, session: AsyncSession = Session):
    r = await _report(session, user, business_id, period, from_, to)
    return Response(reports.to_csv(r), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{reports.csv_filename(r)}"'})


# ---------------------------------------------------------------- admin reconciliation

class FindingOut(BaseModel):
    payment_id: uuid.UUID
    booking_id: uuid.UUID | None
    booking_number: str | None
    business_id: uuid.UUID | None
    provider: str | None
    provider_payment_id: str | None
    method: str
    ours: str
    theirs: str | None
    amount: str
    their_amount: str | None
    amount_difference: str | None
    currency: str
    mismatch: bool
    error: str | None
    updated_at: datetime


class ReconciliationOut(BaseModel):
    providers: list[str]
    checked: int
    mismatches: list[FindingOut]
    unreachable: list[FindingOut]
    next_cursor: str | None


class ResyncOut(BaseModel):
    outcome: str
    provider_status: str
    provider_amount: str | None
    payment: PaymentRead


@router.get("/admin/payments/reconciliation", response_model=ReconciliationOut,
            summary="Payments whose provider status or amount differs from ours (admin; changes nothing)")
async def reconciliation(request: Request, limit: int = Query(20, ge=1, le=reconcile.MAX_LIMIT),
                         cursor: str | None = Query(None, max_length=200), user: User = AdminOnly,
                         session: AsyncSession = Session):
    settings = request.app.state.settings
    found, next_cursor = await reconcile.report(session, user=user, settings=settings, limit=limit, cursor=cursor)
    return ReconciliationOut(providers=reconcile.configured_providers(settings), checked=len(found),
                             mismatches=[f.as_json() for f in found if f.mismatch],
                             unreachable=[f.as_json() for f in found if f.error], next_cursor=next_cursor)


@router.post("/admin/payments/{payment_id}/resync", response_model=ResyncOut,
             summary="Ask the payment's provider again and apply its answer the webhook's way (admin)",
             responses={409: {"description": "The payment has no configured provider"}})
async def resync(payment_id: uuid.UUID, request: Request, user: User = AdminOnly, session: AsyncSession = Session):
    payment, view, outcome = await reconcile.resync(session, payment_id=payment_id, user=user,
                                                    settings=request.app.state.settings, ip=request_ip(request))
    business = await service.business_of(session, payment.business_id)
    read = to_read(payment, viewer_id=user.id, business_name=business.name, business_settings=business.settings,
                   refunds=await ledger.refunds_of(session, [payment.id]))
    amount = view.get("amount")
    return ResyncOut(outcome=outcome, provider_status=str(view["status"]),
                     provider_amount=None if amount is None else f"{amount:.2f}", payment=read)


# ---------------------------------------------------------------- guest payments

class GuestPaymentsOut(BaseModel):
    booking_number: str
    booking_status: str
    items: list[PaymentRead]
    ledger: dict[str, Any]
    available_methods: list[str]


@router.get("/guest-payments/{token}", response_model=GuestPaymentsOut,
            summary="A guest booking's payments and ledger, through its payment link")
async def guest_payments(token: str, request: Request, session: AsyncSession = Session):
    settings = request.app.state.settings
    booking, payments, led = await guest.guest_payments(session, settings, token)
    business = await service.business_of(session, booking.business_id)
    async with acting_as_system(session):
        methods = await service.methods_for(session, settings, booking)
        refund_rows = await ledger.refunds_of(session, [p.id for p in payments])
    return GuestPaymentsOut(
        booking_number=booking.booking_number, booking_status=str(booking.status),
        items=[to_read(p, viewer_id=None, business_name=business.name, business_settings=business.settings,
                       refunds=refund_rows, payer=True) for p in payments],
        ledger=led.as_json(), available_methods=[m.value for m in methods])


@router.post("/guest-payments/{token}", status_code=201, response_model=PaymentRead,
             summary="Pay for a guest booking through its payment link; Idempotency-Key supported",
             responses={409: {"description": "A payment is under way, or nothing is owed"}})
async def guest_pay(token: str, body: PaymentCreate, request: Request, session: AsyncSession = Session,
                    idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    settings = request.app.state.settings
    booking = await guest.guest_booking(session, settings, token)  # 404 before any key is stored
    claim = None
    if idempotency_key is not None:
        # Guest keys have no user: the scope names the booking, so two guests never share one.
        claim = await idempotency.claim(session, scope=f"payment.guest:{booking.id}", user_id=None,
                                        key=idempotency_key, body=body.model_dump(mode="json"))
        if isinstance(claim, idempotency.Replay):
            return JSONResponse(claim.body, status_code=claim.status, headers={"Idempotent-Replayed": "true"})
    payment = await guest.create_guest_payment(session, token=token, method=body.payment_method, phone=body.phone,
                                               settings=settings)
    business = await service.business_of(session, payment.business_id)
    payload = to_read(payment, viewer_id=None, business_name=business.name, business_settings=business.settings,
                      payer=True).model_dump(mode="json")
    if claim is not None:
        await idempotency.finish(session, claim, status=201, body=payload)
    return JSONResponse(payload, status_code=201)
