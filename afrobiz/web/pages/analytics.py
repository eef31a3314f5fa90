"""The owner dashboard: /my/businesses/{id}/dashboard (charts drawn on the server) and its CSV."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.analytics import queries
from afrobiz.analytics.charts import bar_chart, line_chart
from afrobiz.api.deps import Session
from afrobiz.web.deps import require_page_role
from afrobiz.web.templating import templates

router = APIRouter(prefix="/my/businesses")
owner_or_admin = require_page_role("business_owner", "admin")


def money(value: Decimal | int | float, currency: str = "NAD") -> str:
    symbol = "N$" if currency == "NAD" else currency + " "
    return f"{symbol}{Decimal(value):,.2f}"


def _short(d) -> str:  # noqa: ANN001
    return f"{d.day} {d.strftime('%b')}"


def _charts(d: queries.Dashboard) -> dict[str, object]:
    days = d.daily
    currency = d.business.currency
    months = d.monthly
    return {
        "views": bar_chart([(_short(r.date), r.profile_views) for r in days], title="Profile views per day"),
        "appearances": bar_chart([(_short(r.date), r.search_appearances) for r in days],
                                 title="Search appearances per day", css="bars alt"),
        "ctr": line_chart([(_short(r.date), r.click_through_rate * 100 if r.search_appearances else None)
                           for r in days], title="Click-through rate per day (%)", top=100,
                          fmt=lambda v: f"{float(v):.0f}%"),
        "bookings": bar_chart([(_short(r.date), r.booking_requests) for r in days], title="Booking requests per day"),
        "revenue": bar_chart([(_short(r.date), r.total_revenue) for r in days], title="Revenue per day",
                             css="bars money", fmt=lambda v: money(v, currency)),
        "monthly_revenue": bar_chart([(m.month.strftime("%b"), m.revenue) for m in months],
                                     title="Revenue by month", css="bars money", fmt=lambda v: money(v, currency)),
        "monthly_views": bar_chart([(m.month.strftime("%b"), m.views) for m in months], title="Profile views by month"),
        "rating": line_chart([(m.month.strftime("%b"), m.average_rating) for m in months],
                             title="Average rating of new reviews by month (out of 5)", top=5,
                             fmt=lambda v: f"{float(v):.1f}"),
        "busy_days": bar_chart([(name[:3], n) for name, n in d.busiest_days], title="Bookings by weekday",
                               css="bars alt"),
        "busy_hours": bar_chart([(f"{h:02d}h", n) for h, n in d.busiest_hours], title="Bookings by starting hour",
                                css="bars alt"),
    }


@router.get("/{business_id}/dashboard", response_class=HTMLResponse)
async def dashboard(business_id: uuid.UUID, request: Request, days: int = 30, session: AsyncSession = Session,
                    user: User = Depends(owner_or_admin)):
    if days not in queries.PERIODS:
        days = 30
    d = await queries.dashboard(session, user=user, business_id=business_id, days=days, now=datetime.now(UTC))
    busiest_day = max(d.busiest_days, key=lambda x: x[1]) if any(n for _, n in d.busiest_days) else None
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
