"""Guests (bookings without an account) hear about their booking by e-mail and/or SMS:
"booking received", the owner's confirmation, cancellation and move (with the .ics), reminders
and the follow-up; each message once per channel, however often its job runs.

Requests go through the HTTP API inside the test's transaction; the queued jobs' code then runs
in that same transaction (a worker cannot see uncommitted rows: test_guest_msgs_worker runs a
real one) against a real SMTP server (aiosmtpd) and the SMS stand-in (the outbox table).
"""
from __future__ import annotations

import random
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import aiosmtplib
import pytest
from sqlalchemy import func, select, text

from afrobiz.booking.errors import CancellationDeadlinePassed, TransitionNotAllowed
from afrobiz.booking.jobs import send_due_follow_ups, send_due_reminders
from afrobiz.booking.messages import tell_guest
from afrobiz.booking.models import Booking, BookingStatusHistory
from afrobiz.booking.status import cancel_as_guest
from afrobiz.errors import NotFound
from afrobiz.notifications import delivery, messages
from afrobiz.notifications import jobs as tasks
from afrobiz.notifications.models import Notification, OutboundMessage
from afrobiz.worker.app import defer_in_transaction
from factories.accounts import create_user
from factories.booking import create_booking, create_service
from factories.directory import create_business
from factories.notifications import free_port, jobs
from factories.payments import page_cookie

BASE = "https://afrobiz.example"


def a_phone() -> tuple[str, str]:
    """A fresh Namibian mobile number: (as typed locally, E.164)."""
    digits = f"{random.randrange(10**6, 10**7)}"
    return f"081 {digits[:3]} {digits[3:]}", f"+26481{digits}"


def _day():
    return (datetime.now(UTC) + timedelta(days=5)).date()


@pytest.fixture
def mail_settings(settings, smtp):
    settings.smtp_url, settings.base_url = smtp.url, BASE
    return settings


@pytest.fixture
async def shop(db):
    owner = await create_user(db, role="business_owner", email=f"owner-{random.randrange(10**9)}@example.na",
                              phone="+264612071111")
    business = await create_business(db, owner=owner, name="Salon Meme")
    service = await create_service(db, business=business, name="Braids", cancellation_deadline_hours=24)
    return owner, business, service


async def book_as_guest(client, service, *, at: str = "10:00", email: str | None = None,
                        phone: str | None = None, name: str = "Tjeripo Kaura") -> dict:
    body = {"service_id": str(service.id), "booking_date": _day().isoformat(), "booking_time": at,
            "customer_name": name}
    if email:
        body["customer_email"] = email
    if phone:
        body["customer_phone"] = phone
    r = await client.post("/api/v1/bookings", json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def run_guest_jobs(db, settings, *, twice: bool = True) -> int:
    """Run every queued guest job's code, each twice as a retried job would (the second run
    must send nothing), then drop the jobs like a worker finishing them; returns how many sent."""
    sent = 0
    for job in await jobs(db, "notifications.send_guest"):
        args = {**job["args"], "key": job["args"].get("key") or f"job-{job['id']}"}
        for _ in range(2 if twice else 1):
            sent += await delivery.deliver_to_guest(db, settings=settings, **args)
        await db.execute(text("DELETE FROM procrastinate.procrastinate_jobs WHERE id = :id"), {"id": job["id"]})
    return sent


async def texts_to(db, phone: str) -> list[str]:
    return list(await db.scalars(select(OutboundMessage.body).where(
        OutboundMessage.channel == "sms", OutboundMessage.recipient == phone).order_by(OutboundMessage.created_at)))


def ics_of(mail) -> str | None:
    for part in mail.iter_attachments():
        if part.get_content_type() == "text/calendar":
            content = part.get_content()
            return content if isinstance(content, str) else content.decode()
    return None


def plain(mail) -> str:
    return mail.get_body(("plain",)).get_content()


async def test_a_guest_gets_booking_received_by_email_and_sms_once(client, db, shop, mail_settings, smtp):
    owner, _, service = shop
    local, phone = a_phone()
    booked = await book_as_guest(client, service, email="tjeripo@example.na", phone=local)
    number = booked["booking_number"]
    queued = sorted(j["args"]["channel"] for j in await jobs(db, "notifications.send_guest"))
    assert queued == ["email", "sms"]

    assert await run_guest_jobs(db, mail_settings) == 2
    (mail,) = [m for m in smtp.inbox.messages if m["To"] == "tjeripo@example.na"]
    assert mail["Subject"] == f"Booking {number} received"
    body = plain(mail)
    assert body.startswith("Hello Tjeripo,") and "Salon Meme has your booking for Braids" in body
    assert f"{BASE}/bookings/{number}" in body                  # their way back to the booking
    assert "account" not in body                                 # a guest has none
    assert ics_of(mail) is None                                  # not confirmed yet
    assert owner.email not in mail.as_string() and owner.phone not in mail.as_string()
    (sms,) = await texts_to(db, phone)
    assert sms.startswith(f"Booking {number} received:") and sms.endswith(f"{BASE}/bookings/{number}")
    assert len(sms) <= messages.SMS_LIMIT and all(ch in messages.GSM7 for ch in sms)

    # The link opens the guest's booking page, with nobody logged in.
    page = await client.get(f"/bookings/{number}")
    assert page.status_code == 200 and number in page.text


async def test_a_guest_with_only_an_email_or_only_a_phone_gets_that_channel(client, db, shop, mail_settings, smtp):
    _, _, service = shop
    await book_as_guest(client, service, at="10:00", email="only-mail@example.na")
    local, phone = a_phone()
    await book_as_guest(client, service, at="11:00", phone=local)
    assert sorted(j["args"]["channel"] for j in await jobs(db, "notifications.send_guest")) == ["email", "sms"]
    assert await run_guest_jobs(db, mail_settings) == 2
    assert [m["To"] for m in smtp.inbox.messages if m["Subject"].endswith("received")] == ["only-mail@example.na"]
    assert len(await texts_to(db, phone)) == 1


async def test_a_registered_customer_finds_booking_received_in_the_inbox(client, db, login, shop):
    _, _, service = shop
    customer = await create_user(db)
    r = await client.post("/api/v1/bookings", headers=await login(customer), json={
        "service_id": str(service.id), "booking_date": _day().isoformat(), "booking_time": "10:00"})
    assert r.status_code == 201, r.text
    (note,) = (await db.scalars(select(Notification).where(Notification.user_id == customer.id))).all()
    assert note.title == f"Booking {r.json()['booking_number']} received" and not note.is_read
    assert note.data["event"] == "booking.received"              # not the owner's YES/NO event
    # In-app only: the business's confirmation is what goes out by e-mail and SMS.
    assert await db.scalar(text("SELECT count(*) FROM procrastinate.procrastinate_jobs"
                                " WHERE args->>'notification_id' = :n"), {"n": str(note.id)}) == 0
    assert await jobs(db, "notifications.send_guest") == []


async def test_owner_confirms_the_guest_gets_one_email_with_the_ics_and_one_sms(
        client, db, login, shop, mail_settings, smtp):
    owner, _, service = shop
    local, phone = a_phone()
    booked = await book_as_guest(client, service, email="tjeripo@example.na", phone=local)
    number = booked["booking_number"]
    await run_guest_jobs(db, mail_settings)                       # "received"
    smtp.inbox.messages.clear()

    r = await client.post(f"/api/v1/bookings/{booked['id']}/status", headers=await login(owner),
                          json={"status": "confirmed"})
    assert r.status_code == 200, r.text
    # The same jobs queued twice more, as a queue hiccup would, and each run twice (a retry).
    for job in await jobs(db, "notifications.send_guest"):
        await defer_in_transaction(db, tasks.send_guest, **job["args"])
    assert len(await jobs(db, "notifications.send_guest")) == 4
    assert await run_guest_jobs(db, mail_settings) == 2

    (mail,) = smtp.inbox.messages
    assert mail["To"] == "tjeripo@example.na" and mail["Subject"] == f"Booking {number} confirmed"
    assert "Salon Meme confirmed your booking" in plain(mail)
    assert "booking.ics adds the booking to your calendar" in plain(mail)
    ics = ics_of(mail)
    assert ics and f"UID:{booked['id']}@afrobiz.na" in ics and "STATUS:CONFIRMED" in ics
    assert re.match(r"<guest-[0-9a-f]{32}@", mail["Message-ID"])      # stable per message: servers drop twins
    confirmed = [t for t in await texts_to(db, phone) if "confirmed" in t]
    assert len(confirmed) == 1 and confirmed[0].startswith(f"Booking {number} confirmed: Salon Meme confirmed")
    assert len(confirmed[0]) <= messages.SMS_LIMIT


async def test_owner_cancels_the_guest_is_told_why(client, db, login, shop, mail_settings, smtp):
    owner, _, service = shop
    local, phone = a_phone()
    booked = await book_as_guest(client, service, email="tjeripo@example.na", phone=local)
    await run_guest_jobs(db, mail_settings)
    smtp.inbox.messages.clear()
    r = await client.post(f"/api/v1/bookings/{booked['id']}/status", headers=await login(owner),
                          json={"status": "cancelled", "reason": "Power cut"})
    assert r.status_code == 200, r.text
    assert await run_guest_jobs(db, mail_settings) == 2
    (mail,) = smtp.inbox.messages
    assert mail["Subject"] == f"Booking {booked['booking_number']} cancelled"
    assert "Reason: Power cut" in plain(mail) and "marks the booking as cancelled" in plain(mail)
    assert "STATUS:CANCELLED" in ics_of(mail)
    (sms,) = [t for t in await texts_to(db, phone) if "cancelled" in t]
    assert "Reason: Power cut" in sms


async def test_owner_moves_the_booking_the_guest_gets_the_new_time(client, db, login, shop, mail_settings, smtp):
    owner, _, service = shop
    local, phone = a_phone()
    booked = await book_as_guest(client, service, email="tjeripo@example.na", phone=local)
    await run_guest_jobs(db, mail_settings)
    smtp.inbox.messages.clear()
    r = await client.post(f"/api/v1/bookings/{booked['id']}/reschedule", headers=await login(owner),
                          json={"booking_date": _day().isoformat(), "booking_time": "13:00"})
    assert r.status_code == 200, r.text
    assert await run_guest_jobs(db, mail_settings) == 2
    (mail,) = smtp.inbox.messages
    assert f"to {_day().isoformat()} 13:00" in plain(mail)
    assert f"DTSTART:{_day():%Y%m%d}T110000Z" in ics_of(mail)                 # 13:00 in Windhoek
    (sms,) = [t for t in await texts_to(db, phone) if "moved" in t]
    assert f"to {_day().isoformat()} 13:00" in sms


async def test_each_guest_hears_only_of_their_own_booking(client, db, login, shop, mail_settings, smtp):
    owner, _, service = shop
    first = await book_as_guest(client, service, at="10:00", email="first@example.na", name="First Guest")
    second = await book_as_guest(client, service, at="11:00", email="second@example.na", name="Second Guest")
    for b in (first, second):
        assert (await client.post(f"/api/v1/bookings/{b['id']}/status", headers=await login(owner),
                                  json={"status": "confirmed"})).status_code == 200
    await run_guest_jobs(db, mail_settings)
    for me, other in ((first, second), (second, first)):
        mine = [m for m in smtp.inbox.messages if me["booking_number"] in m.as_string()]
        assert {m["To"] for m in mine} == {me["customer_email"]}
        assert all(other["booking_number"] not in m.as_string() and other["customer_name"] not in m.as_string()
                   for m in mine)


async def test_an_smtp_outage_is_retried_then_sent_once(client, db, shop, mail_settings, smtp):
    _, _, service = shop
    booked = await book_as_guest(client, service, email="tjeripo@example.na")
    (job,) = await jobs(db, "notifications.send_guest")
    args = job["args"]
    down = mail_settings.model_copy(update={"smtp_url": f"smtp://127.0.0.1:{free_port()}"})
    with pytest.raises((OSError, aiosmtplib.SMTPException)):
        async with db.begin_nested():        # the job's transaction: rolled back with the failure
            await delivery.deliver_to_guest(db, settings=down, **args)
    for _ in range(2):
        await delivery.deliver_to_guest(db, settings=mail_settings, **args)
    assert [m["Subject"] for m in smtp.inbox.messages] == [f"Booking {booked['booking_number']} received"]


async def test_guest_messages_never_go_to_an_account_holders_contact(db, shop):
    _, _, service = shop
    customer = await create_user(db, email="member@example.na")
    booking = await create_booking(db, service=service, day=_day(), at=time(10), customer=customer,
                                   customer_email="member@example.na")
    # Anyone with an account is told through notify() and their own choices, never as a guest.
    assert await tell_guest(db, booking, title="t", message="m") == 0
    assert await jobs(db, "notifications.send_guest") == []


async def test_reminders_and_the_follow_up_reach_guests(client, db, shop, mail_settings, smtp):
    owner, business, service = shop
    windhoek = ZoneInfo("Africa/Windhoek")
    start = (datetime.now(UTC) + timedelta(days=3)).astimezone(windhoek).replace(minute=0, second=0, microsecond=0)
    local, phone = a_phone()
    guest = await create_booking(db, service=service, day=start.date(), at=time(start.hour), status="confirmed",
                                 customer_name="Tjeripo Kaura", customer_email="tjeripo@example.na",
                                 customer_phone=local, created_at=start - timedelta(days=3))
    assert await send_due_reminders(db, now=start - timedelta(hours=23), settings=mail_settings) == [guest.id]
    assert await run_guest_jobs(db, mail_settings) == 2
    (mail,) = smtp.inbox.messages
    assert mail["Subject"] == "Reminder: Salon Meme tomorrow" and ics_of(mail) is None
    (sms,) = await texts_to(db, phone)
    assert sms.startswith("Reminder: Salon Meme tomorrow") and len(sms) <= messages.SMS_LIMIT

    guest.status, guest.completed_at = "completed", start + timedelta(hours=1)
    await db.flush()
    assert await send_due_follow_ups(db, now=start + timedelta(hours=4), settings=mail_settings) == [guest.id]
    assert await run_guest_jobs(db, mail_settings) == 2
    follow_up = smtp.inbox.messages[-1]
    review_url = f"{BASE}/b/{business.slug}/review?booking={guest.id}"
    assert follow_up["Subject"] == "How was Salon Meme?" and review_url in plain(follow_up)


async def test_the_follow_up_link_opens_the_review_form_with_the_booking_chosen(client, db, shop, settings):
    _, business, service = shop
    customer = await create_user(db)
    done = datetime.now(UTC) - timedelta(hours=3)
    booking = await create_booking(db, service=service, day=done.date(), at=time(8), customer=customer,
                                   status="completed", completed_at=done)
    assert await send_due_follow_ups(db, now=datetime.now(UTC), settings=settings) == [booking.id]
    note = await db.scalar(select(Notification).where(Notification.user_id == customer.id))
    path = note.data["url"].removeprefix(settings.base_url.rstrip("/"))
    page = await client.get(path, headers=await page_cookie(db, customer))
    assert page.status_code == 200, page.text
    assert f'<option value="{booking.id}" selected' in page.text


# ---------------------------------------------------------------- cancelling as a guest


async def test_cancel_as_guest_applies_the_customers_rules(db, shop):
    owner, _, service = shop
    later = await create_booking(db, service=service, day=_day(), at=time(9), status="confirmed",
                                 customer_name="Tjeripo Kaura", customer_phone="0811234567")
    done = await cancel_as_guest(db, booking=later, reason="Cannot come")
    assert (done.status, done.cancellation_reason) == ("cancelled", "Cannot come") and done.cancelled_at
    (history,) = (await db.scalars(select(BookingStatusHistory).where(
        BookingStatusHistory.booking_id == later.id))).all()
    assert (history.old_status, history.new_status, history.changed_by) == ("confirmed", "cancelled", None)
    told = await db.scalar(select(Notification).where(Notification.user_id == owner.id))
    assert told.type == "booking_cancelled" and "Tjeripo Kaura cancelled" in told.message

    with pytest.raises(TransitionNotAllowed):                    # already cancelled
        await cancel_as_guest(db, booking=later, reason=None)
    soon = (datetime.now(UTC) + timedelta(hours=5)).astimezone(ZoneInfo("Africa/Windhoek"))
    too_late = await create_booking(db, service=service, day=soon.date(), at=time(soon.hour),
                                    status="confirmed", customer_phone="0811234567")
    with pytest.raises(CancellationDeadlinePassed):
        await cancel_as_guest(db, booking=too_late, reason=None)
    member = await create_booking(db, service=service, day=_day(), at=time(11), customer=await create_user(db))
    with pytest.raises(NotFound):                                # someone's account: not a guest's to cancel
        await cancel_as_guest(db, booking=member, reason=None)
    await db.refresh(too_late)
    await db.refresh(member)
    assert (too_late.status, member.status) == ("confirmed", "pending")
    assert await db.scalar(select(func.count()).select_from(BookingStatusHistory).where(
        BookingStatusHistory.booking_id.in_([too_late.id, member.id]))) == 0


async def test_a_guests_sms_cancel_goes_through_cancel_as_guest(client, db, shop, settings, monkeypatch):
    import json
    import time as clock
    import uuid

    from afrobiz.booking import status
    from afrobiz.notifications import sms_inbound

    owner, _, service = shop
    settings.sms_webhook_secret = "guest-sms-secret"
    local, phone = a_phone()
    booking = await create_booking(db, service=service, day=_day(), at=time(15), customer_name="Tjeripo Kaura",
                                   customer_phone=local)
    calls = []
    real = status.cancel_as_guest

    async def spy(session, **kwargs):
        calls.append(kwargs["booking"].id)
        return await real(session, **kwargs)

    monkeypatch.setattr(status, "cancel_as_guest", spy)
    body = json.dumps({"id": uuid.uuid4().hex, "from": phone, "text": f"C {booking.booking_number}"}).encode()
    r = await client.post("/api/v1/sms/inbound", content=body, headers={
        "Content-Type": "application/json",
        "X-Signature": sms_inbound.sign("guest-sms-secret", body, int(clock.time()))})
    assert r.status_code == 200 and r.json() == {"status": "accepted"}
    assert calls == [booking.id]
    await db.refresh(booking)
    assert booking.status == "cancelled" and booking.cancellation_reason == "Cancelled by the customer (SMS)"
    assert await db.scalar(select(Notification).where(Notification.user_id == owner.id)) is not None
    stored = await db.scalar(select(Booking.status).where(Booking.id == booking.id))
    assert stored == "cancelled"


async def test_a_guest_who_cancels_by_text_gets_the_cancelled_ics_by_email(db, shop, mail_settings, smtp):
    owner, _, service = shop
    local, phone = a_phone()
    with_mail = await create_booking(db, service=service, day=_day(), at=time(9), status="confirmed",
                                     customer_phone=local, customer_email="tjeripo@example.na")
    await cancel_as_guest(db, booking=with_mail, reason="Cannot come")
    queued = await jobs(db, "notifications.send_guest")
    assert [j["args"]["channel"] for j in queued] == ["email"]     # the text was answered by text
    assert await run_guest_jobs(db, mail_settings) == 1
    (mail,) = smtp.inbox.messages
    assert mail["To"] == "tjeripo@example.na"
    assert mail["Subject"] == f"Booking {with_mail.booking_number} cancelled"
    assert "You cancelled your booking at" in plain(mail) and "STATUS:CANCELLED" in ics_of(mail)
    phone_only = await create_booking(db, service=service, day=_day(), at=time(11), status="confirmed",
                                      customer_phone=local)
    await cancel_as_guest(db, booking=phone_only, reason=None)
    assert await jobs(db, "notifications.send_guest") == []
