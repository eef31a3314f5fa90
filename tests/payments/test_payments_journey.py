"""The journey of issue 9, through the API as a new user would take it: book a service that
asks a 50 % deposit, pay it by mobile money through the stand-in operator (approved on the
phone, confirmed by a signed callback), see the booking part-paid and confirmed, pay the rest,
see it paid, and see the owner's payouts report follow every step; then a partial refund
that the customer is told about."""
from __future__ import annotations

from decimal import Decimal as D

from factories.payments import mm_event, mm_headers
from sqlalchemy import select

from afrobiz.booking.models import Booking
from afrobiz.notifications.models import Notification
from afrobiz.payments.providers import SANDBOX
from afrobiz.payments.reports import today


async def _pay_by_phone(client, db, h, booking_id) -> dict:
    r = await client.post(f"/api/v1/bookings/{booking_id}/payments", headers=h,
                          json={"payment_method": "mobile_money", "phone": "081 234 5678"})
    assert r.status_code == 201, r.text
    payment = r.json()
    assert payment["status"] == "processing" and payment["next_step"]["action"] == "approve_on_phone"
    intent = next(pid for pid, req in SANDBOX.requests.items() if req["reference"] == payment["reference"])
    assert SANDBOX.requests[intent]["phone"] == "+264812345678"
    SANDBOX.approve(intent)                       # the customer approves on the phone
    body = mm_event(intent)
    hook = await client.post("/api/v1/payments/webhooks/mobile_money", content=body, headers=mm_headers(body))
    assert hook.status_code == 200 and hook.json() == {"status": "applied"}, hook.text
    return payment


async def _payouts(client, oh, business) -> dict:
    r = await client.get(f"/api/v1/businesses/{business.id}/payouts", headers=oh, params={"period": "day"})
    assert r.status_code == 200, r.text
    return r.json()["totals"]


async def test_deposit_by_mobile_money_then_balance_then_a_partial_refund(client, login, db, owner, customer,
                                                                           business, service, day):
    oh, h = await login(owner), await login(customer)
    # The owner asks half up front.
    r = await client.put(f"/api/v1/services/{service.id}/deposit", headers=oh,
                         json={"deposit_type": "percent", "deposit_value": "50"})
    assert r.status_code == 200, r.text
    assert (await _payouts(client, oh, business))["received"] == "0.00"

    # The customer books.
    r = await client.post("/api/v1/bookings", headers=h, json={"service_id": str(service.id),
                                                               "booking_date": day.isoformat(),
                                                               "booking_time": "10:00"})
    assert r.status_code == 201, r.text
    booking_id = r.json()["id"]
    listed = (await client.get(f"/api/v1/bookings/{booking_id}/payments", headers=h)).json()
    assert listed["ledger"]["deposit_required"] == "75.00" and listed["ledger"]["state"] == "unpaid"
    assert "mobile_money" in listed["available_methods"] and "cash" not in listed["available_methods"]

    # The deposit, by mobile money.
    deposit = await _pay_by_phone(client, db, h, booking_id)
    assert (deposit["amount"], deposit["platform_fee"], deposit["business_amount"]) == ("75.00", "3.75", "71.25")
    listed = (await client.get(f"/api/v1/bookings/{booking_id}/payments", headers=h)).json()
    assert listed["ledger"]["state"] == "part_paid" and listed["ledger"]["balance_due"] == "75.00"
    assert [p["status"] for p in listed["items"]] == ["completed"]
    assert (await client.get(f"/api/v1/bookings/{booking_id}", headers=h)).json()["status"] == "confirmed"
    totals = await _payouts(client, oh, business)
    assert (totals["payments"], totals["received"], totals["platform_fee"], totals["net_to_business"]) == (
        1, "75.00", "3.75", "71.25")

    # The rest.
    await _pay_by_phone(client, db, h, booking_id)
    listed = (await client.get(f"/api/v1/bookings/{booking_id}/payments", headers=h)).json()
    assert listed["ledger"]["state"] == "paid" and listed["ledger"]["balance_due"] == "0.00"
    totals = await _payouts(client, oh, business)
    assert (totals["payments"], totals["received"], totals["platform_fee"], totals["net_to_business"]) == (
        2, "150.00", "7.50", "142.50")
    assert (await _payouts(client, oh, business))["received"] == "150.00"
    month = (await client.get(f"/api/v1/businesses/{business.id}/payouts", headers=oh)).json()
    assert month["period"] == "month" and month["rows"][-1]["period_start"] == today().replace(day=1).isoformat()
    assert month["rows"][-1]["received"] == "150.00"

    # A partial refund of the deposit: the customer hears of it and the report shows it.
    r = await client.post(f"/api/v1/payments/{deposit['id']}/refund", headers=oh,
                          json={"amount": "20.00", "reason": "Started late"})
    assert r.status_code == 200 and r.json()["refund_state"] == "partial", r.text
    totals = await _payouts(client, oh, business)
    assert (totals["refunded"], totals["refunded_platform_fee"], totals["net_to_business"]) == (
        "20.00", "1.00", "123.50")
    assert D(totals["received"]) - D(totals["platform_fee"]) - (D(totals["refunded"]) -
                                                                D(totals["refunded_platform_fee"])) == D("123.50")
    notes = (await db.scalars(select(Notification).where(Notification.user_id == customer.id)
                              .order_by(Notification.created_at))).all()
    refunds = [n for n in notes if n.data.get("event") == "payment.refunded"]
    assert len(refunds) == 1 and "20.00" in refunds[0].message and refunds[0].data["full"] is False
    received = [n for n in notes if n.data.get("event") == "payment.completed"]
    assert len(received) == 2   # payment_received on each completion
    booking = await db.get(Booking, deposit["booking_id"])
    assert booking.status == "confirmed"


async def test_the_same_journey_through_the_pages_with_the_sandbox_phone(client, db, app, owner, customer, booking,
                                                                         service, business):
    from factories.payments import csrf, page_cookie, set_deposit

    await set_deposit(db, service, "percent", D(50))
    h = await page_cookie(db, customer)
    page = await client.get(f"/bookings/{booking.booking_number}/pay", headers=h)
    assert "Mobile money" in page.text
    r = await client.post(f"/bookings/{booking.booking_number}/pay", headers=h,
                          data={"csrf_token": csrf(page.text), "payment_method": "mobile_money"})
    assert r.status_code == 303, r.text
    page = await client.get(r.headers["location"], headers=h)
    assert 'href="/sandbox/mobile-money"' in page.text
    phone = await client.get("/sandbox/mobile-money", headers=h)
    pid = next(pid for pid, req in SANDBOX.requests.items() if req["reference"] in phone.text
               and req["status"] == "pending")
    answered = await client.post(f"/sandbox/mobile-money/{pid}/approve", headers=h,
                                 data={"csrf_token": csrf(phone.text)})
    assert answered.status_code == 303 and answered.headers["location"].endswith("done=applied"), answered.text
    page = await client.get(f"/bookings/{booking.booking_number}/pay", headers=h)
    assert "Part paid" in page.text
    assert (await db.get(Booking, booking.id)).status == "confirmed"
    payouts = await client.get("/owner/payouts", headers=await page_cookie(db, owner))
    assert "N$&nbsp;75.00" in payouts.text and "N$&nbsp;71.25" in payouts.text
    app.state.settings.environment = "production"      # the stand-in never answers in production
    assert (await client.get("/sandbox/mobile-money", headers=h)).status_code == 404
    assert (await client.post(f"/sandbox/mobile-money/{pid}/approve", headers=h,
                              data={"csrf_token": csrf(phone.text)})).status_code in (403, 404)
