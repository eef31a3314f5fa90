"""DATABASE_REPLICA_URL: anonymous reads come from the replica, writes and signed-in reads
from the primary, and without a replica everything is the primary.

The "replica" is a second database on the test server, migrated the same way. Each test puts
the same business (same id and slug, so writes that name it are valid on the primary) in
both, under different names: the name on a page tells which database answered.
"""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from afrobiz.db.session import make_engine, make_sessionmaker, system_session
from afrobiz.directory.models import Business, Category
from afrobiz.accounts.models import User
from dbtools import migrated_database
from factories.accounts import create_user
from factories.directory import create_business, create_category


@pytest.fixture(scope="session")
def replica_url(server_url: str):
    yield from migrated_database(server_url, "afrobiz_replica")


@pytest.fixture
async def replica_engine(replica_url: str):
    engine = make_engine(replica_url, pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture
async def twins(db, replica_engine):
    """One business on both databases: 'Primary copy …' on the primary, 'Replica copy …' on the replica."""
    tag = uuid.uuid4().hex[:8]
    owner = await create_user(db, role="business_owner")
    category = await create_category(db)
    business = await create_business(db, owner=owner, category_id=category.id, name=f"Primary copy Zebra{tag}")
    async with system_session(make_sessionmaker(replica_engine)) as rs:
        rs.add(User(id=owner.id, email=owner.email, first_name="Replica", last_name="Owner", role="business_owner"))
        await rs.flush()
        rs.add(Category(id=category.id, name=category.name, slug=category.slug))
        await rs.flush()
        rs.add(Business(id=business.id, slug=business.slug, owner_id=owner.id, category_id=category.id,
                        name=f"Replica copy Zebra{tag}", city="Windhoek", region="Khomas", status="active"))
    return tag, business


@pytest.fixture
def with_replica(app, replica_engine):
    app.state.replica_engine = replica_engine
    app.state.read_sessionmaker = make_sessionmaker(replica_engine)
    return app


async def test_anonymous_search_reads_the_replica_and_logs_on_the_primary(with_replica, client, db, twins,
                                                                          replica_engine):
    tag, business = twins
    r = await client.get("/api/v1/search/businesses", params={"q": f"zebra{tag}"})
    assert r.status_code == 200
    names = [item["name"] for item in r.json()["items"]]
    assert names == [f"Replica copy Zebra{tag}"]
    # The write of that request (which businesses the page showed) went to the primary.
    shown = await db.scalar(text("SELECT count(*) FROM search_impressions WHERE :b = ANY(business_ids)"),
                            {"b": business.id})
    assert shown == 1
    async with system_session(make_sessionmaker(replica_engine)) as rs:
        assert await rs.scalar(text("SELECT count(*) FROM search_impressions WHERE :b = ANY(business_ids)"),
                               {"b": business.id}) == 0
    suggest = await client.get("/api/v1/search/suggest", params={"q": f"Replica copy Zebra{tag}"[:12]})
    assert suggest.status_code == 200


async def test_public_pages_and_api_read_the_replica(with_replica, client, twins):
    tag, business = twins
    assert (await client.get(f"/api/v1/businesses/{business.slug}")).json()["name"] == f"Replica copy Zebra{tag}"
    page = await client.get(f"/b/{business.slug}")
    assert page.status_code == 200 and f"Replica copy Zebra{tag}" in page.text
    assert f"Primary copy Zebra{tag}" not in page.text
    search = await client.get("/search", params={"q": f"zebra{tag}"})
    assert f"Replica copy Zebra{tag}" in search.text and f"Primary copy Zebra{tag}" not in search.text
    category_slug = (await client.get(f"/api/v1/businesses/{business.slug}")).json()["category"]["slug"]
    listing = await client.get(f"/categories/{category_slug}")
    assert f"Replica copy Zebra{tag}" in listing.text and f"Primary copy Zebra{tag}" not in listing.text


async def test_the_page_view_is_counted_on_the_primary(with_replica, client, db, twins):
    _, business = twins
    browser = {"User-Agent": "Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36"}
    assert (await client.get(f"/b/{business.slug}", headers=browser)).status_code == 200
    assert await db.scalar(text("SELECT view_count FROM businesses WHERE id = :b"), {"b": business.id}) == 1


async def test_signed_in_callers_read_the_primary(with_replica, client, db, twins, login):
    """They must see what they just wrote, even while the replica lags."""
    tag, business = twins
    headers = await login(await create_user(db))
    r = await client.get("/api/v1/search/businesses", params={"q": f"zebra{tag}"}, headers=headers)
    assert [i["name"] for i in r.json()["items"]] == [f"Primary copy Zebra{tag}"]
    r = await client.get(f"/api/v1/businesses/{business.id}", headers=headers)
    assert r.json()["name"] == f"Primary copy Zebra{tag}"
    # A page visitor with a log-in cookie too.
    client.cookies.set("afrobiz_session", headers["Authorization"].split()[1])
    page = await client.get(f"/b/{business.slug}")
    assert f"Primary copy Zebra{tag}" in page.text


async def test_writes_go_to_the_primary(with_replica, client, db, twins):
    _, business = twins
    r = await client.post(f"/api/v1/businesses/{business.id}/clicks", params={"kind": "phone"},
                          headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36"})
    assert r.status_code < 300
    assert await db.scalar(text("SELECT count(*) FROM business_clicks WHERE business_id = :b"),
                           {"b": business.id}) == 1


async def test_without_a_replica_everything_reads_the_primary(client, twins):
    tag, business = twins
    r = await client.get("/api/v1/search/businesses", params={"q": f"zebra{tag}"})
    assert [i["name"] for i in r.json()["items"]] == [f"Primary copy Zebra{tag}"]
    page = await client.get(f"/b/{business.slug}")
    assert f"Primary copy Zebra{tag}" in page.text


async def test_readiness_and_metrics_cover_the_replica(with_replica, client):
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["replica"] == "ok"
    metrics = await client.get("/metrics")
    assert 'afrobiz_db_pool_connections{pool="replica",state="size"} 2' in metrics.text


async def test_the_replica_session_cannot_write(with_replica, replica_engine):
    """Reads routed there run READ ONLY: a route that wrote by mistake would fail loudly."""
    from afrobiz.db.deps import _READ_ONLY

    async with make_sessionmaker(replica_engine)() as s, s.begin():
        await s.execute(_READ_ONLY)
        with pytest.raises(Exception, match="read-only"):
            await s.execute(text("INSERT INTO search_impressions (business_ids) VALUES ('{}')"))
