"""Two-way SMS through the public webhook: owners confirm/decline, customers cancel, by text
(booking/flows.py reads the texts notifications/sms_inbound.py keeps).

Requests are signed for real (HMAC-SHA256 over "t.body" with the configured secret)."""
from __future__ import annotations

import json
import random
import time as clock
import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from afrobiz.admin.models import AuditLog
from afrobiz.booking import sms
from afrobiz.booking.models import BookingStatusHistory
from afrobiz.kit.webhook_signature import sign
from afrobiz.notifications.delivery import deliver_sms_reply, deliver_text
from afrobiz.notifications.models import Notification, OutboundMessage, SmsInbound
from factories.accounts import create_user
from factories.booking import create_booking, create_service
from factories.directory import create_business
from factories.notifications import jobs

URL = "/api/v1/sms/inbound"
SECRET = "sms-test-secret"


def a_phone() -> tuple[str, str]:
    """A fresh Namibian mobile number: (as typed locally, E.164)."""
    digits = f"{random.randrange(10**6, 10**7)}"
    return f"081 {digits[:3]} {digits[3:]}", f"+26481{digits}"


@pytest.fixture
def two_way(settings):
    settings.sms_webhook_secret = SECRET
    return settings


@pytest.fixture
async def shop(db):
    local, e164 = a_phone()
    owner = await create_user(db, role="business_owner", phone=local, phone_verified=True)
    business = await create_business(db, owner=owner, name="Salon Meme")
    service = await create_service(db, business=business, name="Braids", cancellation_deadline_hours=24)
    return owner, e164, business, service


def _day():
    return (datetime.now(UTC) + timedelta(days=5)).date()


async def send(client, sender: str, text: str, *, message_id: str | None = None, secret: str = SECRET,
               at: int | None = None, signature: str | None = None):
    body = json.dumps({"id": message_id or uuid.uuid4().hex, "from": sender, "text": text}).encode()
    header = signature if signature is not None else sign(secret, body, at or int(clock.time()))
    return await client.post(URL, content=body, headers={"Content-Type": "application/json", "X-Signature": header})


async def _inbound(db, sender: str) -> list[SmsInbound]:
    return list(await db.scalars(select(SmsInbound).where(SmsInbound.from_phone == sender)
                                 .order_by(SmsInbound.received_at)))


async def _deliver_replies(db, settings) -> list[str]:
    """Run the queued reply jobs' code (the local SMS stand-in writes the outbox)."""
    for job in await jobs(db, "notifications.send_sms_reply"):
        await deliver_sms_reply(db, inbound_id=job["args"]["inbound_id"], settings=settings)
        await deliver_sms_reply(db, inbound_id=job["args"]["inbound_id"], settings=settings)  # a retry
    return list(await db.scalars(select(OutboundMessage.body).where(OutboundMessage.channel == "sms")
                                 .order_by(OutboundMessage.created_at)))


async def test_owner_confirms_a_pending_booking_by_replying_yes(client, db, shop, two_way):
    owner, owner_phone, _, service = shop
    customer = await create_user(db)
    booking = await create_booking(db, service=service, day=_day(), at=time(10), customer=customer)
    code = booking.booking_number.removeprefix("AB-").lower()          # "yes ab-…" or just the code, any case
    r = await send(client, owner_phone, f"yes {code}")
    assert r.status_code == 200 and r.json() == {"status": "accepted"}
    await db.refresh(booking)
    assert booking.status == "confirmed" and booking.confirmed_at is not None
    (history,) = (await db.scalars(select(BookingStatusHistory).where(
        BookingStatusHistory.booking_id == booking.id, BookingStatusHistory.new_status == "confirmed"))).all()
    assert history.changed_by == owner.id                               # the owner's own action
    actions = set(await db.scalars(select(AuditLog.action).where(AuditLog.record_id == booking.id)))
    assert {"booking.confirmed", "booking.sms_confirm"} <= actions
    told = await db.scalar(select(Notification).where(Notification.user_id == customer.id))
    assert told.type == "booking_confirmed" and booking.booking_number in told.title
    (row,) = await _inbound(db, owner_phone)
    assert (row.outcome, row.user_id, row.booking_id, row.command) == ("confirmed", owner.id, booking.id, "confirm")
    replies = await _deliver_replies(db, two_way)
    assert replies == [f"AfroBiz: booking {booking.booking_number} is confirmed. We have told the customer."]


async def test_owner_declines_with_no_and_the_customer_is_told_why(client, db, shop, two_way):
    _, owner_phone, _, service = shop
    customer = await create_user(db)
    booking = await create_booking(db, service=service, day=_day(), at=time(11), customer=customer)
    assert (await send(client, owner_phone, f"NO {booking.booking_number}")).status_code == 200
    await db.refresh(booking)
    assert booking.status == "cancelled" and "SMS" in booking.cancellation_reason
    told = await db.scalar(select(Notification).where(Notification.user_id == customer.id))
    assert told.type == "booking_cancelled" and "Reason:" in told.message


async def test_a_stranger_or_the_wrong_person_changes_nothing_and_learns_nothing(client, db, shop, two_way):
    _, owner_phone, _, service = shop
    customer_local, customer_phone = a_phone()
    customer = await create_user(db, phone=customer_local, phone_verified=True)
    booking = await create_booking(db, service=service, day=_day(), at=time(12), customer=customer)
    _, stranger = a_phone()
    unverified_local, unverified = a_phone()
    await create_user(db, phone=unverified_local, phone_verified=False)
    for sender, text in ((stranger, f"YES {booking.booking_number}"),     # nobody we know
                         (customer_phone, f"YES {booking.booking_number}"),  # the customer cannot confirm
                         (unverified, f"NO {booking.booking_number}"),
                         (owner_phone, f"C {booking.booking_number}")):       # the owner is not the customer
        assert (await send(client, sender, text)).status_code == 200
    await db.refresh(booking)
    assert booking.status == "pending"
    assert await db.scalar(select(func.count()).select_from(BookingStatusHistory).where(
        BookingStatusHistory.booking_id == booking.id)) == 0
    # The stranger's answer for a real booking is word for word the one for a made-up code.
    assert (await send(client, stranger, "YES AB-22222222")).status_code == 200
    real, made_up = await _inbound(db, stranger)
    assert real.outcome == made_up.outcome == "no_match" and real.booking_id is None
    assert real.reply.replace(booking.booking_number, "X") == made_up.reply.replace("AB-22222222", "X")


async def test_a_replayed_message_changes_nothing(client, db, shop, two_way):
    _, owner_phone, _, service = shop
    booking = await create_booking(db, service=service, day=_day(), at=time(13), customer=await create_user(db))
    first = await send(client, owner_phone, f"YES {booking.booking_number}", message_id="prov-msg-1")
    assert first.json() == {"status": "accepted"}
    # The same provider message again (a retry, or someone replaying it): stored once, no second change.
    again = await send(client, owner_phone, f"NO {booking.booking_number}", message_id="prov-msg-1")
    assert again.status_code == 200 and again.json() == {"status": "duplicate"}
    await db.refresh(booking)
    assert booking.status == "confirmed"
    assert len(await _inbound(db, owner_phone)) == 1
    assert len(await jobs(db, "notifications.send_sms_reply")) == 1


async def test_signature_rules(client, db, shop, two_way):
    _, owner_phone, _, service = shop
    booking = await create_booking(db, service=service, day=_day(), at=time(14), customer=await create_user(db))
    text = f"YES {booking.booking_number}"
    stale = await send(client, owner_phone, text, at=int(clock.time()) - 3600)
    wrong = await send(client, owner_phone, text, secret="not-the-secret")
    missing = await send(client, owner_phone, text, signature="")
    garbled = await send(client, owner_phone, text, signature="t=abc,v1=zz")
    for r in (stale, wrong, missing, garbled):
        assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    assert "5-minute" in stale.json()["detail"] and "does not match" in wrong.json()["detail"]
    body = b'{"from": "+264811234567"}'
    r = await client.post(URL, content=body, headers={"X-Signature": sign(SECRET, body, int(clock.time()))})
    assert r.status_code == 400 and r.json()["status"] == 400
    await db.refresh(booking)
    assert booking.status == "pending" and await _inbound(db, owner_phone) == []


async def test_not_configured_is_404(client, settings):
    settings.sms_webhook_secret = None
    r = await send(client, "+264811234567", "YES AB-22222222")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


async def test_customer_cancels_with_c_within_the_rules(client, db, shop, two_way):
    owner, _, _, service = shop
    local, phone = a_phone()
    customer = await create_user(db, phone=local, phone_verified=True)
    later = await create_booking(db, service=service, day=_day(), at=time(9), customer=customer, status="confirmed")
    soon = (datetime.now(UTC) + timedelta(hours=5)).astimezone(ZoneInfo("Africa/Windhoek"))
    too_late = await create_booking(db, service=service, day=soon.date(), at=time(soon.hour), customer=customer,
                                    status="confirmed")                     # within the 24-hour deadline
    assert (await send(client, phone, f"c {later.booking_number}")).status_code == 200
    assert (await send(client, phone, f"C {too_late.booking_number}")).status_code == 200
    await db.refresh(later)
    await db.refresh(too_late)
    assert later.status == "cancelled" and too_late.status == "confirmed"
    told = await db.scalar(select(Notification).where(Notification.user_id == owner.id))
    assert told.type == "booking_cancelled" and later.booking_number in told.title
    done, refused = await _inbound(db, phone)
    assert done.outcome == "cancelled" and refused.outcome == "refused" and "too late" in refused.reply
    assert await db.scalar(select(AuditLog.user_id).where(AuditLog.action == "booking.sms_cancel",
                                                         AuditLog.record_id == later.id)) == customer.id


async def test_a_guest_cancels_from_the_phone_on_the_booking(client, db, shop, two_way):
    owner, _, _, service = shop
    local, phone = a_phone()
    booking = await create_booking(db, service=service, day=_day(), at=time(15), customer_name="Tjeripo Guest",
                                   customer_phone=local)
    other_local, other = a_phone()
    assert (await send(client, other, f"C {booking.booking_number}")).status_code == 200
    await db.refresh(booking)
    assert booking.status == "pending"
    assert (await send(client, phone, f"C {booking.booking_number}")).status_code == 200
    await db.refresh(booking)
    assert booking.status == "cancelled"
    (history,) = (await db.scalars(select(BookingStatusHistory).where(BookingStatusHistory.booking_id == booking.id))).all()
    assert (history.old_status, history.new_status, history.changed_by) == ("pending", "cancelled", None)
    assert await db.scalar(select(Notification).where(Notification.user_id == owner.id)) is not None


async def test_unclear_texts_get_a_short_help_reply(client, db, shop, two_way):
    _, owner_phone, _, _ = shop
    for text in ("hello?", "YES", "YES please", "OK AB-22222222", "Ja AB-2222"):
        assert (await send(client, owner_phone, text)).status_code == 200
    rows = await _inbound(db, owner_phone)
    assert [r.outcome for r in rows] == ["help"] * 5
    replies = await _deliver_replies(db, two_way)
    assert replies == [sms.HELP] * 5 and len(sms.HELP) <= 160


async def test_each_sender_is_rate_limited(client, db, shop, two_way):
    _, owner_phone, _, _ = shop
    for _ in range(21):
        assert (await send(client, owner_phone, "help")).status_code == 200
    rows = await _inbound(db, owner_phone)
    assert [r.outcome for r in rows].count("rate_limited") == 1 and rows[-1].reply is None
    assert len(await jobs(db, "notifications.send_sms_reply")) == 20


@pytest.mark.parametrize(("text", "expected"), [
    ("YES AB-7K2M9PQR", ("confirm", "AB-7K2M9PQR")), ("yes ab7k2m9pqr", ("confirm", "AB-7K2M9PQR")),
    ("  No   7k2m9pqr ", ("decline", "AB-7K2M9PQR")), ("c AB-7K2M 9PQR", ("cancel", "AB-7K2M9PQR")),
    ("YES AB-7K2M9PQ", None), ("YES AB-7K2M9PQ1", None), ("maybe AB-7K2M9PQR", None), ("", None)])
def test_commands_are_read_forgivingly(text, expected):
    got = sms.parse_command(text)
    assert (got and (got.action, got.number)) == expected or (got is None and expected is None)


async def test_the_new_booking_sms_tells_the_owner_how_to_answer(client, db, login, shop, two_way):
    owner, owner_phone, _, service = shop
    customer = await create_user(db)
    r = await client.post("/api/v1/bookings", headers=await login(customer), json={
        "service_id": str(service.id), "booking_date": _day().isoformat(), "booking_time": "10:00"})
    assert r.status_code == 201, r.text
    number = r.json()["booking_number"]
    note = await db.scalar(select(Notification).where(Notification.user_id == owner.id))
    assert await deliver_text(db, notification_id=note.id, channel="sms", settings=two_way)
    text = await db.scalar(select(OutboundMessage.body).where(OutboundMessage.notification_id == note.id))
    code = number.replace("-", "")
    assert text.endswith(f"Reply YES {code} to confirm, NO {code} to decline") and len(text) <= 160
    assert r.json()["booking_number"] in text
