"""The hot lane (api/hot.py) as production runs it: the app's lifespan opens the lean psycopg
pools, data is committed, and every answer is compared with the FastAPI route's answer to the
same question (a bearer token sends a request down the route)."""
from __future__ import annotations

import gzip
import json
from datetime import time, timedelta

import httpx
import pytest
from sqlalchemy import text

from afrobiz.accounts.sessions import start_session
from afrobiz.api import hot
from afrobiz.app import create_app
from afrobiz.config import Settings
from afrobiz.db.session import make_engine, make_sessionmaker, system_session
from dbtools import migrated_database
from factories.accounts import create_user
from factories.booking import create_booking, create_service, set_hours, windhoek_today
from factories.directory import create_business, create_category


@pytest.fixture(scope="module")
def hot_url(server_url):
    yield from migrated_database(server_url, "afrobiz_hot_lane")


@pytest.fixture(scope="module")
async def world(hot_url):
    """Committed: a category, three Windhoek braiders and a Swakopmund guesthouse, a bookable
    service with one booking, and a customer's API token."""
    engine = make_engine(hot_url, pool_size=2)
    async with system_session(make_sessionmaker(engine)) as s:
        owner = await create_user(s, role="business_owner")
        customer = await create_user(s)
        hair = await create_category(s, name="Hair Salons", slug="hair-salons")
        stays = await create_category(s, name="Guesthouses", slug="guesthouses")
        made = []
        for i, (name, lat, lon, rating, reviews) in enumerate([
                ("Katutura Braids Studio", -22.5200, 17.0500, 4.8, 40),
                ("Klein Windhoek Braids & Nails", -22.5700, 17.1000, 5.0, 1),
                ("Olympia Hair Braids", -22.5900, 17.0800, 4.2, 12)]):
            b = await create_business(s, owner=owner, name=name, slug=f"hot-braids-{i}", category_id=hair.id,
                                      latitude=lat, longitude=lon, average_rating=rating, review_count=reviews,
                                      price_range="moderate", description="Box braids, cornrows and twists.")
            await set_hours(s, business=b)
            made.append(b)
        await create_business(s, owner=owner, name="Lüderitz Bay Guesthouse", slug="hot-guesthouse",
                              category_id=stays.id, city="Lüderitz", region="//Karas", latitude=-26.6481,
                              longitude=15.1594, price_range="budget")
        service = await create_service(s, business=made[0], name="Box braids", duration_minutes=90,
                                       buffer_after_minutes=15)
        day = windhoek_today() + timedelta(days=2)
        await create_booking(s, service=service, day=day, at=time(10), customer=customer, status="confirmed")
        token = await start_session(s, user=customer)
    await engine.dispose()
    return {"service": service, "day": day, "token": token, "braiders": made}


@pytest.fixture
async def client(hot_url, world, tmp_path):
    app = create_app(hot_url, Settings(database_url=hot_url, data_dir=tmp_path, secret_key="hot-lane-secret",
                                       environment="test"))
    async with app.router.lifespan_context(app):
        assert isinstance(app.state.hot, hot.HotPools)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://hot") as c:
            c.app = app
            yield c


@pytest.fixture(autouse=True)
def lane_never_fails(caplog):
    """A hot-lane bug would be hidden by the route answering instead: none may be logged."""
    yield
    assert not [r for r in caplog.records if r.name == "afrobiz.hot"], caplog.text


def routed(world) -> dict:
    """Headers that send a request down the FastAPI route instead of the hot lane."""
    return {"Authorization": f"Bearer {world['token']}"}


async def both(client, world, path: str, params: dict) -> tuple[httpx.Response, httpx.Response]:
    fast = await client.get(path, params=params)
    slow = await client.get(path, params=params, headers=routed(world))
    return fast, slow


async def test_free_slots_match_the_route_and_skip_the_booked_time(client, world):
    path = f"/api/v1/services/{world['service'].id}/slots"
    day = world["day"]
    fast, slow = await both(client, world, path, {"from": day.isoformat()})
    assert fast.status_code == slow.status_code == 200
    assert fast.json() == slow.json()
    times = [s["time"] for s in fast.json()]
    # 90-minute slots stepping by 90 from 08:00; the 10:00 booking (+15 min buffer) blocks
    # 09:30 and 11:00, which would overlap 10:00-11:45.
    assert times[0] == "08:00" and "09:30" not in times and "11:00" not in times and "12:30" in times
    assert fast.headers["content-type"] == "application/json"
    assert "x-request-id" in fast.headers and fast.headers["x-content-type-options"] == "nosniff"
    week, week_slow = await both(client, world, path, {"from": day.isoformat(),
                                                       "to": (day + timedelta(days=6)).isoformat()})
    assert week.json() == week_slow.json() and len(week.json()) > len(times)


async def broken():
    raise RuntimeError("the route was used")
    yield  # pragma: no cover


async def test_the_lane_answers_without_the_route(client, world):
    """With the routes' database dependencies broken, hot-lane requests still succeed."""
    from afrobiz.db.deps import get_read_session, get_session

    client.app.dependency_overrides[get_session] = broken
    client.app.dependency_overrides[get_read_session] = broken
    slots = await client.get(f"/api/v1/services/{world['service'].id}/slots", params={"from": world["day"].isoformat()})
    found = await client.get("/api/v1/search/businesses", params={"q": "braids"})
    suggested = await client.get("/api/v1/search/suggest", params={"q": "kat"})
    assert [slots.status_code, found.status_code, suggested.status_code] == [200, 200, 200]
    assert (await client.get("/api/v1/search/businesses", params={"q": "braids"},
                             headers=routed(world))).status_code == 500


@pytest.mark.parametrize("params", [
    {"q": "braids"},
    {"q": "Braids studio"},
    {"q": "luderitz"},                       # unaccented
    {"q": "Karas"},                          # //Karas
    {"q": "brads"},                          # a typo: did you mean
    {"q": "braids", "lat": "-22.56", "lon": "17.07", "radius_km": "10"},
    {"category": "hair-salons", "lat": "-22.56", "lon": "17.07", "sort": "distance"},
    {"lat": "-22.56", "lon": "17.07"},            # nearest first: planner settings for one statement
    {"category": "hair-salons", "region": "Khomas", "min_rating": "4", "open_now": "true"},
    {"q": "braids", "sort": "rating", "limit": "2"},
    {"price_range": "budget,moderate", "verified": "false", "bookable": "1"},
    {"sort": "newest"},
])
async def test_search_matches_the_route(client, world, params):
    fast, slow = await both(client, world, "/api/v1/search/businesses", params)
    assert fast.status_code == slow.status_code == 200, fast.text
    assert fast.json() == slow.json()
    # Found something, except where the clock (open now) or no bookable service rules all out.
    assert fast.json()["items"] or params.get("bookable") or params.get("open_now")


async def test_planner_settings_last_one_statement_only(client, world):
    pools: hot.HotPools = client.app.state.hot
    r = await client.get("/api/v1/search/businesses", params={"lat": "-22.56", "lon": "17.07", "radius_km": "5"})
    assert [i["name"] for i in r.json()["items"]][:2] == ["Klein Windhoek Braids & Nails", "Olympia Hair Braids"]
    async with pools.primary.connection() as conn:   # the pool's only connection so far
        row = await (await conn.execute("SELECT current_setting('enable_bitmapscan') AS b, current_setting('jit') AS j,"
                                        " current_setting('max_parallel_workers_per_gather') AS p,"
                                        " current_setting('app.role') AS r, current_user")).fetchone()
    assert tuple(row) == ("on", "off", "0", "anonymous", "afrobiz_app")


async def test_a_repeated_search_skips_the_words_round_trip(client, world, monkeypatch):
    """The lane keeps each search text's tsquery (search/queries._TSQUERIES): asked again, the
    same search sends one statement fewer and answers the same. With a category the first
    statement still runs (it resolves and checks the category)."""
    from contextlib import asynccontextmanager

    from afrobiz.db.raw import Reader
    from afrobiz.search import queries

    sent: list[str] = []

    class Recording(Reader):
        async def all(self, statement, binds=None, **kw):
            sent.append(statement)
            return await super().all(statement, binds, **kw)

    pools: hot.HotPools = client.app.state.hot

    @asynccontextmanager
    async def recording_reader(*, primary: bool):
        async with pools.primary.connection() as conn:
            yield Recording(conn, tuned=True)

    monkeypatch.setattr(pools, "reader", recording_reader)
    params = {"q": "Olympia hair braids", "lat": "-22.56", "lon": "17.07", "radius_km": "10"}
    queries._TSQUERIES.pop(params["q"], None)
    answers, counts = [], []
    for _ in range(2):
        sent.clear()
        answers.append((await client.get("/api/v1/search/businesses", params=params)).json())
        counts.append(len(sent))
    assert counts[1] == counts[0] - 1 and not any("set_config('jit'" in s for s in sent)
    assert answers[0] == answers[1] and [i["name"] for i in answers[1]["items"]] == ["Olympia Hair Braids"]
    sent.clear()
    with_category = await client.get("/api/v1/search/businesses", params=params | {"category": "hair-salons"})
    assert with_category.json()["items"] == answers[1]["items"] and any("set_config('jit'" in s for s in sent)


def test_statements_go_to_postgresql_with_its_own_placeholders():
    """db/raw.py sends each statement with "$1" placeholders through a raw cursor: psycopg
    neither parses nor caches placeholders (its cache stops at 4 kB; search's statements
    reach 7.5 kB), and a repeated bind is one parameter."""
    from afrobiz.db.raw import native

    sql, names = native("SELECT :a, s.word % :b, CAST(:a AS int), '~f1x2' || ':*'")
    assert sql == b"SELECT $1, s.word % $2, CAST($1 AS int), '~f1x2' || ':*'" and names == ("a", "b")


@pytest.mark.parametrize("params", [{"open_now": "yes"}, {"limit": "05"}, {"lat": " -22.56", "lon": "17.07"}])
async def test_the_lane_takes_every_value_the_route_takes(client, world, params):
    """One query model for both: what FastAPI accepts, the lane answers (the route is broken here)."""
    from afrobiz.db.deps import get_read_session

    client.app.dependency_overrides[get_read_session] = broken
    r = await client.get("/api/v1/search/businesses", params=params)
    assert r.status_code == 200, r.text


async def test_search_pages_by_cursor_in_the_lane(client, world):
    first = (await client.get("/api/v1/search/businesses", params={"q": "braids", "limit": 2})).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = (await client.get("/api/v1/search/businesses",
                               params={"q": "braids", "limit": 2, "cursor": first["next_cursor"]})).json()
    ids = [i["id"] for i in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 3
    forged = first["next_cursor"][:-2] + ("AA" if not first["next_cursor"].endswith("AA") else "BB")
    bad = await client.get("/api/v1/search/businesses", params={"q": "braids", "limit": 2, "cursor": forged})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("q", ["kat", "braids", "Klein Wind", "gueshouse", "hair"])
async def test_suggest_matches_the_route(client, world, q):
    fast, slow = await both(client, world, "/api/v1/search/suggest", {"q": q})
    assert fast.status_code == slow.status_code == 200
    assert fast.json() == slow.json() and fast.json()


@pytest.mark.parametrize("path, params, status", [
    ("/api/v1/search/businesses", {"lat": "91", "lon": "17"}, 422),
    ("/api/v1/search/businesses", {"lat": "-22.5"}, 422),              # lon missing: a domain rule
    ("/api/v1/search/businesses", {"limit": "101"}, 422),
    ("/api/v1/search/businesses", {"sort": "cheapest"}, 422),
    ("/api/v1/search/businesses", {"open_now": "maybe"}, 422),
    ("/api/v1/search/businesses", {"category": "no-such-category"}, 422),
    ("/api/v1/search/suggest", {"limit": "0"}, 422),
    ("/api/v1/services/00000000-0000-0000-0000-000000000000/slots", {"from": "2030-01-01"}, 404),
    ("/api/v1/services/not-a-uuid/slots", {"from": "2030-01-01"}, 422),
    ("/api/v1/services/{service}/slots", {"from": "2030-02-30"}, 422),
    ("/api/v1/services/{service}/slots", {}, 422),
])
async def test_bad_questions_get_the_routes_problem_answer(client, world, path, params, status):
    path = path.replace("{service}", str(world["service"].id))
    r = await client.get(path, params=params)
    assert r.status_code == status and r.headers["content-type"] == "application/problem+json", r.text
    slow = await client.get(path, params=params, headers=routed(world))
    assert slow.status_code == status
    assert strip(r.json()) == strip(slow.json())


def strip(problem: dict) -> dict:
    return {k: v for k, v in problem.items() if k not in ("instance", "request_id")}


async def test_large_answers_are_gzipped_when_asked(client, world):
    path = f"/api/v1/services/{world['service'].id}/slots"
    params = {"from": world["day"].isoformat(), "to": (world["day"] + timedelta(days=6)).isoformat()}
    r = await client.get(path, params=params, headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and r.headers["vary"] == "Accept-Encoding"
    plain = await client.get(path, params=params, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert r.json() == plain.json()   # httpx unzipped the first
    assert len(gzip.compress(plain.content)) < len(plain.content)


async def test_impressions_are_written_in_batches_and_metrics_name_the_route(client, world, hot_url):
    ids = {str(b.id) for b in world["braiders"]}
    pools: hot.HotPools = client.app.state.hot
    log = client.app.state.impressions
    r = await client.get("/api/v1/search/businesses", params={"q": "braids"})
    shown = {i["id"] for i in r.json()["items"]}
    assert shown == ids
    slow = await client.get("/api/v1/search/businesses", params={"q": "braids"}, headers=routed(world))
    assert {i["id"] for i in slow.json()["items"]} == ids
    page = await client.get("/search", params={"q": "braids"})
    assert page.status_code == 200 and "Katutura Braids Studio" in page.text
    assert await log.flush() == 3   # the lane's page, the route's and /search's, by the same writer
    async with pools.primary.connection() as conn:
        await conn.execute("SELECT set_config('app.role', 'system', false)")
        row = await (await conn.execute(
            "SELECT business_ids::text[], now() - shown_at < interval '1 minute' FROM search_impressions"
            " ORDER BY id DESC LIMIT 1")).fetchone()
        await conn.execute("SELECT set_config('app.role', 'anonymous', false)")
    assert set(row[0]) == ids and row[1] is True
    assert await log.flush() == 0
    metrics = await client.get("/metrics")
    assert 'route="/api/v1/search/businesses"' in metrics.text


async def test_a_signed_in_visitor_reads_the_primary(client, world):
    """A session cookie (pages' log-in) picks the primary reader; without a replica, same answer."""
    r = await client.get("/api/v1/search/suggest", params={"q": "kat"}, headers={"Cookie": "afrobiz_session=x"})
    assert r.status_code == 200 and r.json()[0]["name"] == "Katutura Braids Studio"
