"""Issue 21 item 6: a hostile client cannot empty a business's calendar with guest bookings.

Forty anonymous POST /bookings from one address and one e-mail once booked every slot of four
days. Guest bookings are now limited per client address and per contact (the e-mail's mailbox
and the phone, however spelt), and a contact holds only a few pending bookings per business;
refusals are 429 problem+json with Retry-After. The limits are system settings."""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from afrobiz.admin.settings import set_setting
from afrobiz.booking.models import Booking
from factories.accounts import create_user
from factories.booking import create_service, set_hours
from factories.directory import create_business
from factories.payments import csrf

_numbers = itertools.count(1000000)
SLOTS = [f"{h:02d}:00" for h in range(8, 17)]          # 08:00-16:00, an hour each


def slots_from(day):
    """(day, time) of every slot, day after day."""
    for offset in range(0, 20):
        for at in SLOTS:
            yield day + timedelta(days=offset), at


def guest(**contact) -> dict:
    return {"customer_name": "Guest Kandjii"} | contact


def another_phone() -> str:
    return f"+26481{next(_numbers)}"


async def book(client, service, day, at, contact: dict, ip: str | None = None):
    body = {"service_id": str(service.id), "booking_date": day.isoformat(), "booking_time": at} | contact
    return await client.post("/api/v1/bookings", json=body, headers={"X-Forwarded-For": ip} if ip else {})


@pytest.fixture
def behind_proxy(settings):
    settings.trusted_proxies = "127.0.0.1"     # X-Forwarded-For names the client


async def _guest_bookings(db, service) -> int:
    return await db.scalar(select(func.count()).select_from(Booking).where(
        Booking.service_id == service.id, Booking.customer_id.is_(None)))


def assert_throttled(r, max_wait: int):
    assert r.status_code == 429, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert 1 <= int(r.headers["retry-after"]) <= max_wait


async def test_one_address_cannot_book_the_calendar_empty(client, db, service, day):
    slots = slots_from(day)
    for _ in range(20):                        # bookings.guest_per_ip_per_hour: 20 by default
        d, at = next(slots)
        r = await book(client, service, d, at, guest(customer_phone=another_phone()))
        assert r.status_code == 201, r.text
    d, at = next(slots)
    assert_throttled(await book(client, service, d, at, guest(customer_phone=another_phone())), 3600)
    assert await _guest_bookings(db, service) == 20


async def test_one_contact_is_limited_in_every_spelling_from_every_address(client, db, owner, day, behind_proxy):
    services = []
    for _ in range(2):
        business = await create_business(db, owner=owner)
        await set_hours(db, business=business)
        services.append(await create_service(db, business=business))
    spellings = ["Victim@Example.NA", "victim+a@example.na", "VICTIM+b@example.na", "victim@example.na",
                 "victim+c@EXAMPLE.na", "victim+d@example.na"]
    slots = slots_from(day)
    made = []
    for i, email in enumerate(spellings[:5]):  # bookings.guest_per_contact_per_hour: 5 by default
        d, at = next(slots)
        r = await book(client, services[i % 2], d, at, guest(customer_email=email), ip=f"10.1.0.{i}")
        made.append(r.status_code)
    assert made == [201] * 5
    d, at = next(slots)
    assert_throttled(await book(client, services[1], d, at, guest(customer_email=spellings[5]), ip="10.1.0.99"),
                     3600)
    # A phone is a contact too: '081 …' and '+264 81 …' are one number.
    for i, phone in enumerate(["081 444 5566", "+264 81 444 5566", "0814445566", "+264814445566", "081-444-5566"]):
        d, at = next(slots)
        r = await book(client, services[i % 2], d, at, guest(customer_phone=phone), ip=f"10.2.0.{i}")
        assert r.status_code == 201, r.text
    d, at = next(slots)
    assert_throttled(await book(client, services[0], d, at, guest(customer_phone="+264 81 444 5566"),
                                ip="10.2.0.99"), 3600)


async def test_a_contact_holds_few_pending_bookings_per_business(client, db, login, owner, service, day,
                                                                 behind_proxy):
    slots = slots_from(day)
    contact = guest(customer_name="Ndeshi", customer_phone="081 777 8899", customer_email="ndeshi@example.na")
    first = None
    for i in range(3):                         # bookings.guest_pending_per_contact: 3 by default
        d, at = next(slots)
        r = await book(client, service, d, at, contact, ip=f"10.3.0.{i}")
        assert r.status_code == 201, r.text
        first = first or r.json()
    d, at = next(slots)
    # Same phone, another e-mail: still the same contact.
    r = await book(client, service, d, at, contact | {"customer_email": "other@example.na"}, ip="10.3.0.9")
    assert_throttled(r, 30 * 60)               # the oldest is answered or expires within 30 minutes
    assert "waiting for this business" in r.json()["detail"]
    # Elsewhere the contact may still book; and once the business answers one, here too.
    other_business = await create_business(db, owner=await create_user(db, role="business_owner"))
    await set_hours(db, business=other_business)
    elsewhere = await create_service(db, business=other_business)
    assert (await book(client, elsewhere, d, at, contact, ip="10.3.0.10")).status_code == 201
    confirmed = await client.post(f"/api/v1/bookings/{first['id']}/status", json={"status": "confirmed"},
                                  headers=await login(owner))
    assert confirmed.status_code == 200, confirmed.text
    assert (await book(client, service, d, at, contact, ip="10.3.0.11")).status_code == 201


async def test_refused_picks_cost_nothing(client, db, service, day):
    contact = guest(customer_phone="081 333 2211")
    for _ in range(8):                         # a taken or closed slot is a 409 and counts nowhere
        assert (await book(client, service, day, "03:00", contact)).status_code == 409
    assert (await book(client, service, day, "10:00", contact)).status_code == 201


async def test_the_limits_are_settings(client, db, service, day):
    admin = await create_user(db, role="admin")
    await set_setting(db, actor=admin, key="bookings.guest_per_ip_per_hour", value=2)
    slots = slots_from(day)
    codes = []
    for _ in range(3):
        d, at = next(slots)
        codes.append((await book(client, service, d, at, guest(customer_phone=another_phone()))).status_code)
    assert codes == [201, 201, 429]


async def test_the_booking_page_says_so_with_retry_after(client, db, service, day):
    slots = slots_from(day)
    contact = {"customer_name": "Maria Nangolo", "customer_phone": "+264 81 222 3333", "customer_email": ""}
    codes = []
    for _ in range(4):
        d, at = next(slots)
        details = await client.get(f"/book/{service.id}", params={"date": d.isoformat(), "time": at})
        form = {"csrf_token": csrf(details.text), "date": d.isoformat(), "time": at, "guest_count": "1",
                "notes": ""} | contact
        r = await client.post(f"/book/{service.id}", data=form)
        codes.append(r.status_code)
    assert codes == [303, 303, 303, 429]       # three pending at this business
    assert int(r.headers["retry-after"]) > 0 and "waiting for this business" in r.text
