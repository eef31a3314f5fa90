"""The daily roll-up: raw facts → business_analytics, one row per business per local day.

Days are LOCAL days in Africa/Windhoek (what an owner means by "yesterday"): a view at
23:30 Windhoek time on the 4th counts for the 4th although it is 21:30 UTC. Each fact is
counted on the day of its own timestamp (a booking request on created_at, a confirmation
on confirmed_at, revenue on the payment's processed_at), so re-running a day gives the
same row as long as the facts did not change.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger("afrobiz.analytics")

TZ = "Africa/Windhoek"
# A worker that was down for longer than this does not grind through years of history
# on restart; older days can still be redone explicitly with rollup_day().
MAX_CATCH_UP_DAYS = 90

# One statement for all businesses and one day: every source gives (business, metric, n),
# then one GROUP BY pivots them. A business that already has a row that day but no facts
# any more (a deleted review, say) is rewritten with zeros, so the row always matches.
ROLLUP_DAY_SQL = text("""
WITH facts(business_id, metric, n) AS (
    SELECT business_id, 'views', count(*)::numeric FROM business_views
     WHERE viewed_at >= :lo AND viewed_at < :hi GROUP BY business_id
  UNION ALL
    SELECT shown.business_id, 'appearances', count(*) FROM search_impressions s
     CROSS JOIN LATERAL unnest(s.business_ids) AS shown(business_id)
     WHERE s.shown_at >= :lo AND s.shown_at < :hi GROUP BY shown.business_id
  UNION ALL
    SELECT business_id, 'requests', count(*) FROM bookings
     WHERE created_at >= :lo AND created_at < :hi GROUP BY business_id
  UNION ALL
    SELECT business_id, 'confirmed', count(*) FROM bookings
     WHERE confirmed_at >= :lo AND confirmed_at < :hi GROUP BY business_id
  UNION ALL
    SELECT business_id, 'completed', count(*) FROM bookings
     WHERE completed_at >= :lo AND completed_at < :hi GROUP BY business_id
  UNION ALL
    SELECT business_id, 'cancelled', count(*) FROM bookings
     WHERE cancelled_at >= :lo AND cancelled_at < :hi GROUP BY business_id
  UNION ALL
    SELECT business_id, 'revenue', sum(amount) FROM payments
     WHERE status = 'completed' AND processed_at >= :lo AND processed_at < :hi AND business_id IS NOT NULL
     GROUP BY business_id
  UNION ALL
    SELECT business_id, 'paid', count(DISTINCT coalesce(booking_id, id)) FROM payments
     WHERE status = 'completed' AND processed_at >= :lo AND processed_at < :hi AND business_id IS NOT NULL
     GROUP BY business_id
  UNION ALL
    SELECT business_id, 'reviews', count(*) FROM reviews
     WHERE created_at >= :lo AND created_at < :hi AND status <> 'rejected' GROUP BY business_id
  UNION ALL
    SELECT business_id, 'rating_sum', sum(rating) FROM reviews
     WHERE created_at >= :lo AND created_at < :hi AND status <> 'rejected' GROUP BY business_id
  UNION ALL
    SELECT business_id, 'favorites', count(*) FROM user_favorites
     WHERE created_at >= :lo AND created_at < :hi GROUP BY business_id
  UNION ALL
    SELECT business_id, CASE kind WHEN 'website' THEN 'website' ELSE 'phone' END, count(*) FROM business_clicks
     WHERE clicked_at >= :lo AND clicked_at < :hi AND kind IN ('phone', 'whatsapp', 'website')
     GROUP BY business_id, CASE kind WHEN 'website' THEN 'website' ELSE 'phone' END
  UNION ALL
    SELECT business_id, 'existing', 0 FROM business_analytics WHERE date = :day
), per AS (
  SELECT f.business_id,
         coalesce(sum(n) FILTER (WHERE metric = 'views'), 0) AS views,
         coalesce(sum(n) FILTER (WHERE metric = 'appearances'), 0) AS appearances,
         coalesce(sum(n) FILTER (WHERE metric = 'requests'), 0) AS requests,
         coalesce(sum(n) FILTER (WHERE metric = 'confirmed'), 0) AS confirmed,
         coalesce(sum(n) FILTER (WHERE metric = 'completed'), 0) AS completed,
         coalesce(sum(n) FILTER (WHERE metric = 'cancelled'), 0) AS cancelled,
         coalesce(sum(n) FILTER (WHERE metric = 'revenue'), 0) AS revenue,
         coalesce(sum(n) FILTER (WHERE metric = 'paid'), 0) AS paid,
         coalesce(sum(n) FILTER (WHERE metric = 'reviews'), 0) AS reviews,
         coalesce(sum(n) FILTER (WHERE metric = 'rating_sum'), 0) AS rating_sum,
         coalesce(sum(n) FILTER (WHERE metric = 'favorites'), 0) AS favorites,
         coalesce(sum(n) FILTER (WHERE metric = 'phone'), 0) AS phone,
         coalesce(sum(n) FILTER (WHERE metric = 'website'), 0) AS website
    FROM facts f JOIN businesses b ON b.id = f.business_id
   GROUP BY f.business_id
)
INSERT INTO business_analytics AS a (
  business_id, date, profile_views, search_appearances, click_through_rate, booking_requests,
  bookings_confirmed, bookings_completed, bookings_cancelled, total_revenue, average_booking_value,
  reviews_received, average_rating, favorites_added, phone_clicks, website_clicks)
SELECT business_id, :day, views, appearances,
       -- Views also come from shared links and maps, so the ratio is capped at 100 %.
       CASE WHEN appearances > 0 THEN least(1, round(views / appearances, 4)) ELSE 0 END,
       requests, confirmed, completed, cancelled,
       revenue, CASE WHEN paid > 0 THEN round(revenue / paid, 2) ELSE 0 END,
       reviews, CASE WHEN reviews > 0 THEN round(rating_sum / reviews, 2) ELSE 0 END,
       favorites, phone, website
  FROM per
ON CONFLICT (business_id, date) DO UPDATE SET
  profile_views = EXCLUDED.profile_views, search_appearances = EXCLUDED.search_appearances,
  click_through_rate = EXCLUDED.click_through_rate, booking_requests = EXCLUDED.booking_requests,
  bookings_confirmed = EXCLUDED.bookings_confirmed, bookings_completed = EXCLUDED.bookings_completed,
  bookings_cancelled = EXCLUDED.bookings_cancelled, total_revenue = EXCLUDED.total_revenue,
  average_booking_value = EXCLUDED.average_booking_value, reviews_received = EXCLUDED.reviews_received,
  average_rating = EXCLUDED.average_rating, favorites_added = EXCLUDED.favorites_added,
  phone_clicks = EXCLUDED.phone_clicks, website_clicks = EXCLUDED.website_clicks
""")


def local_day_bounds(day: date, tz: str = TZ) -> tuple[datetime, datetime]:
    """The UTC instants where a local day starts and the next one starts."""
    zone = ZoneInfo(tz)
    return (datetime.combine(day, time(0), zone), datetime.combine(day + timedelta(days=1), time(0), zone))


def local_today(now: datetime, tz: str = TZ) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


async def rollup_day(session: AsyncSession, *, day: date, tz: str = TZ) -> int:
    """Compute every business's row for one local day (idempotent); returns rows written."""
    lo, hi = local_day_bounds(day, tz)
    result = await session.execute(ROLLUP_DAY_SQL, {"day": day, "lo": lo, "hi": hi})
    written = result.rowcount or 0
    await session.execute(text(
        "INSERT INTO analytics_rollup_days (day, rolled_at, businesses) VALUES (:day, now(), :n) "
        "ON CONFLICT (day) DO UPDATE SET rolled_at = now(), businesses = EXCLUDED.businesses"),
        {"day": day, "n": written})
    return written


async def missing_days(session: AsyncSession, *, now: datetime, tz: str = TZ,
                       max_days: int = MAX_CATCH_UP_DAYS) -> list[date]:
    """The finished local days (up to yesterday, at most max_days back) not rolled up yet."""
    yesterday = local_today(now, tz) - timedelta(days=1)
    first = yesterday - timedelta(days=max_days - 1)
    done = set((await session.scalars(text(
        "SELECT day FROM analytics_rollup_days WHERE day BETWEEN :first AND :last"),
        {"first": first, "last": yesterday})).all())
    return [d for d in (first + timedelta(days=i) for i in range(max_days)) if d not in done]


async def refresh_monthly(session: AsyncSession) -> None:
    """Refresh business_stats_monthly without blocking its readers (CONCURRENTLY)."""
    await session.execute(text("SELECT refresh_business_stats()"))


async def rollup(session: AsyncSession, *, now: datetime, tz: str = TZ,
                 max_days: int = MAX_CATCH_UP_DAYS) -> list[date]:
    """The worker's daily job: roll up every missed day up to yesterday, then refresh the
    monthly view. Safe to run any number of times. Returns the days rolled up."""
    days = await missing_days(session, now=now, tz=tz, max_days=max_days)
    for day in days:
        rows = await rollup_day(session, day=day, tz=tz)
        log.info("analytics roll-up", extra={"day": day.isoformat(), "rows": rows})
    if days:
        await refresh_monthly(session)
    return days
