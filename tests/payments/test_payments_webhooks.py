"""Webhooks with real signatures: Stripe's scheme via stripe.Webhook.construct_event, and the
mobile-money callback confirmed by asking the operator (get_status) before marking received."""
from __future__ import annotations

import time
import uuid
from decimal import Decimal as D

from factories.payments import (
    create_payment,
    mm_event,
    mm_headers,
    set_deposit,
    stripe_event,
    stripe_headers,
)
from sqlalchemy import func, select

from afrobiz.booking.models import Booking
from afrobiz.payments import providers
from afrobiz.payments.models import Payment, PaymentWebhookEvent
from afrobiz.payments.providers import SANDBOX

STRIPE = "/api/v1/payments/webhooks/stripe"
MM = "/api/v1/payments/webhooks/mobile_money"


async def _card_payment(db, booking, intent="pi_test_1"):
    return await create_payment(db, booking=booking, amount="150.00", status="pending", method="card",
                                payment_provider="stripe", provider_payment_id=intent)


async def _events(db, provider):
    return await db.scalar(select(func.count()).select_from(PaymentWebhookEvent)
                           .where(PaymentWebhookEvent.provider == provider))


async def test_a_signed_stripe_success_completes_the_payment_once(client, db, booking):
    payment = await _card_payment(db, booking)
    body = stripe_event("payment_intent.succeeded", "pi_test_1", amount_cents=15000, event_id="evt_ok")
    r = await client.post(STRIPE, content=body, headers=stripe_headers(body))
    assert r.status_code == 200 and r.json() == {"status": "applied"}, r.text
    await db.refresh(payment)
    assert payment.status == "completed" and payment.processed_at is not None
    replay = await client.post(STRIPE, content=body, headers=stripe_headers(body))
    assert replay.status_code == 200 and replay.json() == {"status": "duplicate"}
    assert await _events(db, "stripe") == 1


async def test_bad_signature_wrong_secret_and_stale_timestamp_are_400_and_change_nothing(client, db, booking):
    payment = await _card_payment(db, booking)
    body = stripe_event("payment_intent.succeeded", "pi_test_1", amount_cents=15000)
    tampered = body.replace(b"15000", b"15001")
    cases = [(tampered, stripe_headers(body)),                                    # body changed after signing
             (body, stripe_headers(body, secret="whsec_someone_else")),           # wrong secret
             (body, stripe_headers(body, at=int(time.time()) - 301)),             # older than 5 minutes
             (body, {"Content-Type": "application/json"})]                        # no signature
    for content, headers in cases:
        r = await client.post(STRIPE, content=content, headers=headers)
        assert r.status_code == 400, r.text
        assert r.headers["content-type"] == "application/problem+json"
    await db.refresh(payment)
    assert payment.status == "pending" and await _events(db, "stripe") == 0
    ok = await client.post(STRIPE, content=body, headers=stripe_headers(body, at=int(time.time()) - 250))
    assert ok.status_code == 200


async def test_out_of_order_events_never_move_a_payment_backwards(client, db, booking):
    payment = await _card_payment(db, booking)
    succeeded = stripe_event("payment_intent.succeeded", "pi_test_1", amount_cents=15000)
    processing = stripe_event("payment_intent.processing", "pi_test_1", amount_cents=15000)
    failed = stripe_event("payment_intent.payment_failed", "pi_test_1", amount_cents=15000,
                          last_payment_error={"message": "Card declined"})
    for body in (succeeded, processing, failed):       # delivered newest first
        assert (await client.post(STRIPE, content=body, headers=stripe_headers(body))).status_code == 200
    await db.refresh(payment)
    assert payment.status == "completed" and payment.failure_reason is None
    assert await _events(db, "stripe") == 3            # every event is stored


async def test_a_failed_attempt_then_success_completes(client, db, booking):
    payment = await _card_payment(db, booking)
    failed = stripe_event("payment_intent.payment_failed", "pi_test_1", amount_cents=15000,
                          last_payment_error={"message": "Card declined"})
    await client.post(STRIPE, content=failed, headers=stripe_headers(failed))
    await db.refresh(payment)
    assert (payment.status, payment.failure_reason) == ("failed", "Card declined")
    ok = stripe_event("payment_intent.succeeded", "pi_test_1", amount_cents=15000)
    await client.post(STRIPE, content=ok, headers=stripe_headers(ok))
    await db.refresh(payment)
    assert payment.status == "completed"


async def test_a_wrong_amount_is_not_marked_received(client, db, booking):
    payment = await _card_payment(db, booking)
    body = stripe_event("payment_intent.succeeded", "pi_test_1", amount_cents=100)
    r = await client.post(STRIPE, content=body, headers=stripe_headers(body))
    assert r.json() == {"status": "amount_mismatch"}
    await db.refresh(payment)
    assert payment.status == "pending"


async def test_unknown_provider_is_404(client):
    r = await client.post("/api/v1/payments/webhooks/paypal", content=b"{}")
    assert r.status_code == 404


async def test_mobile_money_callback_is_confirmed_with_the_operator_before_money_counts(
        client, login, db, customer, owner, booking, service):
    await set_deposit(db, service, "percent", D(50))
    created = await client.post(f"/api/v1/bookings/{booking.id}/payments", json={"payment_method": "mobile_money"},
                                headers=await login(customer))
    assert created.status_code == 201, created.text
    p = created.json()
    assert (p["status"], p["amount"], p["next_step"]["action"]) == ("processing", "75.00", "approve_on_phone")
    pid = (await db.get(Payment, uuid.UUID(p["id"]))).provider_payment_id
    assert SANDBOX.requests[pid]["phone"] == "+264811234567" and SANDBOX.requests[pid]["amount"] == D("75.00")
    # A forged "it succeeded" callback, correctly signed, while the operator says pending: nothing.
    early = mm_event(pid, event_type="payment.succeeded")
    r = await client.post(MM, content=early, headers=mm_headers(early))
    assert r.status_code == 200 and r.json() == {"status": "unchanged"}
    await db.refresh(booking)
    assert booking.status == "pending"
    # The customer approves on their phone; the operator's callback now confirms it.
    SANDBOX.approve(pid)
    cb = mm_event(pid)
    assert (await client.post(MM, content=cb, headers=mm_headers(cb))).json() == {"status": "applied"}
    assert (await client.post(MM, content=cb, headers=mm_headers(cb))).json() == {"status": "duplicate"}
    await db.refresh(booking)
    assert booking.status == "confirmed"
    ledger = (await client.get(f"/api/v1/bookings/{booking.id}/payments", headers=await login(owner))).json()["ledger"]
    assert (ledger["state"], ledger["deposit_paid"], ledger["net"]) == ("part_paid", True, "75.00")


async def test_mobile_money_bad_signature_and_declined_payment(client, login, db, customer, booking):
    created = await client.post(f"/api/v1/bookings/{booking.id}/payments", json={"payment_method": "mobile_money"},
                                headers=await login(customer))
    payment = await db.get(Payment, uuid.UUID(created.json()["id"]))
    body = mm_event(payment.provider_payment_id)
    assert (await client.post(MM, content=body, headers=mm_headers(body, secret="nope"))).status_code == 400
    assert (await client.post(MM, content=body, headers=mm_headers(body, at=int(time.time()) + 400))).status_code == 400
    SANDBOX.decline(payment.provider_payment_id)
    assert (await client.post(MM, content=body, headers=mm_headers(body))).json() == {"status": "applied"}
    await db.refresh(payment)
    assert payment.status == "failed" and payment.failed_at is not None
    assert (await db.get(Booking, booking.id)).status == "pending"
    # Failed: the customer may try again.
    again = await client.post(f"/api/v1/bookings/{booking.id}/payments", json={"payment_method": "mobile_money"},
                              headers=await login(customer))
    assert again.status_code == 201


async def test_mobile_money_is_hidden_without_configuration(app, client, login, customer, booking):
    app.state.settings.mobile_money_url = None
    r = await client.post(f"/api/v1/bookings/{booking.id}/payments", json={"payment_method": "mobile_money"},
                          headers=await login(customer))
    assert r.status_code == 422
    body = mm_event("mm_x")
    assert (await client.post(MM, content=body, headers=mm_headers(body))).status_code == 404


def test_sandbox_is_used_only_when_configured(settings):
    assert providers.mobile_money_for(settings) is SANDBOX
    settings.mobile_money_url = "https://operator.example/api"
    assert isinstance(providers.mobile_money_for(settings), providers.HttpMobileMoney)
