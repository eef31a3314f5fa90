"""The owner dashboard: /my/businesses/{id}/dashboard (charts drawn on the server) and its CSV.

Chart titles, day and month labels and amounts are in the reader's language; the CSV is data
for spreadsheets and scripts (ISO dates, plain numbers, fixed English column names), so it stays
the same in every language."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from babel.numbers import format_decimal
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.analytics import queries
from afrobiz.analytics.charts import bar_chart, line_chart
from afrobiz.api.deps import Session
from afrobiz.i18n import gettext
from afrobiz.i18n import formatting
from afrobiz.web.deps import require_page_role
from afrobiz.web.templating import templates

router = APIRouter(prefix="/my/businesses")
owner_or_admin = require_page_role("business_owner", "admin")


def money(value: Decimal | int | float, currency: str = "NAD") -> str:
    """"N$1,250.00" with the reader's separators ("N$1 250,00" in Afrikaans)."""
    symbol = "N$" if currency == "NAD" else currency + " "
    return symbol + format_decimal(Decimal(value), format="#,##0.00", locale=formatting.babel_locale())


def _short(d) -> str:  # noqa: ANN001
    return formatting.format_day(d, "daymonth")     # "25 Nov", "25 Nov." (de)


def _month(d) -> str:  # noqa: ANN001
    return formatting.format_day(d, "monthname")


def _weekday(name: str, width: str = "wide") -> str:
    """The analytics' English day name (Sunday … Saturday) in the reader's language."""
    return formatting.weekday_name(queries.DAY_NAMES.index(name), width=width)


def _charts(d: queries.Dashboard) -> dict[str, object]:
    days = d.daily
    currency = d.business.currency
    months = d.monthly
    return {
        "views": bar_chart([(_short(r.date), r.profile_views) for r in days], title=gettext("Profile views per day")),
        "appearances": bar_chart([(_short(r.date), r.search_appearances) for r in days],
                                 title=gettext("Search appearances per day"), css="bars alt"),
        "ctr": line_chart([(_short(r.date), r.click_through_rate * 100 if r.search_appearances else None)
                           for r in days], title=gettext("Click-through rate per day (%)"), top=100,
                          fmt=lambda v: f"{float(v):.0f}%"),
        "bookings": bar_chart([(_short(r.date), r.booking_requests) for r in days], title=gettext("Booking requests per day")),
        "revenue": bar_chart([(_short(r.date), r.total_revenue) for r in days], title=gettext("Revenue per day"),
                             css="bars money", fmt=lambda v: money(v, currency)),
        "monthly_revenue": bar_chart([(_month(m.month), m.revenue) for m in months],
                                     title=gettext("Revenue by month"), css="bars money", fmt=lambda v: money(v, currency)),
        "monthly_views": bar_chart([(_month(m.month), m.views) for m in months],
                                   title=gettext("Profile views by month")),
        "rating": line_chart([(_month(m.month), m.average_rating) for m in months],
                             title=gettext("Average rating of new reviews by month (out of 5)"), top=5,
                             fmt=lambda v: f"{float(v):.1f}"),
        "busy_days": bar_chart([(_weekday(name, "abbreviated"), n) for name, n in d.busiest_days],
                               title=gettext("Bookings by weekday"),
                               css="bars alt"),
        "busy_hours": bar_chart([(f"{h:02d}h", n) for h, n in d.busiest_hours], title=gettext("Bookings by starting hour"),
                                css="bars alt"),
    }


@router.get("/{business_id}/dashboard", response_class=HTMLResponse)
async def dashboard(business_id: uuid.UUID, request: Request, days: int = 30, session: AsyncSession = Session,
                    user: User = Depends(owner_or_admin)):
    if days not in queries.PERIODS:
        days = 30
    d = await queries.dashboard(session, user=user, business_id=business_id, days=days, now=datetime.now(UTC))
    busiest_day = max(d.busiest_days, key=lambda x: x[1]) if any(n for _, n in d.busiest_days) else None
    busiest_day = (_weekday(busiest_day[0]), busiest_day[1]) if busiest_day else None
    busiest_hour = max(d.busiest_hours, key=lambda x: x[1]) if d.busiest_hours else None
    return templates.TemplateResponse(request, "analytics/dashboard.html", {
        "d": d, "business": d.business, "t": d.totals, "periods": queries.PERIODS, "charts": _charts(d),
        "money": lambda v: money(v, d.business.currency), "busiest_day": busiest_day, "busiest_hour": busiest_hour,
        "tab": "dashboard"})


@router.get("/{business_id}/dashboard.csv")
async def dashboard_csv(business_id: uuid.UUID, days: int = 30, session: AsyncSession = Session,
                        user: User = Depends(owner_or_admin)):
    d = await queries.dashboard(session, user=user, business_id=business_id,
                                days=days if days in queries.PERIODS else 30, now=datetime.now(UTC))
    name = f"{d.business.slug}-{d.start.isoformat()}-{d.end.isoformat()}.csv"
    return Response(queries.to_csv(d.daily), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
