"""Admin API: the admin-only wall, audit-log filters and paging, typed settings, user search, totals."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from afrobiz.admin import settings
from afrobiz.admin.models import AuditLog
from factories.accounts import create_admin, create_user
from factories.analytics import owner_with_business

ADMIN_ROUTES = [
    ("GET", "/api/v1/admin/overview", None),
    ("GET", "/api/v1/admin/audit-logs", None),
    ("GET", "/api/v1/admin/settings", None),
    ("PUT", "/api/v1/admin/settings/payments.platform_fee_percent", {"value": "7.5"}),
    ("GET", "/api/v1/admin/users", None),
    ("GET", "/api/v1/admin/businesses", None),
    ("GET", "/api/v1/admin/reviews", None),
    ("POST", "/api/v1/admin/users/00000000-0000-4000-8000-000000000001/suspend", {"reason": "spam"}),
    ("POST", "/api/v1/admin/businesses/00000000-0000-4000-8000-000000000002/verify", {}),
]


@pytest.mark.parametrize("method,url,body", ADMIN_ROUTES)
@pytest.mark.parametrize("role", ["customer", "business_owner", None])
async def test_every_admin_route_refuses_customers_owners_and_anonymous(client, db, login, method, url, body, role):
    headers = await login(await create_user(db, role=role)) if role else {}
    r = await client.request(method, url, json=body, headers=headers)
    assert r.status_code == (403 if role else 401), r.text
    assert r.headers["content-type"] == "application/problem+json"


async def test_admin_passes_the_wall(client, db, login):
    headers = await login(await create_admin(db))
    for method, url, body in ADMIN_ROUTES[:5]:
        r = await client.request(method, url, json=body, headers=headers)
        assert r.status_code == 200, (url, r.text)


# ---------------------------------------------------------------- audit log

async def test_audit_log_filters_and_pages(client, db, login):
    admin = await create_admin(db)
    actor, other = await create_user(db), await create_user(db)
    target = uuid.uuid4()
    base = datetime(2025, 6, 10, 8, 0, tzinfo=UTC)
    rows = [AuditLog(user_id=actor.id, action="business.update", table_name="businesses", record_id=target,
                     old_values={"name": "Old"}, new_values={"name": "New"}, created_at=base + timedelta(hours=h))
            for h in range(3)]
    rows += [AuditLog(user_id=other.id, action="booking.confirm", table_name="bookings", record_id=uuid.uuid4(),
                      created_at=base + timedelta(days=2))]
    db.add_all(rows)
    await db.flush()
    headers = await login(admin)

    async def get(**params):
        r = await client.get("/api/v1/admin/audit-logs", params=params, headers=headers)
        assert r.status_code == 200, r.text
        return r.json()

    by_user = await get(user_id=str(actor.id))
    assert [i["created_at"][:13] for i in by_user["items"]] == ["2025-06-10T10", "2025-06-10T09", "2025-06-10T08"]
    assert by_user["items"][0]["old_values"] == {"name": "Old"} and by_user["items"][0]["new_values"] == {"name": "New"}
    assert {i["action"] for i in (await get(table_name="bookings"))["items"]} == {"booking.confirm"}
    assert len((await get(record_id=str(target)))["items"]) == 3
    # A local date range: 'to' includes the whole day.
    assert {i["action"] for i in (await get(**{"from": "2025-06-12", "to": "2025-06-12"}))["items"]} == {"booking.confirm"}
    assert len((await get(**{"from": "2025-06-10", "to": "2025-06-11"}))["items"]) == 3
    first = await get(user_id=str(actor.id), limit=2)
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = await get(user_id=str(actor.id), limit=2, cursor=first["next_cursor"])
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    assert second["items"][0]["id"] not in {i["id"] for i in first["items"]}


async def test_audit_log_bad_filters_are_422(client, db, login):
    headers = await login(await create_admin(db))
    for params in ({"from": "yesterday"}, {"cursor": "%%%"}, {"from": "2025-06-12", "to": "2025-06-01"}):
        r = await client.get("/api/v1/admin/audit-logs", params=params, headers=headers)
        assert r.status_code == 422, (params, r.text)


# ---------------------------------------------------------------- settings

async def test_settings_list_shows_known_settings_typed(client, db, login):
    r = await client.get("/api/v1/admin/settings", headers=await login(await create_admin(db)))
    items = {i["key"]: i for i in r.json()["items"]}
    fee = items["payments.platform_fee_percent"]
    assert fee["data_type"] == "decimal"
    assert items["reviews.auto_approve_verified"]["value"] in (True, False)
    assert isinstance(items["reviews.min_count_for_average"]["value"], int)


async def test_setting_a_value_is_typed_audited_and_read_back(client, db, login):
    admin = await create_admin(db)
    r = await client.put("/api/v1/admin/settings/payments.platform_fee_percent", json={"value": "7.5"},
                         headers=await login(admin))
    assert r.status_code == 200, r.text
    assert r.json()["value"] == "7.5" and r.json()["is_default"] is False
    assert await settings.get_setting(db, "payments.platform_fee_percent") == Decimal("7.5")
    audit = await db.scalar(select(AuditLog).where(AuditLog.action == "setting.update"))
    assert audit.user_id == admin.id and audit.new_values["value"] == "7.5"
    r = await client.put("/api/v1/admin/settings/reviews.auto_approve_verified", json={"value": False},
                         headers=await login(admin))
    assert r.json()["value"] is False
    assert await settings.get_setting(db, "reviews.auto_approve_verified") is False


@pytest.mark.parametrize("key,body,field", [
    ("payments.platform_fee_percent", {"value": "abc"}, "value"),
    ("payments.platform_fee_percent", {"value": "80"}, "value"),                 # above the bound
    ("payments.platform_fee_percent", {"value": "5", "data_type": "integer"}, "data_type"),
    ("reviews.min_count_for_average", {"value": "2.5"}, "value"),
    ("reviews.min_count_for_average", {"value": True}, "value"),
    ("reviews.auto_approve_verified", {"value": "maybe"}, "value"),
    ("reviews.auto_approve_verified", {"value": 1}, "value"),
    ("site.brand_new", {"value": "x"}, "data_type"),                              # a new key needs its type
    ("site.banner", {"value": "{not json", "data_type": "json"}, "value"),
    ("Bad Key!", {"value": "x", "data_type": "string"}, "key"),
])
async def test_a_wrong_value_or_type_is_422(client, db, login, key, body, field):
    r = await client.put(f"/api/v1/admin/settings/{key}", json=body, headers=await login(await create_admin(db)))
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == field


async def test_public_settings_are_readable_by_anyone(client, db, login):
    admin = await create_admin(db)
    await client.put("/api/v1/admin/settings/site.banner", json={"value": {"text": "Hi"}, "data_type": "json",
                                                                  "is_public": True}, headers=await login(admin))
    await client.put("/api/v1/admin/settings/site.secret_flag", json={"value": True, "data_type": "boolean"},
                     headers=await login(admin))
    items = {i["key"]: i for i in (await client.get("/api/v1/settings")).json()["items"]}
    assert items["site.banner"]["value"] == {"text": "Hi"}
    assert "site.secret_flag" not in items and "payments.platform_fee_percent" not in items
    assert all(i["is_public"] for i in items.values())


# ---------------------------------------------------------------- users and totals

async def test_user_search_finds_by_name_and_never_returns_secrets(client, db, login):
    await create_user(db, first_name="Ndapewa", last_name="Shikongo", password="kudu-sunset-etosha-42")
    await create_user(db, first_name="Ndapewa", last_name="Amupolo", is_suspended=True, suspension_reason="spam")
    headers = await login(await create_admin(db))
    r = await client.get("/api/v1/admin/users", params={"q": "ndapewa"}, headers=headers)
    assert r.status_code == 200
    assert {u["last_name"] for u in r.json()["items"]} == {"Shikongo", "Amupolo"}
    assert "password_hash" not in r.text and "argon2" not in r.text and "date_of_birth" not in r.text
    r = await client.get("/api/v1/admin/users", params={"q": "ndapewa", "suspended": "true"}, headers=headers)
    assert [u["last_name"] for u in r.json()["items"]] == ["Amupolo"]
    page = (await client.get("/api/v1/admin/users", params={"q": "ndapewa", "limit": 1}, headers=headers)).json()
    assert len(page["items"]) == 1 and page["next_cursor"]


async def test_overview_counts_businesses_users_and_weeks(client, db, login):
    _, active = await owner_with_business(db, region="Erongo")
    await owner_with_business(db, region="Erongo", status="pending")
    r = await client.get("/api/v1/admin/overview", headers=await login(await create_admin(db)))
    body = r.json()
    assert body["businesses_by_status"]["pending"] >= 1 and body["businesses_by_status"]["active"] >= 1
    assert {"region": "Erongo", "count": 2} in body["businesses_by_region"]
    assert len(body["weeks"]) == 12 and body["users_by_role"]["admin"] >= 1
