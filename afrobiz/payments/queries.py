"""Reads for owners: a business's payments (keyset pages) and its payouts by period."""
from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.booking.catalog import require_editable_business
from afrobiz.booking.models import Booking
from afrobiz.errors import InvalidInput
from afrobiz.payments.ledger import RECEIVED
from afrobiz.payments.models import Payment, PaymentRefund, PaymentStatus

MAX_LIMIT = 100


def _cursor(p: Payment) -> str:
    return base64.urlsafe_b64encode(f"{p.created_at.isoformat()}|{p.id}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        at, pid = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split("|")
        return datetime.fromisoformat(at), uuid.UUID(pid)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("The cursor is not valid.", field="cursor") from exc


async def list_business_payments(session: AsyncSession, *, user: User, business_id: uuid.UUID,
                                 status: PaymentStatus | None = None, limit: int = 20, cursor: str | None = None
                                 ) -> tuple[list[tuple[Payment, str]], str | None]:
    """A business's payments, newest first, with their booking numbers (owner or admin)."""
    await require_editable_business(session, user=user, business_id=business_id)
    limit = max(1, min(limit, MAX_LIMIT))
    q = (select(Payment, Booking.booking_number).join(Booking, Booking.id == Payment.booking_id)
         .where(Payment.business_id == business_id))
    if status is not None:
        q = q.where(Payment.status == status)
    if cursor:
        q = q.where(tuple_(Payment.created_at, Payment.id) < tuple_(*_decode(cursor)))
    rows = (await session.execute(q.order_by(Payment.created_at.desc(), Payment.id.desc()).limit(limit + 1))).all()
    items = [(p, number) for p, number in rows[:limit]]
    return items, _cursor(items[-1][0]) if len(rows) > limit else None


@dataclass
class Payouts:
    received: Decimal
    platform_fee: Decimal
    refunded: Decimal
    refunded_fee: Decimal

    @property
    def net_to_business(self) -> Decimal:
        return (self.received - self.platform_fee) - (self.refunded - self.refunded_fee)


async def payouts(session: AsyncSession, *, user: User, business_id: uuid.UUID, start: datetime, end: datetime
                  ) -> Payouts:
    """Money received (by processed_at) and refunded (by refund date) in [start, end)."""
    await require_editable_business(session, user=user, business_id=business_id)
    got = (await session.execute(select(func.coalesce(func.sum(Payment.amount), 0),
                                        func.coalesce(func.sum(Payment.platform_fee), 0))
                                 .where(Payment.business_id == business_id, Payment.status.in_(RECEIVED),
                                        Payment.processed_at >= start, Payment.processed_at < end))).one()
    back = (await session.execute(select(func.coalesce(func.sum(PaymentRefund.amount), 0),
                                         func.coalesce(func.sum(PaymentRefund.platform_fee), 0))
                                  .join(Payment, Payment.id == PaymentRefund.payment_id)
                                  .where(Payment.business_id == business_id, PaymentRefund.created_at >= start,
                                         PaymentRefund.created_at < end))).one()
    return Payouts(Decimal(got[0]), Decimal(got[1]), Decimal(back[0]), Decimal(back[1]))
