"""The business API: create, read, edit, hours; the lifecycle's visibility; who may do what."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from afrobiz.admin.models import AuditLog
from afrobiz.directory.models import Business
from factories.directory import create_business

PROBLEM = "application/problem+json"


async def _create(client, headers, body):
    r = await client.post("/api/v1/businesses", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def test_owner_creates_pending_listing_with_canonical_fields(client, people, listing, db):
    users, h = people
    b = await _create(client, h["owner"], listing)
    assert b["status"] == "pending" and b["slug"] == "meme-ndapewa-s-braids"
    assert b["phone"] == "+264812345678" and b["whatsapp_url"] == "https://wa.me/264812345678"
    assert b["region"] == "Khomas" and b["currency"] == "NAD" and b["category"]["id"] == listing["category_id"]
    assert b["subcategory"]["id"] == listing["subcategory_id"]
    assert b["average_rating"] == "0.00" and b["rating_is_new"] and b["hours"] == [] and b["images"] == []
    row = await db.get(Business, b["id"])
    assert row.owner_id == users["owner"].id
    audit = (await db.scalars(select(AuditLog).where(AuditLog.record_id == row.id))).all()
    assert [a.action for a in audit] == ["business.create"]


@pytest.mark.parametrize("who", ["anonymous", "customer", "admin"])
async def test_only_business_owners_create(client, people, listing, who):
    r = await client.post("/api/v1/businesses", json=listing, headers=people[1][who])
    assert r.status_code == (401 if who == "anonymous" else 403)
    assert r.headers["content-type"] == PROBLEM


async def test_slug_gets_suffix_on_clash_even_with_hidden_pending_listing(client, people, listing):
    h = people[1]
    first = await _create(client, h["owner"], listing)             # pending: other owners cannot see it
    second = await _create(client, h["other_owner"], listing)
    third = await _create(client, h["owner"], listing)
    assert [first["slug"], second["slug"], third["slug"]] == [
        "meme-ndapewa-s-braids", "meme-ndapewa-s-braids-2", "meme-ndapewa-s-braids-3"]


async def test_slug_is_stable_when_renamed(client, people, listing):
    h = people[1]
    b = await _create(client, h["owner"], listing)
    r = await client.patch(f"/api/v1/businesses/{b['id']}", json={"name": "Ndapewa Hair Studio"}, headers=h["owner"])
    assert r.status_code == 200 and r.json()["name"] == "Ndapewa Hair Studio"
    assert r.json()["slug"] == b["slug"]


@pytest.mark.parametrize(("change", "field"), [
    ({"phone": "12345"}, "phone"), ({"whatsapp": "hello"}, "whatsapp"),
    ({"website": "javascript:alert(1)"}, "website"), ({"website": "ftp://x.na"}, "website"),
    ({"region": "Gauteng"}, "region"),
    ({"latitude": -33.92, "longitude": 18.42}, "latitude"),          # Cape Town
    ({"latitude": -22.5, "longitude": None}, "longitude"),            # one without the other
    ({"price_range": "cheap"}, "price_range"), ({"email": "not-an-email"}, "email"),
    ({"name": "x"}, "name"), ({"category_id": "not-a-uuid"}, "category_id"),
])
async def test_invalid_fields_are_422_with_field_errors(client, people, listing, change, field):
    r = await client.post("/api/v1/businesses", json=listing | change, headers=people[1]["owner"])
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    assert field in [e["field"] for e in r.json()["errors"]]


async def test_subcategory_must_belong_to_category(client, people, listing, db):
    from factories.directory import create_category_tree
    _, other_kids = await create_category_tree(db)
    r = await client.post("/api/v1/businesses", json=listing | {"subcategory_id": str(other_kids[0].id)},
                          headers=people[1]["owner"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "subcategory_id"
    # A subcategory as the main category is refused too.
    r = await client.post("/api/v1/businesses", json=listing | {"category_id": listing["subcategory_id"],
                                                                 "subcategory_id": None},
                          headers=people[1]["owner"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "category_id"


async def test_several_errors_are_reported_together(client, people, listing):
    r = await client.post("/api/v1/businesses", json=listing | {"phone": "1", "region": "Nowhere"},
                          headers=people[1]["owner"])
    assert {e["field"] for e in r.json()["errors"]} == {"phone", "region"}


async def test_pending_is_invisible_to_others_until_approved(client, people, listing, db):
    users, h = people
    b = await _create(client, h["owner"], listing)
    for who, status in [("anonymous", 404), ("customer", 404), ("other_owner", 404), ("owner", 200), ("admin", 200)]:
        for key in (b["id"], b["slug"]):
            r = await client.get(f"/api/v1/businesses/{key}", headers=h[who])
            assert r.status_code == status, (who, key)
    r = await client.post(f"/api/v1/admin/businesses/{b['id']}/status", json={"status": "active"}, headers=h["admin"])
    assert r.status_code == 200 and r.json()["published_at"]
    for who in ("anonymous", "customer", "other_owner"):
        assert (await client.get(f"/api/v1/businesses/{b['slug']}", headers=h[who])).status_code == 200
    r = await client.post(f"/api/v1/admin/businesses/{b['id']}/status",
                          json={"status": "suspended", "reason": "Fake photos"}, headers=h["admin"])
    assert r.status_code == 200
    assert (await client.get(f"/api/v1/businesses/{b['slug']}")).status_code == 404
    assert (await client.get(f"/api/v1/businesses/{b['slug']}", headers=h["owner"])).status_code == 200


async def test_unknown_business_is_404_problem(client):
    r = await client.get("/api/v1/businesses/no-such-place")
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("customer", 403), ("other_owner", 403),
                                             ("owner", 200), ("admin", 200)])
async def test_who_may_edit_an_active_listing(client, people, db, who, status):
    users, h = people
    b = await create_business(db, owner=users["owner"])
    r = await client.patch(f"/api/v1/businesses/{b.id}", json={"description": "New words"}, headers=h[who])
    assert r.status_code == status
    r = await client.put(f"/api/v1/businesses/{b.id}/hours", json=[], headers=h[who])
    assert r.status_code == status


async def test_other_owner_gets_404_on_a_pending_listing(client, people, db):
    users, h = people
    b = await create_business(db, owner=users["owner"], status="pending")
    r = await client.patch(f"/api/v1/businesses/{b.id}", json={"name": "Mine now"}, headers=h["other_owner"])
    assert r.status_code == 404
    assert (await client.put(f"/api/v1/businesses/{b.id}/hours", json=[], headers=h["other_owner"])).status_code == 404


async def test_mass_assignment_changes_nothing(client, people, db):
    users, h = people
    b = await create_business(db, owner=users["owner"], status="pending")
    r = await client.patch(f"/api/v1/businesses/{b.id}", headers=h["owner"], json={
        "status": "active", "is_verified": True, "is_featured": True, "published_at": "2025-01-01T00:00:00Z",
        "view_count": 1000, "average_rating": 5, "owner_id": str(users["other_owner"].id), "slug": "taken-over",
        "description": "Only this changes"})
    assert r.status_code == 200
    body = r.json()
    assert body["description"] == "Only this changes"
    assert (body["status"], body["is_verified"], body["is_featured"], body["published_at"]) == \
        ("pending", False, False, None)
    await db.refresh(b)
    assert b.owner_id == users["owner"].id and b.slug != "taken-over" and b.view_count == 0


async def test_patch_is_partial_and_audited(client, people, db, listing):
    users, h = people
    b = await _create(client, h["owner"], listing)
    r = await client.patch(f"/api/v1/businesses/{b['id']}", json={"phone": "+264 61 234 567", "website": None},
                           headers=h["owner"])
    assert r.status_code == 200
    body = r.json()
    assert body["website"] is None and body["name"] == listing["name"] and body["city"] == "Windhoek"
    audit = await db.scalar(select(AuditLog).where(AuditLog.action == "business.update",
                                                   AuditLog.record_id == b["id"]))
    assert audit.user_id == users["owner"].id and audit.old_values["website"] == "https://braids.com.na"
    r = await client.patch(f"/api/v1/businesses/{b['id']}", json={"city": None}, headers=h["owner"])
    assert r.status_code == 422


async def test_hours_round_trip_with_overnight_and_validation(client, people, db):
    users, h = people
    b = await create_business(db, owner=users["owner"])
    week = [{"day_of_week": 5, "open_time": "18:00", "close_time": "02:00"},
            {"day_of_week": 6, "open_time": "18:00", "close_time": "02:00"},
            {"day_of_week": 0, "is_closed": True}, {"day_of_week": 1, "is_24_hours": True}]
    r = await client.put(f"/api/v1/businesses/{b.id}/hours", json=week, headers=h["owner"])
    assert r.status_code == 200, r.text
    assert [(d["day_of_week"], d["open_time"], d["close_time"]) for d in r.json()] == [
        (0, None, None), (1, None, None), (5, "18:00", "02:00"), (6, "18:00", "02:00")]
    # Replacing: a second PUT leaves only its days.
    r = await client.put(f"/api/v1/businesses/{b.id}/hours", json=week[:1], headers=h["owner"])
    assert [d["day_of_week"] for d in r.json()] == [5]
    bad = [{"day_of_week": 1, "is_closed": True, "is_24_hours": True}]
    r = await client.put(f"/api/v1/businesses/{b.id}/hours", json=bad, headers=h["owner"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "0.is_24_hours"
    r = await client.put(f"/api/v1/businesses/{b.id}/hours", json=[{"day_of_week": 9}], headers=h["owner"])
    assert r.status_code == 422
    r = await client.put(f"/api/v1/businesses/{b.id}/hours", json=[{"day_of_week": 1}] * 8, headers=h["owner"])
    assert r.status_code == 422


async def test_read_includes_services_rating_and_distribution(client, people, db):
    from decimal import Decimal

    from afrobiz.booking.models import Service
    from afrobiz.reviews.models import Review

    users, h = people
    b = await create_business(db, owner=users["owner"])
    db.add_all([Service(business_id=b.id, name="Box braids", price=Decimal("350"), duration_minutes=180),
                Service(business_id=b.id, name="Old offer", price=Decimal("1"), is_active=False)])
    for rating in (5, 5, 4):
        db.add(Review(business_id=b.id, customer_id=users["customer"].id, rating=rating, status="approved"))
        await db.flush()
    r = await client.get(f"/api/v1/businesses/{b.slug}")
    body = r.json()
    assert [(s["name"], s["price"], s["currency"]) for s in body["services"]] == [("Box braids", "350.00", "NAD")]
    assert body["review_count"] == 3 and body["average_rating"] == "4.67" and not body["rating_is_new"]
    assert body["rating_distribution"] == {"5": 2, "4": 1, "3": 0, "2": 0, "1": 0}


async def test_my_businesses_lists_own_of_any_status_with_cursor(client, people, db):
    users, h = people
    mine = [await create_business(db, owner=users["owner"], status=s) for s in ("pending", "active", "suspended")]
    await create_business(db, owner=users["other_owner"])
    r = await client.get("/api/v1/me/businesses?limit=2", headers=h["owner"])
    page1 = r.json()
    assert len(page1["items"]) == 2 and page1["next_cursor"]
    r = await client.get(f"/api/v1/me/businesses?limit=2&cursor={page1['next_cursor']}", headers=h["owner"])
    page2 = r.json()
    assert page2["next_cursor"] is None
    assert {i["id"] for i in page1["items"] + page2["items"]} == {str(b.id) for b in mine}
    assert (await client.get("/api/v1/me/businesses")).status_code == 401
    assert (await client.get("/api/v1/me/businesses", headers=h["customer"])).json()["items"] == []
    assert (await client.get("/api/v1/me/businesses?cursor=%%%", headers=h["owner"])).status_code == 422


async def test_clicks_are_counted_for_people_not_robots(client, db, people):
    from afrobiz.directory.models import BusinessClick

    users, _ = people
    b = await create_business(db, owner=users["owner"])
    ua = {"User-Agent": "Mozilla/5.0 (Linux; Android 10) Chrome/120 Mobile"}
    assert (await client.post(f"/api/v1/businesses/{b.id}/clicks?kind=whatsapp", headers=ua)).status_code == 204
    assert (await client.post(f"/api/v1/businesses/{b.id}/clicks?kind=phone")).status_code == 204   # httpx: a robot
    assert (await client.post(f"/api/v1/businesses/{b.id}/clicks?kind=fax", headers=ua)).status_code == 422
    await db.refresh(b)
    assert b.click_count == 1
    assert [c.kind for c in (await db.scalars(select(BusinessClick).where(BusinessClick.business_id == b.id)))] \
        == ["whatsapp"]


async def test_closure_today_closes_a_24_hour_business(client, people, db):
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from afrobiz.booking.models import BusinessClosure
    from factories.directory import set_week

    users, _ = people
    b = await create_business(db, owner=users["owner"])
    await set_week(db, b, [{"day_of_week": d, "is_24_hours": True} for d in range(7)])
    assert (await client.get(f"/api/v1/businesses/{b.slug}")).json()["is_open_now"] is True
    today = datetime.now(UTC).astimezone(ZoneInfo("Africa/Windhoek")).date()
    db.add(BusinessClosure(business_id=b.id, closed_on=today, reason="Heroes' Day"))
    await db.flush()
    body = (await client.get(f"/api/v1/businesses/{b.slug}")).json()
    # Yesterday's 24 hours ended at midnight; today is closed: it reopens tomorrow at 00:00.
    assert body["is_open_now"] is False and body["closures"][0]["reason"] == "Heroes' Day"
    assert body["opens_at"].startswith((today + timedelta(days=1)).isoformat())


async def test_journey_owner_lists_salon_admin_approves_visitor_sees_it(client, people, listing):
    from factories.directory import jpeg_with_gps

    _, h = people
    b = await _create(client, h["owner"], listing)
    r = await client.post(f"/api/v1/businesses/{b['id']}/images", headers=h["owner"],
                          files={"file": ("front.jpg", jpeg_with_gps(), "image/jpeg")},
                          data={"image_type": "cover", "alt_text": "Our salon"})
    assert r.status_code == 201
    week = [{"day_of_week": d, "open_time": "08:00", "close_time": "18:00"} for d in range(1, 7)]
    assert (await client.put(f"/api/v1/businesses/{b['id']}/hours", json=week, headers=h["owner"])).status_code == 200
    assert (await client.get(f"/b/{b['slug']}")).status_code == 404
    r = await client.post(f"/api/v1/admin/businesses/{b['id']}/status", json={"status": "active"}, headers=h["admin"])
    assert r.status_code == 200
    page = await client.get(f"/b/{b['slug']}")
    assert page.status_code == 200 and "Meme Ndapewa" in page.text and "08:00–18:00" in page.text
    assert 'alt="Our salon"' in page.text
