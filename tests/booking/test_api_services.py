"""Services, availability windows, closures and free slots through the API."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from afrobiz.admin.models import AuditLog
from factories.accounts import create_user
from factories.booking import create_booking, create_service
from factories.directory import create_business

NEW = {"name": "Knotless braids", "price": "650", "duration_minutes": 240, "buffer_after_minutes": 15,
       "cancellation_deadline_hours": 24}


async def test_owner_creates_a_service_others_may_not(client, login, db, owner, business):
    url = f"/api/v1/businesses/{business.id}/services"
    r = await client.post(url, json=NEW, headers=await login(owner))
    assert r.status_code == 201, r.text
    s = r.json()
    assert s["price"] == "650.00" and s["currency"] == "NAD" and s["capacity"] == 1 and s["is_active"]
    assert s["buffer_after_minutes"] == 15 and s["cancellation_deadline_hours"] == 24
    assert (await db.scalars(select(AuditLog).where(AuditLog.action == "service.create"))).first() is not None
    assert (await client.post(url, json=NEW)).status_code == 401
    assert (await client.post(url, json=NEW, headers=await login(await create_user(db)))).status_code == 403
    other = await create_user(db, role="business_owner")
    assert (await client.post(url, json=NEW, headers=await login(other))).status_code == 403
    admin = await create_user(db, role="admin")
    assert (await client.post(url, json=NEW, headers=await login(admin))).status_code == 201


async def test_service_input_is_validated(client, login, owner, business):
    url = f"/api/v1/businesses/{business.id}/services"
    for bad in ({**NEW, "duration_minutes": 2}, {**NEW, "price": "-1"}, {**NEW, "price": "1.999"},
                {**NEW, "capacity": 0}, {"price": "10"}, {**NEW, "surprise": 1}):
        r = await client.post(url, json=bad, headers=await login(owner))
        assert r.status_code == 422 and r.json()["errors"], bad


async def test_patch_deactivate_and_reorder(client, login, db, owner, business):
    a = await create_service(db, business=business, name="A", sort_order=1)
    b = await create_service(db, business=business, name="B", sort_order=2)
    headers = await login(owner)
    r = await client.patch(f"/api/v1/services/{a.id}", json={"price": "99.90", "capacity": 4}, headers=headers)
    assert r.status_code == 200 and r.json()["price"] == "99.90" and r.json()["capacity"] == 4
    assert (await client.patch(f"/api/v1/services/{a.id}", json={"name": None}, headers=headers)).status_code == 422
    r = await client.post(f"/api/v1/businesses/{business.id}/services/reorder",
                          json={"service_ids": [str(b.id), str(a.id)]}, headers=headers)
    assert [s["name"] for s in r.json()] == ["B", "A"]
    listed = await client.get(f"/api/v1/businesses/{business.id}/services")
    assert [s["name"] for s in listed.json()] == ["B", "A"]
    assert (await client.delete(f"/api/v1/services/{b.id}", headers=headers)).status_code == 204
    assert [s["name"] for s in (await client.get(f"/api/v1/businesses/{business.id}/services")).json()] == ["A"]
    stranger = await create_user(db, role="business_owner")
    assert (await client.delete(f"/api/v1/services/{a.id}", headers=await login(stranger))).status_code == 403
    assert (await client.patch(f"/api/v1/services/{a.id}", json={"price": "1"},
                               headers=await login(stranger))).status_code == 403


async def test_availability_windows_validated(client, login, owner, service):
    url = f"/api/v1/services/{service.id}/availability"
    headers = await login(owner)
    split = [{"day_of_week": 1, "start_time": "09:00", "end_time": "13:00"},
             {"day_of_week": 1, "start_time": "14:00", "end_time": "17:00"}]
    r = await client.put(url, json=split, headers=headers)
    assert r.status_code == 200 and [(w["start_time"], w["end_time"]) for w in r.json()] == [("09:00", "13:00"),
                                                                                               ("14:00", "17:00")]
    overlapping = split + [{"day_of_week": 1, "start_time": "12:00", "end_time": "15:00"}]
    assert (await client.put(url, json=overlapping, headers=headers)).status_code == 422
    backwards = [{"day_of_week": 2, "start_time": "13:00", "end_time": "09:00"}]
    assert (await client.put(url, json=backwards, headers=headers)).status_code == 422
    # The business opens 08:00-17:00: a window to 19:00 is outside its hours.
    late = [{"day_of_week": 3, "start_time": "15:00", "end_time": "19:00"}]
    r = await client.put(url, json=late, headers=headers)
    assert r.status_code == 422 and "outside the business hours" in r.json()["detail"]
    assert (await client.put(url, json=split)).status_code == 401
    assert len((await client.get(url)).json()) == 2


async def test_slots_respect_windows_bookings_and_closures(client, login, db, owner, service, day):
    url = f"/api/v1/services/{service.id}/slots"
    r = await client.get(url, params={"from": day.isoformat(), "to": day.isoformat()})
    assert r.status_code == 200
    times = [s["time"] for s in r.json()]
    assert times == [f"{h:02d}:00" for h in range(8, 17)]
    first = r.json()[0]
    assert first["date"] == day.isoformat() and first["starts_at"] == f"{day.isoformat()}T08:00:00+02:00"
    await create_booking(db, service=service, day=day, at=__import__("datetime").time(10))
    times = [s["time"] for s in (await client.get(url, params={"from": day.isoformat()})).json()]
    assert "10:00" not in times and "11:00" in times
    await client.put(f"/api/v1/businesses/{service.business_id}/closures", json=[{"date": day.isoformat()}],
                     headers=await login(owner))
    assert (await client.get(url, params={"from": day.isoformat()})).json() == []
    week = (await client.get(url, params={"from": day.isoformat(), "to": (day + timedelta(days=6)).isoformat()})).json()
    assert len(week) == 6 * 9


async def test_slot_range_is_checked(client, service, day):
    url = f"/api/v1/services/{service.id}/slots"
    assert (await client.get(url, params={"from": day.isoformat(),
                                          "to": (day - timedelta(days=1)).isoformat()})).status_code == 422
    assert (await client.get(url, params={"from": day.isoformat(),
                                          "to": (day + timedelta(days=63)).isoformat()})).status_code == 422
    assert (await client.get(url, params={"from": "not-a-date"})).status_code == 422
    assert (await client.get(url)).status_code == 422


async def test_services_of_a_hidden_business_are_not_found(client, db, owner):
    pending = await create_business(db, owner=owner, status="pending")
    svc = await create_service(db, business=pending)
    assert (await client.get(f"/api/v1/services/{svc.id}")).status_code == 404
    assert (await client.get(f"/api/v1/services/{svc.id}/slots", params={"from": "2030-01-01"})).status_code == 404
