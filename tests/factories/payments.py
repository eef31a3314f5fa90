"""Factories and helpers for the payments tests: deposits, bank details, payment rows, and
real provider signatures (Stripe's scheme and our mobile-money one) built with test secrets."""
from __future__ import annotations

import json
import secrets
import time
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.config import Settings
from afrobiz.payments import money
from afrobiz.payments.models import Payment, ServiceDeposit
from afrobiz.payments.webhooks import sign

STRIPE_WEBHOOK_SECRET = "whsec_test_afrobiz"
MM_WEBHOOK_SECRET = "mm-test-secret"
BANK = {"account_name": "Windhoek Test Braids CC", "bank": "Bank Windhoek", "account_number": "8001234567",
        "branch_code": "483872"}


def payment_settings(tmp_path, **overrides) -> Settings:
    """Settings with every provider configured (mobile money = the in-process sandbox)."""
    values = {"database_url": None, "data_dir": tmp_path, "secret_key": "test-secret-key", "environment": "test",
              "stripe_secret_key": "sk_test_afrobiz", "stripe_webhook_secret": STRIPE_WEBHOOK_SECRET,
              "mobile_money_url": "sandbox", "mobile_money_webhook_secret": MM_WEBHOOK_SECRET, "sandbox": True} | overrides
    return Settings(**values)


async def set_deposit(session: AsyncSession, service, deposit_type: str, value: Decimal | None = None
                      ) -> ServiceDeposit:
    row = ServiceDeposit(service_id=service.id, deposit_type=deposit_type, deposit_value=value)
    session.add(row)
    await session.flush()
    return row


async def set_bank(session: AsyncSession, business, details: dict | None = None) -> None:
    business.settings = dict(business.settings or {}) | {"payments": {"bank": details or BANK}}
    await session.flush()


async def create_payment(session: AsyncSession, *, booking, amount: Decimal | str, status: str = "completed",
                         method: str = "bank_transfer", percent: Decimal = Decimal(5), **overrides) -> Payment:
    """A payment row written directly (as system), split with `percent`."""
    parts = money.split(Decimal(amount), percent=percent)
    values = {"booking_id": booking.id, "user_id": booking.customer_id, "business_id": booking.business_id,
              "payment_method": method, "amount": parts.amount, "platform_fee": parts.platform_fee,
              "business_amount": parts.business_amount, "status": status,
              "reference": "PAY-" + secrets.token_hex(4).upper()} | overrides
    payment = Payment(**values)
    session.add(payment)
    await session.flush()
    return payment


def stripe_event(event_type: str, intent_id: str, *, amount_cents: int, event_id: str | None = None,
                 **intent_fields) -> bytes:
    event = {"id": event_id or f"evt_{secrets.token_hex(8)}", "object": "event", "type": event_type,
             "created": int(time.time()), "api_version": "2024-06-20",
             "data": {"object": {"id": intent_id, "object": "payment_intent", "amount": amount_cents,
                                 "amount_received": amount_cents if event_type.endswith("succeeded") else 0,
                                 "currency": "nad"} | intent_fields}}
    return json.dumps(event).encode()


def stripe_headers(body: bytes, *, secret: str = STRIPE_WEBHOOK_SECRET, at: int | None = None) -> dict[str, str]:
    """A real Stripe-Signature header (t=…,v1=HMAC-SHA256(secret, "t.body"))."""
    return {"Stripe-Signature": sign(secret, body, int(time.time()) if at is None else at),
            "Content-Type": "application/json"}


def mm_event(provider_payment_id: str, *, event_type: str = "payment.updated", event_id: str | None = None) -> bytes:
    return json.dumps({"id": event_id or f"mmevt_{secrets.token_hex(8)}", "type": event_type,
                       "data": {"provider_payment_id": provider_payment_id}}).encode()


def mm_headers(body: bytes, *, secret: str = MM_WEBHOOK_SECRET, at: int | None = None) -> dict[str, str]:
    return {"X-Signature": sign(secret, body, int(time.time()) if at is None else at),
            "Content-Type": "application/json"}


def csrf(html: str) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


async def page_cookie(session: AsyncSession, user) -> dict[str, str]:
    """Headers carrying the session cookie of a fresh page log-in for user."""
    from afrobiz.accounts.sessions import start_session
    from afrobiz.web.deps import COOKIE_NAME

    return {"Cookie": f"{COOKIE_NAME}={await start_session(session, user=user)}"}
