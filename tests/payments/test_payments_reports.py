"""The owner's payouts report (JSON, CSV, page): exact sums on awkward amounts, Windhoek
days, periods, CSV safety, and that an owner sees only their own businesses (service + RLS)."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

from factories.accounts import create_user
from factories.directory import create_business
from factories.payments import create_payment, page_cookie
from sqlalchemy import func, select

from afrobiz.db.session import set_identity
from afrobiz.payments import money
from afrobiz.payments.models import Payment, PaymentRefund
from afrobiz.payments.reports import safe_cell, today

WHK = ZoneInfo("Africa/Windhoek")


def url(business, suffix=""):
    return f"/api/v1/businesses/{business.id}/payouts{suffix}"


async def _paid(db, booking, amount, at, *, percent=D("2.5")):
    return await create_payment(db, booking=booking, amount=amount, percent=percent, processed_at=at,
                                status="completed")


async def _refund(db, payment, amount, at):
    parts = money.refund_split(money.Split(payment.amount, payment.platform_fee, payment.business_amount),
                               refund=D(amount), already_refunded=money.Split(money.ZERO, money.ZERO, money.ZERO))
    db.add(PaymentRefund(payment_id=payment.id, amount=parts.amount, platform_fee=parts.platform_fee,
                         business_amount=parts.business_amount, created_at=at))
    payment.refunded_amount = parts.amount
    await db.flush()
    return parts


async def test_three_awkward_payments_a_refund_and_windhoek_days(client, login, db, owner, booking, business):
    d0 = today() - timedelta(days=3)
    noon = datetime(d0.year, d0.month, d0.day, 12, tzinfo=WHK)
    p1 = await _paid(db, booking, "33.33", noon)
    await _paid(db, booking, "33.33", noon + timedelta(hours=1))
    # 22:30 UTC is 00:30 the next day in Windhoek (UTC+2): it counts on the Windhoek day.
    await _paid(db, booking, "33.33", datetime(d0.year, d0.month, d0.day, 22, 30, tzinfo=UTC))
    await _refund(db, p1, "10.00", noon + timedelta(days=1))
    r = await client.get(url(business), headers=await login(owner),
                         params={"period": "day", "from": d0.isoformat(), "to": (d0 + timedelta(days=1)).isoformat()})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["timezone"] == "Africa/Windhoek" and body["from"] == d0.isoformat()
    first, second = body["rows"]
    # 2.5 % of 33.33 = 0.83325 → 0.83 each, rounded once per payment.
    assert (first["payments"], first["received"], first["platform_fee"], first["net_to_business"]) == (
        2, "66.66", "1.66", "65.00")
    # the 00:30 payment and the refund (fee part 10.00 × 0.83 / 33.33 = 0.249 → 0.25)
    assert (second["payments"], second["received"], second["platform_fee"], second["refunded"],
            second["refunded_platform_fee"], second["net_to_business"]) == (1, "33.33", "0.83", "10.00", "0.25",
                                                                           "22.75")
    t = body["totals"]
    assert (t["received"], t["platform_fee"], t["refunded"], t["net_to_business"]) == ("99.99", "2.49", "10.00",
                                                                                      "87.75")
    assert D(t["received"]) - D(t["platform_fee"]) - D(t["refunded"]) + D(t["refunded_platform_fee"]) == D("87.75")


async def test_weeks_start_on_monday_and_months_on_the_first(client, login, db, owner, booking, business):
    d = today() - timedelta(days=40)
    await _paid(db, booking, "50.00", datetime(d.year, d.month, d.day, 9, tzinfo=WHK))
    h = await login(owner)
    weeks = (await client.get(url(business), headers=h, params={"period": "week"})).json()
    assert all(datetime.fromisoformat(r["period_start"]).weekday() == 0 for r in weeks["rows"][1:])
    assert len(weeks["rows"]) in (12, 13)
    months = (await client.get(url(business), headers=h, params={"period": "month"})).json()
    assert len(months["rows"]) == 6 and months["rows"][0]["period_start"].endswith("-01")
    assert months["totals"]["received"] == "50.00"


async def test_csv_export_is_exact_named_and_formula_safe(client, login, db, owner, booking, business):
    business.name = "=HYPERLINK(\"http://evil\")"
    await db.flush()
    d = today()
    await _paid(db, booking, "33.33", datetime(d.year, d.month, d.day, 9, tzinfo=WHK))
    r = await client.get(url(business, ".csv"), headers=await login(owner),
                         params={"period": "day", "from": d.isoformat(), "to": d.isoformat()})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == (
        f'attachment; filename="payouts-{business.slug}-day-{d.isoformat()}-{d.isoformat()}.csv"')
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["business", "period_start", "period_end", "payments", "currency", "received", "platform_fee",
                       "refunded", "refunded_platform_fee", "net_to_business"]
    assert rows[1] == ["'=HYPERLINK(\"http://evil\")", d.isoformat(), d.isoformat(), "1", "NAD", "33.33", "0.83",
                       "0.00", "0.00", "32.50"]
    for bad in ("=1+1", "+1", "-1", "@SUM(A1)"):
        assert safe_cell(bad) == "'" + bad
    assert safe_cell("Windhoek") == "Windhoek" and safe_cell(D("-5.00")) == D("-5.00")


async def test_bad_ranges_are_422_problems(client, login, owner, business):
    h = await login(owner)
    for params in ({"period": "year"}, {"from": "2026-05-02", "to": "2026-05-01"},
                   {"from": "2020-01-01", "to": "2026-01-01"}, {"from": "9999-12-30", "to": "9999-12-31"},
                   {"from": "not-a-date"}):
        r = await client.get(url(business), headers=h, params=params)
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", (params, r.text)


async def test_an_owner_sees_only_their_own_businesses(client, login, db, owner, customer, admin, booking, business):
    other_owner = await create_user(db, role="business_owner")
    other = await create_business(db, owner=other_owner, name="Someone Else's Salon")
    await _paid(db, booking, "40.00", datetime.now(UTC))
    assert (await client.get(url(business), headers=await login(other_owner))).status_code == 403
    assert (await client.get(url(business, ".csv"), headers=await login(other_owner))).status_code == 403
    assert (await client.get(url(business), headers=await login(customer))).status_code == 403
    assert (await client.get(url(business))).status_code == 401
    assert (await client.get(url(other), headers=await login(owner))).status_code == 403
    r = await client.get(url(business), headers=await login(admin))
    assert r.status_code == 200 and r.json()["totals"]["received"] == "40.00"
    # RLS as well: the other owner's identity sees none of this business's payments.
    await set_identity(db, other_owner.id, "business_owner")
    try:
        assert await db.scalar(select(func.count()).select_from(Payment)
                               .where(Payment.business_id == business.id)) == 0
        assert await db.scalar(select(func.count()).select_from(PaymentRefund)) == 0
    finally:
        await set_identity(db, None, "system")


async def test_owner_page_shows_the_totals_and_downloads_the_csv(client, db, owner, customer, booking, business):
    await _paid(db, booking, "75.00", datetime.now(UTC), percent=D(5))
    h = await page_cookie(db, owner)
    listing = await client.get("/owner/payments", headers=h)
    assert f'href="/owner/payouts?business={business.id}"' in listing.text
    page = await client.get("/owner/payouts", headers=h)
    assert page.status_code == 200, page.text
    assert "N$&nbsp;75.00" in page.text and "N$&nbsp;71.25" in page.text and "/owner/payouts.csv?" in page.text
    day = await client.get("/owner/payouts", headers=h, params={"period": "day", "from": "", "to": ""})
    assert day.status_code == 200
    exported = await client.get(f"/owner/payouts.csv?business={business.id}&period=month", headers=h)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert exported.text.splitlines()[-1].endswith("75.00,3.75,0.00,0.00,71.25")
    assert (await client.get("/owner/payouts", headers=await page_cookie(db, customer))).status_code == 403
    stranger_owner = await create_user(db, role="business_owner")
    r = await client.get(f"/owner/payouts?business={business.id}", headers=await page_cookie(db, stranger_owner))
    assert r.status_code == 403
    assert (await client.get("/owner/payouts", headers=await page_cookie(db, stranger_owner))).status_code == 200
