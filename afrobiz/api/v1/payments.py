"""Payment endpoints (API.md, Payments): pay for a booking, list its payments and ledger,
mark received, refund, provider webhooks, and the owner's deposit and bank settings."""
from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.api.deps import Session, current_user, request_ip, require_role
from afrobiz.booking import idempotency
from afrobiz.payments import ledger, refunds, release, service, webhooks
from afrobiz.payments.schemas import (
    BankDetails,
    DepositIn,
    DepositRead,
    MarkReceived,
    PaymentCreate,
    PaymentRead,
    RefundCreate,
    to_read,
)

router = APIRouter(tags=["payments"])
Manager = Depends(require_role("business_owner", "admin"))


async def _read(session: AsyncSession, payment, user: User) -> PaymentRead:
    business = await service.business_of(session, payment.business_id)
    return to_read(payment, viewer_id=user.id, business_name=business.name, business_settings=business.settings,
                   refunds=await ledger.refunds_of(session, [payment.id]))


@router.post("/bookings/{booking_id}/payments", status_code=201, response_model=PaymentRead,
             summary="Pay for a booking (its customer); Idempotency-Key supported",
             responses={409: {"description": "A payment is under way, or nothing is owed"}})
async def create_payment(booking_id: uuid.UUID, body: PaymentCreate, request: Request,
                         user: User = Depends(current_user), session: AsyncSession = Session,
                         idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    claim = None
    if idempotency_key is not None:
        # One scope for all bookings: the booking id is part of the hashed body, so the same
        # key on another booking is "another body" (422), never a silent replay.
        claim = await idempotency.claim(session, scope="payment.create", user_id=user.id, key=idempotency_key,
                                        body={"booking_id": str(booking_id)} | body.model_dump(mode="json"))
        if isinstance(claim, idempotency.Replay):
            return JSONResponse(claim.body, status_code=claim.status, headers={"Idempotent-Replayed": "true"})
    payment = await service.create_payment(session, booking_id=booking_id, user=user, method=body.payment_method,
                                           phone=body.phone, settings=request.app.state.settings)
    payload = (await _read(session, payment, user)).model_dump(mode="json")
    if claim is not None:
        await idempotency.finish(session, claim, status=201, body=payload)
    return JSONResponse(payload, status_code=201)


@router.get("/bookings/{booking_id}/payments", summary="A booking's payments and ledger")
async def booking_payments(booking_id: uuid.UUID, request: Request, user: User = Depends(current_user),
                           session: AsyncSession = Session):
    booking, payments, led = await service.list_booking_payments(session, booking_id=booking_id, user=user)
    business = await service.business_of(session, booking.business_id)
    refund_rows = await ledger.refunds_of(session, [p.id for p in payments])
    items = [to_read(p, viewer_id=user.id, business_name=business.name, business_settings=business.settings,
                     refunds=refund_rows).model_dump(mode="json") for p in payments]
    methods = await service.methods_for(session, request.app.state.settings, booking) \
        if booking.customer_id == user.id else []
    return {"items": items, "next_cursor": None, "ledger": led.as_json(),
            "available_methods": [m.value for m in methods]}


@router.post("/payments/{payment_id}/mark-received", response_model=PaymentRead,
             summary="Record a bank transfer or cash as received (owner or admin)")
async def mark_received(payment_id: uuid.UUID, body: MarkReceived, request: Request, user: User = Manager,
                        session: AsyncSession = Session):
    payment = await service.mark_received(session, payment_id=payment_id, user=user,
                                          amount_received=body.amount_received, ip=request_ip(request))
    return await _read(session, payment, user)


@router.post("/payments/{payment_id}/refund", response_model=PaymentRead,
             summary="Refund a payment fully or partly (owner or admin); never more than was paid")
async def refund(payment_id: uuid.UUID, body: RefundCreate, request: Request, user: User = Manager,
                 session: AsyncSession = Session):
    payment, _ = await refunds.refund_payment(session, payment_id=payment_id, user=user, amount=body.amount,
                                              reason=body.reason, settings=request.app.state.settings,
                                              ip=request_ip(request))
    return await _read(session, payment, user)


@router.post("/payments/webhooks/{provider}", summary="A provider's signed event",
             responses={400: {"description": "Bad signature or stale timestamp"}})
async def webhook(provider: str, request: Request, session: AsyncSession = Session):
    body = await request.body()
    return await webhooks.handle(session, provider=provider, body=body, headers=dict(request.headers),
                                 settings=request.app.state.settings)


@router.put("/services/{service_id}/deposit", response_model=DepositRead,
            summary="Set what a service asks up front (owner)")
async def put_deposit(service_id: uuid.UUID, body: DepositIn, request: Request, user: User = Manager,
                      session: AsyncSession = Session):
    row = await release.set_deposit(session, user=user, service_id=service_id, deposit_type=body.deposit_type,
                                    deposit_value=body.deposit_value, ip=request_ip(request))
    return DepositRead(service_id=row.service_id, deposit_type=row.deposit_type, deposit_value=row.deposit_value)


@router.put("/businesses/{business_id}/bank-details", response_model=BankDetails,
            summary="The business's bank account for transfers (owner)")
async def put_bank_details(business_id: uuid.UUID, body: BankDetails, request: Request, user: User = Manager,
                           session: AsyncSession = Session):
    return await release.set_bank_details(session, user=user, business_id=business_id,
                                          details=body.model_dump(), ip=request_ip(request))
