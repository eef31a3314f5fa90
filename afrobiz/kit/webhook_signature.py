"""The signature scheme our own signed webhooks use (mobile-money operators, the SMS provider):
``X-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``, like Stripe's.

One implementation, so both inbound webhooks refuse exactly the same things: a missing or
malformed header, a wrong MAC (compared in constant time), and a timestamp more than
5 minutes from now, so a captured request cannot be replayed later.
"""
from __future__ import annotations

import hashlib
import hmac
import time

from afrobiz.errors import DomainError

TOLERANCE_SECONDS = 300


class WebhookRejected(DomainError):
    status = 400
    title = "Webhook rejected"


def _mac(secret: str, body: bytes, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header value a provider sends for body at timestamp (tests and the sandbox use it)."""
    return f"t={timestamp},v1={_mac(secret, body, timestamp)}"


def verify(secret: str, header: str | None, body: bytes, *, now: float | None = None) -> None:
    """Raise WebhookRejected unless header (the X-Signature value) signs body with secret
    within the time window."""
    now = time.time() if now is None else now
    parts: dict[str, list[str]] = {}
    for item in (header or "").split(","):
        k, _, v = item.strip().partition("=")
        parts.setdefault(k, []).append(v)
    try:
        ts = int(parts["t"][0])
    except (KeyError, ValueError):
        raise WebhookRejected("The X-Signature header is missing or malformed.") from None
    expected = _mac(secret, body, ts)
    if not any(hmac.compare_digest(expected, v) for v in parts.get("v1", [])):
        raise WebhookRejected("The signature does not match.")
    if abs(now - ts) > TOLERANCE_SECONDS:
        raise WebhookRejected("The signature's timestamp is outside the 5-minute window.")
