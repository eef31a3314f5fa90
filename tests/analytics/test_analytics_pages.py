"""The owner dashboard page: server-drawn SVG charts with the right numbers, CSV, who may see it."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from afrobiz.analytics import charts
from afrobiz.analytics.jobs import local_today
from afrobiz.analytics.models import BusinessAnalytics
from factories.accounts import create_user
from factories.analytics import cookie_for, owner_with_business


async def seed(db, business):
    y = local_today(datetime.now(UTC)) - timedelta(days=1)
    db.add(BusinessAnalytics(business_id=business.id, date=y, profile_views=37, search_appearances=148,
                             click_through_rate=Decimal("0.25"), booking_requests=6, bookings_confirmed=4,
                             bookings_completed=3, bookings_cancelled=1, total_revenue=Decimal("1250.00"),
                             average_booking_value=Decimal("416.67"), reviews_received=2,
                             average_rating=Decimal("4.50")))
    await db.flush()
    return y


def stat(html: str, name: str) -> str:
    return re.search(rf'data-stat="{name}">([^<]+)<', html).group(1).strip()


async def test_owner_sees_charts_and_numbers(client, db):
    owner, business = await owner_with_business(db)
    y = await seed(db, business)
    r = await client.get(f"/my/businesses/{business.id}/dashboard?days=7", headers=await cookie_for(db, owner))
    assert r.status_code == 200, r.text
    html = r.text
    assert (stat(html, "views"), stat(html, "appearances"), stat(html, "ctr")) == ("37", "148", "25.0%")
    assert stat(html, "revenue") == "N$1,250.00" and stat(html, "rating").startswith("4.5")
    assert (stat(html, "bookings_confirmed"), stat(html, "bookings_completed"), stat(html, "bookings_cancelled")) \
        == ("4", "3", "1")
    svgs = re.findall(r"<svg class=\"chart[^>]*>.*?</svg>", html, re.S)
    assert len(svgs) >= 8 and all('viewBox="0 0 320 150"' in s for s in svgs)
    # The views chart: 7 bars, the tallest is yesterday's 37, the axis says 37.
    views = next(s for s in svgs if "Profile views per day" in s)
    assert views.count("<rect") == 7 and f"{y.day} {y.strftime('%b')}: 37</title>" in views
    assert '<script' not in html.split("<main", 1)[1]
    assert f'/my/businesses/{business.id}/dashboard.csv?days=7' in html


async def test_dashboard_csv_download(client, db):
    owner, business = await owner_with_business(db)
    y = await seed(db, business)
    r = await client.get(f"/my/businesses/{business.id}/dashboard.csv?days=30", headers=await cookie_for(db, owner))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.strip().splitlines()
    assert len(lines) == 31 and lines[0].startswith("date,profile_views,search_appearances")
    assert lines[-1].startswith(f"{y.isoformat()},37,148,0.2500,6,4,3,1,1250.00,416.67,2,4.50")


async def test_another_owner_gets_404_and_customers_403(client, db):
    _, business = await owner_with_business(db)
    other, _ = await owner_with_business(db)
    url = f"/my/businesses/{business.id}/dashboard"
    assert (await client.get(url, headers=await cookie_for(db, other))).status_code == 404
    assert (await client.get(url + ".csv", headers=await cookie_for(db, other))).status_code == 404
    assert (await client.get(url, headers=await cookie_for(db, await create_user(db)))).status_code == 403
    r = await client.get(url)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_bar_chart_scales_to_the_largest_value_and_escapes_labels():
    svg = str(charts.bar_chart([("<a>", 5), ("b", 10), ("c", 0)], title="T & U"))
    heights = [float(h) for h in re.findall(r'<rect[^>]* height="([\d.]+)"', svg)]
    assert heights[1] == 2 * heights[0] and heights[2] == 0
    assert "&lt;a&gt;" in svg and "<a>" not in svg and 'aria-label="T &amp; U"' in svg


def test_line_chart_leaves_gaps_for_missing_values():
    svg = str(charts.line_chart([("a", 1), ("b", 2), ("c", None), ("d", 3), ("e", 4)], title="R", top=5))
    assert svg.count("<polyline") == 2 and svg.count("<circle") == 4
