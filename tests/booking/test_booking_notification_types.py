"""What a booking's messages are typed as (issue 21, item 16): a new booking is a request to
the owner, a move is a move, each with its own notification type."""
from __future__ import annotations

from datetime import time


async def _types(client, login, user) -> list[tuple[str, str]]:
    r = await client.get("/api/v1/me/notifications", headers=await login(user))
    assert r.status_code == 200, r.text
    return [(n["type"], n["title"]) for n in r.json()["items"]]


async def test_a_new_booking_reaches_the_owner_as_booking_requested(client, login, owner, customer, service, day):
    r = await client.post("/api/v1/bookings", headers=await login(customer), json={
        "service_id": str(service.id), "booking_date": day.isoformat(), "booking_time": "10:00"})
    assert r.status_code == 201, r.text
    number = r.json()["booking_number"]
    assert await _types(client, login, owner) == [("booking_requested", f"New booking {number}")]


async def test_a_guest_booking_too(client, login, owner, service, day):
    r = await client.post("/api/v1/bookings", json={
        "service_id": str(service.id), "booking_date": day.isoformat(), "booking_time": "11:00",
        "customer_name": "Guest Kandjii", "customer_phone": "+264 81 555 1234"})
    assert r.status_code == 201, r.text
    assert [t for t, _ in await _types(client, login, owner)] == ["booking_requested"]


async def test_a_moved_booking_reaches_the_customer_as_booking_rescheduled(client, login, owner, customer, service,
                                                                           day):
    made = await client.post("/api/v1/bookings", headers=await login(customer), json={
        "service_id": str(service.id), "booking_date": day.isoformat(), "booking_time": "10:00"})
    booking = made.json()
    r = await client.post(f"/api/v1/bookings/{booking['id']}/reschedule", headers=await login(owner),
                          json={"booking_date": day.isoformat(), "booking_time": time(13).strftime("%H:%M")})
    assert r.status_code == 200, r.text
    told = await _types(client, login, customer)
    assert ("booking_rescheduled", f"Booking {booking['booking_number']} moved") in told
    assert "booking_confirmed" not in [t for t, title in told if "moved" in title]
