"""The sandbox operator's "phone" (/sandbox/mobile-money): the wallet holder approves or
declines a request to pay, and the stand-in sends the operator's signed callback.

It is on only when asked for (settings.sandbox_on: AFROBIZ_SANDBOX=true, never in production),
and it is each payer's own phone: a visitor sees and answers only the requests they pay, those
of their log-in (payments.user_id) and those of the guest booking whose payment link they hold
(payments/guest.py). Anyone else sees nothing and can approve nothing: approving marks a
payment received.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.config import Settings
from afrobiz.db.session import acting_as_system
from afrobiz.payments import guest, providers
from afrobiz.payments.models import Payment


async def own_requests(session: AsyncSession, settings: Settings, *, user: User | None,
                       pay_token: str | None) -> list[tuple[str, dict]]:
    """(operator payment id, request) of the pending sandbox requests this visitor pays, newest first."""
    pending = {pid: r for pid, r in providers.SANDBOX.requests.items() if r["status"] == "pending"}
    if not pending or not settings.sandbox_on:
        return []
    mine: set[str] = set()
    if user is not None:
        mine |= set(await session.scalars(select(Payment.provider_payment_id).where(
            Payment.user_id == user.id, Payment.provider_payment_id.in_(list(pending)))))
    booking_id = guest.booking_id_of(settings, pay_token) if pay_token else None
    if booking_id is not None:
        async with acting_as_system(session):    # the payment link is the guest's proof (payments/guest.py)
            mine |= set(await session.scalars(select(Payment.provider_payment_id).where(
                Payment.booking_id == booking_id, Payment.user_id.is_(None),
                Payment.provider_payment_id.in_(list(pending)))))
    return [(pid, r) for pid, r in reversed(pending.items()) if pid in mine]
