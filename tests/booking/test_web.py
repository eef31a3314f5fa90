"""The booking pages: the guest flow without JavaScript, my bookings, the owner's calendar and services."""
from __future__ import annotations

import re
from datetime import time

from sqlalchemy import select

from afrobiz.accounts.sessions import start_session
from afrobiz.booking.models import Booking, ServiceAvailability
from afrobiz.web.deps import COOKIE_NAME
from factories.accounts import create_user
from factories.booking import create_booking, create_service


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


async def cookie(db, user) -> dict:
    return {"Cookie": f"{COOKIE_NAME}={await start_session(db, user=user)}"}


async def test_guest_books_through_the_pages(client, db, service, day):
    first = await client.get(f"/book/{service.id}")
    assert first.status_code == 200 and "Pick a day" in first.text and day.isoformat() in first.text
    day_page = await client.get(f"/book/{service.id}", params={"date": day.isoformat()})
    assert "10:00" in day_page.text
    details = await client.get(f"/book/{service.id}", params={"date": day.isoformat(), "time": "10:00"})
    assert "Your details" in details.text
    form = {"csrf_token": csrf(details.text), "date": day.isoformat(), "time": "10:00", "guest_count": "1",
            "customer_name": "", "customer_phone": "", "customer_email": "", "notes": ""}
    bad = await client.post(f"/book/{service.id}", data=form)
    assert bad.status_code == 422 and "Tell us your name" in bad.text
    ok = await client.post(f"/book/{service.id}", data=form | {"customer_name": "Maria Nangolo",
                                                                "customer_phone": "+264 81 222 3333"})
    assert ok.status_code == 303, ok.text
    number = ok.headers["location"].split("/")[2].split("?")[0]
    page = await client.get(ok.headers["location"])
    assert page.status_code == 200 and number in page.text and "Pending" in page.text and "N$" in page.text
    ics = await client.get(f"/bookings/{number}.ics")
    assert ics.status_code == 200 and "BEGIN:VEVENT" in ics.text
    # The slot is gone; booking it again through the form explains why.
    again = await client.post(f"/book/{service.id}", data=form | {"customer_name": "Late", "customer_phone": "+26481"
                                                                  "2223334"})
    assert again.status_code == 422 and "just been taken" in again.text
    assert (await client.get("/bookings/AB-ZZZZZZZZ")).status_code == 404


async def test_customer_sees_and_cancels_their_booking(client, db, customer, service, day):
    booking = await create_booking(db, service=service, day=day, at=time(9), customer=customer)
    headers = await cookie(db, customer)
    mine = await client.get("/me/bookings", headers=headers)
    assert booking.booking_number in mine.text
    r = await client.post(f"/bookings/{booking.booking_number}/cancel", headers=headers,
                          data={"csrf_token": csrf(mine.text), "next": "/me/bookings"})
    assert r.status_code == 303
    await db.refresh(booking)
    assert booking.status == "cancelled"
    # Someone else's booking page is not found, and anonymous visitors must log in.
    other = await create_user(db)
    assert (await client.get(f"/bookings/{booking.booking_number}", headers=await cookie(db, other))).status_code == 404
    assert (await client.get("/me/bookings")).status_code == 303


async def test_my_bookings_offers_cancel_only_before_the_deadline(client, db, customer, business, day):
    strict = await create_service(db, business=business, cancellation_deadline_hours=720)   # 30 days: day is 3 days ahead
    relaxed = await create_service(db, business=business)
    late = await create_booking(db, service=strict, day=day, at=time(9), customer=customer)
    fine = await create_booking(db, service=relaxed, day=day, at=time(11), customer=customer)
    page = (await client.get("/me/bookings", headers=await cookie(db, customer))).text
    assert late.booking_number in page and fine.booking_number in page
    assert f'/bookings/{fine.booking_number}/cancel' in page
    assert f'/bookings/{late.booking_number}/cancel' not in page


async def test_owner_calendar_confirms_a_booking(client, db, owner, service, day):
    booking = await create_booking(db, service=service, day=day, at=time(9))
    headers = await cookie(db, owner)
    page = await client.get("/owner/bookings", params={"date": day.isoformat(), "view": "week"}, headers=headers)
    assert page.status_code == 200 and booking.booking_number in page.text and "Confirm" in page.text
    r = await client.post(f"/owner/bookings/{booking.id}/status", headers=headers,
                          data={"csrf_token": csrf(page.text), "status": "confirmed"})
    assert r.status_code == 303
    await db.refresh(booking)
    assert booking.status == "confirmed"
    customer = await create_user(db)
    assert (await client.get("/owner/bookings", headers=await cookie(db, customer))).status_code == 403


async def test_owner_creates_a_service_and_sets_windows(client, db, owner, business):
    headers = await cookie(db, owner)
    page = await client.get("/owner/services", headers=headers)
    assert page.status_code == 200 and "New service" in page.text
    form = {"csrf_token": csrf(page.text), "business_id": str(business.id), "name": "Cornrows", "price": "250",
            "duration_minutes": "90", "capacity": "1", "buffer_before_minutes": "0", "buffer_after_minutes": "15",
            "cancellation_deadline_hours": "12", "min_advance_booking_hours": "2", "max_advance_booking_days": "30"}
    bad = await client.post("/owner/services", headers=headers, data=form | {"duration_minutes": "1"})
    assert bad.status_code == 422 and 'value="Cornrows"' in bad.text
    ok = await client.post("/owner/services", headers=headers, data=form)
    assert ok.status_code == 303
    service_id = ok.headers["location"].split("/")[3].split("?")[0]
    edit = await client.get(f"/owner/services/{service_id}", headers=headers)
    windows = {"csrf_token": csrf(edit.text), "day1": "09:00-13:00, 14:00-17:00", "day2": "09:00-12:00"}
    wrong = await client.post(f"/owner/services/{service_id}/availability", headers=headers,
                              data=windows | {"day3": "12:00-09:00"})
    assert wrong.status_code == 422 and "start must be before end" in wrong.text
    saved = await client.post(f"/owner/services/{service_id}/availability", headers=headers, data=windows)
    assert saved.status_code == 303
    rows = (await db.scalars(select(ServiceAvailability).where(ServiceAvailability.service_id == service_id))).all()
    assert sorted((w.day_of_week, w.start_time.hour) for w in rows) == [(1, 9), (1, 14), (2, 9)]
