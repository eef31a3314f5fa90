"""No request goes unanswered while PostgreSQL ends the app's backends under load (issue 21 §15).

A real uvicorn process serves a committed scratch database; 8 clients (keep-alive
connections, as browsers and load balancers use them) send 480 requests of the common mix
(search, suggest and free slots through the hot lane, a business, a page, /me, /readyz,
bookings) while 4 rounds of pg_terminate_backend end every backend of the database. Every
request must get an HTTP answer: its ordinary one (a read whose connection died is run again
by the app), or 503 (problem+json in the API, the error page on a page). Before: 9-21 of
480 got a connection reset and no answer, and 1-3 got a 500.
"""
from __future__ import annotations

import asyncio
import collections
import os
import random
import socket
import subprocess
import sys
import time as clock
import uuid
from datetime import timedelta

import httpx
import pytest
from dbtools import migrated_database
from lost_connections import end_backends
from reliability_helpers import build_world

from afrobiz.db.session import make_engine, make_sessionmaker, system_session

CLIENTS, REQUESTS_EACH, ROUNDS = 8, 60, 4


@pytest.fixture(scope="module")
def scratch_url(server_url):
    yield from migrated_database(server_url, "afrobiz_rel_kill")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def committed_world(url: str):
    engine = make_engine(url, pool_size=1)
    try:
        async with system_session(make_sessionmaker(engine)) as s:
            return await build_world(s)
    finally:
        await engine.dispose()


async def started_server(url: str, tmp_path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = os.environ | {"AFROBIZ_DATABASE_URL": url, "AFROBIZ_DATA_DIR": str(tmp_path), "AFROBIZ_SECRET_KEY": "kill",
                        "AFROBIZ_ENVIRONMENT": "test", "AFROBIZ_DB_POOL_SIZE": "4"}
    log = open(tmp_path / "server.log", "w")   # noqa: SIM115  (the process writes it until the end)
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "afrobiz.asgi:app", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base) as probe:
        for _ in range(300):
            try:
                if (await probe.get("/readyz")).status_code == 200:
                    return proc, base
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    proc.kill()
    raise AssertionError("the server did not start: " + (tmp_path / "server.log").read_text()[-2000:])


def request_for(client: httpx.AsyncClient, world, n: int, rng: random.Random):
    kind = n % 8
    if kind == 0:
        return client.get("/api/v1/search/businesses", params={"q": "salon"})
    if kind == 1:
        return client.get(f"/api/v1/services/{world.a.service}/slots", params={"from": world.day.isoformat()})
    if kind == 2:
        return client.get("/api/v1/search/suggest", params={"q": "sal"})
    if kind == 3:
        return client.get(f"/api/v1/businesses/{world.a.slug}")
    if kind == 4:
        return client.get("/api/v1/me", headers=world.a.customer.headers)
    if kind == 5:
        return client.get("/readyz")
    if kind == 6:
        return client.get(f"/b/{world.a.slug}")
    day = world.day + timedelta(days=rng.randrange(1, 60))
    return client.post("/api/v1/bookings", headers=world.b.customer.headers | {"Idempotency-Key": uuid.uuid4().hex},
                       json={"service_id": str(world.a.service), "booking_date": day.isoformat(),
                             "booking_time": f"{rng.randrange(8, 16):02d}:00"})


def wrong_answer(r: httpx.Response) -> str | None:
    """Why this answer breaks the promise (None when it keeps it)."""
    path = r.request.url.path
    if r.status_code == 503:
        kind = r.headers.get("content-type", "")
        want = "text/html" if path.startswith("/b/") else "application/problem+json"
        if not kind.startswith(want) or "retry-after" not in r.headers:
            return f"503 on {path} as {kind!r}"
        return None
    if r.status_code >= 500:
        return f"{r.status_code} on {path}: {r.text[:200]}"
    return None


async def test_every_request_is_answered_while_backends_are_terminated(scratch_url, server_url, tmp_path):
    world = await committed_world(scratch_url)
    proc, base = await started_server(scratch_url, tmp_path)
    statuses: collections.Counter = collections.Counter()
    unanswered: list[str] = []
    wrong: list[str] = []
    done = 0

    async def client_loop(i: int) -> None:
        nonlocal done
        rng = random.Random(i)
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            for n in range(REQUESTS_EACH):
                try:
                    r = await request_for(client, world, n + i, rng)
                except httpx.TransportError as exc:
                    unanswered.append(f"{type(exc).__name__}: {exc}")
                else:
                    statuses[r.status_code] += 1
                    if (why := wrong_answer(r)) is not None:
                        wrong.append(why)
                done += 1
                await asyncio.sleep(0.01)

    async def killer() -> list[int]:
        ended = []
        for k in range(1, ROUNDS + 1):   # spread over the run: after each fifth of the requests
            while done < k * CLIENTS * REQUESTS_EACH // (ROUNDS + 1):
                await asyncio.sleep(0.05)
            ended.append(await asyncio.to_thread(end_backends, server_url, scratch_url))
        return ended

    started = clock.monotonic()
    try:
        ended, *_ = await asyncio.gather(killer(), *(client_loop(i) for i in range(CLIENTS)))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    total = sum(statuses.values()) + len(unanswered)
    print(f"\n{total} requests in {clock.monotonic() - started:.1f} s, backends ended per round {ended}: "
          f"{dict(sorted(statuses.items()))}, unanswered {len(unanswered)}")
    assert total == CLIENTS * REQUESTS_EACH
    assert all(n >= 1 for n in ended), ended
    assert not unanswered, unanswered[:5]
    assert not wrong, wrong[:5]
