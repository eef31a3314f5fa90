"""Business settings are typed (issue 21, item 3): a bad time zone or payments value is
refused with 422, and a bad value already stored never breaks a reader."""
from __future__ import annotations

from datetime import time

from afrobiz.accounts.sessions import start_session
from afrobiz.web.deps import COOKIE_NAME
from factories.booking import create_booking
from factories.payments import BANK, set_bank

BAD = {"timezone": "Invalid/Zone", "payments": "x", "colour": "red"}


async def test_bad_settings_are_refused_with_the_field(client, login, owner, business):
    h = await login(owner)
    url = f"/api/v1/businesses/{business.id}"
    for settings, field in (({"timezone": "Invalid/Zone"}, "settings.timezone"),
                            ({"timezone": 7}, "settings.timezone"),
                            ({"payments": "x"}, "settings.payments"),
                            ({"payments": {"bank": {"account_number": "x"}}}, "settings.payments.bank.account_name"),
                            ({"payments": {"card": True}}, "settings.payments.card"),
                            ({"colour": "red"}, "settings.colour"),
                            ("x", "settings")):
        r = await client.patch(url, json={"settings": settings}, headers=h)
        assert r.status_code == 422, (settings, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in r.json()["errors"]], (settings, r.json())


async def test_a_partial_change_keeps_the_other_keys(client, login, db, owner, business):
    await set_bank(db, business)
    h = await login(owner)
    r = await client.patch(f"/api/v1/businesses/{business.id}", json={"settings": {"timezone": "Africa/Lagos"}},
                           headers=h)
    assert r.status_code == 200, r.text
    await db.refresh(business)
    assert business.settings == {"timezone": "Africa/Lagos", "payments": {"bank": BANK}}
    r = await client.patch(f"/api/v1/businesses/{business.id}", json={"settings": {"timezone": None}}, headers=h)
    assert r.status_code == 200
    await db.refresh(business)
    assert "timezone" not in business.settings and business.settings["payments"]["bank"]["account_number"]


async def test_every_reader_survives_a_bad_stored_value(client, login, db, owner, customer, business, service, day):
    booking = await create_booking(db, service=service, day=day, at=time(9), customer=customer)
    business.settings = BAD                     # as stored before the checks, or by hand
    await db.flush()
    ch, oh = await login(customer), await login(owner)
    cookie = {"Cookie": f"{COOKIE_NAME}={await start_session(db, user=customer)}"}
    span = {"from": day.isoformat(), "to": day.isoformat()}
    answers = {
        "me/bookings": await client.get("/api/v1/me/bookings", headers=ch),
        "booking": await client.get(f"/api/v1/bookings/{booking.id}", headers=ch),
        "ics": await client.get(f"/api/v1/bookings/{booking.id}.ics", headers=ch),
        "slots": await client.get(f"/api/v1/services/{service.id}/slots", params=span, headers=ch),
        "slots anonymous": await client.get(f"/api/v1/services/{service.id}/slots", params=span),
        "owner list": await client.get(f"/api/v1/businesses/{business.id}/bookings", headers=oh),
        "payments": await client.get(f"/api/v1/bookings/{booking.id}/payments", headers=ch),
        "page me/bookings": await client.get("/me/bookings", headers=cookie),
        "page booking": await client.get(f"/bookings/{booking.booking_number}", headers=cookie),
        "page ics": await client.get(f"/bookings/{booking.booking_number}.ics", headers=cookie),
        "page pay": await client.get(f"/bookings/{booking.booking_number}/pay", headers=cookie),
    }
    assert {k: r.status_code for k, r in answers.items()} == dict.fromkeys(answers, 200)
    assert answers["booking"].json()["starts_at"].endswith("+02:00")      # Namibia's zone, the default
    assert "10:00" in [s["time"] for s in answers["slots"].json()]
    made = await client.post("/api/v1/bookings", headers=ch, json={
        "service_id": str(service.id), "booking_date": day.isoformat(), "booking_time": "11:00"})
    assert made.status_code == 201, made.text
    # The bad payments value reads as "no bank account": bank transfer is not offered.
    assert "bank_transfer" not in answers["payments"].json().get("methods", [])
