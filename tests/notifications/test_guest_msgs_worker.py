"""A guest books and the owner confirms, through the real app (committing requests), and a
real worker sends the guest's messages to a real SMTP server (aiosmtpd) and the SMS stand-in:
each once, even when a job is queued again and the worker runs twice.

These tests commit (a worker only sees committed rows), so each removes what it made.
"""
from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text

from afrobiz.accounts.sessions import start_session
from afrobiz.app import create_app
from afrobiz.config import Settings
from afrobiz.db.session import make_sessionmaker, set_identity
from afrobiz.notifications import jobs
from afrobiz.notifications.delivery import GUEST_SCOPE, recipient_digest
from afrobiz.worker.app import defer_in_transaction
from afrobiz.worker.run import run_worker
from factories.accounts import create_user
from factories.booking import create_service
from factories.directory import create_business
from factories.notifications import SmtpServer


@pytest.fixture
async def world(engine, tmp_path):
    sessionmaker = make_sessionmaker(engine)
    smtp = SmtpServer().start()
    settings = Settings(database_url=None, data_dir=tmp_path, smtp_url=smtp.url, base_url="https://afrobiz.example",
                        secret_key="test-secret-key", environment="test")
    made = {"users": [], "phones": [], "emails": [], "numbers": []}
    yield sessionmaker, smtp, settings, made
    smtp.stop()
    async with sessionmaker() as session, session.begin():
        await set_identity(session, None, "system")
        ids = {"ids": made["users"], "phones": made["phones"], "links": [f"/bookings/{n}" for n in made["numbers"]],
               # Each guest message's claim carries its recipient's digest (the hourly cap counts them).
               "hashes": [recipient_digest("sms", p) for p in made["phones"]]
               + [recipient_digest("email", e) for e in made["emails"]],
               "scope": GUEST_SCOPE}
        await session.execute(text(
            "DELETE FROM procrastinate.procrastinate_jobs WHERE queue_name = 'notifications' AND ("
            " args->>'notification_id' IN (SELECT id::text FROM notifications WHERE user_id = ANY(:ids))"
            " OR args->>'link' = ANY(:links))"), ids)
        await session.execute(text("DELETE FROM idempotency_keys WHERE scope = :scope AND request_hash = ANY(:hashes)"),
                              ids)
        await session.execute(text("DELETE FROM outbound_messages WHERE recipient = ANY(:phones)"), ids)
        await session.execute(text(
            "DELETE FROM bookings WHERE business_id IN (SELECT id FROM businesses WHERE owner_id = ANY(:ids))"), ids)
        await session.execute(text("DELETE FROM audit_logs WHERE user_id = ANY(:ids)"), ids)
        await session.execute(text("DELETE FROM users WHERE id = ANY(:ids)"), ids)


async def _work(database_url, engine, settings):
    await run_worker(database_url, settings, concurrency=2, wait=False, engine=engine, queues=["notifications"],
                     listen_notify=False)


async def _guest_jobs(sessionmaker, number: str) -> list[dict]:
    """The queued messages to the guest of this booking (each leads back to its page)."""
    async with sessionmaker() as session:
        return list((await session.execute(text(
            "SELECT args FROM procrastinate.procrastinate_jobs WHERE task_name = 'notifications.send_guest'"
            " AND args->>'link' = :link ORDER BY id"), {"link": f"/bookings/{number}"})).scalars())


async def test_a_guests_received_and_confirmed_messages_go_out_once(world, database_url, engine):
    sessionmaker, smtp, settings, made = world
    digits = f"{random.randrange(10**6, 10**7)}"
    phone = f"+26481{digits}"
    guest_email = f"guest-{uuid.uuid4().hex[:6]}@example.na"
    made["phones"].append(phone)
    made["emails"].append(guest_email)
    async with sessionmaker() as session, session.begin():
        await set_identity(session, None, "system")
        owner = await create_user(session, role="business_owner", email=f"owner-{uuid.uuid4().hex[:6]}@example.na")
        made["users"].append(owner.id)
        business = await create_business(session, owner=owner, name="Salon Meme")
        service = await create_service(session, business=business, name="Braids")
        token = await start_session(session, user=owner)

    app = create_app(database_url, settings)
    app.state.engine, app.state.sessionmaker = engine, make_sessionmaker(engine)
    day = (datetime.now(UTC) + timedelta(days=4)).date().isoformat()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                 base_url="http://testserver") as client:
        r = await client.post("/api/v1/bookings", json={
            "service_id": str(service.id), "booking_date": day, "booking_time": "10:00",
            "customer_name": "Tjeripo Kaura", "customer_email": guest_email, "customer_phone": f"081 {digits}"})
        assert r.status_code == 201, r.text
        booked = r.json()
        number = booked["booking_number"]
        made["numbers"].append(number)
        received = await _guest_jobs(sessionmaker, number)
        assert sorted(a["channel"] for a in received) == ["email", "sms"]
        await _work(database_url, engine, settings)
        r = await client.post(f"/api/v1/bookings/{booked['id']}/status", json={"status": "confirmed"},
                              headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text

    confirmed = await _guest_jobs(sessionmaker, number)
    assert sorted(a["channel"] for a in confirmed) == ["email", "sms"]
    assert [a["calendar"]["status"] for a in confirmed if a["channel"] == "email"] == ["CONFIRMED"]
    # Every guest job queued once more (as a queue hiccup would; the received ones long sent),
    # then two worker passes.
    async with sessionmaker() as session, session.begin():
        await set_identity(session, None, "system")
        for args in received + confirmed:
            await defer_in_transaction(session, jobs.send_guest, **args)
    await _work(database_url, engine, settings)
    await _work(database_url, engine, settings)

    to_guest = [m for m in smtp.inbox.messages if m["To"] == guest_email]
    assert [m["Subject"] for m in to_guest] == [f"Booking {number} received", f"Booking {number} confirmed"]
    (ics,) = [p for p in to_guest[1].iter_attachments() if p.get_content_type() == "text/calendar"]
    assert number in ics.get_content() and "STATUS:CONFIRMED" in ics.get_content()
    async with sessionmaker() as session:
        await set_identity(session, None, "system")
        texts = list(await session.scalars(text(
            "SELECT body FROM outbound_messages WHERE channel = 'sms' AND recipient = :p ORDER BY created_at"),
            {"p": phone}))
    assert [t.split(":")[0] for t in texts] == [f"Booking {number} received", f"Booking {number} confirmed"]
    assert all(t.endswith(f"https://afrobiz.example/bookings/{number}") for t in texts)
    # Nothing failed (the worker deletes succeeded jobs): the twins simply found it sent.
    assert await _guest_jobs(sessionmaker, number) == []

    # A job queued without a key still goes out (keyed by its own job id).
    async with sessionmaker() as session, session.begin():
        await set_identity(session, None, "system")
        await defer_in_transaction(session, jobs.send_guest, channel="sms", to=f"081 {digits}",
                                   link=f"/bookings/{number}", title="Old job",
                                   message="Queued without a key.")
    await _work(database_url, engine, settings)
    async with sessionmaker() as session:
        await set_identity(session, None, "system")
        last = await session.scalar(text(
            "SELECT body FROM outbound_messages WHERE channel = 'sms' AND recipient = :p"
            " ORDER BY created_at DESC LIMIT 1"), {"p": phone})
    assert last.startswith("Old job: Queued without a key.")
    assert await _guest_jobs(sessionmaker, number) == []
