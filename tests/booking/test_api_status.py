"""POST /bookings/{id}/status and /reschedule: the machine, who may do what, and the traces left."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from afrobiz.admin.models import AuditLog
from afrobiz.booking.models import BookingStatusHistory
from afrobiz.directory.models import Business
from afrobiz.notifications.models import Notification
from factories.accounts import create_user
from factories.booking import create_booking, create_service


async def _status(client, login, user, booking, status, reason=None):
    return await client.post(f"/api/v1/bookings/{booking.id}/status", json={"status": status, "reason": reason},
                             headers=await login(user))


async def test_owner_confirms_writes_history_audit_notification_and_count(client, login, db, owner, customer,
                                                                          service, day):
    booking = await create_booking(db, service=service, day=day, at=time(9), customer=customer)
    r = await _status(client, login, owner, booking, "confirmed")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "confirmed" and r.json()["confirmed_at"]
    assert [(h["old_status"], h["new_status"]) for h in r.json()["status_history"]] == [("pending", "confirmed")]
    assert r.json()["status_history"][0]["changed_by"] == str(owner.id)
    audit = (await db.scalars(select(AuditLog).where(AuditLog.record_id == booking.id))).one()
    assert audit.action == "booking.confirmed" and audit.user_id == owner.id
    note = (await db.scalars(select(Notification).where(Notification.user_id == customer.id))).one()
    assert note.type == "booking_confirmed"
    business = await db.get(Business, service.business_id)
    await db.refresh(business)
    assert business.booking_count == 1
    r = await _status(client, login, owner, booking, "completed")
    assert r.json()["completed_at"] and r.json()["status"] == "completed"
    await db.refresh(business)
    assert business.booking_count == 1


async def test_customer_may_only_cancel_their_own_and_before_the_deadline(client, login, db, owner, customer,
                                                                          business, day):
    svc = await create_service(db, business=business, cancellation_deadline_hours=24)
    booking = await create_booking(db, service=svc, day=day, at=time(9), customer=customer)
    assert (await _status(client, login, customer, booking, "confirmed")).status_code == 409
    assert (await _status(client, login, await create_user(db), booking, "cancelled")).status_code == 404
    r = await _status(client, login, customer, booking, "cancelled", "Plans changed")
    assert r.status_code == 200 and r.json()["cancelled_at"] and r.json()["cancellation_reason"] == "Plans changed"
    assert (await db.scalars(select(AuditLog).where(AuditLog.record_id == booking.id))).first() is None
    note = (await db.scalars(select(Notification).where(Notification.user_id == owner.id))).one()
    assert note.type == "booking_cancelled"
    # Starting within 24 hours: too late for the customer, the owner may still cancel.
    soon = datetime.now(UTC) + timedelta(hours=5)
    local = soon.astimezone(__import__("zoneinfo").ZoneInfo("Africa/Windhoek"))
    late = await create_booking(db, service=svc, day=local.date(), at=time(local.hour), customer=customer)
    r = await _status(client, login, customer, late, "cancelled")
    assert r.status_code == 409 and "until" in r.json()["detail"]
    assert (await _status(client, login, owner, late, "cancelled")).status_code == 422    # a reason is needed
    assert (await _status(client, login, owner, late, "cancelled", "Stylist ill")).status_code == 200


@pytest.mark.parametrize("path,allowed", [
    (["confirmed", "in_progress", "completed"], True),
    (["confirmed", "no_show"], True),
    (["confirmed", "completed"], True),
    (["in_progress"], False),             # pending → in_progress skips confirmation
    (["completed"], False),
    (["confirmed", "confirmed"], False),
    (["confirmed", "in_progress", "cancelled"], False),
    (["cancelled", "confirmed"], False),  # cancelled is final
])
async def test_owner_walks_the_machine(client, login, db, owner, service, day, path, allowed):
    booking = await create_booking(db, service=service, day=day, at=time(9))
    codes = [(await _status(client, login, owner, booking, s, "reason")).status_code for s in path]
    assert codes[:-1] == [200] * (len(path) - 1)
    assert codes[-1] == (200 if allowed else 409)
    history = (await db.scalars(select(BookingStatusHistory).where(BookingStatusHistory.booking_id == booking.id))
               ).all()
    assert len(history) == codes.count(200)


async def test_admin_may_make_any_move_the_machine_allows(client, login, db, service, day):
    admin = await create_user(db, role="admin")
    booking = await create_booking(db, service=service, day=day, at=time(9))
    assert (await _status(client, login, admin, booking, "confirmed")).status_code == 200
    assert (await _status(client, login, admin, booking, "no_show")).status_code == 200
    assert (await _status(client, login, admin, booking, "completed")).status_code == 409
    assert (await db.scalars(select(AuditLog).where(AuditLog.action == "booking.no_show"))).one().user_id == admin.id


async def test_status_input_is_validated(client, login, db, owner, service, day):
    booking = await create_booking(db, service=service, day=day, at=time(9))
    r = await client.post(f"/api/v1/bookings/{booking.id}/status", json={"status": "teleported"},
                          headers=await login(owner))
    assert r.status_code == 422
    assert (await client.post(f"/api/v1/bookings/{booking.id}/status", json={"status": "confirmed"})).status_code == 401


async def test_reschedule_moves_to_a_free_slot_and_frees_the_old_one(client, login, db, owner, customer, service, day):
    booking = await create_booking(db, service=service, day=day, at=time(9), customer=customer)
    other = await create_booking(db, service=service, day=day, at=time(11))
    url = f"/api/v1/bookings/{booking.id}/reschedule"
    taken = await client.post(url, json={"booking_date": day.isoformat(), "booking_time": "11:00"},
                              headers=await login(customer))
    assert taken.status_code == 409
    r = await client.post(url, json={"booking_date": day.isoformat(), "booking_time": "14:00"},
                          headers=await login(customer))
    assert r.status_code == 200, r.text
    assert r.json()["booking_time"] == "14:00" and "Rescheduled from" in r.json()["status_history"][-1]["reason"]
    # Moving onto its own (overlapping) range is fine: 14:00 → 14:00 the next day via owner.
    r = await client.post(url, json={"booking_date": (day + timedelta(days=1)).isoformat(), "booking_time": "09:00"},
                          headers=await login(owner))
    assert r.status_code == 200
    free = (await client.get(f"/api/v1/services/{service.id}/slots", params={"from": day.isoformat()})).json()
    assert {"09:00", "14:00"} <= {s["time"] for s in free} and "11:00" not in {s["time"] for s in free}
    assert other.status == "pending"
    await _status(client, login, owner, booking, "cancelled", "x")
    r = await client.post(url, json={"booking_date": day.isoformat(), "booking_time": "15:00"},
                          headers=await login(owner))
    assert r.status_code == 409


async def test_pending_bookings_nobody_answers_expire_and_free_the_slot(client, db, service, day):
    from afrobiz.booking.jobs import expire_pending_bookings
    stale = await create_booking(db, service=service, day=day, at=time(9))
    fresh = await create_booking(db, service=service, day=day, at=time(11))
    later = datetime.now(UTC) + timedelta(hours=25)
    assert len(await expire_pending_bookings(db, now=later)) == 2
    assert await expire_pending_bookings(db, now=later) == []          # safe twice
    await db.refresh(stale)
    await db.refresh(fresh)
    assert stale.status == fresh.status == "cancelled" and stale.cancelled_at == later
    free = {s["time"] for s in (await client.get(f"/api/v1/services/{service.id}/slots",
                                                 params={"from": day.isoformat()})).json()}
    assert {"09:00", "11:00"} <= free
