"""/metrics through HTTP: what it counts after real requests, and who may read it."""
from __future__ import annotations

import re
import uuid

import httpx
import psycopg
import pytest

from afrobiz.db.urls import plain_url
from afrobiz.kit.metrics import METRICS


def series(text: str, name: str, **labels: str) -> float | None:
    """The value of one series, labels matched exactly (in any order)."""
    for line in text.splitlines():
        m = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if m and dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(1) or "")) == labels:
            return float(m.group(2))
    return None


def client_from(app, host: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(host, 41234))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_requests_are_counted_by_route_template_method_and_status_class(client):
    before = (await client.get("/metrics")).text
    base = series(before, "afrobiz_http_requests_total", method="GET", route="/b/{slug}", status="4xx") or 0
    for slug in (f"no-such-{uuid.uuid4().hex[:6]}", f"no-such-{uuid.uuid4().hex[:6]}"):
        assert (await client.get(f"/b/{slug}")).status_code == 404
    assert (await client.get(f"/no/route/{uuid.uuid4().hex}")).status_code == 404
    assert (await client.post("/api/v1/auth/login", json={})).status_code == 422
    text = (await client.get("/metrics")).text
    assert series(text, "afrobiz_http_requests_total", method="GET", route="/b/{slug}", status="4xx") == base + 2
    assert "no-such-" not in text and "/no/route" not in text            # never a raw path
    assert series(text, "afrobiz_http_requests_total", method="GET", route="<unmatched>", status="4xx") >= 1
    assert series(text, "afrobiz_http_requests_total", method="POST", route="/api/v1/auth/login", status="4xx") >= 1
    # The latency histogram: cumulative buckets ending in +Inf, a count equal to the requests.
    inf = series(text, "afrobiz_http_request_duration_seconds_bucket", method="GET", route="/b/{slug}",
                 status="4xx", le="+Inf")
    assert inf == base + 2
    assert series(text, "afrobiz_http_request_duration_seconds_count", method="GET", route="/b/{slug}",
                  status="4xx") == inf
    assert series(text, "afrobiz_http_request_duration_seconds_bucket", method="GET", route="/b/{slug}",
                  status="4xx", le="0.005") <= inf
    assert "# TYPE afrobiz_http_request_duration_seconds histogram" in text


async def test_odd_methods_share_one_label(client):
    await client.request("BREW", "/healthz")
    text = (await client.get("/metrics")).text
    assert 'method="BREW"' not in text and 'method="OTHER"' in text


async def test_pool_process_and_job_queue_gauges(client, database_url):
    # A job that failed for good, committed where the scrape's own connection can see it.
    task = f"tests.ops.failing_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(plain_url(database_url), autocommit=True) as conn:
        job_id = conn.execute("INSERT INTO procrastinate.procrastinate_jobs (queue_name, task_name, args, status)"
                              " VALUES ('default', %s, '{}', 'failed') RETURNING id", (task,)).fetchone()[0]
    try:
        METRICS.jobs_cache = None          # the queue is counted at most every 15 s per process
        text = (await client.get("/metrics")).text
    finally:
        with psycopg.connect(plain_url(database_url), autocommit=True) as conn:
            conn.execute("DELETE FROM procrastinate.procrastinate_jobs WHERE id = %s", (job_id,))
    assert series(text, "afrobiz_jobs_failed", task=task) == 1
    assert series(text, "afrobiz_jobs", status="failed") >= 1
    assert series(text, "afrobiz_jobs", status="todo") is not None
    assert series(text, "afrobiz_jobs_scrape_ok") == 1
    assert series(text, "afrobiz_db_pool_connections", pool="primary", state="size") == 5
    for state in ("checked_out", "checked_in", "overflow"):
        assert series(text, "afrobiz_db_pool_connections", pool="primary", state=state) is not None
    assert series(text, "process_start_time_seconds") > 0
    assert series(text, "process_resident_memory_bytes") > 0
    assert "afrobiz_info{" in text
    METRICS.jobs_cache = None


# ---------------------------------------------------------------- who may read it


async def test_metrics_from_this_machine_without_a_proxy(client):
    r = await client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("host", ["10.1.2.3", "192.168.0.9", "::1"])
async def test_metrics_from_the_private_network(app, host):
    async with client_from(app, host) as c:
        assert (await c.get("/metrics")).status_code == 200


async def test_metrics_refused_to_the_internet(app):
    async with client_from(app, "41.182.10.9") as c:
        r = await c.get("/metrics")
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    assert "afrobiz_http" not in r.text


async def test_metrics_refused_through_a_proxy_we_were_not_told_about(client):
    """nginx on the same host: every visitor arrives from 127.0.0.1 with X-Forwarded-For."""
    for header in ({"X-Forwarded-For": "41.182.10.9"}, {"X-Real-IP": "41.182.10.9"},
                   {"Forwarded": "for=41.182.10.9"}):
        r = await client.get("/metrics", headers=header)
        assert r.status_code == 403, header


async def test_metrics_through_a_trusted_proxy_follow_the_real_client(app, client):
    app.state.settings = app.state.settings.model_copy(update={"trusted_proxies": "127.0.0.1"})
    assert (await client.get("/metrics", headers={"X-Forwarded-For": "10.0.0.7"})).status_code == 200
    assert (await client.get("/metrics", headers={"X-Forwarded-For": "41.182.10.9"})).status_code == 403


async def test_metrics_token_when_configured(app, client, login, db):
    from factories.accounts import create_admin

    app.state.settings = app.state.settings.model_copy(update={"metrics_token": "scrape-" + "x" * 32})
    r = await client.get("/metrics")                        # even from loopback: the token is the rule
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert (await client.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 401
    # An admin's log-in token is not the metrics token.
    assert (await client.get("/metrics", headers=await login(await create_admin(db)))).status_code == 401
    async with client_from(app, "41.182.10.9") as c:
        r = await c.get("/metrics", headers={"Authorization": "Bearer scrape-" + "x" * 32})
    assert r.status_code == 200 and "afrobiz_http_requests_total" in r.text


def test_workers_of_one_server_add_up_their_counts(tmp_path):
    """`serve --workers N`: whichever worker is scraped reports the sum of the live ones."""
    import json
    import os

    from afrobiz.kit.metrics import Metrics

    mine, other = Metrics(), Metrics()
    mine.observe("GET", "/b/{slug}", 200, 0.02)
    other.observe("GET", "/b/{slug}", 200, 3.0)
    other.observe("POST", "/api/v1/bookings", 201, 0.2)
    mine.share(tmp_path)
    # The other worker's saved file (a live process: our parent), and a stopped worker's.
    key_rows = [[*k, other.requests[k], other.sums[k], other.buckets[k]] for k in other.requests]
    (tmp_path / "a.json").write_text(json.dumps({"pid": os.getppid(), "series": key_rows}))
    (tmp_path / "b.json").write_text(json.dumps({"pid": 2 ** 22 + 12345, "series": key_rows}))
    mine.save()
    text = "\n".join(mine.combined().render_requests())
    assert series(text, "afrobiz_http_requests_total", method="GET", route="/b/{slug}", status="2xx") == 2
    assert series(text, "afrobiz_http_requests_total", method="POST", route="/api/v1/bookings", status="2xx") == 1
    assert series(text, "afrobiz_http_request_duration_seconds_bucket", method="GET", route="/b/{slug}",
                  status="2xx", le="0.025") == 1
    assert not (tmp_path / "b.json").exists()          # the stopped worker's file is cleared away
    assert (tmp_path / f"{os.getpid()}.json").exists()
