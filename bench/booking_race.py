"""Booking benchmark: the double-booking race, booking throughput under concurrency, and the
database round trips of one booking. (Slot speed: bench/booking_slots.py.)

    .venv/bin/python bench/booking_race.py [--server postgresql://postgres@127.0.0.1:5432/postgres]
                                           [--clients 50] [--rounds 20] [--without-constraint]

Builds a scratch database (migrated, committed), runs the app in-process (each request in its
own connection and transaction), prints figures, and drops the database. Throughput is also
given as CPU time per booking (this process: app and client; PostgreSQL: the app's backends),
which holds when the machine is shared. --without-constraint drops bookings_no_overlap first,
to show what the database saves us from.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import sys
import tempfile
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import psycopg
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from afrobiz.app import create_app  # noqa: E402
from afrobiz.config import Settings  # noqa: E402
from dbtools import scratch_database  # noqa: E402  (tests/ is on sys.path)
from afrobiz.db.session import make_engine, make_sessionmaker, system_session  # noqa: E402
from factories.accounts import create_user  # noqa: E402
from factories.booking import create_service, set_hours  # noqa: E402
from factories.directory import create_business  # noqa: E402
from booking_slots import backend_pids, count_round_trips, cpu_seconds  # noqa: E402  (bench/ is on sys.path)

TZ = ZoneInfo("Africa/Windhoek")


def today() -> date:
    return datetime.now(UTC).astimezone(TZ).date()


async def seed(sm, n_services: int = 1):
    async with system_session(sm) as s:
        owner = await create_user(s, role="business_owner")
        business = await create_business(s, owner=owner)
        await set_hours(s, business=business, open_time=time(6), close_time=time(22))
        windows = [(d, time(6), time(22)) for d in range(7)]
        solo = [await create_service(s, business=business, windows=windows, duration_minutes=30,
                                     max_advance_booking_days=365) for _ in range(n_services)]
        trio = await create_service(s, business=business, windows=windows, capacity=3, max_advance_booking_days=365)
    return solo, trio


# Every racer and every load request is another guest: its own address (behind the trusted
# proxy) and contact, since guest bookings are limited per address and per contact.
_guests = itertools.count(1)


def another_guest() -> tuple[dict, dict]:
    """(contact fields, headers) of a new guest."""
    n = next(_guests)
    return ({"customer_phone": f"+26481{1000000 + n}"},
            {"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"})


async def storm(client, service, day, at, n):
    gate = asyncio.Event()

    async def one():
        contact, headers = another_guest()
        payload = {"service_id": str(service.id), "booking_date": day.isoformat(), "booking_time": at,
                   "customer_name": "Racer"} | contact
        await gate.wait()
        return (await client.post("/api/v1/bookings", json=payload, headers=headers)).status_code

    tasks = [asyncio.create_task(one()) for _ in range(n)]
    await asyncio.sleep(0)
    gate.set()
    return await asyncio.gather(*tasks)


async def races(url, args):
    engine = make_engine(url, pool_size=args.pool // 2)
    sm = make_sessionmaker(engine)
    solo, trio = await seed(sm, n_services=8)
    if args.without_constraint:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap")
        print("!! bookings_no_overlap DROPPED: showing what happens without it")
    app = create_app(url, Settings(database_url=url, data_dir=Path(tempfile.mkdtemp()), secret_key="bench",
                                   environment="test", trusted_proxies="127.0.0.1"))
    app.state.engine, app.state.sessionmaker = engine, sm
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        day = today() + timedelta(days=2)
        wins, t0 = [], clock.perf_counter()
        for rnd in range(args.rounds):
            codes = await storm(client, solo[0], day + timedelta(days=rnd // 16), f"{6 + rnd % 16:02d}:00",
                                args.clients)
            wins.append(codes.count(201))
            assert set(codes) <= {201, 409}, codes
        spent = clock.perf_counter() - t0
        print(f"race capacity 1: {args.clients} clients x {args.rounds} rounds -> winners per round {wins} "
              f"({'OK: exactly one' if set(wins) == {1} else 'DOUBLE BOOKED'}), "
              f"{args.clients * args.rounds / spent:.0f} requests/s")
        codes = await storm(client, trio, day, "10:00", args.clients)
        print(f"race capacity 3: {args.clients} clients -> {codes.count(201)} x 201, {codes.count(409)} x 409")
        async with engine.connect() as conn:
            await conn.execute(text("SELECT set_config('app.role', 'system', false)"))
            overlaps = await conn.scalar(text(
                "SELECT count(*) FROM bookings a JOIN bookings b ON a.service_id = b.service_id AND a.id < b.id "
                "AND a.time_range && b.time_range JOIN services s ON s.id = a.service_id AND s.capacity = 1 "
                "WHERE a.status IN ('pending','confirmed','in_progress') "
                "AND b.status IN ('pending','confirmed','in_progress')"))
        print(f"SQL check: overlapping active bookings of capacity-1 services = {overlaps}")

        # Throughput: every request books a different free slot (30-minute slots across 8 services).
        targets = [(svc, day + timedelta(days=10 + d), f"{6 + m // 2:02d}:{30 * (m % 2):02d}")
                   for svc in solo for d in range(3) for m in range(32)]
        sem = asyncio.Semaphore(args.clients)

        async def book(svc, d, at):
            async with sem:
                contact, headers = another_guest()
                try:
                    r = await client.post("/api/v1/bookings", headers=headers, json={
                        "service_id": str(svc.id), "booking_date": d.isoformat(), "booking_time": at,
                        "customer_name": "Load"} | contact)
                except Exception as exc:  # e.g. the pool's 30 s wait ran out on a saturated machine
                    return type(exc).__name__
                return r.status_code

        db_pids = backend_pids(url)
        t0, cpu0, db0 = clock.perf_counter(), clock.process_time(), cpu_seconds(db_pids)
        codes = await asyncio.gather(*(book(*t) for t in targets))
        spent, cpu = clock.perf_counter() - t0, clock.process_time() - cpu0
        db_cpu = cpu_seconds(db_pids) - db0
        print(f"throughput: {len(targets)} bookings on distinct slots, concurrency {args.clients}: "
              f"{codes.count(201)} x 201{'' if codes.count(201) == len(codes) else f' (others: {sorted(set(map(str, codes)) - {str(201)})})'}"
              f" in {spent:.2f} s = {codes.count(201) / spent:.0f} bookings/s; CPU per booking: "
              f"app+client {cpu * 1000 / len(targets):.2f} ms, PostgreSQL {db_cpu * 1000 / len(targets):.2f} ms")
    await engine.dispose()
    return solo, trio


async def round_trips(url, solo, trio) -> None:
    """Database round trips of one guest booking (statements, BEGIN/COMMIT, pool pre-ping)."""
    day = today() + timedelta(days=40)
    for label, service in (("capacity 1", solo[-1]), ("capacity 3", trio)):
        minutes = iter(range(0, 16 * 60, 60))

        def body(service=service, minutes=minutes):
            m = next(minutes)
            return {"service_id": str(service.id), "booking_date": day.isoformat(),
                    "booking_time": f"{6 + m // 60:02d}:00", "customer_name": "Count",
                    "customer_email": f"count-{label[-1]}-{m}@example.na"}   # a contact per booking

        n, statements, status = await count_round_trips(url, "/api/v1/bookings", method="POST", json=body)
        print(f"round trips of one guest booking, {label} (HTTP {status}): {n}")
        if status != 201:
            print("  " + "; ".join(statements))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--pool", type=int, default=20, help="database connections at most")
    ap.add_argument("--without-constraint", action="store_true")
    args = ap.parse_args()
    with scratch_database(args.server, "afrobiz_bench") as url:
        print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        solo, trio = asyncio.run(races(url, args))
        asyncio.run(round_trips(url, solo, trio))


if __name__ == "__main__":
    main()
