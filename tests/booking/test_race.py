"""The real race: many clients POST /bookings for the same slot at once, each request in its
own connection and transaction (a committed scratch database, not the rolled-back test one)."""
from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import text

from afrobiz.app import create_app
from afrobiz.config import Settings
from afrobiz.db.session import make_engine, make_sessionmaker, system_session
from dbtools import migrated_database
from factories.accounts import create_user
from factories.booking import create_service, set_hours
from factories.directory import create_business

CLIENTS = 50
ROUNDS = 20

OVERLAPS = """
SELECT count(*) FROM bookings a JOIN bookings b
  ON a.service_id = b.service_id AND a.id < b.id AND a.time_range && b.time_range
WHERE a.service_id = :s AND a.status IN ('pending', 'confirmed', 'in_progress')
  AND b.status IN ('pending', 'confirmed', 'in_progress')"""


@pytest.fixture(scope="module")
def race_url(server_url):
    yield from migrated_database(server_url, "afrobiz_race")


@pytest.fixture
async def race(race_url, tmp_path):
    # 20 connections at most: the race is real (20 transactions contend at once) and the
    # shared test server keeps room for other runs (max_connections is 100).
    engine = make_engine(race_url, pool_size=10)
    sm = make_sessionmaker(engine)
    async with system_session(sm) as s:  # committed: every racing transaction must see it
        owner = await create_user(s, role="business_owner")
        business = await create_business(s, owner=owner)
        await set_hours(s, business=business)
        solo = await create_service(s, business=business, capacity=1, buffer_after_minutes=10)
        trio = await create_service(s, business=business, capacity=3)
    # The racers are different people: each its own address (behind our trusted proxy) and
    # phone, as guest bookings are limited per address and per contact (booking/guest_limits.py).
    app = create_app(race_url, Settings(database_url=race_url, data_dir=tmp_path, secret_key="race",
                                        environment="test", trusted_proxies="127.0.0.1"))
    app.state.engine, app.state.sessionmaker = engine, sm
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://race") as client:
        yield client, engine, solo, trio
    await engine.dispose()


_racers = itertools.count()


async def _storm(client, service, day, at, n=CLIENTS):
    gate = asyncio.Event()

    async def one(racer: int):
        payload = {"service_id": str(service.id), "booking_date": day.isoformat(), "booking_time": at,
                   "customer_name": "Racer", "customer_phone": f"+26481{1000000 + racer}"}
        await gate.wait()
        headers = {"X-Forwarded-For": f"10.{racer // 65536 % 256}.{racer // 256 % 256}.{racer % 256}"}
        return (await client.post("/api/v1/bookings", json=payload, headers=headers)).status_code

    tasks = [asyncio.create_task(one(next(_racers))) for _ in range(n)]
    await asyncio.sleep(0)
    gate.set()
    return sorted(await asyncio.gather(*tasks))


def _day(offset):
    return datetime.now(UTC).astimezone(ZoneInfo("Africa/Windhoek")).date() + timedelta(days=offset)


async def test_fifty_racers_one_slot_exactly_one_wins_every_round(race):
    client, engine, solo, _ = race
    for rnd in range(ROUNDS):
        # Slots two hours apart: the 10-minute buffer makes neighbouring hours clash.
        day, at = _day(2 + rnd // 5), f"{8 + 2 * (rnd % 5):02d}:00"
        codes = await _storm(client, solo, day, at)
        assert codes == [201] + [409] * (CLIENTS - 1), (rnd, codes)
    async with engine.connect() as conn:
        await conn.execute(text("SELECT set_config('app.role', 'system', false)"))
        assert (await conn.scalar(text(OVERLAPS), {"s": solo.id})) == 0
        total = await conn.scalar(text("SELECT count(*) FROM bookings WHERE service_id = :s"), {"s": solo.id})
        assert total == ROUNDS


async def test_capacity_three_admits_exactly_three(race):
    client, engine, _, trio = race
    for at in ("09:00", "10:00", "11:00"):
        codes = await _storm(client, trio, _day(3), at)
        assert codes == [201] * 3 + [409] * (CLIENTS - 3), codes
    async with engine.connect() as conn:
        await conn.execute(text("SELECT set_config('app.role', 'system', false)"))
        per_slot = (await conn.execute(text(
            "SELECT booking_time, count(*) FROM bookings WHERE service_id = :s GROUP BY 1"), {"s": trio.id})).all()
        assert sorted(c for _, c in per_slot) == [3, 3, 3]
