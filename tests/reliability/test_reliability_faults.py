"""Faults: PostgreSQL and Redis go away under a running app and come back.

The app reaches them through a FaultProxy that the test cuts and restores, so the machine's
shared servers are never stopped. During an outage every answer is a quick problem+json
503 (never a 500, a hang or a trace); afterwards the same app recovers on its own.
"""
from __future__ import annotations

import asyncio
import time as clock
import uuid
from datetime import timedelta

import httpx
import pytest
from dbtools import migrated_database
from fault_proxy import FaultProxy
from reliability_helpers import PASSWORD, build_world
from sqlalchemy import text

from afrobiz.app import create_app
from afrobiz.config import Settings
from afrobiz.db.session import make_engine, make_sessionmaker, system_session

FAST = 5.0          # seconds an answer may take during an outage
RECOVERY = 30.0     # seconds the app may take to recover after it
FIGURES: dict[str, float] = {}


@pytest.fixture(scope="module")
def scratch_url(server_url):
    yield from migrated_database(server_url, "afrobiz_rel_fault")


def through(url: str, port: int) -> str:
    dbname = url.rpartition("/")[2]
    return f"postgresql://postgres@127.0.0.1:{port}/{dbname}"


async def committed_world(url: str):
    engine = make_engine(url, pool_size=1)
    try:
        async with system_session(make_sessionmaker(engine)) as s:
            return await build_world(s)
    finally:
        await engine.dispose()


def assert_clean_503(response: httpx.Response, elapsed: float, what: str) -> None:
    assert response.status_code == 503, f"{what}: {response.status_code} {response.text[:300]}"
    assert response.headers["content-type"].startswith("application/problem+json"), what
    assert elapsed < FAST, f"{what} took {elapsed:.1f} s"
    for secret in ("Traceback", "psycopg", "sqlalchemy", "redis."):
        assert secret not in response.text, f"{what} shows {secret}"


async def timed(coro):
    started = clock.monotonic()
    response = await coro
    return response, clock.monotonic() - started


async def test_database_outage_answers_503_fast_and_recovers(scratch_url, tmp_path):
    world = await committed_world(scratch_url)
    proxy = await FaultProxy(5432).start()
    url = through(scratch_url, proxy.port)
    engine = make_engine(url, pool_size=4)
    app = create_app(url, Settings(database_url=url, data_dir=tmp_path, secret_key="fault", environment="test"))
    app.state.engine, app.state.sessionmaker = engine, make_sessionmaker(engine)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    seen_booked: list[str] = []

    def book(client, n: int):
        day = (world.day + timedelta(days=1 + n // 8)).isoformat()
        return client.post("/api/v1/bookings", headers=world.b.customer.headers | {"Idempotency-Key": uuid.uuid4().hex},
                           json={"service_id": str(world.a.service), "booking_date": day,
                                 "booking_time": f"{8 + n % 8:02d}:00"})

    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://fault", timeout=60) as client:
            r = await book(client, 0)
            assert r.status_code == 201, r.text
            seen_booked.append(r.json()["id"])
            assert (await client.get("/api/v1/search/businesses", params={"q": "salon"})).status_code == 200

            await proxy.cut()
            outage_started = clock.monotonic()
            for n, call in enumerate([lambda: client.get("/api/v1/search/businesses", params={"q": "salon"}),
                                      lambda: client.get(f"/api/v1/businesses/{world.a.slug}"),
                                      lambda: client.get("/api/v1/me", headers=world.a.customer.headers),
                                      lambda: book(client, 1), lambda: book(client, 2),
                                      lambda: client.get("/readyz")]):
                response, elapsed = await timed(call())
                assert_clean_503(response, elapsed, f"call {n} during the outage")
            await asyncio.sleep(1)
            await proxy.start()
            FIGURES["db_outage_s"] = clock.monotonic() - outage_started

            back = clock.monotonic()
            while True:
                r = await book(client, 3)
                if r.status_code == 201:
                    seen_booked.append(r.json()["id"])
                    break
                assert r.status_code == 503, r.text
                assert clock.monotonic() - back < RECOVERY, "no recovery within 30 s"
                await asyncio.sleep(0.5)
            FIGURES["db_recovery_s"] = clock.monotonic() - back
            assert (await client.get("/readyz")).status_code == 200
    finally:
        await engine.dispose()
        await proxy.cut()
    # Every booking the client saw succeed exists exactly once.
    check = make_engine(scratch_url, pool_size=1)
    try:
        async with check.connect() as conn:
            await conn.execute(text("SELECT set_config('app.role', 'system', false)"))
            for booking_id in seen_booked:
                n = (await conn.execute(text("SELECT count(*) FROM bookings WHERE id = :i"), {"i": booking_id})).scalar()
                assert n == 1, booking_id
    finally:
        await check.dispose()
    print(f"\nDB outage {FIGURES['db_outage_s']:.1f} s, recovery {FIGURES['db_recovery_s']:.2f} s")


async def test_redis_outage_logged_in_customers_browse_log_in_and_book(scratch_url, tmp_path):
    # Sessions live in PostgreSQL and rate limits fall back to process memory: with Redis cut,
    # nothing a customer does may fail (issue 12 §5), and nothing is lost when it returns.
    world = await committed_world(scratch_url)
    proxy = await FaultProxy(6379).start()
    redis_url = f"redis://127.0.0.1:{proxy.port}/15"
    engine = make_engine(scratch_url, pool_size=4)
    app = create_app(scratch_url, Settings(database_url=scratch_url, redis_url=redis_url, data_dir=tmp_path,
                                           secret_key="fault", environment="test"))
    app.state.engine, app.state.sessionmaker = engine, make_sessionmaker(engine)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    login = {"email": world.a.customer.email, "password": PASSWORD}
    slot = {"service_id": str(world.b.service), "booking_date": world.day.isoformat()}

    def book(client, headers, at: str):
        return client.post("/api/v1/bookings", headers=headers | {"Idempotency-Key": uuid.uuid4().hex},
                           json=slot | {"booking_time": at})

    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://fault", timeout=60) as client:
            r = await client.post("/api/v1/auth/login", json=login)
            assert r.status_code == 200, r.text
            before = {"Authorization": f"Bearer {r.json()['access_token']}"}
            await proxy.cut()
            outage_started = clock.monotonic()
            for path in ("/api/v1/search/businesses", f"/api/v1/businesses/{world.a.slug}", "/api/v1/categories"):
                r, elapsed = await timed(client.get(path))
                assert r.status_code == 200 and elapsed < FAST, f"{path} with Redis down: {r.status_code}"
            # A session opened before the outage keeps working, and so does a new log-in.
            r, elapsed = await timed(client.get("/api/v1/me", headers=before))
            assert r.status_code == 200 and elapsed < FAST, r.text
            r, elapsed = await timed(client.post("/api/v1/auth/login", json=login))
            assert r.status_code == 200 and elapsed < FAST, r.text
            during = {"Authorization": f"Bearer {r.json()['access_token']}"}
            r, elapsed = await timed(book(client, before, "11:00"))
            assert r.status_code == 201 and elapsed < FAST, r.text
            booked = [r.json()["id"]]
            r = await book(client, during, "13:00")
            assert r.status_code == 201, r.text
            booked.append(r.json()["id"])
            mine = await client.get("/api/v1/me/bookings", headers=during)
            assert mine.status_code == 200 and set(booked) <= {b["id"] for b in mine.json()["items"]}
            FIGURES["redis_outage_s"] = clock.monotonic() - outage_started
            await proxy.start()
            back = clock.monotonic()
            while (r := await client.get("/api/v1/me", headers=during)).status_code != 200:
                assert r.status_code == 503, r.text
                assert clock.monotonic() - back < RECOVERY, "no recovery within 30 s"
                await asyncio.sleep(0.5)
            assert (await client.post("/api/v1/auth/login", json=login)).status_code == 200
            FIGURES["redis_recovery_s"] = clock.monotonic() - back
    finally:
        await engine.dispose()
        await proxy.cut()
    print(f"\nRedis outage {FIGURES['redis_outage_s']:.1f} s (2 bookings, 1 log-in), "
          f"recovery {FIGURES['redis_recovery_s']:.2f} s")
