"""Reconciliation: does each provider agree with us about our payments?

The report (admin only) asks the provider of every payment that is still open (pending,
processing) or changed recently, a bounded page at a time, and lists those where the provider's
status or amount differs from ours. It changes nothing. Re-syncing one payment asks its
provider again and moves it through `apply_provider_view`, the same forward-only path the
mobile-money webhook takes (service.apply_status): it can complete or fail an open payment but
never undoes money already received or refunded, and a differing amount is reported, not applied.
"""
from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.admin.audit import record
from afrobiz.booking.models import Booking
from afrobiz.config import Settings
from afrobiz.errors import InvalidInput, NotFound, PermissionDenied, ServiceUnavailable
from afrobiz.payments import providers
from afrobiz.payments.ledger import IN_FLIGHT
from afrobiz.payments.models import Payment
from afrobiz.payments.models import PaymentStatus as P
from afrobiz.payments.service import PaymentConflict, apply_status, is_staff

RECENT = timedelta(days=7)
MAX_LIMIT = 50  # each row is one call to a provider: pages stay small
# Statuses that mean the same to both sides (a refund is ours: the provider still says "paid").
_GROUP = {P.PENDING: "open", P.PROCESSING: "open", P.COMPLETED: "paid", P.REFUNDED: "paid",
          P.FAILED: "unsuccessful", P.CANCELLED: "unsuccessful"}
_THEIRS = {"pending": P.PENDING, "processing": P.PROCESSING, "completed": P.COMPLETED, "failed": P.FAILED,
           "cancelled": P.CANCELLED}


def configured_providers(settings: Settings) -> list[str]:
    names = []
    if settings.stripe_secret_key:
        names.append("stripe")
    if providers.mobile_money_configured(settings):
        names.append("mobile_money")
    return names


async def provider_view(settings: Settings, payment: Payment) -> dict:
    """The provider's word on a payment: {"status": pending|processing|completed|failed|cancelled,
    "amount": Decimal or None when the provider does not say}."""
    if payment.payment_provider == "stripe" and settings.stripe_secret_key:
        return await providers.card_get_payment(settings, payment.provider_payment_id)
    mm = providers.mobile_money_for(settings) if payment.payment_provider == "mobile_money" else None
    if mm is None:
        raise PaymentConflict("This payment has no configured provider to ask.")
    getter = getattr(mm, "get_payment", None)
    if getter is not None:
        return await getter(payment.provider_payment_id)
    return {"status": await mm.get_status(payment.provider_payment_id), "amount": None}


async def apply_provider_view(session: AsyncSession, payment: Payment, view: dict) -> str:
    """Move the payment forward to what the provider says: applied | unchanged | amount_mismatch."""
    target = _THEIRS.get(str(view.get("status")), P.PROCESSING)
    amount = view.get("amount")
    if target == P.COMPLETED and amount is not None and Decimal(amount) != payment.amount:
        return "amount_mismatch"  # money differs: a person decides, nothing is marked received
    reason = "The payment provider reports the payment failed." if target == P.FAILED else \
        "The payment provider reports the payment cancelled." if target == P.CANCELLED else None
    return "applied" if await apply_status(session, payment, target, reason=reason) else "unchanged"


@dataclass
class Finding:
    payment: Payment
    booking_number: str | None
    theirs: str | None
    their_amount: Decimal | None
    error: str | None = None

    @property
    def amount_difference(self) -> Decimal | None:
        return None if self.their_amount is None else Decimal(self.their_amount) - self.payment.amount

    @property
    def mismatch(self) -> bool:
        if self.theirs is None:
            return False
        their_group = _GROUP[_THEIRS.get(self.theirs, P.PROCESSING)]
        # Money only counts once the provider says it is paid: compare amounts then.
        return their_group != _GROUP[self.payment.status] or bool(
            their_group == "paid" and self.amount_difference)

    def as_json(self) -> dict:
        p = self.payment
        diff = self.amount_difference
        return {"payment_id": str(p.id), "booking_id": str(p.booking_id) if p.booking_id else None,
                "booking_number": self.booking_number, "business_id": str(p.business_id) if p.business_id else None,
                "provider": p.payment_provider, "provider_payment_id": p.provider_payment_id,
                "method": str(p.payment_method), "ours": str(p.status), "theirs": self.theirs,
                "amount": str(p.amount), "their_amount": None if self.their_amount is None else
                str(Decimal(self.their_amount).quantize(Decimal("0.01"))),
                "amount_difference": None if diff is None else str(diff.quantize(Decimal("0.01"))),
                "currency": p.currency, "mismatch": self.mismatch, "error": self.error,
                "updated_at": p.updated_at.isoformat()}


def _cursor(p: Payment) -> str:
    return base64.urlsafe_b64encode(f"{p.updated_at.isoformat()}|{p.id}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        at, pid = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split("|")
        return datetime.fromisoformat(at), uuid.UUID(pid)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("The cursor is not valid.", field="cursor") from exc


def _require_staff(user: User) -> None:
    if not is_staff(user):
        raise PermissionDenied("Only an admin can reconcile payments.")


async def report(session: AsyncSession, *, user: User, settings: Settings, limit: int = 20,
                 cursor: str | None = None, now: datetime | None = None) -> tuple[list[Finding], str | None]:
    """One page of open or recently changed provider payments, each checked with its provider
    (newest change first). Every checked payment is returned; `mismatch` marks the differences."""
    _require_staff(user)
    names = configured_providers(settings)
    if not names:
        return [], None
    limit = max(1, min(limit, MAX_LIMIT))
    since = (now or datetime.now(UTC)) - RECENT
    q = (select(Payment, Booking.booking_number).outerjoin(Booking, Booking.id == Payment.booking_id)
         .where(Payment.payment_provider.in_(names), Payment.provider_payment_id.is_not(None),
                or_(Payment.status.in_(IN_FLIGHT), Payment.updated_at >= since)))
    if cursor:
        q = q.where(tuple_(Payment.updated_at, Payment.id) < tuple_(*_decode(cursor)))
    rows = (await session.execute(q.order_by(Payment.updated_at.desc(), Payment.id.desc()).limit(limit + 1))).all()
    findings = []
    for payment, number in rows[:limit]:
        try:
            view = await provider_view(settings, payment)
            findings.append(Finding(payment, number, str(view["status"]), view.get("amount")))
        except ServiceUnavailable as exc:  # one unreachable provider must not hide the others
            findings.append(Finding(payment, number, None, None, error=exc.detail))
    return findings, _cursor(rows[limit - 1][0]) if len(rows) > limit else None


async def resync(session: AsyncSession, *, payment_id: uuid.UUID, user: User, settings: Settings,
                 ip: str | None = None) -> tuple[Payment, dict, str]:
    """Ask the payment's provider again and apply its answer through the webhook's safe path."""
    _require_staff(user)
    payment = (await session.scalars(select(Payment).where(Payment.id == payment_id).with_for_update())).first()
    if payment is None:
        raise NotFound("No such payment.")
    if not payment.provider_payment_id or payment.payment_provider not in configured_providers(settings):
        raise PaymentConflict("This payment has no configured provider to ask.")
    view = await provider_view(settings, payment)
    old = str(payment.status)
    outcome = await apply_provider_view(session, payment, view)
    await record(session, actor_id=user.id, action="payment.resync", table_name="payments", record_id=payment.id,
                 old={"status": old}, new={"status": str(payment.status), "provider_status": view.get("status"),
                                           "provider_amount": view.get("amount"), "outcome": outcome}, ip=ip)
    return payment, view, outcome
