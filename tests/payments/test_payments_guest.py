"""Paying a guest booking (no account) through its payment link, never by a booking id; and a
customer can never pay for or see someone else's booking."""
from __future__ import annotations

import re
import uuid
from datetime import time

from factories.booking import create_booking
from factories.payments import csrf, mm_event, mm_headers, page_cookie
from sqlalchemy import select

from afrobiz.payments import guest
from afrobiz.payments.models import Payment
from afrobiz.payments.providers import SANDBOX


async def _guest_booking(client, service, day) -> tuple[dict, str]:
    r = await client.post("/api/v1/bookings", json={"service_id": str(service.id), "booking_date": day.isoformat(),
                                                    "booking_time": "11:00", "customer_name": "Guest Visitor",
                                                    "customer_email": "guest.visitor@example.na",
                                                    "customer_phone": "+264817654321"})
    assert r.status_code == 201, r.text
    link = re.fullmatch(r'<(/api/v1/guest-payments/[^>]+)>; rel="payment"', r.headers["link"])
    assert link, r.headers.get("link")
    return r.json(), link.group(1)


async def test_a_guest_pays_by_mobile_money_through_the_link_from_the_booking(client, db, service, day):
    booked, link = await _guest_booking(client, service, day)
    seen = await client.get(link)
    assert seen.status_code == 200, seen.text
    assert seen.json()["booking_number"] == booked["booking_number"]
    assert seen.json()["ledger"]["state"] == "unpaid" and "mobile_money" in seen.json()["available_methods"]
    h = {"Idempotency-Key": "guest-pay-1"}
    r = await client.post(link, json={"payment_method": "mobile_money"}, headers=h)
    assert r.status_code == 201, r.text
    payment = r.json()
    assert payment["amount"] == "150.00" and payment["next_step"]["action"] == "approve_on_phone"
    again = await client.post(link, json={"payment_method": "mobile_money"}, headers=h)
    assert again.status_code == 201 and again.json()["id"] == payment["id"]
    assert again.headers["idempotent-replayed"] == "true"
    intent = next(pid for pid, req in SANDBOX.requests.items() if req["reference"] == payment["reference"])
    assert SANDBOX.requests[intent]["phone"] == "+264817654321"   # the booking's phone
    SANDBOX.approve(intent)
    body = mm_event(intent)
    assert (await client.post("/api/v1/payments/webhooks/mobile_money", content=body,
                              headers=mm_headers(body))).json() == {"status": "applied"}
    after = (await client.get(link)).json()
    assert after["ledger"]["state"] == "paid" and after["items"][0]["status"] == "completed"
    row = await db.get(Payment, uuid.UUID(payment["id"]))
    assert row.user_id is None and str(row.booking_id) == booked["id"]


async def test_made_up_and_borrowed_links_open_nothing(client, login, db, settings, customer, stranger, booking,
                                                       service, day):
    booked, link = await _guest_booking(client, service, day)
    head, mac = link.rsplit("/", 1)[1].split(".")
    guest_id = uuid.UUID(booked["id"])
    other_id = uuid.uuid4()
    forged = [f"{guest_id.hex}.{mac}",                                  # the id in another spelling
              guest.token_for(settings.model_copy(update={"secret_key": "another"}), guest_id),  # another key
              f"{guest.token_for(settings, other_id).split('.')[0]}.{mac}",                   # another booking
              head, f"{head}.", "x" * 300]
    for token in forged:
        for r in (await client.get(f"/api/v1/guest-payments/{token}"),
                  await client.post(f"/api/v1/guest-payments/{token}", json={"payment_method": "cash"})):
            assert r.status_code == 404, (token, r.status_code, r.text)
    # A NUL in the path is refused at the door, before any token is read.
    assert (await client.get("/api/v1/guest-payments/%00")).status_code == 422
    # A correctly signed link to a customer's (not a guest's) booking opens nothing either.
    signed = guest.token_for(settings, booking.id)
    assert (await client.get(f"/api/v1/guest-payments/{signed}")).status_code == 404
    assert (await client.post(f"/api/v1/guest-payments/{signed}", json={"payment_method": "cash"},
                              headers=await login(customer))).status_code == 404
    # Nor does a booking id: the API's own payment routes need the booking's customer.
    for who in (None, stranger):
        h = await login(who) if who else {}
        pay = await client.post(f"/api/v1/bookings/{booked['id']}/payments", json={"payment_method": "cash"},
                                headers=h)
        see = await client.get(f"/api/v1/bookings/{booked['id']}/payments", headers=h)
        assert pay.status_code in (401, 404) and see.status_code in (401, 404)
    assert (await db.scalars(select(Payment).where(Payment.booking_id == guest_id))).all() == []


async def test_a_customer_can_never_pay_for_or_see_someone_elses_booking(client, login, db, customer, stranger,
                                                                         owner, booking, service, day):
    theirs = await create_booking(db, service=service, day=day, at=time(14), customer=stranger)
    h = await login(customer)
    for target in (theirs.id, uuid.uuid4()):   # someone else's, and one that does not exist: the same 404
        pay = await client.post(f"/api/v1/bookings/{target}/payments", json={"payment_method": "bank_transfer"},
                                headers=h | {"Idempotency-Key": uuid.uuid4().hex})
        see = await client.get(f"/api/v1/bookings/{target}/payments", headers=h)
        assert (pay.status_code, see.status_code) == (404, 404), (pay.text, see.text)
    page = await client.get(f"/bookings/{theirs.booking_number}/pay", headers=await page_cookie(db, customer))
    assert page.status_code == 404
    # The owner sees the payments of their bookings but may not pay for a customer.
    assert (await client.post(f"/api/v1/bookings/{booking.id}/payments", json={"payment_method": "cash"},
                              headers=await login(owner))).status_code == 403
    assert (await db.scalars(select(Payment).where(Payment.booking_id == theirs.id))).all() == []


async def test_the_guest_booking_page_leads_to_a_pay_page_that_works_without_an_account(client, db, service, day):
    booked, _ = await _guest_booking(client, service, day)
    number = booked["booking_number"]
    r = await client.get(f"/bookings/{number}/pay")
    assert r.status_code == 303 and r.headers["location"].startswith("/pay/")
    page = await client.get(r.headers["location"])
    assert page.status_code == 200 and number in page.text and 'name="payment_method"' in page.text
    assert f'action="{r.headers["location"]}"' in page.text
    done = await client.post(r.headers["location"], data={"csrf_token": csrf(page.text),
                                                          "payment_method": "bank_transfer"},
                             headers={"Cookie": "; ".join(f"{k}={v}" for k, v in page.cookies.items())}
                             if page.cookies else None)
    assert done.status_code == 303, done.text
    page = await client.get(done.headers["location"])
    payment = (await db.scalars(select(Payment).where(Payment.booking_id == uuid.UUID(booked["id"])))).one()
    assert payment.reference in page.text and "8001234567" in page.text
    assert (await client.get("/pay/not-a-token")).status_code == 404
