"""GET /services/{id}/slots as it runs in production: an anonymous caller's read is one statement
on an autocommit connection (no request transaction), a caller with a token gets the usual
transaction. Needs committed data, so it runs on its own scratch database."""
from __future__ import annotations

from datetime import time, timedelta

import httpx
import pytest
from sqlalchemy import text

from afrobiz.app import create_app
from afrobiz.config import Settings
from afrobiz.db.session import make_engine, make_sessionmaker, system_session
from dbtools import migrated_database
from factories.accounts import create_user
from factories.booking import create_booking, create_service, set_hours, windhoek_today
from factories.directory import create_business


@pytest.fixture(scope="module")
def public_url(server_url):
    yield from migrated_database(server_url, "afrobiz_slots")


@pytest.fixture
async def world(public_url, tmp_path):
    engine = make_engine(public_url, pool_size=2)
    sm = make_sessionmaker(engine)
    day = windhoek_today() + timedelta(days=3)
    async with system_session(sm) as s:  # committed: the app's own connections must see it
        owner = await create_user(s, role="business_owner")
        other = await create_user(s)
        business = await create_business(s, owner=owner)
        await set_hours(s, business=business)
        service = await create_service(s, business=business, windows=[(d, time(9), time(13)) for d in range(7)])
        await create_booking(s, service=service, day=day, at=time(10), customer=other)  # someone else's
        pending = await create_business(s, owner=owner, status="pending")
        hidden = await create_service(s, business=pending)
    app = create_app(public_url, Settings(database_url=public_url, data_dir=tmp_path, secret_key="slots",
                                          environment="test"))
    app.state.engine, app.state.sessionmaker = engine, sm
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://slots") as client:
        yield client, engine, sm, service, hidden, owner, day
    await engine.dispose()


async def test_anonymous_read_sees_every_booking_and_only_public_services(world):
    client, _, _, service, hidden, _, day = world
    r = await client.get(f"/api/v1/services/{service.id}/slots", params={"from": day.isoformat()})
    assert r.status_code == 200, r.text
    assert [s["time"] for s in r.json()] == ["09:00", "11:00", "12:00"]  # 10:00 is another customer's
    assert r.json()[0]["starts_at"].endswith("+02:00")
    assert (await client.get(f"/api/v1/services/{hidden.id}/slots", params={"from": day.isoformat()})).status_code == 404
    bad = await client.get(f"/api/v1/services/{service.id}/slots", params={"from": day.isoformat(),
                                                                          "to": (day - timedelta(days=1)).isoformat()})
    assert bad.status_code == 422


async def test_a_pooled_connection_with_a_leftover_identity_still_reads_as_anonymous(world):
    client, engine, _, _, hidden, _, day = world
    # Session-level (not transaction-local) settings would survive on a pooled connection;
    # the read states its own identity, so a system leftover shows nothing more.
    async with engine.connect() as conn:
        await conn.execute(text("SELECT set_config('app.role', 'system', false)"))
    for _ in range(3):
        assert (await client.get(f"/api/v1/services/{hidden.id}/slots",
                                 params={"from": day.isoformat()})).json()["detail"] == "No such service."


async def test_token_callers_get_their_identity_and_a_bad_token_is_401(world, tmp_path):
    client, _, sm, service, hidden, owner, day = world
    from afrobiz.accounts.sessions import start_session

    async with system_session(sm) as s:
        token = await start_session(s, user=owner)
    auth = {"Authorization": f"Bearer {token}"}
    r = await client.get(f"/api/v1/services/{service.id}/slots", params={"from": day.isoformat()}, headers=auth)
    assert [s["time"] for s in r.json()] == ["09:00", "11:00", "12:00"]
    # The owner sees their pending business, but its services cannot be booked yet.
    r = await client.get(f"/api/v1/services/{hidden.id}/slots", params={"from": day.isoformat()}, headers=auth)
    assert r.status_code == 404 and r.json()["detail"] == "This service cannot be booked online."
    r = await client.get(f"/api/v1/services/{service.id}/slots", params={"from": day.isoformat()},
                         headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401
