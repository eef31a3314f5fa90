"""Races the other suites do not run: one Idempotency-Key sent ten times at once (bookings and
payments), and two admins deciding the same review at the same moment. Every request runs in
its own connection and transaction on a committed scratch database."""
from __future__ import annotations

import asyncio
import itertools
import uuid
from datetime import time, timedelta

import httpx
import pytest
from dbtools import migrated_database
from factories.booking import create_booking
from reliability_helpers import build_world
from sqlalchemy import text

from afrobiz.app import create_app
from afrobiz.config import Settings
from afrobiz.db.session import make_engine, make_sessionmaker, system_session

RACERS = 10
ROUNDS = 5


@pytest.fixture(scope="module")
def scratch_url(server_url):
    yield from migrated_database(server_url, "afrobiz_rel_race")


@pytest.fixture
async def arena(scratch_url, tmp_path):
    engine = make_engine(scratch_url, pool_size=6)
    sm = make_sessionmaker(engine)
    async with system_session(sm) as s:     # committed: every racing transaction sees it
        world = await build_world(s)
    app = create_app(scratch_url, Settings(database_url=scratch_url, data_dir=tmp_path, secret_key="race",
                                           environment="test"))
    app.state.engine, app.state.sessionmaker = engine, sm
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://race", timeout=30) as client:
        yield client, engine, sm, world
    await engine.dispose()


async def scalar(engine, sql: str, **params):
    async with engine.connect() as conn:
        await conn.execute(text("SELECT set_config('app.role', 'system', true)"))   # past RLS: count all
        return (await conn.execute(text(sql), params)).scalar()


async def test_one_idempotency_key_sent_ten_times_books_once(arena):
    client, engine, _, world = arena
    for round_ in range(ROUNDS):
        key = uuid.uuid4().hex
        body = {"service_id": str(world.a.service), "booking_date": (world.day + timedelta(days=round_ + 1)).isoformat(),
                "booking_time": "13:00"}
        headers = world.b.customer.headers | {"Idempotency-Key": key}
        answers = await asyncio.gather(*[client.post("/api/v1/bookings", json=body, headers=headers)
                                         for _ in range(RACERS)])
        statuses = sorted(r.status_code for r in answers)
        assert all(s in (201, 422) for s in statuses), statuses     # 422: "key in use by a request still running"
        created = {r.json()["id"] for r in answers if r.status_code == 201}
        assert len(created) == 1, f"round {round_}: {statuses}"
        count = await scalar(engine, "SELECT count(*) FROM bookings WHERE service_id = :s AND booking_date = :d",
                             s=world.a.service, d=world.day + timedelta(days=round_ + 1))
        assert count == 1


async def test_one_idempotency_key_sent_ten_times_pays_once(arena):
    client, engine, sm, world = arena
    for round_ in range(ROUNDS):
        async with system_session(sm) as s:
            from afrobiz.accounts.models import User
            from afrobiz.booking.models import Service
            service = await s.get(Service, world.b.service)
            customer = await s.get(User, world.b.customer.id)
            booking = await create_booking(s, service=service, day=world.day + timedelta(days=10 + round_),
                                           at=time(9), customer=customer)
        headers = world.b.customer.headers | {"Idempotency-Key": uuid.uuid4().hex}
        answers = await asyncio.gather(*[client.post(f"/api/v1/bookings/{booking.id}/payments",
                                                     json={"payment_method": "cash"}, headers=headers)
                                         for _ in range(RACERS)])
        statuses = sorted(r.status_code for r in answers)
        assert all(s in (201, 409, 422) for s in statuses), statuses
        assert len({r.json()["id"] for r in answers if r.status_code == 201}) == 1, statuses
        assert await scalar(engine, "SELECT count(*) FROM payments WHERE booking_id = :b", b=booking.id) == 1


async def test_two_admins_deciding_one_review_leave_one_consistent_history(arena):
    client, engine, sm, world = arena
    async with system_session(sm) as s:
        from factories.accounts import create_admin

        from afrobiz.accounts.sessions import start_session
        second = await create_admin(s)
        second_headers = {"Authorization": f"Bearer {await start_session(s, user=second)}"}
    for round_ in range(ROUNDS):
        async with system_session(sm) as s:
            review_id = await s.scalar(text(
                "INSERT INTO reviews (business_id, customer_id, rating, title, content, status)"
                " VALUES (:b, NULL, 2, 'Race', 'Two admins look at me', 'pending') RETURNING id"),
                {"b": world.a.business})
        url = f"/api/v1/admin/reviews/{review_id}/moderate"
        answers = await asyncio.gather(client.post(url, json={"status": "approved"}, headers=world.admin.headers),
                                       client.post(url, json={"status": "rejected"}, headers=second_headers))
        assert all(r.status_code in (200, 409) for r in answers), [r.status_code for r in answers]
        async with engine.connect() as conn:
            await conn.execute(text("SELECT set_config('app.role', 'system', false)"))
            trail = (await conn.execute(text(
                "SELECT old_values->>'status', new_values->>'status' FROM audit_logs"
                " WHERE record_id = :r AND action = 'review.moderate' ORDER BY created_at, id"),
                {"r": review_id})).all()
            final = (await conn.execute(text("SELECT status FROM reviews WHERE id = :r"), {"r": review_id})).scalar()
        assert len(trail) == sum(r.status_code == 200 for r in answers)
        # Each decision saw the one before it: some order of the history is a chain from
        # "pending" to the final state (created_at is each transaction's start, not its commit).
        chains = [order for order in itertools.permutations(trail)
                  if all(o == n for (o, _), n in zip(order, ["pending"] + [new for _, new in order]))]
        assert chains, f"round {round_}: lost update, history {trail}"
        assert str(final) == chains[0][-1][1]
