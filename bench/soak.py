"""Soak: a load generator books and searches for a long while; PostgreSQL "goes down" and
comes back again and again. Prints what the clients saw. Not part of the test suite.

    .venv/bin/python bench/soak.py [--server postgresql://postgres@127.0.0.1:5432/postgres]
                                   [--minutes 10] [--clients 8] [--outage-every 60] [--outage-seconds 10]

A scratch database (migrated, demo data) is reached through a TCP proxy that the script
cuts and restores (the shared server itself is never stopped). Figures: requests by status,
5xx other than the outages' 503 (must be 0), slowest answer during an outage (must stay
under 5 s), recovery time after each outage (must stay under 30 s), and whether every
booking a client saw succeed exists exactly once at the end.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import random
import sys
import tempfile
import time as clock
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "reliability")]

from dbtools import create_database, drop_database
from fault_proxy import FaultProxy
from reliability_helpers import build_world

from afrobiz.app import create_app
from afrobiz.config import Settings
from afrobiz.db import migrate
from afrobiz.db.session import make_engine, make_sessionmaker, system_session
from afrobiz.demo.loader import load_demo


class Tally:
    def __init__(self):
        self.by_status: collections.Counter = collections.Counter()
        self.unexpected_5xx = 0
        self.slowest_in_outage = 0.0
        self.booked: list[str] = []
        self.down = False
        self.recoveries: list[float] = []
        self.came_back_at: float | None = None


async def client_loop(n: int, client: httpx.AsyncClient, world, tally: Tally, stop: float) -> None:
    rng = random.Random(n)
    while clock.monotonic() < stop:
        started = clock.monotonic()
        if rng.random() < 0.3:
            day = world.day + timedelta(days=rng.randrange(1, 50))
            r = await client.post("/api/v1/bookings", headers=world.b.customer.headers | {
                "Idempotency-Key": uuid.uuid4().hex}, json={"service_id": str(world.a.service),
                                                             "booking_date": day.isoformat(),
                                                             "booking_time": f"{rng.randrange(8, 16):02d}:00"})
            if r.status_code == 201:
                tally.booked.append(r.json()["id"])
        else:
            r = await client.get("/api/v1/search/businesses", params={"q": rng.choice(["braids", "salon", "food"])})
        elapsed = clock.monotonic() - started
        tally.by_status[r.status_code] += 1
        if r.status_code >= 500 and not (r.status_code == 503 and (tally.down or tally.came_back_at)):
            tally.unexpected_5xx += 1
        if tally.down:
            tally.slowest_in_outage = max(tally.slowest_in_outage, elapsed)
        elif tally.came_back_at is not None and r.status_code < 500:
            tally.recoveries.append(clock.monotonic() - tally.came_back_at)
            tally.came_back_at = None
        await asyncio.sleep(0.01)


async def outages(proxy: FaultProxy, tally: Tally, every: float, seconds: float, stop: float) -> None:
    while clock.monotonic() + every + seconds < stop:
        await asyncio.sleep(every)
        tally.down = True
        await proxy.cut()
        await asyncio.sleep(seconds)
        await proxy.start()
        tally.down = False
        tally.came_back_at = clock.monotonic()


async def soak(url: str, args) -> int:
    engine = make_engine(url, pool_size=1)
    async with system_session(make_sessionmaker(engine)) as s:
        world = await build_world(s)
    await engine.dispose()
    proxy = await FaultProxy(int(url.split(":")[-1].split("/")[0]) if url.count(":") > 1 else 5432).start()
    via = f"postgresql://postgres@127.0.0.1:{proxy.port}/{url.rsplit('/', 1)[1]}"
    engine = make_engine(via, pool_size=args.clients)
    app = create_app(via, Settings(database_url=via, data_dir=Path(tempfile.mkdtemp()), secret_key="soak",
                                   environment="test"))
    app.state.engine, app.state.sessionmaker = engine, make_sessionmaker(engine)
    tally = Tally()
    stop = clock.monotonic() + args.minutes * 60
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                 base_url="http://soak", timeout=60) as client:
        await asyncio.gather(outages(proxy, tally, args.outage_every, args.outage_seconds, stop),
                             *[client_loop(n, client, world, tally, stop) for n in range(args.clients)])
    await engine.dispose()
    await proxy.cut()
    with psycopg.connect(url) as conn:
        counts = dict(conn.execute("SELECT id::text, count(*) FROM bookings WHERE id = ANY(%s::uuid[]) GROUP BY id",
                                   (tally.booked,)).fetchall())
    lost = [b for b in tally.booked if counts.get(b) != 1]
    print(f"requests: {sum(tally.by_status.values())}  by status: {dict(sorted(tally.by_status.items()))}")
    print(f"unexpected 5xx: {tally.unexpected_5xx}")
    print(f"slowest answer during an outage: {tally.slowest_in_outage:.2f} s")
    print(f"recoveries: {len(tally.recoveries)}, slowest {max(tally.recoveries, default=0):.2f} s")
    print(f"bookings seen: {len(tally.booked)}, missing or doubled: {len(lost)}")
    ok = (not tally.unexpected_5xx and not lost and tally.slowest_in_outage < 5
          and max(tally.recoveries, default=0) < 30)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--outage-every", type=float, default=60)
    parser.add_argument("--outage-seconds", type=float, default=10)
    parser.add_argument("--businesses", type=int, default=50)
    args = parser.parse_args()
    url = create_database(args.server, "afrobiz_soak")
    try:
        migrate.upgrade(url)
        load_demo(url, businesses=args.businesses)
        return asyncio.run(soak(url, args))
    finally:
        drop_database(args.server, url)


if __name__ == "__main__":
    sys.exit(main())
