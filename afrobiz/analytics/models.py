"""Analytics: business_analytics (partitioned by quarter) and the read-only monthly materialized view."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import (
    ARRAY,
    TIMESTAMP,
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    Table,
    Uuid,
    event,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from afrobiz.db.base import Base


def _count() -> Mapped[int]:
    return mapped_column(Integer, nullable=False, server_default=text("0"))


def _amount(precision: int, scale: int) -> Mapped[Decimal]:
    return mapped_column(Numeric(precision, scale), nullable=False, server_default=text("0"))


class BusinessAnalytics(Base):
    """One business's figures for one day. Partitioned by RANGE (date), so the partition key
    is part of the primary key (DESIGN 6.4); ensure_partitions() creates partitions ahead."""

    __tablename__ = "business_analytics"

    id: Mapped[uuid.UUID] = mapped_column(
        Uuid, primary_key=True, default=uuid.uuid4, server_default=func.gen_random_uuid()
    )
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    business_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("businesses.id", ondelete="CASCADE"), nullable=False
    )
    profile_views: Mapped[int] = _count()
    search_appearances: Mapped[int] = _count()
    click_through_rate: Mapped[Decimal] = _amount(5, 4)
    booking_requests: Mapped[int] = _count()
    bookings_confirmed: Mapped[int] = _count()
    bookings_completed: Mapped[int] = _count()
    bookings_cancelled: Mapped[int] = _count()
    total_revenue: Mapped[Decimal] = _amount(10, 2)
    average_booking_value: Mapped[Decimal] = _amount(10, 2)
    reviews_received: Mapped[int] = _count()
    average_rating: Mapped[Decimal] = _amount(3, 2)
    favorites_added: Mapped[int] = _count()
    phone_clicks: Mapped[int] = _count()
    website_clicks: Mapped[int] = _count()
    created_at: Mapped[dt.datetime] = mapped_column(
        TIMESTAMP(timezone=True), nullable=False, server_default=func.now()
    )


class SearchImpression(Base):
    """One search result page served: which businesses it showed (migration 0009)."""

    __tablename__ = "search_impressions"

    # GENERATED ALWAYS AS IDENTITY in the database; rows are only ever added by plain SQL.
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    shown_at: Mapped[dt.datetime] = mapped_column(
        TIMESTAMP(timezone=True), nullable=False, server_default=func.now()
    )
    business_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), nullable=False)


class AnalyticsRollupDay(Base):
    """A local day the roll-up has finished (the catch-up redoes the missing ones)."""

    __tablename__ = "analytics_rollup_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    rolled_at: Mapped[dt.datetime] = mapped_column(
        TIMESTAMP(timezone=True), nullable=False, server_default=func.now()
    )
    businesses: Mapped[int] = _count()


# READ-ONLY. business_stats_monthly is a MATERIALIZED VIEW made by the migration and
# refreshed with refresh_business_stats(). Its Table lives in its own MetaData, never in
# Base.metadata, so create_all()/autogenerate never try to create it as a table.
VIEWS_METADATA = MetaData()

business_stats_monthly = Table(
    "business_stats_monthly",
    VIEWS_METADATA,
    Column("business_id", Uuid, primary_key=True),
    Column("month", Date, primary_key=True),
    Column("total_views", BigInteger),
    Column("total_booking_requests", BigInteger),
    Column("total_bookings_confirmed", BigInteger),
    Column("total_revenue", Numeric),
    info={"read_only": True, "materialized_view": True},
)


class BusinessStatsMonthly(Base):
    """Read-only ORM view of business_stats_monthly; the session refuses to write it."""

    __table__ = business_stats_monthly

    business_id: Mapped[uuid.UUID]
    month: Mapped[dt.date]
    total_views: Mapped[int | None]
    total_booking_requests: Mapped[int | None]
    total_bookings_confirmed: Mapped[int | None]
    total_revenue: Mapped[Decimal | None]


def _refuse_write(_mapper: object, _connection: object, target: object) -> None:
    raise TypeError("business_stats_monthly is a read-only materialized view")


for _event in ("before_insert", "before_update", "before_delete"):
    event.listen(BusinessStatsMonthly, _event, _refuse_write)
