"""The payment providers behind one small interface, and which ones are configured.

* cash and bank transfer need no outside party: the owner (or an admin) marks them received;
* card goes through Stripe (PaymentIntents) when `stripe_secret_key` is set;
* mobile money goes through a generic operator interface (request to pay by phone number,
  asynchronous confirmation by a signed callback, `get_status` to confirm each callback) when
  `mobile_money_url` is set. `mobile_money_url = "sandbox"` selects `SandboxMobileMoney`, an
  in-process stand-in whose state tests and demos control: it never moves money. It needs
  `sandbox` (AFROBIZ_SANDBOX=true) too, and never answers in production.
"""
from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

import httpx

from afrobiz.config import Settings
from afrobiz.directory.business_settings import bank_of
from afrobiz.errors import ServiceUnavailable
from afrobiz.payments.models import PaymentMethod

SANDBOX_URL = "sandbox"


class MobileMoneyProvider(Protocol):
    """What an e-wallet operator must offer to be plugged in."""

    name: str

    async def request_to_pay(self, *, reference: str, amount: Decimal, currency: str, phone: str) -> str:
        """Ask the wallet holder to approve a payment; returns the operator's payment id."""

    async def get_status(self, provider_payment_id: str) -> str:
        """The operator's truth: 'pending', 'completed' or 'failed'."""

    async def refund(self, provider_payment_id: str, amount: Decimal) -> str:
        """Send money back; returns the operator's refund id."""


@dataclass
class SandboxMobileMoney:
    """In-process stand-in operator: request_to_pay records a request in 'pending'; tests
    (or the demo) call approve()/decline() and then send the signed callback themselves."""

    name: str = "mobile_money"
    requests: dict[str, dict] = field(default_factory=dict)
    refunds: list[tuple[str, Decimal]] = field(default_factory=list)

    async def request_to_pay(self, *, reference: str, amount: Decimal, currency: str, phone: str) -> str:
        pid = "mm_" + secrets.token_hex(8)
        self.requests[pid] = {"status": "pending", "amount": amount, "currency": currency, "phone": phone,
                              "reference": reference}
        return pid

    async def get_status(self, provider_payment_id: str) -> str:
        return self.requests.get(provider_payment_id, {}).get("status", "failed")

    async def get_payment(self, provider_payment_id: str) -> dict:
        """Status and amount (reconciliation compares both)."""
        found = self.requests.get(provider_payment_id, {})
        return {"status": found.get("status", "failed"), "amount": found.get("amount")}

    async def refund(self, provider_payment_id: str, amount: Decimal) -> str:
        self.refunds.append((provider_payment_id, amount))
        return "mmr_" + secrets.token_hex(8)

    def approve(self, provider_payment_id: str) -> None:
        self.requests[provider_payment_id]["status"] = "completed"

    def decline(self, provider_payment_id: str) -> None:
        self.requests[provider_payment_id]["status"] = "failed"


# One sandbox per process, so a callback handled in a later request sees the same state.
SANDBOX = SandboxMobileMoney()


_MM_STATES = {"successful": "completed", "completed": "completed", "failed": "failed", "rejected": "failed"}


@dataclass
class HttpMobileMoney:
    """A generic JSON operator API: POST {url}/requesttopay, GET {url}/requesttopay/{id},
    POST {url}/requesttopay/{id}/refund, bearer api key. Real operators get an adapter like this."""

    url: str
    api_key: str | None
    name: str = "mobile_money"
    transport: httpx.AsyncBaseTransport | None = None

    def _client(self) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        return httpx.AsyncClient(base_url=self.url.rstrip("/"), headers=headers, timeout=15,
                                 transport=self.transport)

    async def _call(self, method: str, path: str, json: dict | None = None) -> dict:
        try:
            async with self._client() as client:
                r = await client.request(method, path, json=json)
                r.raise_for_status()
                return r.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ServiceUnavailable("The mobile-money operator did not answer. Please try again.") from exc

    async def request_to_pay(self, *, reference: str, amount: Decimal, currency: str, phone: str) -> str:
        body = await self._call("POST", "/requesttopay", {"reference": reference, "amount": str(amount),
                                                           "currency": currency, "phone": phone})
        return str(body["id"])

    async def get_status(self, provider_payment_id: str) -> str:
        body = await self._call("GET", f"/requesttopay/{provider_payment_id}")
        return _MM_STATES.get(str(body.get("status", "")).lower(), "pending")

    async def get_payment(self, provider_payment_id: str) -> dict:
        body = await self._call("GET", f"/requesttopay/{provider_payment_id}")
        try:
            amount = Decimal(str(body["amount"])) if body.get("amount") is not None else None
        except (ArithmeticError, ValueError):
            amount = None
        return {"status": _MM_STATES.get(str(body.get("status", "")).lower(), "pending"), "amount": amount}

    async def refund(self, provider_payment_id: str, amount: Decimal) -> str:
        body = await self._call("POST", f"/requesttopay/{provider_payment_id}/refund", {"amount": str(amount)})
        return str(body["id"])


def mobile_money_for(settings: Settings) -> MobileMoneyProvider | None:
    """The configured operator, or None (then mobile money is not offered)."""
    if not settings.mobile_money_url:
        return None
    if settings.mobile_money_url == SANDBOX_URL:
        return SANDBOX if settings.sandbox_on else None
    return HttpMobileMoney(settings.mobile_money_url, settings.mobile_money_api_key)


def mobile_money_configured(settings: Settings) -> bool:
    return mobile_money_for(settings) is not None


# ---------------------------------------------------------------- card (Stripe)

def _stripe_create_intent(api_key: str, amount_cents: int, currency: str, payment_id: str,
                          booking_id: str) -> tuple[str, str]:
    import stripe

    intent = stripe.PaymentIntent.create(
        api_key=api_key, amount=amount_cents, currency=currency.lower(),
        metadata={"payment_id": payment_id, "booking_id": booking_id},
        automatic_payment_methods={"enabled": True},
        idempotency_key=f"payment-{payment_id}")  # our retry never makes a second intent
    return intent.id, intent.client_secret


def _stripe_refund(api_key: str, intent_id: str, amount_cents: int, refund_key: str) -> str:
    import stripe

    refund = stripe.Refund.create(api_key=api_key, payment_intent=intent_id, amount=amount_cents,
                                  idempotency_key=refund_key)
    return refund.id


def _stripe_retrieve(api_key: str, intent_id: str) -> tuple[str, int | None]:
    import stripe

    intent = stripe.PaymentIntent.retrieve(intent_id, api_key=api_key)
    return intent.status, intent.amount_received


# Stripe's PaymentIntent statuses in our words (requires_* = the payer has still to act).
STRIPE_STATES = {"succeeded": "completed", "processing": "processing", "canceled": "cancelled",
                 "requires_payment_method": "pending", "requires_confirmation": "pending",
                 "requires_action": "pending", "requires_capture": "processing"}


async def card_get_payment(settings: Settings, intent_id: str) -> dict:
    """Stripe's view of a PaymentIntent: {"status": our word, "amount": received Decimal or None}."""
    try:
        status, received = await asyncio.to_thread(_stripe_retrieve, settings.stripe_secret_key, intent_id)
    except Exception as exc:
        raise ServiceUnavailable("The card processor did not answer. Please try again.") from exc
    amount = (Decimal(received) / 100).quantize(Decimal("0.01")) if received else None
    return {"status": STRIPE_STATES.get(str(status), "pending"), "amount": amount}


async def card_create_intent(settings: Settings, *, amount: Decimal, currency: str, payment_id: str,
                             booking_id: str) -> tuple[str, str]:
    """A Stripe PaymentIntent for the amount: (intent id, client secret for the payer)."""
    try:
        return await asyncio.to_thread(_stripe_create_intent, settings.stripe_secret_key, to_cents(amount),
                                       currency, payment_id, booking_id)
    except Exception as exc:  # stripe.StripeError and network errors alike: the customer may retry
        if isinstance(exc, ServiceUnavailable):
            raise
        raise ServiceUnavailable("The card processor did not answer. Please try again.") from exc


async def card_refund(settings: Settings, *, intent_id: str, amount: Decimal, refund_key: str) -> str:
    try:
        return await asyncio.to_thread(_stripe_refund, settings.stripe_secret_key, intent_id, to_cents(amount),
                                       refund_key)
    except Exception as exc:
        raise ServiceUnavailable("The card processor did not accept the refund. Please try again.") from exc


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


# ---------------------------------------------------------------- which methods a customer sees

def bank_details(business_settings: dict | None) -> dict | None:
    """The business's bank account for transfers (businesses.settings['payments']['bank'])."""
    return bank_of(business_settings)


def available_methods(settings: Settings, *, business_settings: dict | None, deposit_required: bool
                      ) -> list[PaymentMethod]:
    """Configured methods only; cash (paid at the appointment) cannot secure a deposit."""
    methods = []
    if settings.stripe_secret_key:
        methods.append(PaymentMethod.CARD)
    if mobile_money_configured(settings):
        methods.append(PaymentMethod.MOBILE_MONEY)
    if bank_details(business_settings):
        methods.append(PaymentMethod.BANK_TRANSFER)
    if not deposit_required:
        methods.append(PaymentMethod.CASH)
    return methods
