"""The admin console pages: the wall, the business queue, users, settings editor, audit viewer."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from afrobiz.accounts.models import User
from afrobiz.admin.audit import record
from afrobiz.admin.models import SystemSetting
from afrobiz.directory.models import Business
from factories.accounts import create_admin, create_user
from factories.analytics import cookie_for, csrf_of, owner_with_business

PAGES = ["/admin", "/admin/businesses", "/admin/users", "/admin/settings", "/admin/audit"]


@pytest.mark.parametrize("url", PAGES)
async def test_only_admins_open_the_console(client, db, url):
    assert (await client.get(url)).status_code == 303
    for role in ("customer", "business_owner"):
        r = await client.get(url, headers=await cookie_for(db, await create_user(db, role=role)))
        assert r.status_code == 403, (url, role)
    r = await client.get(url, headers=await cookie_for(db, await create_admin(db)))
    assert r.status_code == 200, r.text


async def test_overview_links_the_queues(client, db):
    await owner_with_business(db, status="pending")
    r = await client.get("/admin", headers=await cookie_for(db, await create_admin(db)))
    assert 'href="/admin/businesses?status=pending"' in r.text and 'href="/admin/reviews?status=pending"' in r.text
    assert "<svg" in r.text


async def test_approve_a_pending_business_in_one_click(client, db):
    _, business = await owner_with_business(db, status="pending", name="Oshakati Tyre Centre")
    cookie = await cookie_for(db, await create_admin(db))
    page = await client.get("/admin/businesses?status=pending", headers=cookie)
    assert "Oshakati Tyre Centre" in page.text
    r = await client.post(f"/admin/businesses/{business.id}", headers=cookie,
                          data={"csrf_token": csrf_of(page.text), "decision": "active", "back_status": "pending"})
    assert r.status_code == 303
    assert (await db.scalar(select(Business.status).where(Business.id == business.id))) == "active"


async def test_suspending_without_a_reason_comes_back_with_the_error(client, db):
    _, business = await owner_with_business(db)
    cookie = await cookie_for(db, await create_admin(db))
    page = await client.get("/admin/businesses?status=active", headers=cookie)
    r = await client.post(f"/admin/businesses/{business.id}", headers=cookie,
                          data={"csrf_token": csrf_of(page.text), "decision": "suspended", "back_status": "active"})
    assert r.status_code == 422 and "Say why" in r.text
    assert (await db.scalar(select(Business.status).where(Business.id == business.id))) == "active"


async def test_suspend_and_reinstate_a_user(client, db):
    target = await create_user(db, first_name="Spammy", last_name="Account")
    cookie = await cookie_for(db, await create_admin(db))
    page = await client.get("/admin/users?q=spammy", headers=cookie)
    assert "Spammy Account" in page.text
    token = csrf_of(page.text)
    r = await client.post(f"/admin/users/{target.id}/suspend", headers=cookie,
                          data={"csrf_token": token, "reason": "Fake reviews", "q": "spammy"})
    assert r.status_code == 303
    user = await db.scalar(select(User).where(User.id == target.id).execution_options(populate_existing=True))
    assert user.is_suspended and user.suspension_reason == "Fake reviews"
    r = await client.post(f"/admin/users/{target.id}/reinstate", headers=cookie, data={"csrf_token": token})
    assert r.status_code == 303
    user = await db.scalar(select(User).where(User.id == target.id).execution_options(populate_existing=True))
    assert not user.is_suspended


async def test_settings_editor_saves_typed_values_and_rejects_bad_ones(client, db):
    cookie = await cookie_for(db, await create_admin(db))
    page = await client.get("/admin/settings", headers=cookie)
    assert "payments.platform_fee_percent" in page.text
    token = csrf_of(page.text)
    bad = await client.post("/admin/settings", headers=cookie, data={
        "csrf_token": token, "key": "payments.platform_fee_percent", "value": "five", "public_shown": "1"})
    assert bad.status_code == 422 and "Not a valid decimal value" in bad.text and 'value="five"' in bad.text
    ok = await client.post("/admin/settings", headers=cookie, data={
        "csrf_token": token, "key": "payments.platform_fee_percent", "value": "6.5", "public_shown": "1"})
    assert ok.status_code == 303
    row = await db.scalar(select(SystemSetting).where(SystemSetting.key == "payments.platform_fee_percent"))
    assert row.value == "6.5" and row.is_public is False
    # A yes/no setting: an unticked box means "false".
    await client.post("/admin/settings", headers=cookie, data={
        "csrf_token": token, "key": "reviews.auto_approve_verified", "public_shown": "1"})
    row = await db.scalar(select(SystemSetting).where(SystemSetting.key == "reviews.auto_approve_verified"))
    assert row.value == "false"


async def test_audit_viewer_filters_and_shows_old_and_new_side_by_side(client, db):
    admin = await create_admin(db)
    _, business = await owner_with_business(db)
    await record(db, actor_id=admin.id, action="business.update", table_name="businesses", record_id=business.id,
                 old={"name": "Old Name"}, new={"name": "New Name"})
    await record(db, actor_id=admin.id, action="booking.confirm", table_name="bookings")
    cookie = await cookie_for(db, admin)
    r = await client.get(f"/admin/audit?table_name=businesses&record_id={business.id}", headers=cookie)
    assert r.status_code == 200
    assert "business.update" in r.text and "booking.confirm" not in r.text
    row = r.text.split('class="changed"', 1)[1].split("</tr>", 1)[0]
    assert row.index("Old Name") < row.index("New Name")
    assert (await client.get("/admin/audit?record_id=nope", headers=cookie)).status_code == 422
