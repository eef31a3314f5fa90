"""Idempotent payment creation on a committed database, through the real HTTP app: one
Idempotency-Key sent 10 times one after another and 10 times at once makes exactly one payment,
in either order. (tests/reliability/test_reliability_races.py sends 10 at once only; here the
sequential retries after commit, and the two mixed, are what is checked.)"""
from __future__ import annotations

import asyncio
import uuid
from datetime import time, timedelta

import httpx
import pytest
from dbtools import migrated_database
from factories.accounts import create_user
from factories.booking import create_booking, create_service, windhoek_today
from factories.directory import create_business
from factories.payments import payment_settings, set_bank
from sqlalchemy import text

from afrobiz.accounts.sessions import start_session
from afrobiz.app import create_app
from afrobiz.db.session import make_engine, make_sessionmaker, system_session

RETRIES = 10


@pytest.fixture(scope="module")
def committed_url(server_url):
    yield from migrated_database(server_url, "afrobiz_pay_retry")


@pytest.fixture
async def arena(committed_url, tmp_path):
    engine = make_engine(committed_url, pool_size=6)
    sm = make_sessionmaker(engine)
    day = windhoek_today() + timedelta(days=4)
    async with system_session(sm) as s:       # committed: every request's transaction sees it
        owner = await create_user(s, role="business_owner")
        customer = await create_user(s, phone="+264811112222")
        business = await create_business(s, owner=owner, name="Retry Test Salon")
        await set_bank(s, business)
        service = await create_service(s, business=business, name="Cut")
        bookings = [await create_booking(s, service=service, day=day, at=time(h), customer=customer)
                    for h in (9, 11)]
        token = await start_session(s, user=customer)
    app = create_app(committed_url, payment_settings(tmp_path, database_url=committed_url))
    app.state.engine, app.state.sessionmaker = engine, sm
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://retry", timeout=60) as client:
        yield client, engine, [b.id for b in bookings], {"Authorization": f"Bearer {token}"}
    await engine.dispose()


async def _count(engine, booking_id) -> int:
    async with engine.connect() as conn:
        await conn.execute(text("SELECT set_config('app.role', 'system', true)"))   # past RLS: count all
        return (await conn.execute(text("SELECT count(*) FROM payments WHERE booking_id = :b"),
                                   {"b": booking_id})).scalar()


def _post(client, booking_id, headers):
    return client.post(f"/api/v1/bookings/{booking_id}/payments", json={"payment_method": "bank_transfer"},
                       headers=headers)


async def test_sequential_then_concurrent_retries_make_one_payment(arena):
    client, engine, (booking_id, _), auth = arena
    headers = auth | {"Idempotency-Key": uuid.uuid4().hex}
    first = await _post(client, booking_id, headers)
    assert first.status_code == 201, first.text
    for _ in range(RETRIES - 1):
        again = await _post(client, booking_id, headers)
        assert again.status_code == 201 and again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
    together = await asyncio.gather(*[_post(client, booking_id, headers) for _ in range(RETRIES)])
    assert [r.status_code for r in together] == [201] * RETRIES
    assert {r.json()["id"] for r in together} == {first.json()["id"]}
    assert await _count(engine, booking_id) == 1


async def test_concurrent_then_sequential_retries_make_one_payment(arena):
    client, engine, (_, booking_id), auth = arena
    headers = auth | {"Idempotency-Key": uuid.uuid4().hex}
    together = await asyncio.gather(*[_post(client, booking_id, headers) for _ in range(RETRIES)])
    statuses = sorted(r.status_code for r in together)
    # 422: "this key is in use by a request still running"; 409: the in-flight unique index.
    assert all(s in (201, 409, 422) for s in statuses), statuses
    made = {r.json()["id"] for r in together if r.status_code == 201}
    assert len(made) == 1, statuses
    for _ in range(RETRIES):
        again = await _post(client, booking_id, headers)
        assert again.status_code == 201 and {again.json()["id"]} == made
    assert await _count(engine, booking_id) == 1
    other_body = await client.post(f"/api/v1/bookings/{booking_id}/payments", json={"payment_method": "cash"},
                                   headers=headers)
    assert other_body.status_code == 422   # same key, another body: refused, never a second payment
    assert await _count(engine, booking_id) == 1
