"""The owner's payouts report: money received, platform fees, refunds and what is theirs,
by day, week (Monday) or month, in Africa/Windhoek days; and its CSV export.

Received money counts on the day it arrived (processed_at), refunds on the day they were made,
so a period's figures never change when a later refund is made. The queries run as the
caller: PostgreSQL's RLS shows an owner only their own businesses' payments, and the service
check (require_editable_business) answers 404/403 before any figure is read.
"""
from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import Date, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.booking.catalog import require_editable_business
from afrobiz.directory.models import Business
from afrobiz.errors import InvalidInput
from afrobiz.payments import money
from afrobiz.payments.ledger import RECEIVED
from afrobiz.payments.models import Payment, PaymentRefund

TZ_NAME = "Africa/Windhoek"
TZ = ZoneInfo(TZ_NAME)
PERIODS = ("day", "week", "month")
MAX_DAYS = 732  # two years of days at most: the report stays small whatever is asked
CSV_COLUMNS = ("business", "period_start", "period_end", "payments", "currency", "received", "platform_fee",
               "refunded", "refunded_platform_fee", "net_to_business")
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class PayoutRow:
    period_start: date
    period_end: date  # the last day of the period within the asked range
    payments: int = 0
    received: Decimal = money.ZERO
    platform_fee: Decimal = money.ZERO
    refunded: Decimal = money.ZERO
    refunded_fee: Decimal = money.ZERO

    @property
    def net_to_business(self) -> Decimal:
        return (self.received - self.platform_fee) - (self.refunded - self.refunded_fee)

    def as_json(self) -> dict:
        return {"period_start": self.period_start.isoformat(), "period_end": self.period_end.isoformat(),
                "payments": self.payments, "received": str(self.received), "platform_fee": str(self.platform_fee),
                "refunded": str(self.refunded), "refunded_platform_fee": str(self.refunded_fee),
                "net_to_business": str(self.net_to_business)}


@dataclass
class PayoutReport:
    business: Business
    period: str
    start: date
    end: date  # inclusive
    currency: str
    rows: list[PayoutRow]
    totals: PayoutRow


def today() -> date:
    return datetime.now(UTC).astimezone(TZ).date()


def period_start(day: date, period: str) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def _next(start: date, period: str) -> date:
    if period == "week":
        return start + timedelta(days=7)
    if period == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def resolve_range(period: str, start: date | None, end: date | None, *, now: date | None = None
                  ) -> tuple[date, date]:
    """The asked range, or a default one: the last 30 days (day), 12 weeks (week), 6 months (month)."""
    if period not in PERIODS:
        raise InvalidInput("The period is day, week or month.", field="period")
    end = end or now or today()
    if start is None:
        start = {"day": end - timedelta(days=29), "week": period_start(end, "week") - timedelta(weeks=11),
                 "month": (period_start(end, "month") - timedelta(days=150)).replace(day=1)}[period]
    for value, name in ((start, "from"), (end, "to")):
        if not EARLIEST <= value <= LATEST:
            raise InvalidInput(f"'{name}' must be between {EARLIEST} and {LATEST}.", field=name)
    if start > end:
        raise InvalidInput("'from' must not be after 'to'.", field="from")
    if (end - start).days >= MAX_DAYS:
        raise InvalidInput(f"Ask for at most {MAX_DAYS} days at a time.", field="from")
    return start, end


def _bucket(column, period: str):
    # The local calendar day of an instant, truncated to the period (week = ISO Monday).
    local = func.timezone(literal(TZ_NAME), column)
    return cast(func.date_trunc(literal(period), local), Date)


async def payouts_report(session: AsyncSession, *, user: User, business_id: uuid.UUID, period: str = "month",
                         start: date | None = None, end: date | None = None) -> PayoutReport:
    business = await require_editable_business(session, user=user, business_id=business_id)
    start, end = resolve_range(period, start, end)
    lo = datetime.combine(start, time(0), TZ)
    hi = datetime.combine(end + timedelta(days=1), time(0), TZ)
    rows: dict[date, PayoutRow] = {}
    cursor = period_start(start, period)
    while cursor <= end:
        rows[cursor] = PayoutRow(max(cursor, start), min(_next(cursor, period) - timedelta(days=1), end))
        cursor = _next(cursor, period)
    got = _bucket(Payment.processed_at, period)
    for bucket, count, amount, fee in (await session.execute(
            select(got, func.count(), func.sum(Payment.amount), func.sum(Payment.platform_fee))
            .where(Payment.business_id == business.id, Payment.status.in_(RECEIVED),
                   Payment.processed_at >= lo, Payment.processed_at < hi).group_by(got))).all():
        row = rows[bucket]
        row.payments, row.received, row.platform_fee = count, money.cents(amount), money.cents(fee)
    back = _bucket(PaymentRefund.created_at, period)
    for bucket, amount, fee in (await session.execute(
            select(back, func.sum(PaymentRefund.amount), func.sum(PaymentRefund.platform_fee))
            .join(Payment, Payment.id == PaymentRefund.payment_id)
            .where(Payment.business_id == business.id, PaymentRefund.created_at >= lo,
                   PaymentRefund.created_at < hi).group_by(back))).all():
        row = rows[bucket]
        row.refunded, row.refunded_fee = money.cents(amount), money.cents(fee)
    items = list(rows.values())
    totals = PayoutRow(start, end, sum(r.payments for r in items), sum((r.received for r in items), money.ZERO),
                       sum((r.platform_fee for r in items), money.ZERO), sum((r.refunded for r in items), money.ZERO),
                       sum((r.refunded_fee for r in items), money.ZERO))
    return PayoutReport(business, period, start, end, "NAD", items, totals)


def safe_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe.
    Our own numbers (Decimal, int) are written as they are: they cannot carry a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(report: PayoutReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in report.rows:
        writer.writerow([safe_cell(v) for v in (
            report.business.name, r.period_start.isoformat(), r.period_end.isoformat(), r.payments, report.currency,
            r.received, r.platform_fee, r.refunded, r.refunded_fee, r.net_to_business)])
    return buffer.getvalue()


def csv_filename(report: PayoutReport) -> str:
    slug = re.sub(r"[^a-z0-9-]+", "-", (report.business.slug or "business").lower()).strip("-") or "business"
    return f"payouts-{slug}-{report.period}-{report.start.isoformat()}-{report.end.isoformat()}.csv"
