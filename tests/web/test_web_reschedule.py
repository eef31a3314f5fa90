"""Moving a booking from its page (GET/POST /bookings/{number}/reschedule), without a browser."""
from __future__ import annotations

import re
from datetime import time, timedelta

from sqlalchemy import select

from afrobiz.accounts.sessions import start_session
from afrobiz.booking.models import Booking, BookingStatusHistory
from afrobiz.web.deps import COOKIE_NAME
from factories.accounts import create_user
from factories.booking import create_booking, create_service, set_hours, windhoek_today
from factories.directory import create_business


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


async def cookie(db, user) -> dict:
    return {"Cookie": f"{COOKIE_NAME}={await start_session(db, user=user)}"}


async def _booked(db):
    owner = await create_user(db, role="business_owner")
    business = await create_business(db, owner=owner, name="Reschedule Braids")
    await set_hours(db, business=business)
    service = await create_service(db, business=business, name="Cornrows")
    customer = await create_user(db, first_name="Ndapewa")
    day = windhoek_today() + timedelta(days=4)
    booking = await create_booking(db, service=service, day=day, at=time(10), customer=customer)
    return customer, booking, day


async def test_web_customer_moves_their_booking_by_links_and_one_form(client, db):
    customer, booking, day = await _booked(db)
    me = await cookie(db, customer)
    page = await client.get(f"/bookings/{booking.booking_number}", headers=me)
    assert f'href="/bookings/{booking.booking_number}/reschedule"' in page.text
    new_day = day + timedelta(days=1)
    pick = await client.get(f"/bookings/{booking.booking_number}/reschedule",
                            params={"date": new_day.isoformat(), "time": "14:00"}, headers=me)
    assert pick.status_code == 200 and "Move my booking" in pick.text and 'value="14:00"' in pick.text
    form = {"date": new_day.isoformat(), "time": "14:00"}
    assert (await client.post(f"/bookings/{booking.booking_number}/reschedule", data=form,
                              headers=me)).status_code == 403                      # no CSRF token
    moved = await client.post(f"/bookings/{booking.booking_number}/reschedule",
                              data=form | {"csrf_token": csrf_of(pick.text)}, headers=me)
    assert moved.status_code == 303 and moved.headers["location"].endswith("?moved=1")
    row = await db.scalar(select(Booking).where(Booking.id == booking.id).execution_options(populate_existing=True))
    assert (row.booking_date, row.booking_time) == (new_day, time(14))
    reasons = (await db.scalars(select(BookingStatusHistory.reason)
                                .where(BookingStatusHistory.booking_id == booking.id))).all()
    assert any(r and r.startswith("Rescheduled from") for r in reasons)

    # A time that is not free is refused on the page, next to the day picker.
    bad = await client.post(f"/bookings/{booking.booking_number}/reschedule",
                            data={"date": new_day.isoformat(), "time": "03:00", "csrf_token": csrf_of(pick.text)},
                            headers=me)
    assert bad.status_code in (409, 422) and 'role="alert"' in bad.text
    nonsense = await client.post(f"/bookings/{booking.booking_number}/reschedule",
                                 data={"date": "soon", "time": "x", "csrf_token": csrf_of(pick.text)}, headers=me)
    assert nonsense.status_code == 422 and "Pick a day and a time." in nonsense.text


async def test_web_only_the_customer_may_move_a_booking(client, db):
    _customer, booking, day = await _booked(db)
    anonymous = await client.get(f"/bookings/{booking.booking_number}/reschedule")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    stranger = await create_user(db)
    theirs = await cookie(db, stranger)
    assert (await client.get(f"/bookings/{booking.booking_number}/reschedule", headers=theirs)).status_code == 404
    page = await client.get("/", headers=theirs)
    r = await client.post(f"/bookings/{booking.booking_number}/reschedule", headers=theirs,
                          data={"date": day.isoformat(), "time": "14:00", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 404
