"""Backends ended under the app (pg_terminate_backend, a restart, a proxy dropping idle
connections): reads are answered from a fresh connection, writes get a clean 503, and no
error is ever handed to the server (which would drop the client's connection).

The app here is the real one over its own pool (pool_size 1, so the next request surely
takes the dead connection), against a committed scratch database; the transport raises any
error the app hands on, as a server would see it.
"""
from __future__ import annotations

import uuid

import httpx
import pytest
import sqlalchemy.exc
from dbtools import migrated_database
from lost_connections import end_backends
from reliability_helpers import build_world
from sqlalchemy import text

from afrobiz.app import create_app
from afrobiz.config import Settings
from afrobiz.db.session import acting_as_system, make_engine, make_sessionmaker, system_session
from afrobiz.kit.outage import is_outage


@pytest.fixture(scope="module")
def scratch_url(server_url):
    yield from migrated_database(server_url, "afrobiz_rel_lost")


@pytest.fixture
async def world_app(scratch_url, tmp_path):
    engine = make_engine(scratch_url, pool_size=1)
    async with system_session(make_sessionmaker(engine)) as s:
        world = await build_world(s)
    app = create_app(scratch_url, Settings(database_url=scratch_url, data_dir=tmp_path, secret_key="lost",
                                           environment="test"))
    app.state.engine, app.state.sessionmaker = engine, make_sessionmaker(engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://lost") as client:
        yield world, client
    await engine.dispose()


@pytest.mark.parametrize("path", ["/api/v1/businesses/{slug}", "/b/{slug}", "/api/v1/me", "/readyz"])
async def test_a_read_on_a_connection_that_died_in_the_pool_is_answered(world_app, server_url, scratch_url, path):
    world, client = world_app
    url = path.format(slug=world.a.slug)
    headers = world.a.customer.headers if path == "/api/v1/me" else {}
    assert (await client.get(url, headers=headers)).status_code == 200
    assert end_backends(server_url, scratch_url) >= 1          # the pooled connection is dead now
    r = await client.get(url, headers=headers)
    assert r.status_code == 200, r.text[:300]


async def test_a_write_on_a_dead_connection_gets_a_clean_503(world_app, server_url, scratch_url):
    world, client = world_app
    assert (await client.get("/api/v1/me", headers=world.b.customer.headers)).status_code == 200
    end_backends(server_url, scratch_url)
    r = await client.post("/api/v1/bookings", headers=world.b.customer.headers | {"Idempotency-Key": uuid.uuid4().hex},
                          json={"service_id": str(world.a.service), "booking_date": world.day.isoformat(),
                                "booking_time": "14:00"})
    assert r.status_code == 503, r.text[:300]
    assert r.headers["content-type"] == "application/problem+json" and r.headers["retry-after"]
    # The client's retry (same request, new connection) goes through.
    r = await client.post("/api/v1/bookings", headers=world.b.customer.headers | {"Idempotency-Key": uuid.uuid4().hex},
                          json={"service_id": str(world.a.service), "booking_date": world.day.isoformat(),
                                "booking_time": "14:00"})
    assert r.status_code == 201, r.text[:300]


async def test_a_connection_lost_inside_acting_as_system_is_reported_as_the_outage(scratch_url, server_url):
    # The kill test found a 500: the backend ended inside acting_as_system(), whose restore
    # then raised PendingRollbackError, raised in SQLAlchemy's greenlet and so not chained to
    # the lost connection: no outage to be seen, a 500.
    engine = make_engine(scratch_url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session:
            with pytest.raises(Exception) as raised:
                async with session.begin(), acting_as_system(session):
                    end_backends(server_url, scratch_url)
                    await session.execute(text("SELECT 1"))
            assert isinstance(raised.value, sqlalchemy.exc.OperationalError), repr(raised.value)
            assert is_outage(raised.value)
    finally:
        await engine.dispose()
