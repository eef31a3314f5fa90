"""The web layer's fixed per-request cost (issues 5 and 6) without losing behaviour: one outer
ASGI layer for id, log, metrics and security headers; anonymous identity without a round
trip; no pool pre-ping, a dropped connection costing one failed statement, not an outage."""
from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from afrobiz.db.session import ensure_anonymous, make_engine, make_sessionmaker, set_identity
from afrobiz.kit.metrics import METRICS
from afrobiz.kit.security_headers import HSTS


def _statements(engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: seen.append(statement))
    return seen


async def test_a_pooled_connection_is_anonymous_and_a_callers_identity_dies_with_its_transaction(database_url):
    engine = make_engine(database_url, pool_size=1)
    sessionmaker = make_sessionmaker(engine)
    try:
        async with sessionmaker() as session, session.begin():
            await set_identity(session, uuid.uuid4(), "admin")
            role = (await session.execute(text("SELECT current_setting('app.role')"))).scalar_one()
            assert role == "admin"
        statements = _statements(engine)
        async with sessionmaker() as session, session.begin():   # the same pooled connection
            await ensure_anonymous(session)
            assert statements == []   # nothing sent: the connection's own identity is anonymous
            row = (await session.execute(text(
                "SELECT current_setting('app.role'), current_setting('app.user_id')"))).one()
            assert tuple(row) == ("anonymous", "")
    finally:
        await engine.dispose()


async def test_ensure_anonymous_states_it_on_a_connection_not_set_up_by_us(database_url):
    engine = make_engine(database_url, pool_size=1, app_role=False)
    try:
        statements = _statements(engine)
        async with make_sessionmaker(engine)() as session, session.begin():
            await ensure_anonymous(session)
            assert any("set_config('app.role'" in s for s in statements)
            assert (await session.execute(text("SELECT current_setting('app.role')"))).scalar_one() == "anonymous"
    finally:
        await engine.dispose()


async def test_a_connection_dropped_while_pooled_fails_once_then_the_pool_reconnects(database_url):
    app_engine = make_engine(database_url, pool_size=2)
    engine = make_engine(database_url, pool_size=1, app_role=False)   # the owner may end backends
    try:
        async with app_engine.connect() as conn:
            pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        async with engine.connect() as admin:   # the database (or a proxy) drops it
            await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as failed:
            async with app_engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        assert failed.value.connection_invalidated   # answered 503 by the app (problems.is_outage)
        async with app_engine.connect() as conn:
            assert (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one() != pid
    finally:
        await app_engine.dispose()
        await engine.dispose()


async def test_an_unexpected_500_still_carries_id_security_headers_and_is_counted(app):
    async def explode():
        raise RuntimeError("boom")

    app.add_api_route("/api/v1/ops-test-explode", explode)
    key = ("GET", "/api/v1/ops-test-explode", "5xx")
    before = METRICS.requests.get(key, 0)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        r = await client.get("/api/v1/ops-test-explode")
    assert r.status_code == 500 and r.headers["content-type"].startswith("application/problem+json")
    assert len(r.headers["x-request-id"]) == 32
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert METRICS.requests[key] == before + 1


@pytest.mark.parametrize("scheme", ["http", "https"])
async def test_hsts_only_over_https_and_a_routes_own_header_wins(app, scheme):
    async def framed():
        from starlette.responses import PlainTextResponse

        return PlainTextResponse("ok", headers={"X-Frame-Options": "SAMEORIGIN"})

    app.add_api_route("/api/v1/ops-test-framed", framed)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=f"{scheme}://testserver") as client:
        r = await client.get("/api/v1/ops-test-framed")
    assert r.status_code == 200 and r.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert ("strict-transport-security" in r.headers) == (scheme == "https")
    if scheme == "https":
        assert r.headers["strict-transport-security"] == HSTS[1].decode()
