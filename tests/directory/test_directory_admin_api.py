"""Admin lifecycle API: the queue, status changes (audited, owner notified), verify, feature."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from afrobiz.admin.models import AuditLog
from afrobiz.notifications.models import Notification
from factories.directory import create_business


@pytest.mark.parametrize("who", ["anonymous", "customer", "owner", "other_owner"])
async def test_admin_endpoints_refuse_everyone_else(client, people, db, who):
    users, h = people
    b = await create_business(db, owner=users["owner"], status="pending")
    expected = 401 if who == "anonymous" else 403
    assert (await client.get("/api/v1/admin/businesses", headers=h[who])).status_code == expected
    for path, body in [("status", {"status": "active"}), ("verify", {}),
                       ("feature", {"until": (datetime.now(UTC) + timedelta(days=7)).isoformat()})]:
        r = await client.post(f"/api/v1/admin/businesses/{b.id}/{path}", json=body, headers=h[who])
        assert r.status_code == expected, path
    await db.refresh(b)
    assert b.status == "pending" and not b.is_verified and not b.is_featured


async def test_queue_filters_by_status(client, people, db):
    users, h = people
    pending = await create_business(db, owner=users["owner"], status="pending")
    await create_business(db, owner=users["owner"], status="active")
    r = await client.get("/api/v1/admin/businesses?status=pending&limit=100", headers=h["admin"])
    assert r.status_code == 200
    items = r.json()["items"]
    assert str(pending.id) in [i["id"] for i in items] and {i["status"] for i in items} == {"pending"}
    assert (await client.get("/api/v1/admin/businesses?status=bogus", headers=h["admin"])).status_code == 422


async def test_approval_publishes_notifies_and_audits(client, people, db):
    users, h = people
    b = await create_business(db, owner=users["owner"], status="pending")
    r = await client.post(f"/api/v1/admin/businesses/{b.id}/status", json={"status": "active"}, headers=h["admin"])
    assert r.status_code == 200 and r.json()["status"] == "active"
    published = r.json()["published_at"]
    note = await db.scalar(select(Notification).where(Notification.user_id == users["owner"].id))
    assert note.type == "business_approved" and b.name in note.title and note.data["business_id"] == str(b.id)
    audit = await db.scalar(select(AuditLog).where(AuditLog.record_id == b.id,
                                                   AuditLog.action == "business.status.active"))
    assert audit.user_id == users["admin"].id and audit.old_values == {"status": "pending"}
    # Suspend (needs a reason) and re-activate: published_at is kept from the first time.
    r = await client.post(f"/api/v1/admin/businesses/{b.id}/status", json={"status": "suspended"},
                          headers=h["admin"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = await client.post(f"/api/v1/admin/businesses/{b.id}/status",
                          json={"status": "suspended", "reason": "Complaints"}, headers=h["admin"])
    assert r.status_code == 200
    r = await client.post(f"/api/v1/admin/businesses/{b.id}/status", json={"status": "active"}, headers=h["admin"])
    assert r.json()["published_at"] == published


@pytest.mark.parametrize(("start", "target", "status"), [
    ("active", "active", 409), ("pending", "suspended", 409), ("pending", "pending", 422),
    ("closed", "suspended", 409), ("closed", "active", 200),
])
async def test_transitions(client, people, db, start, target, status):
    users, h = people
    b = await create_business(db, owner=users["owner"], status=start)
    r = await client.post(f"/api/v1/admin/businesses/{b.id}/status", json={"status": target, "reason": "x"},
                          headers=h["admin"])
    assert r.status_code == status


async def test_verify_and_feature(client, people, db):
    users, h = people
    b = await create_business(db, owner=users["owner"])
    r = await client.post(f"/api/v1/admin/businesses/{b.id}/verify", headers=h["admin"])
    assert r.status_code == 200 and r.json()["is_verified"]
    await db.refresh(b)
    assert b.verification_date is not None
    r = await client.post(f"/api/v1/admin/businesses/{b.id}/verify", json={"verified": False}, headers=h["admin"])
    assert not r.json()["is_verified"]
    until = datetime.now(UTC) + timedelta(days=30)
    r = await client.post(f"/api/v1/admin/businesses/{b.id}/feature", json={"until": until.isoformat()},
                          headers=h["admin"])
    assert r.status_code == 200 and r.json()["is_featured"]
    past = datetime.now(UTC) - timedelta(days=1)
    r = await client.post(f"/api/v1/admin/businesses/{b.id}/feature", json={"until": past.isoformat()},
                          headers=h["admin"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "until"
    r = await client.post(f"/api/v1/admin/businesses/{b.id}/feature", json={"until": None}, headers=h["admin"])
    assert not r.json()["is_featured"]
    actions = (await db.scalars(select(AuditLog.action).where(AuditLog.record_id == b.id))).all()
    assert actions.count("business.verify") == 2 and actions.count("business.feature") == 2


async def test_admin_acts_on_unknown_business_404(client, people):
    r = await client.post("/api/v1/admin/businesses/00000000-0000-0000-0000-000000000000/verify",
                          headers=people[1]["admin"])
    assert r.status_code == 404
