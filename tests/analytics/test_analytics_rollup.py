"""The daily roll-up against hand-computed facts: each metric, local days, idempotency, catch-up."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, text

from afrobiz.analytics import jobs
from afrobiz.analytics.models import BusinessAnalytics, business_stats_monthly
from factories.accounts import create_user
from factories.analytics import add_click, add_favorite, add_impression, add_payment, add_view, owner_with_business
from factories.reviews import create_completed_booking, create_review

DAY = date(2025, 3, 4)                       # a Tuesday
NOW = datetime(2025, 3, 11, 10, 0, tzinfo=UTC)


def local(day: date, hh: int, mm: int = 0) -> datetime:
    """A Windhoek wall-clock time (UTC+2 all year) as a UTC instant."""
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=UTC) - timedelta(hours=2)


async def row(db, business, day=DAY) -> BusinessAnalytics | None:
    return await db.scalar(select(BusinessAnalytics).where(BusinessAnalytics.business_id == business.id,
                                                           BusinessAnalytics.date == day)
                           .execution_options(populate_existing=True))


async def seed_day(db):
    """Facts for business A on DAY (plus noise on the neighbouring days and for business B)."""
    _, a = await owner_with_business(db)
    _, b = await owner_with_business(db)
    customer = await create_user(db)
    # Views: 00:00 and 23:30 local belong to DAY; 23:59 the day before and 00:10 the day after do not.
    for at in (local(DAY, 0, 0), local(DAY, 12), local(DAY, 23, 30)):
        await add_view(db, a, at)
    await add_view(db, a, local(DAY, 0) - timedelta(minutes=1))
    await add_view(db, a, local(DAY + timedelta(days=1), 0, 10))
    # Appearances: A on 4 result pages, B on 2.
    for _ in range(2):
        await add_impression(db, [a, b], local(DAY, 9))
    await add_impression(db, [a], local(DAY, 10))
    await add_impression(db, [a], local(DAY, 23, 45))
    # Bookings: 3 requests made on DAY; 2 confirmed on DAY (one of them requested the day before);
    # 1 completed and 1 cancelled on DAY.
    await create_completed_booking(db, business=a, customer=customer, status="pending", created_at=local(DAY, 8))
    await create_completed_booking(db, business=a, customer=customer, status="confirmed", created_at=local(DAY, 9),
                                   confirmed_at=local(DAY, 10))
    await create_completed_booking(db, business=a, customer=customer, status="cancelled", created_at=local(DAY, 11),
                                   cancelled_at=local(DAY, 15))
    done = await create_completed_booking(db, business=a, customer=customer, status="completed",
                                          created_at=local(DAY - timedelta(days=1), 9),
                                          confirmed_at=local(DAY, 7), completed_at=local(DAY, 18))
    # Revenue: two completed payments on DAY (150 + 250.50); a failed one and one the next day don't count.
    await add_payment(db, a, "150.00", local(DAY, 18, 5), booking=done)
    await add_payment(db, a, "250.50", local(DAY, 19))
    await add_payment(db, a, "999.00", local(DAY, 19), status="failed")
    await add_payment(db, a, "80.00", local(DAY + timedelta(days=1), 1))
    # Reviews: 5 and 2 stars (approved, pending) count; a rejected one does not.
    await create_review(db, business=a, customer=customer, rating=5, created_at=local(DAY, 12))
    await create_review(db, business=a, customer=await create_user(db), rating=2, status="pending",
                        published_at=None, created_at=local(DAY, 13))
    await create_review(db, business=a, customer=await create_user(db), rating=1, status="rejected",
                        created_at=local(DAY, 14))
    # Favourites 2, phone clicks 2 (phone + WhatsApp), website 1, directions not counted.
    await add_favorite(db, a, local(DAY, 9))
    await add_favorite(db, a, local(DAY, 22))
    for kind in ("phone", "whatsapp", "website", "directions"):
        await add_click(db, a, kind, local(DAY, 16))
    return a, b


async def test_each_metric_matches_the_hand_computed_facts(db):
    a, b = await seed_day(db)
    await jobs.rollup_day(db, day=DAY)
    r = await row(db, a)
    assert (r.profile_views, r.search_appearances, r.click_through_rate) == (3, 4, Decimal("0.7500"))
    assert (r.booking_requests, r.bookings_confirmed, r.bookings_completed, r.bookings_cancelled) == (3, 2, 1, 1)
    assert (r.total_revenue, r.average_booking_value) == (Decimal("400.50"), Decimal("200.25"))
    assert (r.reviews_received, r.average_rating) == (2, Decimal("3.50"))
    assert (r.favorites_added, r.phone_clicks, r.website_clicks) == (2, 2, 1)
    rb = await row(db, b)
    assert (rb.profile_views, rb.search_appearances, rb.click_through_rate, rb.booking_requests) == (0, 2, 0, 0)


async def test_a_late_evening_view_belongs_to_the_local_day(db):
    """23:30 in Windhoek is 21:30 UTC the same day, and 00:10 local is still the day before in UTC."""
    _, a = await owner_with_business(db)
    await add_view(db, a, local(DAY, 23, 30))
    await add_view(db, a, local(DAY + timedelta(days=1), 0, 10))      # 22:10 UTC on DAY
    await jobs.rollup_day(db, day=DAY)
    await jobs.rollup_day(db, day=DAY + timedelta(days=1))
    assert (await row(db, a)).profile_views == 1
    assert (await row(db, a, DAY + timedelta(days=1))).profile_views == 1


async def test_views_beyond_appearances_cap_ctr_at_one(db):
    _, a = await owner_with_business(db)
    for _ in range(3):
        await add_view(db, a, local(DAY, 10))
    await add_impression(db, [a], local(DAY, 9))
    await jobs.rollup_day(db, day=DAY)
    assert (await row(db, a)).click_through_rate == Decimal("1.0000")


async def test_rerunning_a_day_gives_the_same_row(db):
    a, b = await seed_day(db)
    await jobs.rollup_day(db, day=DAY)
    first = await db.execute(text("SELECT * FROM business_analytics WHERE date = :d ORDER BY business_id"), {"d": DAY})
    first_rows = [tuple(r) for r in first]
    await jobs.rollup_day(db, day=DAY)
    again = [tuple(r) for r in await db.execute(
        text("SELECT * FROM business_analytics WHERE date = :d ORDER BY business_id"), {"d": DAY})]
    assert again == first_rows and len(again) == 2


async def test_a_fact_that_disappears_is_zeroed_on_rerun(db):
    _, a = await owner_with_business(db)
    await add_view(db, a, local(DAY, 10))
    await jobs.rollup_day(db, day=DAY)
    assert (await row(db, a)).profile_views == 1
    await db.execute(text("DELETE FROM business_views WHERE business_id = :b"), {"b": a.id})
    await jobs.rollup_day(db, day=DAY)
    assert (await row(db, a)).profile_views == 0


async def test_rollup_catches_up_missed_days_and_only_those(db):
    _, a = await owner_with_business(db)
    days = [NOW.date() - timedelta(days=k) for k in (1, 2, 3)]
    for d in days:
        await add_view(db, a, local(d, 12))
    done = await jobs.rollup(db, now=NOW, max_days=5)
    assert done == sorted(NOW.date() - timedelta(days=k) for k in range(1, 6))
    for d in days:
        assert (await row(db, a, d)).profile_views == 1
    # Nothing left to do; today (not finished) is never rolled up.
    assert await jobs.rollup(db, now=NOW, max_days=5) == []
    assert await row(db, a, NOW.date()) is None
    # A day later only the new yesterday is done.
    assert await jobs.rollup(db, now=NOW + timedelta(days=1), max_days=5) == [NOW.date()]


async def test_a_gap_in_the_record_is_filled(db):
    _, a = await owner_with_business(db)
    await jobs.rollup(db, now=NOW, max_days=3)
    gap = NOW.date() - timedelta(days=2)
    await db.execute(text("DELETE FROM analytics_rollup_days WHERE day = :d"), {"d": gap})
    await add_view(db, a, local(gap, 8))
    assert await jobs.rollup(db, now=NOW, max_days=3) == [gap]
    assert (await row(db, a, gap)).profile_views == 1


async def test_rollup_refreshes_the_monthly_view(db):
    _, a = await owner_with_business(db)
    await add_view(db, a, local(date(2025, 3, 9), 10))
    await add_view(db, a, local(date(2025, 3, 10), 10))
    await add_payment(db, a, "120.00", local(date(2025, 3, 10), 11))
    await jobs.rollup(db, now=NOW, max_days=3)
    month = (await db.execute(select(business_stats_monthly).where(
        business_stats_monthly.c.business_id == a.id))).one()
    assert month.month == date(2025, 3, 1)
    assert (month.total_views, month.total_revenue) == (2, Decimal("120.00"))


async def test_the_worker_job_calls_the_rollup():
    """The worker's analytics.rollup task imports exactly this function and signature."""
    import inspect

    from afrobiz.worker import periodic  # noqa: F401  (the task looks the module up by name)

    params = inspect.signature(jobs.rollup).parameters
    assert list(params)[:2] == ["session", "now"] and params["now"].kind is inspect.Parameter.KEYWORD_ONLY
