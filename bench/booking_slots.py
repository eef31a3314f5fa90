"""Slot speed (issue 6): the pure slot maths for 60 days of a busy service, and one day's free
slots through HTTP from the real app under uvicorn (1 and 2 workers), load from another process.

    .venv/bin/python bench/booking_slots.py [--server postgresql://postgres@127.0.0.1:5432/postgres]
        [--runs 200] [--duration 10] [--connections 16] [--workers 1,2] [--skip-http]

Prints, for the maths, wall-clock AND process-CPU median/p99 (CPU time barely moves when the
machine is shared); for HTTP, p50/p99 latency and requests/s with one connection (latency)
and with --connections (throughput), using wrk when installed (`apt-get install wrk`), else a
small asyncio keep-alive client in a separate process, plus the CPU time one request costs the
app (uvicorn processes) and PostgreSQL (the app's backends), read from /proc, and what that
allows on two free cores; and the database round trips one anonymous request makes. The scratch database is created, seeded (committed) and dropped.
For comparison, django-appointment measured here p50 15-19 ms and 99-134 requests/s.
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time as clock
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import psycopg
from sqlalchemy import event

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from afrobiz.booking import availability as av  # noqa: E402
from dbtools import scratch_database  # noqa: E402  (tests/ is on sys.path)

TZ = ZoneInfo(av.DEFAULT_TZ)
# The busy service: 15-minute slots with 5-minute buffers, two places, two windows a day inside
# business hours, two closure days, and a booking every 30 minutes plus a second one every hour.
RULES = av.ServiceRules(duration_minutes=15, buffer_before_minutes=5, buffer_after_minutes=5, capacity=2,
                        max_advance_days=90)
WINDOWS = [(d, time(8), time(13)) for d in range(7)] + [(d, time(14), time(18)) for d in range(7)]
HOURS = [av.BusinessHours(d, time(7, 30), time(18, 30)) for d in range(7)]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def busy_bookings(start: date, days: int = 61) -> list[tuple[int, time]]:
    """(day offset, local start) of the busy service's bookings."""
    return [(day, time(8 + m // 60, m % 60)) for day in range(days) for m in range(0, 10 * 60, 30)
            for _ in range(2 if m % 60 == 0 else 1)]


# ---------------------------------------------------------------- the maths

def slot_maths(runs: int) -> None:
    start, now = date(2031, 3, 3), datetime(2031, 3, 2, tzinfo=UTC)
    closures = {start + timedelta(days=10), start + timedelta(days=40)}
    bookings = [av.occupied_range(RULES, av.local_to_utc(start + timedelta(days=d), t)) for d, t in busy_bookings(start)]
    wall, cpu = [], []
    for _ in range(runs):
        w0, c0 = clock.perf_counter(), clock.process_time()
        found = av.free_slots(RULES, WINDOWS, HOURS, closures, bookings, now, start, start + timedelta(days=59))
        cpu.append((clock.process_time() - c0) * 1000)
        wall.append((clock.perf_counter() - w0) * 1000)
    print(f"slot maths, 60 days, {len(WINDOWS)} windows, {len(bookings)} bookings (capacity 2, buffers) "
          f"-> {len(found)} slots, {runs} runs:")
    print(f"  wall  median {statistics.median(wall):.2f} ms  p99 {pct(wall, .99):.2f} ms  best {min(wall):.2f} ms")
    print(f"  CPU   median {statistics.median(cpu):.2f} ms  p99 {pct(cpu, .99):.2f} ms  (process time)")


# ---------------------------------------------------------------- the database

def seed(url: str) -> tuple[uuid.UUID, date]:
    """A committed busy service; returns its id and the day the HTTP runs ask for."""
    today = datetime.now(UTC).astimezone(TZ).date()
    with psycopg.connect(url, autocommit=True) as conn:
        owner = conn.execute("INSERT INTO users (email, first_name, last_name, role, is_active) "
                             "VALUES (%s, 'Bench', 'Owner', 'business_owner', true) RETURNING id",
                             (f"owner-{uuid.uuid4().hex[:8]}@bench.na",)).fetchone()[0]
        category = conn.execute("INSERT INTO categories (name, slug) VALUES ('Bench', %s) RETURNING id",
                                (f"bench-{uuid.uuid4().hex[:8]}",)).fetchone()[0]
        business = conn.execute(
            "INSERT INTO businesses (owner_id, name, slug, category_id, city, region, status) "
            "VALUES (%s, 'Bench Salon', %s, %s, 'Windhoek', 'Khomas', 'active') RETURNING id",
            (owner, f"bench-{uuid.uuid4().hex[:8]}", category)).fetchone()[0]
        for h in HOURS:
            conn.execute("INSERT INTO business_hours (business_id, day_of_week, open_time, close_time) "
                         "VALUES (%s, %s, %s, %s)", (business, h.day_of_week, h.open_time, h.close_time))
        for d in (10, 40):
            conn.execute("INSERT INTO business_closures (business_id, closed_on) VALUES (%s, %s)",
                         (business, today + timedelta(days=d)))
        service = conn.execute(
            "INSERT INTO services (business_id, name, price, duration_minutes, buffer_before_minutes, "
            "buffer_after_minutes, capacity, min_advance_booking_hours, max_advance_booking_days) "
            "VALUES (%s, 'Busy cut', 100, %s, %s, %s, %s, 0, %s) RETURNING id",
            (business, RULES.duration_minutes, RULES.buffer_before_minutes, RULES.buffer_after_minutes,
             RULES.capacity, RULES.max_advance_days)).fetchone()[0]
        for dow, a, b in WINDOWS:
            conn.execute("INSERT INTO service_availability (service_id, day_of_week, start_time, end_time) "
                         "VALUES (%s, %s, %s, %s)", (service, dow, a, b))
        rows = []
        for n, (d, t) in enumerate(busy_bookings(today)):
            day = today + timedelta(days=d)
            lo, hi = av.occupied_range(RULES, av.local_to_utc(day, t))
            rows.append((f"AB-B{n:07d}", business, service, day, t, RULES.duration_minutes, "Busy Guest",
                         100, f"[{lo.isoformat()},{hi.isoformat()})"))
        with conn.cursor() as cur:
            cur.execute("SELECT set_config('app.role', 'system', false)")
            cur.executemany(
                "INSERT INTO bookings (booking_number, business_id, service_id, booking_date, booking_time, "
                "duration_minutes, customer_name, total_amount, time_range, exclusive_slot, status) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s::tstzrange, false, 'confirmed')", rows)
        conn.execute("ANALYZE")
    return service, today + timedelta(days=2)


class RoundTrips:
    """Counts what the app sends PostgreSQL: statements, the BEGIN psycopg sends before the
    first statement of a transaction, COMMIT/ROLLBACK, and the pool's pre-ping per checkout."""

    def __init__(self, engine) -> None:
        self.count = 0
        self.statements: list[str] = []
        sync = engine.sync_engine
        event.listen(sync, "before_cursor_execute", self._statement)
        event.listen(sync, "commit", self._end)
        event.listen(sync, "rollback", self._end)
        if getattr(sync.pool, "_pre_ping", False):
            event.listen(sync.pool, "checkout", self._ping)

    @staticmethod
    def _driver(conn):
        return conn.connection.dbapi_connection.driver_connection

    def _statement(self, conn, cursor, statement, parameters, context, executemany) -> None:
        raw = self._driver(conn)
        if not raw.autocommit and raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
            self.count += 1
            self.statements.append("BEGIN")
        self.count += 1
        self.statements.append(" ".join(statement.split())[:90])

    def _end(self, conn) -> None:
        if self._driver(conn).info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            self.count += 1
            self.statements.append("COMMIT/ROLLBACK")

    def _ping(self, *args) -> None:
        self.count += 1
        self.statements.append("pre-ping")

    def take(self) -> tuple[int, list[str]]:
        out = self.count, self.statements
        self.count, self.statements = 0, []
        return out


async def count_round_trips(url: str, path: str, *, method: str = "GET", json=None, headers=None,
                            prepare=None) -> tuple[int, list[str], int]:
    """Round trips of one request through the real app (in process, committed database)."""
    from afrobiz.app import create_app
    from afrobiz.config import Settings
    from afrobiz.db.session import make_engine, make_sessionmaker

    engine = make_engine(url, pool_size=2)
    app = create_app(url, Settings(database_url=url, data_dir=Path(tempfile.mkdtemp()), secret_key="bench",
                                   environment="test"))
    app.state.engine, app.state.sessionmaker = engine, make_sessionmaker(engine)
    trips = RoundTrips(engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        for _ in range(2):  # warm: connections open, statements prepared
            body = json() if callable(json) else json
            await client.request(method, path, json=body, headers=headers)
        trips.take()
        body = json() if callable(json) else json
        status = (await client.request(method, path, json=body, headers=headers)).status_code
        n, statements = trips.take()
    await engine.dispose()
    return n, statements, status


async def count_lane_statements(url: str, path: str) -> tuple[int, list[str], int]:
    """Statements the hot lane (api/hot.py), which answers anonymous GETs in production, sends
    for one request (each is one round trip on its autocommit connection)."""
    from contextlib import asynccontextmanager

    from afrobiz.app import create_app
    from afrobiz.config import Settings
    from afrobiz.db.raw import Reader

    sent: list[str] = []

    class Recording(Reader):
        async def all(self, statement, binds=None, *, settings=None):
            sent.append(" ".join(statement.split())[:90])
            return await super().all(statement, binds, settings=settings)

    app = create_app(url, Settings(database_url=url, data_dir=Path(tempfile.mkdtemp()), secret_key="bench",
                                   environment="test"))
    async with app.router.lifespan_context(app):
        pools = app.state.hot

        @asynccontextmanager
        async def recording(*, primary: bool):
            async with pools.primary.connection() as conn:
                yield Recording(conn, tuned=True)

        pools.reader = recording
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            await client.get(path)
            sent.clear()
            status = (await client.get(path)).status_code
    return len(sent), sent, status


# ---------------------------------------------------------------- HTTP

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = os.environ | {"AFROBIZ_DATABASE_URL": url, "AFROBIZ_ENVIRONMENT": "production",
                        "AFROBIZ_DB_POOL_SIZE": "20",  # no overflow connections opening and closing mid-run
                        "AFROBIZ_SECRET_KEY": "bench-" + uuid.uuid4().hex, "AFROBIZ_LOG_LEVEL": "WARNING",
                        "AFROBIZ_DATA_DIR": tempfile.mkdtemp()}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "afrobiz.asgi:app", "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(workers), "--no-access-log",
                             "--log-level", "warning"], cwd=ROOT, env=env)
    deadline = clock.monotonic() + 60
    while clock.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc, port
        except httpx.HTTPError:
            pass
        clock.sleep(0.2)
    proc.terminate()
    raise RuntimeError("uvicorn did not start")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def backend_pids(url: str) -> list[int]:
    """PostgreSQL server processes serving the scratch database (the app's pooled connections)."""
    with psycopg.connect(url, autocommit=True) as conn:
        return [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                           "AND pid <> pg_backend_pid()")]


def wrk(url: str, connections: int, seconds: int) -> tuple[float, float, float, int]:
    """(p50 ms, p99 ms, requests/s, requests) from wrk --latency."""
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"wrk saw errors:\n{out}")

    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return ms("50%"), ms("99%"), rps, int(re.search(r"(\d+) requests in", out).group(1))


def _client_process(host: str, port: int, path: str, connections: int, seconds: float, queue) -> None:
    """Fallback load generator: keep-alive GETs over raw asyncio streams (no HTTP library cost)."""
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()

    async def one(latencies: list[float], stop: float) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        while clock.perf_counter() < stop:
            t0 = clock.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"content-length: (\d+)", head, re.I).group(1))
            await reader.readexactly(length)
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(head[:40])
            latencies.append((clock.perf_counter() - t0) * 1000)
        writer.close()

    async def main() -> tuple[list[float], float]:
        latencies: list[float] = []
        t0 = clock.perf_counter()
        await asyncio.gather(*(one(latencies, t0 + seconds) for _ in range(connections)))
        return latencies, clock.perf_counter() - t0

    latencies, spent = asyncio.run(main())
    queue.put((pct(latencies, .5), pct(latencies, .99), len(latencies) / spent, len(latencies)))


def load(port: int, path: str, connections: int, seconds: int) -> tuple[float, float, float, int]:
    if shutil.which("wrk"):
        return wrk(f"http://127.0.0.1:{port}{path}", connections, seconds)
    queue = multiprocessing.Queue()
    proc = multiprocessing.Process(target=_client_process,
                                   args=("127.0.0.1", port, path, connections, seconds, queue))
    proc.start()
    result = queue.get(timeout=seconds + 60)
    proc.join()
    return result


def http_runs(url: str, service: uuid.UUID, day: date, args) -> None:
    one_day = f"/api/v1/services/{service}/slots?from={day.isoformat()}&to={day.isoformat()}"
    sixty = f"/api/v1/services/{service}/slots?from={day.isoformat()}&to={(day + timedelta(days=59)).isoformat()}"
    tool = "wrk" if shutil.which("wrk") else "asyncio client"
    for workers in args.workers:
        proc, port = start_server(url, workers)
        try:
            got = httpx.get(f"http://127.0.0.1:{port}{one_day}").json()
            many = httpx.get(f"http://127.0.0.1:{port}{sixty}").json()
            load(port, one_day, args.connections, 2)  # warm every worker's pool
            app_pids = process_tree(proc.pid)
            print(f"HTTP one day of slots ({len(got)} slots; 60 days = {len(many)} slots), uvicorn {workers} "
                  f"worker(s), {tool}, {args.duration} s each:")
            for label, path, connections in (("1 day", one_day, 1), ("1 day", one_day, args.connections),
                                             ("60 days", sixty, 1)):
                app0, db0 = cpu_seconds(app_pids), {pid: cpu_seconds([pid]) for pid in backend_pids(url)}
                p50, p99, rps, n = load(port, path, connections, args.duration)
                db_used = sum(cpu_seconds([pid]) - db0.get(pid, 0) for pid in backend_pids(url))
                app_ms, db_ms = (cpu_seconds(app_pids) - app0) * 1000 / n, db_used * 1000 / n
                print(f"  {label:7s} {connections:3d} connection(s): p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  "
                      f"{rps:7,.0f} requests/s | CPU per request: app {app_ms:.2f} ms + PostgreSQL {db_ms:.2f} ms"
                      f" -> {2000 / (app_ms + db_ms):,.0f} requests/s on 2 free cores")
        finally:
            stop_server(proc)
    print("  (django-appointment here: p50 15-19 ms, 99-134 requests/s. The CPU figures hold under load; "
          "the latencies and requests/s do not when the machine is shared: see the load average.)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--runs", type=int, default=200, help="runs of the pure maths")
    ap.add_argument("--duration", type=int, default=10, help="seconds per HTTP load run")
    ap.add_argument("--connections", type=int, default=16, help="connections of the throughput run")
    ap.add_argument("--workers", type=lambda s: [int(w) for w in s.split(",")], default=[1, 2])
    ap.add_argument("--skip-http", action="store_true")
    args = ap.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    slot_maths(args.runs)
    if args.skip_http:
        return
    with scratch_database(args.server, "afrobiz_bench") as url:
        service, day = seed(url)
        path = f"/api/v1/services/{service}/slots?from={day.isoformat()}"
        n, statements, status = asyncio.run(count_lane_statements(url, path))
        print(f"database round trips of one anonymous GET .../slots (HTTP {status}): {n}: {'; '.join(statements)}")
        http_runs(url, service, day, args)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
