"""Releasing unpaid bookings, and Idempotency-Key on payment creation."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from factories.payments import create_payment, set_deposit
from sqlalchemy import func, select

from afrobiz.admin.models import SystemSetting
from afrobiz.booking.models import Booking
from afrobiz.notifications.models import Notification
from afrobiz.payments.models import Payment
from afrobiz.payments.flows import release_unpaid_bookings


async def _age(db, booking, minutes):
    booking.created_at = datetime.now(UTC) - timedelta(minutes=minutes)
    await db.flush()


async def test_an_unpaid_deposit_booking_is_released_after_the_configured_time(db, booking, service, customer):
    await set_deposit(db, service, "full")
    db.add(SystemSetting(key="payments.unpaid_release_minutes", value="30", data_type="integer"))
    pending = await create_payment(db, booking=booking, amount="150.00", status="pending")
    await _age(db, booking, 20)
    assert await release_unpaid_bookings(db, datetime.now(UTC)) == []
    await _age(db, booking, 31)
    assert await release_unpaid_bookings(db, datetime.now(UTC)) == [booking.id]
    await db.refresh(booking)
    await db.refresh(pending)
    assert booking.status == "cancelled" and booking.cancellation_reason == "Payment not received in time"
    assert pending.status == "cancelled"
    told = await db.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == customer.id, Notification.type == "booking_cancelled"))
    assert told == 1
    assert await release_unpaid_bookings(db, datetime.now(UTC)) == []   # safe to run twice


async def test_paid_processing_and_deposit_free_bookings_are_kept(db, booking, service, customer, day):
    from datetime import time

    from factories.booking import create_booking, create_service

    await set_deposit(db, service, "percent", D(50))
    await create_payment(db, booking=booking, amount="75.00", status="completed")
    await _age(db, booking, 600)
    in_flight = await create_booking(db, service=service, day=day, at=time(12), customer=customer)
    await create_payment(db, booking=in_flight, amount="75.00", status="processing", method="mobile_money")
    await _age(db, in_flight, 61)
    free_service = await create_service(db, business=await _business(db, service))
    free = await create_booking(db, service=free_service, day=day, at=time(14), customer=customer)
    await _age(db, free, 600)
    assert await release_unpaid_bookings(db, datetime.now(UTC)) == []
    # The processing payment had its window: next run the booking is released.
    later = datetime.now(UTC) + timedelta(minutes=61)
    assert await release_unpaid_bookings(db, later) == [in_flight.id]


async def _business(db, service):
    from afrobiz.directory.models import Business

    return await db.get(Business, service.business_id)


async def test_same_key_same_body_replays_the_first_answer(client, login, db, customer, booking):
    h = await login(customer) | {"Idempotency-Key": "pay-1"}
    first = await client.post(f"/api/v1/bookings/{booking.id}/payments", json={"payment_method": "bank_transfer"},
                              headers=h)
    assert first.status_code == 201
    for _ in range(10):
        again = await client.post(f"/api/v1/bookings/{booking.id}/payments",
                                  json={"payment_method": "bank_transfer"}, headers=h)
        assert again.status_code == 201 and again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
    count = await db.scalar(select(func.count()).select_from(Payment).where(Payment.booking_id == booking.id))
    assert count == 1


async def test_same_key_other_body_is_422(client, login, customer, booking):
    h = await login(customer) | {"Idempotency-Key": "pay-2"}
    assert (await client.post(f"/api/v1/bookings/{booking.id}/payments", json={"payment_method": "bank_transfer"},
                              headers=h)).status_code == 201
    other = await client.post(f"/api/v1/bookings/{booking.id}/payments", json={"payment_method": "cash"}, headers=h)
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "Idempotency-Key"


async def test_a_customer_cannot_pay_for_or_see_someone_elses_booking_even_with_a_key(client, login, stranger,
                                                                                       booking):
    h = await login(stranger) | {"Idempotency-Key": "k"}
    assert (await client.post(f"/api/v1/bookings/{booking.id}/payments", json={"payment_method": "cash"},
                              headers=h)).status_code == 404
    assert (await client.get(f"/api/v1/bookings/{booking.id}/payments", headers=h)).status_code == 404


async def test_released_bookings_free_the_slot(db, booking, service, day):
    from factories.booking import create_booking

    await set_deposit(db, service, "fixed", D("20.00"))
    await _age(db, booking, 120)
    await release_unpaid_bookings(db, datetime.now(UTC))
    status = await db.scalar(select(Booking.status).where(Booking.id == booking.id))
    assert status == "cancelled"
    # The exclusion constraint would refuse this row if the old booking still held the slot.
    again = await create_booking(db, service=service, day=day, at=booking.booking_time)
    assert again.time_range == booking.time_range
