"""The Pay page and the owner's payments page, through plain forms."""
from __future__ import annotations

from decimal import Decimal as D

from factories.payments import csrf, page_cookie, set_deposit
from sqlalchemy import select

from afrobiz.booking.models import Booking
from afrobiz.payments.models import Payment


async def test_customer_pays_by_bank_transfer_and_owner_marks_it_received(client, db, customer, owner, booking,
                                                                          service):
    await set_deposit(db, service, "percent", D(50))
    h = await page_cookie(db, customer)
    page = await client.get(f"/bookings/{booking.booking_number}/pay", headers=h)
    assert page.status_code == 200, page.text
    assert "Unpaid" in page.text and "Bank transfer" in page.text and "Cash at the business" not in page.text
    r = await client.post(f"/bookings/{booking.booking_number}/pay", headers=h,
                          data={"csrf_token": csrf(page.text), "payment_method": "bank_transfer"})
    assert r.status_code == 303
    page = await client.get(r.headers["location"], headers=h)
    payment = (await db.scalars(select(Payment).where(Payment.booking_id == booking.id))).one()
    assert payment.reference in page.text and "8001234567" in page.text and "N$&nbsp;75.00" in page.text
    assert 'name="payment_method"' not in page.text  # one payment at a time

    oh = await page_cookie(db, owner)
    listing = await client.get("/owner/payments", headers=oh)
    assert listing.status_code == 200 and payment.reference in listing.text
    done = await client.post(f"/owner/payments/{payment.id}/mark-received", headers=oh,
                             data={"csrf_token": csrf(listing.text), "amount_received": "75.00"})
    assert done.status_code == 303
    await db.refresh(payment)
    assert payment.status == "completed"
    assert (await db.get(Booking, booking.id)).status == "confirmed"
    page = await client.get(f"/bookings/{booking.booking_number}/pay", headers=h)
    assert "Part paid" in page.text


async def test_an_unavailable_method_posts_back_with_the_reason(client, db, app, customer, booking):
    app.state.settings.stripe_secret_key = None
    h = await page_cookie(db, customer)
    page = await client.get(f"/bookings/{booking.booking_number}/pay", headers=h)
    assert 'value="card"' not in page.text
    r = await client.post(f"/bookings/{booking.booking_number}/pay", headers=h,
                          data={"csrf_token": csrf(page.text), "payment_method": "card"})
    assert r.status_code == 422 and "not available" in r.text


async def test_strangers_get_404_and_customers_cannot_open_the_owner_list(client, db, customer, stranger, booking):
    r = await client.get(f"/bookings/{booking.booking_number}/pay", headers=await page_cookie(db, stranger))
    assert r.status_code == 404
    r = await client.get("/owner/payments", headers=await page_cookie(db, customer))
    assert r.status_code == 403
