"""Provider webhooks: verified, stored once, applied idempotently and in any order.

* `stripe`: Stripe's own scheme (`Stripe-Signature: t=…,v1=…`, HMAC-SHA256 over "t.body"),
  checked by `stripe.Webhook.construct_event` with a 5-minute tolerance.
* `mobile_money`: the same scheme with our header `X-Signature: t=…,v1=…` and
  `mobile_money_webhook_secret`; the event only says "look at payment X": its status is then
  asked of the operator (`get_status`) before any money is marked received.
Every verified event is stored in payment_webhook_events (unique provider + event id): a
replay finds its row and changes nothing. Payment statuses only move forward (service.py),
so an older event arriving after a newer one is stored and ignored.
"""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.config import Settings
from afrobiz.db.session import acting_as_system
from afrobiz.errors import NotFound
from afrobiz.kit.webhook_signature import TOLERANCE_SECONDS, WebhookRejected, sign, verify  # noqa: F401 (sign: used by tests and the sandbox)
from afrobiz.payments import providers, reconcile
from afrobiz.payments.models import Payment, PaymentWebhookEvent
from afrobiz.payments.models import PaymentStatus as P
from afrobiz.payments.service import apply_status

MM_SIGNATURE_HEADER = "x-signature"
STRIPE_SIGNATURE_HEADER = "stripe-signature"
_STRIPE_EVENTS = {"payment_intent.succeeded": P.COMPLETED, "payment_intent.payment_failed": P.FAILED,
                  "payment_intent.processing": P.PROCESSING, "payment_intent.canceled": P.CANCELLED}


def _stripe_event(settings: Settings, body: bytes, header: str | None) -> dict[str, Any]:
    import stripe

    if not settings.stripe_webhook_secret:
        raise NotFound("No such payment provider.")
    try:
        event = stripe.Webhook.construct_event(body, header or "", settings.stripe_webhook_secret,
                                               tolerance=TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as exc:
        raise WebhookRejected(f"Stripe signature rejected: {exc.user_message or 'invalid'}") from None
    except ValueError:
        raise WebhookRejected("The body is not a JSON event.") from None
    return event.to_dict() if hasattr(event, "to_dict") else dict(event)


def _mm_event(settings: Settings, body: bytes, header: str | None) -> dict[str, Any]:
    if not (providers.mobile_money_configured(settings) and settings.mobile_money_webhook_secret):
        raise NotFound("No such payment provider.")
    verify(settings.mobile_money_webhook_secret, header, body)
    try:
        event = json.loads(body)
        event["id"], event["type"], event["data"]["provider_payment_id"]
    except (ValueError, KeyError, TypeError):
        raise WebhookRejected("The body is not a mobile-money event.") from None
    return event


async def handle(session: AsyncSession, *, provider: str, body: bytes, headers: dict[str, str],
                 settings: Settings) -> dict[str, Any]:
    """Verify, store once and apply one provider event; returns what happened."""
    if provider == "stripe":
        event = _stripe_event(settings, body, headers.get(STRIPE_SIGNATURE_HEADER))
        provider_payment_id = ((event.get("data") or {}).get("object") or {}).get("id")
    elif provider == "mobile_money":
        event = _mm_event(settings, body, headers.get(MM_SIGNATURE_HEADER))
        provider_payment_id = str(event["data"]["provider_payment_id"])
    else:
        raise NotFound("No such payment provider.")
    # A webhook has no user: it reads and writes as system for this event only.
    async with acting_as_system(session):
        stored = await session.scalar(
            insert(PaymentWebhookEvent).values(provider=provider, event_id=str(event["id"])[:255],
                                               event_type=str(event["type"])[:100], payload=event)
            .on_conflict_do_nothing(index_elements=["provider", "event_id"]).returning(PaymentWebhookEvent.id))
        if stored is None:
            return {"status": "duplicate"}
        row = await session.get(PaymentWebhookEvent, stored)
        outcome = await _apply(session, provider, event, provider_payment_id, settings, row)
        row.processed_at = datetime.now(UTC)
        await session.flush()
    return {"status": outcome}


async def _apply(session: AsyncSession, provider: str, event: dict, provider_payment_id: str | None,
                 settings: Settings, row: PaymentWebhookEvent) -> str:
    payment = (await session.scalars(select(Payment).where(
        Payment.payment_provider == provider, Payment.provider_payment_id == provider_payment_id)
        .with_for_update())).first() if provider_payment_id else None
    if payment is None:
        row.error = "no payment with this provider id"
        return "ignored"
    row.payment_id = payment.id
    if provider == "mobile_money":
        # Never trust the callback's claim: ask the operator (status and amount), and move
        # the payment the same way an admin's re-sync does (reconcile.py).
        outcome = await reconcile.apply_provider_view(session, payment,
                                                      await reconcile.provider_view(settings, payment))
        if outcome == "amount_mismatch":
            row.error = "the operator reports another amount"
        return outcome
    else:
        target = _STRIPE_EVENTS.get(event["type"])
        if target is None:
            return "ignored"
        intent = event["data"]["object"]
        reason = ((intent.get("last_payment_error") or {}).get("message")) if target == P.FAILED else None
        if target == P.COMPLETED and intent.get("amount_received") != providers.to_cents(payment.amount):
            row.error = f"amount_received {intent.get('amount_received')} != {providers.to_cents(payment.amount)}"
            return "amount_mismatch"
    moved = await apply_status(session, payment, target, reason=reason)
    return "applied" if moved else "unchanged"
