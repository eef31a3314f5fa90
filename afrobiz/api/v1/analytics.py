"""Owner analytics: a business's figures as JSON, or its daily rows as CSV."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.analytics import queries
from afrobiz.api.deps import Session, current_user

router = APIRouter(tags=["analytics"])


class TotalsOut(BaseModel):
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


class DayOut(TotalsOut):
    date: date
    average_rating: Decimal          # a day's row always has one (0 when no review)


class MonthOut(BaseModel):
    month: date
    views: int
    booking_requests: int
    bookings_confirmed: int
    revenue: Decimal
    reviews: int
    average_rating: Decimal | None


class BusyDay(BaseModel):
    day: str
    bookings: int


class BusyHour(BaseModel):
    hour: int
    bookings: int


class AnalyticsOut(BaseModel):
    business_id: uuid.UUID
    currency: str
    days: int
    start: date
    end: date
    totals: TotalsOut
    daily: list[DayOut]
    monthly: list[MonthOut]
    busiest_days: list[BusyDay]
    busiest_hours: list[BusyHour]


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("/businesses/{business_id}/analytics", response_model=AnalyticsOut,
            summary="A business's figures (its owner, admin): last 7/30/90 days, month by month, busy times")
async def business_analytics(business_id: uuid.UUID, days: int = Query(30), session: AsyncSession = Session,
                             user: User = Depends(current_user)):
    d = await queries.dashboard(session, user=user, business_id=business_id, days=days, now=_now())
    return AnalyticsOut(
        business_id=d.business.id, currency=d.business.currency, days=d.days, start=d.start, end=d.end,
        totals=TotalsOut(**vars(d.totals)), daily=[DayOut(**vars(r)) for r in d.daily],
        monthly=[MonthOut(**vars(m)) for m in d.monthly],
        busiest_days=[BusyDay(day=n, bookings=c) for n, c in d.busiest_days],
        busiest_hours=[BusyHour(hour=h, bookings=c) for h, c in d.busiest_hours])


@router.get("/businesses/{business_id}/analytics.csv", response_class=Response,
            summary="A business's daily figures as CSV (its owner, admin)")
async def business_analytics_csv(business_id: uuid.UUID, days: int = Query(30), session: AsyncSession = Session,
                                 user: User = Depends(current_user)):
    d = await queries.dashboard(session, user=user, business_id=business_id, days=days, now=_now())
    name = f"{d.business.slug}-{d.start.isoformat()}-{d.end.isoformat()}.csv"
    return Response(queries.to_csv(d.daily), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
