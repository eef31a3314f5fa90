"""The owner dashboard's data: a period's daily rows and totals, month by month, rating trend,
busiest days and hours. Reads business_analytics (through yesterday: the roll-up runs after
midnight), the monthly materialized view, and bookings for the busy times."""
from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.analytics.jobs import TZ, local_today
from afrobiz.analytics.models import BusinessAnalytics, business_stats_monthly
from afrobiz.directory.models import Business
from afrobiz.directory.service import businesses_editable_by
from afrobiz.errors import InvalidInput, NotFound

PERIODS = (7, 30, 90)
MONTHS = 12
DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
ZERO = Decimal("0.00")


@dataclass
class DayRow:
    date: date
    profile_views: int = 0
    search_appearances: int = 0
    click_through_rate: Decimal = Decimal("0")
    booking_requests: int = 0
    bookings_confirmed: int = 0
    bookings_completed: int = 0
    bookings_cancelled: int = 0
    total_revenue: Decimal = ZERO
    average_booking_value: Decimal = ZERO
    reviews_received: int = 0
    average_rating: Decimal = ZERO
    favorites_added: int = 0
    phone_clicks: int = 0
    website_clicks: int = 0


CSV_COLUMNS = [f.name for f in fields(DayRow)]


@dataclass
class Totals:
    profile_views: int
    search_appearances: int
    click_through_rate: Decimal
    booking_requests: int
    bookings_confirmed: int
    bookings_completed: int
    bookings_cancelled: int
    total_revenue: Decimal
    average_booking_value: Decimal
    reviews_received: int
    average_rating: Decimal | None
    favorites_added: int
    phone_clicks: int
    website_clicks: int


@dataclass
class MonthRow:
    month: date
    views: int
    booking_requests: int
    bookings_confirmed: int
    revenue: Decimal
    reviews: int = 0
    average_rating: Decimal | None = None


@dataclass
class Dashboard:
    business: Business
    days: int
    start: date
    end: date
    daily: list[DayRow]
    totals: Totals
    monthly: list[MonthRow] = field(default_factory=list)
    busiest_days: list[tuple[str, int]] = field(default_factory=list)
    busiest_hours: list[tuple[int, int]] = field(default_factory=list)


async def require_dashboard_business(session: AsyncSession, *, user: User, business_id: uuid.UUID) -> Business:
    """The business if the user owns it (or is an admin); anyone else's is simply not found."""
    business = await session.scalar(businesses_editable_by(user).where(Business.id == business_id))
    if business is None:
        raise NotFound("No such business.")
    return business


def check_period(days: int) -> int:
    if days not in PERIODS:
        raise InvalidInput("Choose 7, 30 or 90 days.", field="days")
    return days


def _totals(rows: list[DayRow]) -> Totals:
    def total(name: str):  # noqa: ANN202
        return sum((getattr(r, name) for r in rows), start=0)

    views, appearances, revenue, reviews = (total("profile_views"), total("search_appearances"),
                                            Decimal(total("total_revenue")), total("reviews_received"))
    # Each day stores revenue and its average, so the day's number of paid bookings is their ratio.
    paid = sum(round(r.total_revenue / r.average_booking_value) for r in rows if r.average_booking_value)
    rating_sum = sum(r.average_rating * r.reviews_received for r in rows)
    return Totals(
        profile_views=views, search_appearances=appearances,
        click_through_rate=min(Decimal(1), Decimal(views) / appearances).quantize(Decimal("0.0001"))
        if appearances else Decimal("0"),
        booking_requests=total("booking_requests"), bookings_confirmed=total("bookings_confirmed"),
        bookings_completed=total("bookings_completed"), bookings_cancelled=total("bookings_cancelled"),
        total_revenue=revenue.quantize(ZERO),
        average_booking_value=(revenue / paid).quantize(ZERO) if paid else ZERO,
        reviews_received=reviews,
        average_rating=(rating_sum / reviews).quantize(ZERO) if reviews else None,
        favorites_added=total("favorites_added"), phone_clicks=total("phone_clicks"),
        website_clicks=total("website_clicks"))


async def daily_rows(session: AsyncSession, *, business_id: uuid.UUID, start: date, end: date) -> list[DayRow]:
    """One row per day from start to end; days without figures are zeros."""
    stored = {r.date: r for r in await session.scalars(
        select(BusinessAnalytics).where(BusinessAnalytics.business_id == business_id,
                                        BusinessAnalytics.date.between(start, end)))}
    out = []
    for i in range((end - start).days + 1):
        day = start + timedelta(days=i)
        r = stored.get(day)
        out.append(DayRow(day) if r is None else DayRow(**{name: getattr(r, name) for name in CSV_COLUMNS}))
    return out


async def monthly_rows(session: AsyncSession, *, business_id: uuid.UUID, today: date) -> list[MonthRow]:
    """The last 12 months: totals from the monthly view, the rating trend from the daily rows."""
    first = (today.replace(day=1) - timedelta(days=31 * (MONTHS - 1))).replace(day=1)
    mv = business_stats_monthly.c
    months = {r.month: MonthRow(r.month, int(r.total_views or 0), int(r.total_booking_requests or 0),
                                int(r.total_bookings_confirmed or 0), Decimal(r.total_revenue or 0).quantize(ZERO))
              for r in await session.execute(select(business_stats_monthly).where(
                  mv.business_id == business_id, mv.month >= first).order_by(mv.month))}
    month = func.date_trunc("month", BusinessAnalytics.date)
    ratings = await session.execute(
        select(month.label("m"), func.sum(BusinessAnalytics.reviews_received),
               func.sum(BusinessAnalytics.average_rating * BusinessAnalytics.reviews_received))
        .where(BusinessAnalytics.business_id == business_id, BusinessAnalytics.date >= first)
        .group_by(month))
    for m, reviews, rating_sum in ratings:
        row = months.setdefault(m.date(), MonthRow(m.date(), 0, 0, 0, ZERO))
        row.reviews = int(reviews or 0)
        row.average_rating = (Decimal(rating_sum) / reviews).quantize(ZERO) if reviews else None
    return [months[k] for k in sorted(months)]


async def busy_times(session: AsyncSession, *, business_id: uuid.UUID, today: date,
                     days: int = 90) -> tuple[list[tuple[str, int]], list[tuple[int, int]]]:
    """Bookings (not cancelled) by local weekday and by starting hour, over the last `days`."""
    rows = (await session.execute(text(
        "SELECT extract(dow FROM booking_date)::int AS dow, extract(hour FROM booking_time)::int AS hour, count(*) "
        "FROM bookings WHERE business_id = :b AND booking_date BETWEEN :lo AND :hi "
        "AND status NOT IN ('cancelled', 'no_show') GROUP BY 1, 2"),
        {"b": business_id, "lo": today - timedelta(days=days), "hi": today})).all()
    by_day, by_hour = [0] * 7, {}
    for dow, hour, n in rows:
        by_day[dow] += n
        by_hour[hour] = by_hour.get(hour, 0) + n
    # Monday first, as Namibian calendars print the week.
    week = [(DAY_NAMES[d], by_day[d]) for d in (1, 2, 3, 4, 5, 6, 0)]
    return week, sorted(by_hour.items())


async def dashboard(session: AsyncSession, *, user: User, business_id: uuid.UUID, days: int = 30,
                    now: datetime, tz: str = TZ) -> Dashboard:
    """The owner's figures for the last `days` finished days, month by month and busy times."""
    check_period(days)
    business = await require_dashboard_business(session, user=user, business_id=business_id)
    today = local_today(now, tz)
    end = today - timedelta(days=1)
    start = end - timedelta(days=days - 1)
    daily = await daily_rows(session, business_id=business.id, start=start, end=end)
    week, hours = await busy_times(session, business_id=business.id, today=today)
    return Dashboard(business=business, days=days, start=start, end=end, daily=daily, totals=_totals(daily),
                     monthly=await monthly_rows(session, business_id=business.id, today=today),
                     busiest_days=week, busiest_hours=hours)


def to_csv(rows: list[DayRow]) -> str:
    """The daily rows as CSV (one header line, ISO dates, plain decimal numbers)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow([getattr(r, name).isoformat() if name == "date" else getattr(r, name) for name in CSV_COLUMNS])
    return buffer.getvalue()
