"""The app skeleton through HTTP: health, readiness, errors, OpenAPI, the home page."""
from __future__ import annotations

import gzip

import httpx
import pytest

from afrobiz.app import create_app
from afrobiz.db.session import make_engine, make_sessionmaker
from factories.directory import create_category


async def test_healthz(client):
    r = await client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


async def test_readyz_when_database_answers(client):
    r = await client.get("/readyz")
    assert r.status_code == 200 and r.json()["status"] == "ready"


async def test_readyz_is_a_clean_503_when_database_is_down(settings):
    app = create_app("postgresql://postgres@127.0.0.1:1/nowhere", settings)
    app.state.engine = make_engine("postgresql://postgres@127.0.0.1:1/nowhere", pool_size=1)
    app.state.sessionmaker = make_sessionmaker(app.state.engine)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            r = await c.get("/readyz")
            assert r.status_code == 503
            assert r.headers["content-type"] == "application/problem+json"
            body = r.json()
            assert body["status"] == 503 and body["title"] == "Service unavailable"
            assert "Traceback" not in r.text and "psycopg" not in r.text
            # The home page needs the database too: a 503 page saying to wait, never a trace.
            page = await c.get("/")
            assert page.status_code == 503 and "Traceback" not in page.text
            assert "briefly unavailable" in page.text and page.headers["retry-after"] == "30"
    finally:
        await app.state.engine.dispose()


async def test_openapi_document(client):
    r = await client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["info"]["title"] == "AfroBiz Connect API"
    assert "/api/v1/categories" in doc["paths"]


async def test_unknown_api_path_is_problem_json(client):
    r = await client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 404


async def test_unknown_page_is_html_404(client):
    r = await client.get("/nothing-here")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "Page not found" in r.text


async def test_home_page_shows_categories_from_the_database(client, db):
    parent = await create_category(db, name="Kapana & Restaurants", slug="kapana-restaurants")
    await create_category(db, name="Kapana Stands", slug="kapana-stands", parent_id=parent.id)
    await create_category(db, name="Hidden One", slug="hidden-one", is_active=False)
    r = await client.get("/")
    assert r.status_code == 200
    assert "Find and book local businesses in Namibia" in r.text
    assert 'href="/categories/kapana-restaurants"' in r.text
    assert "Kapana Stands" in r.text
    assert "Hidden One" not in r.text


async def test_categories_api_is_a_tree(client, db):
    parent = await create_category(db, name="Auto Repair", slug="auto-repair")
    await create_category(db, name="Mechanics", slug="mechanics", parent_id=parent.id)
    r = await client.get("/api/v1/categories")
    assert r.status_code == 200
    tree = {c["slug"]: c for c in r.json()}
    assert [c["slug"] for c in tree["auto-repair"]["children"]] == ["mechanics"]
    assert "mechanics" not in tree


async def test_static_files_are_fingerprinted_cached_and_compressed(client):
    home = await client.get("/")
    href = home.text.split('rel="stylesheet" href="')[1].split('"')[0]
    assert href.startswith("/static/app.") and href.endswith(".css") and len(href) > len("/static/app.css")
    r = await client.get(href, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert r.headers["content-encoding"] == "gzip"
    assert "system-ui" in r.text
    assert (await client.get("/static/app.000000000000.css")).status_code == 404


async def test_metrics_count_requests(client):
    await client.get("/healthz")
    r = await client.get("/metrics")
    assert r.status_code == 200
    # Labels: method, route template, status class (tests/ops/test_ops_metrics.py has the rest).
    assert 'afrobiz_http_requests_total{method="GET",route="/healthz",status="2xx"}' in r.text


async def test_security_headers_on_pages_and_api(client):
    for path in ("/", "/api/v1/categories", "/nothing-here"):
        r = await client.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert "strict-transport-security" not in r.headers          # plain http here


async def test_hsts_when_served_over_https(app):
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://afrobiz.example") as c:
        r = await c.get("/healthz")
    assert r.headers["strict-transport-security"].startswith("max-age=31536000")
