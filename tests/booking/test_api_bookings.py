"""POST /bookings and reading bookings: customers, guests, slot rules, idempotency, authorization."""
from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

from sqlalchemy import select, text

from afrobiz.booking.models import Booking
from factories.accounts import create_user
from factories.booking import create_booking, create_service

from factories.booking import windhoek_today


def body(service, day, at="10:00", **extra):
    return {"service_id": str(service.id), "booking_date": day.isoformat(), "booking_time": at} | extra


GUEST = {"customer_name": "Guest Kandjii", "customer_phone": "+264 81 555 1234"}


async def test_customer_books_a_free_slot(client, login, customer, service, day):
    r = await client.post("/api/v1/bookings", json=body(service, day), headers=await login(customer))
    assert r.status_code == 201, r.text
    b = r.json()
    assert b["status"] == "pending" and b["total_amount"] == "150.00" and b["currency"] == "NAD"
    assert b["booking_date"] == day.isoformat() and b["booking_time"] == "10:00"
    assert b["starts_at"].endswith("+02:00") and b["starts_at"].startswith(f"{day.isoformat()}T10:00")
    assert b["customer_id"] == str(customer.id) and b["customer_name"] == "Ndapewa Shikongo"
    assert b["booking_number"].startswith("AB-") and len(b["booking_number"]) == 11


async def test_guest_books_without_an_account_and_owner_sees_it(client, login, db, owner, service, day):
    r = await client.post("/api/v1/bookings", json=body(service, day, **GUEST))
    assert r.status_code == 201, r.text
    assert r.json()["customer_id"] is None
    listed = await client.get(f"/api/v1/businesses/{service.business_id}/bookings", headers=await login(owner))
    assert [b["booking_number"] for b in listed.json()["items"]] == [r.json()["booking_number"]]


async def test_guest_needs_a_name_and_a_way_to_reach_them(client, service, day):
    r = await client.post("/api/v1/bookings", json=body(service, day, customer_name="Only Name"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "customer_email"
    r = await client.post("/api/v1/bookings", json=body(service, day, customer_phone="+264811111111"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "customer_name"


async def test_a_taken_slot_is_409_and_a_cancelled_one_frees_it(client, login, db, customer, service, day):
    first = await client.post("/api/v1/bookings", json=body(service, day), headers=await login(customer))
    assert first.status_code == 201
    again = await client.post("/api/v1/bookings", json=body(service, day, **GUEST))
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert "taken" in again.json()["detail"]
    cancel = await client.post(f"/api/v1/bookings/{first.json()['id']}/status", json={"status": "cancelled"},
                               headers=await login(customer))
    assert cancel.status_code == 200, cancel.text
    assert (await client.post("/api/v1/bookings", json=body(service, day, **GUEST))).status_code == 201


async def test_outside_hours_too_soon_too_far_and_closed_are_refused_with_the_reason(client, login, db, owner,
                                                                                      service, day):
    cases = [(body(service, day, at="03:00"), "outside_hours"),           # 03:00 outside 08:00-17:00
             (body(service, day, at="16:30"), "outside_hours"),           # would end 17:30
             (body(service, day, at="10:15"), "off_grid"),
             (body(service, day + timedelta(days=90)), "too_far")]
    for payload, reason in cases:
        r = await client.post("/api/v1/bookings", json=payload | GUEST)
        assert r.status_code == 409 and reason in r.json()["detail"], (payload, r.text)
    soon = await create_service(db, business=await _business_of(db, service), min_advance_booking_hours=24 * 30)
    r = await client.post("/api/v1/bookings", json=body(soon, day) | GUEST)
    assert r.status_code == 409 and "too_soon" in r.json()["detail"]
    h = await client.put(f"/api/v1/businesses/{service.business_id}/closures",
                         json=[{"date": day.isoformat(), "reason": "Heroes' Day"}], headers=await login(owner))
    assert h.status_code == 200
    r = await client.post("/api/v1/bookings", json=body(service, day) | GUEST)
    assert r.status_code == 409 and "closed" in r.json()["detail"]


async def _business_of(db, service):
    from afrobiz.directory.models import Business
    return await db.get(Business, service.business_id)


async def test_buffers_keep_neighbouring_slots_apart(client, db, business, day):
    svc = await create_service(db, business=business, buffer_after_minutes=30)
    assert (await client.post("/api/v1/bookings", json=body(svc, day, at="10:00") | GUEST)).status_code == 201
    # 11:00 would start inside the 30 minutes of clean-up after 10:00-11:00.
    assert (await client.post("/api/v1/bookings", json=body(svc, day, at="11:00") | GUEST)).status_code == 409
    slots = (await client.get(f"/api/v1/services/{svc.id}/slots", params={"from": day.isoformat()})).json()
    assert "11:00" not in [s["time"] for s in slots] and "12:00" in [s["time"] for s in slots]


async def test_capacity_three_takes_three_then_409(client, db, business, day):
    svc = await create_service(db, business=business, capacity=3)
    codes = [(await client.post("/api/v1/bookings", json=body(svc, day) | GUEST)).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 409]
    rows = (await db.scalars(select(Booking).where(Booking.service_id == svc.id))).all()
    assert {r.exclusive_slot for r in rows} == {False}


async def test_per_person_price_multiplies_by_guests(client, db, business, day):
    svc = await create_service(db, business=business, price_per_person=True, price=Decimal("120.50"))
    r = await client.post("/api/v1/bookings", json=body(svc, day, guest_count=3) | GUEST)
    assert r.json()["total_amount"] == "361.50" and r.json()["service_price"] == "361.50"
    flat = await create_service(db, business=business)
    r = await client.post("/api/v1/bookings", json=body(flat, day, guest_count=3) | GUEST)
    assert r.json()["total_amount"] == "150.00"


async def test_idempotency_key_replays_and_refuses_another_body(client, login, db, customer, service, day):
    headers = await login(customer) | {"Idempotency-Key": "retry-123"}
    first = await client.post("/api/v1/bookings", json=body(service, day), headers=headers)
    again = await client.post("/api/v1/bookings", json=body(service, day), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers.get("idempotent-replayed") == "true"
    other = await client.post("/api/v1/bookings", json=body(service, day, at="12:00"), headers=headers)
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "Idempotency-Key"
    count = await db.scalar(text("SELECT count(*) FROM bookings WHERE service_id = :s"), {"s": service.id})
    assert count == 1
    # Guests have keys too (user_id NULL still collides, NULLS NOT DISTINCT).
    g1 = await client.post("/api/v1/bookings", json=body(service, day, at="13:00") | GUEST,
                           headers={"Idempotency-Key": "guest-1"})
    g2 = await client.post("/api/v1/bookings", json=body(service, day, at="13:00") | GUEST,
                           headers={"Idempotency-Key": "guest-1"})
    assert g1.status_code == g2.status_code == 201 and g1.json()["id"] == g2.json()["id"]


async def test_read_a_booking_only_as_a_party(client, login, db, owner, customer, service, day):
    booking = await create_booking(db, service=service, day=day, at=time(9), customer=customer)
    url = f"/api/v1/bookings/{booking.id}"
    for user in (customer, owner, await create_user(db, role="admin")):
        r = await client.get(url, headers=await login(user))
        assert r.status_code == 200 and r.json()["booking_number"] == booking.booking_number
        assert isinstance(r.json()["status_history"], list)
    stranger = await create_user(db)
    other_owner = await create_user(db, role="business_owner")
    for user in (stranger, other_owner):
        assert (await client.get(url, headers=await login(user))).status_code == 404
        assert (await client.get(url + ".ics", headers=await login(user))).status_code == 404
    assert (await client.get(url)).status_code == 401
    r = await client.get(f"/api/v1/businesses/{service.business_id}/bookings", headers=await login(other_owner))
    assert r.status_code == 404


async def test_my_bookings_lists_only_mine_with_cursor(client, login, db, customer, service, day):
    mine = [await create_booking(db, service=service, day=day, at=time(h), customer=customer) for h in (9, 10, 11)]
    await create_booking(db, service=service, day=day, at=time(12), customer=await create_user(db))
    headers = await login(customer)
    page1 = (await client.get("/api/v1/me/bookings", params={"limit": 2, "when": "upcoming"}, headers=headers)).json()
    page2 = (await client.get("/api/v1/me/bookings", params={"limit": 2, "when": "upcoming",
                                                             "cursor": page1["next_cursor"]}, headers=headers)).json()
    assert [b["booking_time"] for b in page1["items"] + page2["items"]] == ["09:00", "10:00", "11:00"]
    assert page2["next_cursor"] is None and len(mine) == 3
    past = (await client.get("/api/v1/me/bookings", params={"when": "past"}, headers=headers)).json()
    assert past["items"] == []


async def test_business_bookings_filter_by_status_and_dates(client, login, db, owner, service, day):
    a = await create_booking(db, service=service, day=day, at=time(9))
    await create_booking(db, service=service, day=day + timedelta(days=1), at=time(9), status="confirmed")
    headers = await login(owner)
    url = f"/api/v1/businesses/{service.business_id}/bookings"
    r = (await client.get(url, params={"status": "pending"}, headers=headers)).json()
    assert [b["id"] for b in r["items"]] == [str(a.id)]
    r = (await client.get(url, params={"from": (day + timedelta(days=1)).isoformat()}, headers=headers)).json()
    assert [b["status"] for b in r["items"]] == ["confirmed"]
    assert (await client.get(url, params={"status": "nonsense"}, headers=headers)).status_code == 422


async def test_ics_download_has_utc_times(client, login, customer, service, day):
    r = await client.post("/api/v1/bookings", json=body(service, day, at="10:00"), headers=await login(customer))
    ics = await client.get(f"/api/v1/bookings/{r.json()['id']}.ics", headers=await login(customer))
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    # 10:00 in Windhoek (UTC+2) is 08:00 UTC.
    assert f"DTSTART:{day:%Y%m%d}T080000Z" in ics.text and f"DTEND:{day:%Y%m%d}T090000Z" in ics.text
    assert "BEGIN:VEVENT" in ics.text and "\r\n" in ics.text


async def test_inactive_service_and_unknown_service_cannot_be_booked(client, db, service, day):
    service.is_active = False
    await db.flush()
    assert (await client.post("/api/v1/bookings", json=body(service, day) | GUEST)).status_code == 404
    import uuid
    r = await client.post("/api/v1/bookings", json={**body(service, day), "service_id": str(uuid.uuid4())} | GUEST)
    assert r.status_code == 404
