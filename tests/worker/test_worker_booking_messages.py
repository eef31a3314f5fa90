"""The issue's "done means", end to end: the real app (committing requests), a real worker, a
real SMTP server (aiosmtpd) and real HMAC-signed inbound SMS.

These tests commit (a worker only sees committed rows), so each removes what it made.
"""
from __future__ import annotations

import asyncio
import json
import random
import time as clock
import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import text

from afrobiz.accounts.sessions import start_session
from afrobiz.app import create_app
from afrobiz.booking.models import BookingStatus
from afrobiz.booking.status import change_status
from afrobiz.config import Settings
from afrobiz.db.session import make_sessionmaker, set_identity
from afrobiz.notifications import jobs, sms_inbound
from afrobiz.booking.jobs import send_due_reminders
from afrobiz.worker.app import defer_in_transaction
from afrobiz.worker.run import run_worker
from factories.accounts import create_user
from factories.booking import create_booking, create_service
from factories.directory import create_business
from factories.notifications import SmtpServer

SECRET = "worker-sms-secret"


def a_phone() -> str:
    return f"+26481{random.randrange(10**6, 10**7)}"


@pytest.fixture
async def world(engine, tmp_path):
    """Committing sessions, an SMTP server, settings pointing at it, and what to delete after."""
    sessionmaker = make_sessionmaker(engine)
    smtp = SmtpServer().start()
    settings = Settings(database_url=None, data_dir=tmp_path, smtp_url=smtp.url, base_url="https://afrobiz.example",
                        sms_webhook_secret=SECRET, secret_key="test-secret-key", environment="test")
    made = {"users": [], "phones": []}
    yield sessionmaker, smtp, settings, made
    smtp.stop()
    async with sessionmaker() as session, session.begin():
        await set_identity(session, None, "system")
        ids = {"ids": made["users"], "phones": made["phones"]}
        await session.execute(text(
            "DELETE FROM procrastinate.procrastinate_jobs WHERE queue_name = 'notifications' AND ("
            " args->>'notification_id' IN (SELECT id::text FROM notifications WHERE user_id = ANY(:ids))"
            " OR args->>'inbound_id' IN (SELECT id::text FROM sms_inbound WHERE from_phone = ANY(:phones)))"), ids)
        await session.execute(text("DELETE FROM sms_inbound WHERE from_phone = ANY(:phones)"), ids)
        await session.execute(text("DELETE FROM outbound_messages WHERE recipient = ANY(:phones)"), ids)
        await session.execute(text(
            "DELETE FROM bookings WHERE customer_id = ANY(:ids) OR business_id IN"
            " (SELECT id FROM businesses WHERE owner_id = ANY(:ids))"), ids)
        await session.execute(text("DELETE FROM audit_logs WHERE user_id = ANY(:ids)"), ids)
        await session.execute(text("DELETE FROM users WHERE id = ANY(:ids)"), ids)


async def _work(database_url, engine, settings):
    await run_worker(database_url, settings, concurrency=2, wait=False, engine=engine, queues=["notifications"],
                     listen_notify=False)


def _signed(sender: str, body_text: str, message_id: str) -> tuple[bytes, dict]:
    body = json.dumps({"id": message_id, "from": sender, "text": body_text}).encode()
    return body, {"Content-Type": "application/json",
                  "X-Signature": sms_inbound.sign(SECRET, body, int(clock.time()))}


async def _outbox(sessionmaker, phone: str) -> list[str]:
    async with sessionmaker() as session:
        await set_identity(session, None, "system")
        return list(await session.scalars(text(
            "SELECT body FROM outbound_messages WHERE channel = 'sms' AND recipient = :p ORDER BY created_at"),
            {"p": phone}))


async def test_booking_confirmed_by_the_owners_sms_emails_the_customer_exactly_once(world, database_url, engine):
    sessionmaker, smtp, settings, made = world
    owner_phone, stranger = a_phone(), a_phone()
    made["phones"] += [owner_phone, stranger]
    async with sessionmaker() as session, session.begin():
        await set_identity(session, None, "system")
        owner = await create_user(session, role="business_owner", phone=owner_phone, phone_verified=True,
                                  email=f"owner-{uuid.uuid4().hex[:6]}@example.na")
        customer = await create_user(session, first_name="Ndapewa", email=f"nd-{uuid.uuid4().hex[:6]}@example.na")
        made["users"] += [owner.id, customer.id]
        business = await create_business(session, owner=owner, name="Salon Meme")
        service = await create_service(session, business=business, name="Braids")
        token = await start_session(session, user=customer)

    app = create_app(database_url, settings)
    app.state.engine, app.state.sessionmaker = engine, make_sessionmaker(engine)
    day = (datetime.now(UTC) + timedelta(days=4)).date().isoformat()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                 base_url="http://testserver") as client:
        made_ = []
        for at in ("10:00", "11:00"):
            r = await client.post("/api/v1/bookings", headers={"Authorization": f"Bearer {token}"},
                                  json={"service_id": str(service.id), "booking_date": day, "booking_time": at})
            assert r.status_code == 201, r.text
            made_.append(r.json())
        first, second = made_

        # The owner confirms the second one in a request that then fails: rolled back, nothing sent.
        async with sessionmaker() as session, session.begin():
            await set_identity(session, owner.id, "business_owner")
            await change_status(session, booking_id=uuid.UUID(second["id"]), user=owner,
                                new_status=BookingStatus.CONFIRMED)
            await session.rollback()

        # The owner answers the first one by SMS; a stranger tries the second; the first is replayed.
        body, headers = _signed(owner_phone, f"YES {first['booking_number'].replace('-', '')}", "prov-1")
        assert (await client.post("/api/v1/sms/inbound", content=body, headers=headers)).json() == {
            "status": "accepted"}
        body2, headers2 = _signed(stranger, f"YES {second['booking_number']}", "prov-2")
        assert (await client.post("/api/v1/sms/inbound", content=body2, headers=headers2)).status_code == 200
        replay = await client.post("/api/v1/sms/inbound", content=body, headers=headers)
        assert replay.json() == {"status": "duplicate"}
        stale_body, stale_headers = _signed(owner_phone, f"NO {first['booking_number']}", "prov-3")
        stale_headers["X-Signature"] = sms_inbound.sign(SECRET, stale_body, int(clock.time()) - 900)
        assert (await client.post("/api/v1/sms/inbound", content=stale_body, headers=stale_headers)).status_code == 400

        await _work(database_url, engine, settings)
        await _work(database_url, engine, settings)                      # a second pass finds nothing new

        headers_me = {"Authorization": f"Bearer {token}"}
        statuses = {b["booking_number"]: b["status"] for b in
                    (await client.get("/api/v1/me/bookings", headers=headers_me)).json()["items"]}
    assert statuses == {first["booking_number"]: "confirmed", second["booking_number"]: "pending"}

    to_customer = [m for m in smtp.inbox.messages if m["To"] == customer.email]
    assert [m["Subject"] for m in to_customer] == [f"Booking {first['booking_number']} confirmed"]
    (ics,) = [p for p in to_customer[0].iter_attachments() if p.get_content_type() == "text/calendar"]
    assert first["booking_number"] in ics.get_content()
    to_owner = sorted(m["Subject"] for m in smtp.inbox.messages if m["To"] == owner.email)
    assert to_owner == sorted(f"New booking {b['booking_number']}" for b in (first, second))
    owner_texts = await _outbox(sessionmaker, owner_phone)
    assert [t for t in owner_texts if t.startswith("AfroBiz: booking")] == [
        f"AfroBiz: booking {first['booking_number']} is confirmed. We have told the customer."]
    new_booking_texts = [t for t in owner_texts if t.startswith("New booking")]
    assert len(new_booking_texts) == 2 and all("Reply YES AB" in t for t in new_booking_texts)
    assert len(await _outbox(sessionmaker, stranger)) == 1                # the generic "no booking" answer


async def test_a_reminder_goes_out_once_with_two_workers_and_a_retried_job(world, database_url, engine):
    sessionmaker, smtp, settings, made = world
    windhoek = ZoneInfo("Africa/Windhoek")
    start = (datetime.now(UTC) + timedelta(days=3)).astimezone(windhoek).replace(minute=0, second=0, microsecond=0)
    async with sessionmaker() as session, session.begin():
        await set_identity(session, None, "system")
        owner, customer = await create_user(session, role="business_owner"), await create_user(session)
        made["users"] += [owner.id, customer.id]
        business = await create_business(session, owner=owner, name="Salon Meme")
        service = await create_service(session, business=business, name="Braids")
        await create_booking(session, service=service, day=start.date(), at=time(start.hour), customer=customer,
                             status="confirmed", created_at=start - timedelta(days=3))

    async def one_worker(now):
        async with sessionmaker() as session, session.begin():
            await set_identity(session, None, "system")
            return await send_due_reminders(session, now=now, settings=settings)

    assert await one_worker(start - timedelta(hours=25)) == []                     # not yet
    results = await asyncio.gather(one_worker(start - timedelta(hours=23, minutes=58)),
                                   one_worker(start - timedelta(hours=23, minutes=58)))
    assert sorted(len(r) for r in results) == [0, 1]
    # The same delivery queued again, as a retried job would be.
    async with sessionmaker() as session, session.begin():
        await set_identity(session, None, "system")
        nid = await session.scalar(text("SELECT id FROM notifications WHERE user_id = :u"), {"u": customer.id})
        await defer_in_transaction(session, jobs.send_email, notification_id=str(nid))
    # Two job slots at once: both deliveries of the one reminder may run side by side.
    await _work(database_url, engine, settings)
    await _work(database_url, engine, settings)
    assert [m["Subject"] for m in smtp.inbox.messages if m["To"] == customer.email] == ["Reminder: Salon Meme tomorrow"]


async def test_account_emails_are_queued_jobs_sent_by_the_worker(world, database_url, engine):
    sessionmaker, smtp, settings, made = world
    email = f"reset-{uuid.uuid4().hex[:6]}@example.na"
    async with sessionmaker() as session, session.begin():
        await set_identity(session, None, "system")
        user = await create_user(session, email=email)
        made["users"].append(user.id)
    app = create_app(database_url, settings)
    app.state.engine, app.state.sessionmaker = engine, make_sessionmaker(engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                 base_url="http://testserver") as client:
        r = await client.post("/api/v1/auth/password-reset", json={"email": email})
        assert r.status_code in (200, 202, 204), r.text
    assert smtp.inbox.messages == []                 # nothing sent by the web process itself
    async with sessionmaker() as session:
        queued = (await session.execute(text(
            "SELECT id, args->>'to' FROM procrastinate.procrastinate_jobs"
            " WHERE task_name = 'notifications.send_account_email' AND args->>'to' = :e"), {"e": email})).all()
    assert len(queued) == 1
    await _work(database_url, engine, settings)
    (mail,) = [m for m in smtp.inbox.messages if m["To"] == email]
    assert mail["Subject"] == "Reset your AfroBiz Connect password"
    assert "/reset-password?token=" in mail.get_body(("plain",)).get_content()
    assert mail["Message-ID"] == f"<account-mail-{queued[0][0]}@afrobiz.na>"
