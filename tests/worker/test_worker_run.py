"""A real worker (in-process) against committed data and a real SMTP server.

These tests commit (a worker only sees committed rows), so each removes what it made.
"""
from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.config import Settings
from afrobiz.db.session import make_sessionmaker, set_identity
from afrobiz.notifications import jobs
from afrobiz.booking.jobs import send_due_reminders
from afrobiz.notifications.service import notify
from afrobiz.worker.app import defer_in_transaction
from afrobiz.worker.run import failed_jobs, run_worker
from factories.accounts import create_user
from factories.booking import create_booking, create_service
from factories.directory import create_business
from factories.notifications import SmtpServer, free_port


@pytest.fixture
async def committed(engine):
    """A sessionmaker whose transactions commit, and a list of user ids to delete afterwards
    (their notifications, businesses and bookings go with them)."""
    sessionmaker = make_sessionmaker(engine)
    users: list[uuid.UUID] = []
    yield sessionmaker, users
    async with sessionmaker() as session, session.begin():
        await set_identity(session, None, "system")
        ids = {"ids": users}
        await session.execute(text(
            "DELETE FROM procrastinate.procrastinate_jobs WHERE queue_name <> 'notifications' OR"
            " args->>'notification_id' IN (SELECT id::text FROM notifications WHERE user_id = ANY(:ids))"), ids)
        await session.execute(text(
            "DELETE FROM bookings WHERE customer_id = ANY(:ids) OR business_id IN"
            " (SELECT id FROM businesses WHERE owner_id = ANY(:ids))"), ids)
        await session.execute(text("DELETE FROM users WHERE id = ANY(:ids)"), ids)


def _settings(tmp_path, smtp_url: str) -> Settings:
    return Settings(database_url=None, data_dir=tmp_path, smtp_url=smtp_url, environment="test")


async def _work(database_url, engine, settings):
    # The notifications queue only: the periodic jobs the worker schedules are not this test's.
    await run_worker(database_url, settings, concurrency=2, wait=False, engine=engine, queues=["notifications"],
                     listen_notify=False)


async def _job_states(sessionmaker, nid) -> list[tuple[str, int]]:
    async with sessionmaker() as session:
        rows = await session.execute(text(
            "SELECT status::text, attempts FROM procrastinate.procrastinate_jobs"
            " WHERE args->>'notification_id' = :nid ORDER BY id"), {"nid": str(nid)})
        return [tuple(r) for r in rows]


async def test_committed_notification_is_emailed_exactly_once_even_when_queued_twice(
        committed, database_url, engine, tmp_path):
    sessionmaker, users = committed
    smtp = SmtpServer().start()
    try:
        async with sessionmaker() as session, session.begin():
            await set_identity(session, None, "system")
            user = await create_user(session, email=f"{uuid.uuid4().hex[:8]}@example.na")
            users.append(user.id)
            n = await notify(session, user_id=user.id, type="booking_confirmed", title="Booking confirmed",
                             message="Braids at Salon Meme, Fri 14 Jun at 10:00.")
            # The same delivery queued a second time (say, a retried request).
            await defer_in_transaction(session, jobs.send_email, notification_id=str(n.id))
        async with sessionmaker() as session, session.begin():
            await set_identity(session, None, "system")
            rolled_back = await notify(session, user_id=user.id, type="booking_confirmed", title="Never sent",
                                       message="This request failed.")
            await session.rollback()

        await _work(database_url, engine, _settings(tmp_path, smtp.url))

        assert [m["Subject"] for m in smtp.inbox.messages] == ["Booking confirmed"]
        assert smtp.inbox.envelopes[0][1] == [user.email]
        async with sessionmaker() as session:
            await set_identity(session, None, "system")
            row = (await session.execute(text("SELECT email_sent, sent_at FROM notifications WHERE id = :id"),
                                         {"id": n.id})).one()
        assert row.email_sent and row.sent_at is not None
        assert await _job_states(sessionmaker, n.id) == []              # both succeeded (and were cleared)
        assert await _job_states(sessionmaker, rolled_back.id) == []
    finally:
        smtp.stop()


async def test_smtp_outage_is_retried_then_delivered_once(committed, database_url, engine, tmp_path):
    sessionmaker, users = committed
    port = free_port()
    settings = _settings(tmp_path, f"smtp://127.0.0.1:{port}")
    async with sessionmaker() as session, session.begin():
        await set_identity(session, None, "system")
        user = await create_user(session)
        users.append(user.id)
        n = await notify(session, user_id=user.id, type="payment_received", title="Payment received",
                         message="N$150.00 for booking AB7K2M.")

    await _work(database_url, engine, settings)                          # nothing listens on the port
    assert await _job_states(sessionmaker, n.id) == [("todo", 1)]        # kept, scheduled for a retry

    smtp = SmtpServer(port).start()
    try:
        async with sessionmaker() as session, session.begin():          # skip the back-off wait
            await session.execute(text("UPDATE procrastinate.procrastinate_jobs SET scheduled_at = now()"
                                       " WHERE args->>'notification_id' = :nid"), {"nid": str(n.id)})
        await _work(database_url, engine, settings)
        await _work(database_url, engine, settings)
        assert [m["Subject"] for m in smtp.inbox.messages] == ["Payment received"]
        assert await _job_states(sessionmaker, n.id) == []
    finally:
        smtp.stop()


async def test_a_job_that_keeps_failing_stays_visible(committed, database_url, engine, tmp_path):
    sessionmaker, users = committed
    async with sessionmaker() as session, session.begin():
        await set_identity(session, None, "system")
        user = await create_user(session)
        users.append(user.id)
        n = await notify(session, user_id=user.id, type="system_announcement", title="Hello", message="m")
    settings = _settings(tmp_path, f"smtp://127.0.0.1:{free_port()}")
    async with sessionmaker() as session, session.begin():              # its last allowed attempt
        await session.execute(text("UPDATE procrastinate.procrastinate_jobs SET attempts = 12"
                                   " WHERE args->>'notification_id' = :nid"), {"nid": str(n.id)})
    await _work(database_url, engine, settings)
    assert [status for status, _ in await _job_states(sessionmaker, n.id)] == ["failed"]
    assert any(j["args"] == {"notification_id": str(n.id)} for j in await failed_jobs(database_url))


async def test_two_workers_remind_a_booking_once(committed, engine, tmp_path):
    sessionmaker, users = committed
    day = date(2031, 3, 7)
    start = datetime(2031, 3, 7, 8, 0, tzinfo=UTC)
    async with sessionmaker() as session, session.begin():
        await set_identity(session, None, "system")
        owner, customer = await create_user(session, role="business_owner"), await create_user(session)
        users += [owner.id, customer.id]
        business = await create_business(session, owner=owner)
        service = await create_service(session, business=business)
        booking = await create_booking(session, service=service, day=day, at=time(10), customer=customer,
                                       status="confirmed", created_at=start - timedelta(days=3))
    settings = _settings(tmp_path, "smtp://127.0.0.1:1")

    async def one_worker():
        async with sessionmaker() as session, session.begin():
            await set_identity(session, None, "system")
            return await send_due_reminders(session, now=start - timedelta(hours=23), settings=settings)

    results = await asyncio.gather(one_worker(), one_worker())
    assert sorted(len(r) for r in results) == [0, 1] and booking.id in results[0] + results[1]
    assert await one_worker() == []                                      # and not again later
    async with sessionmaker() as session:
        await set_identity(session, None, "system")
        count = await session.scalar(text("SELECT count(*) FROM notifications WHERE user_id = :u"),
                                     {"u": customer.id})
    assert count == 1
