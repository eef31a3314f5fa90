"""Owner analytics over HTTP: the numbers, the CSV, who may see them, and search appearances logged."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from afrobiz.analytics.jobs import local_today
from afrobiz.analytics.models import BusinessAnalytics, SearchImpression
from factories.accounts import create_admin, create_user
from factories.analytics import owner_with_business
from factories.reviews import create_completed_booking


def yesterday():
    return local_today(datetime.now(UTC)) - timedelta(days=1)


async def seed_rows(db, business):
    """Two rolled-up days inside the last week and one outside it."""
    y = yesterday()
    db.add_all([
        BusinessAnalytics(business_id=business.id, date=y, profile_views=30, search_appearances=120,
                          click_through_rate=Decimal("0.25"), booking_requests=4, bookings_confirmed=3,
                          bookings_completed=2, bookings_cancelled=1, total_revenue=Decimal("300.00"),
                          average_booking_value=Decimal("150.00"), reviews_received=2, average_rating=Decimal("4.50"),
                          favorites_added=1, phone_clicks=5, website_clicks=2),
        BusinessAnalytics(business_id=business.id, date=y - timedelta(days=3), profile_views=10,
                          search_appearances=80, booking_requests=1, total_revenue=Decimal("100.00"),
                          average_booking_value=Decimal("100.00"), reviews_received=1, average_rating=Decimal("3.00")),
        BusinessAnalytics(business_id=business.id, date=y - timedelta(days=10), profile_views=999),
    ])
    await db.flush()


async def test_owner_reads_totals_and_daily_rows(client, db, login):
    owner, business = await owner_with_business(db)
    await seed_rows(db, business)
    r = await client.get(f"/api/v1/businesses/{business.id}/analytics", params={"days": 7},
                         headers=await login(owner))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["end"] == yesterday().isoformat() and len(body["daily"]) == 7
    t = body["totals"]
    assert (t["profile_views"], t["search_appearances"], t["click_through_rate"]) == (40, 200, "0.2000")
    assert (t["booking_requests"], t["bookings_confirmed"], t["bookings_completed"], t["bookings_cancelled"]) == (5, 3, 2, 1)
    # 300 from 2 paid bookings + 100 from 1: N$400 over 3 → 133.33; rating (4.5×2 + 3×1) / 3 = 4.00.
    assert (t["total_revenue"], t["average_booking_value"], t["average_rating"]) == ("400.00", "133.33", "4.00")
    assert body["currency"] == "NAD"
    assert body["daily"][-1]["profile_views"] == 30 and body["daily"][0]["profile_views"] == 0


async def test_busiest_days_and_hours_come_from_bookings(client, db, login):
    owner, business = await owner_with_business(db)
    customer = await create_user(db)
    today = local_today(datetime.now(UTC))
    saturday = today - timedelta(days=(today.weekday() - 5) % 7 or 7)
    for hh in (9, 9, 14):
        await create_completed_booking(db, business=business, customer=customer, booking_date=saturday,
                                       booking_time=datetime(2000, 1, 1, hh).time())
    await create_completed_booking(db, business=business, customer=customer, booking_date=saturday,
                                   booking_time=datetime(2000, 1, 1, 9).time(), status="cancelled")
    body = (await client.get(f"/api/v1/businesses/{business.id}/analytics",
                             headers=await login(owner))).json()
    days = {d["day"]: d["bookings"] for d in body["busiest_days"]}
    assert days["Saturday"] == 3 and sum(days.values()) == 3
    assert {h["hour"]: h["bookings"] for h in body["busiest_hours"]} == {9: 2, 14: 1}


async def test_csv_export_has_a_row_per_day(client, db, login):
    owner, business = await owner_with_business(db)
    await seed_rows(db, business)
    r = await client.get(f"/api/v1/businesses/{business.id}/analytics.csv", params={"days": 7},
                         headers=await login(owner))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 7
    last = rows[-1]
    assert last["date"] == yesterday().isoformat()
    assert (last["profile_views"], last["total_revenue"], last["average_rating"]) == ("30", "300.00", "4.50")


async def test_another_owner_or_customer_gets_404_admin_gets_200(client, db, login):
    _, business = await owner_with_business(db)
    other_owner, _ = await owner_with_business(db)
    url = f"/api/v1/businesses/{business.id}/analytics"
    assert (await client.get(url, headers=await login(other_owner))).status_code == 404
    assert (await client.get(url + ".csv", headers=await login(other_owner))).status_code == 404
    assert (await client.get(url, headers=await login(await create_user(db)))).status_code == 404
    assert (await client.get(url)).status_code == 401
    assert (await client.get(url, headers=await login(await create_admin(db)))).status_code == 200


async def test_only_7_30_or_90_days(client, db, login):
    owner, business = await owner_with_business(db)
    r = await client.get(f"/api/v1/businesses/{business.id}/analytics", params={"days": 14},
                         headers=await login(owner))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "days"


async def test_a_search_logs_which_businesses_it_showed(client, db):
    owner, shown = await owner_with_business(db, name="Okahandja Woodcarvers Market")
    r = await client.get("/api/v1/search/businesses", params={"q": "woodcarvers"})
    assert r.status_code == 200 and [i["id"] for i in r.json()["items"]] == [str(shown.id)]
    logged = (await db.scalars(select(SearchImpression))).all()
    assert [row.business_ids for row in logged] == [[shown.id]]
    r = await client.get("/search", params={"q": "woodcarvers"})
    assert r.status_code == 200
    assert len((await db.scalars(select(SearchImpression))).all()) == 2
