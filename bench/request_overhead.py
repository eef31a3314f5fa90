"""The web layer's fixed cost per request (issues 5 and 6): /healthz, one day of slots and a
search and a suggest request, through the real app under uvicorn with 1 and 2 workers, load
from wrk (`apt-get install wrk`) in another process.

    .venv/bin/python bench/request_overhead.py [--server postgresql://postgres@127.0.0.1:5432/postgres]
        [--duration 8] [--connections 16] [--workers 1,2] [--app-root DIR] [--profile N]

--app-root runs the server from another checkout (e.g. `git worktree add /tmp/before HEAD`)
so a before/after comparison uses the same database, seed and load. --profile N instead
calls the app in process N times per path (plain ASGI calls, no server, no client library)
under cProfile and prints where the time goes. The machine is shared: the load average is
printed with the figures. A scratch database is created, seeded (committed) and dropped.
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
import uuid
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

import booking_slots as bs  # noqa: E402  (seed, uvicorn start/stop, wrk parsing)
from dbtools import scratch_database  # noqa: E402  (tests/ is on sys.path)


def load_avg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def paths(service: uuid.UUID, day) -> dict[str, str]:
    return {
        "healthz": "/healthz",
        "slots": f"/api/v1/services/{service}/slots?from={day.isoformat()}&to={day.isoformat()}",
        "search": "/api/v1/search/businesses?q=salon&limit=10",
        "suggest": "/api/v1/search/suggest?q=ben",
    }


def start_server(url: str, workers: int, app_root: Path):
    """bench/booking_slots.start_server, but the app imported from app_root."""
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join([str(app_root), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    old, os.environ = os.environ, env
    old_root, bs.ROOT = bs.ROOT, app_root
    try:
        return bs.start_server(url, workers)
    finally:
        os.environ, bs.ROOT = old, old_root


def http_runs(url: str, targets: dict[str, str], args) -> None:
    for workers in args.workers:
        proc, port = start_server(url, workers, args.app_root)
        try:
            for name, path in targets.items():
                bs.load(port, path, 4, 2)   # warm: pool connections open, statements prepared
                p50_1, p99_1, rps_1, _ = bs.load(port, path, 1, args.duration)
                # CPU time per request barely moves when other work shares the machine; the
                # wall-clock figures do (see the load average).
                app_pids, db_pids = bs.process_tree(proc.pid), bs.backend_pids(url)
                app0, db0 = bs.cpu_seconds(app_pids), bs.cpu_seconds(db_pids)
                p50, p99, rps, n = bs.load(port, path, args.connections, args.duration)
                app_ms = (bs.cpu_seconds(app_pids) - app0) / n * 1000
                db_ms = (bs.cpu_seconds(db_pids) - db0) / n * 1000
                print(f"{name:8} workers={workers}  1 conn: p50 {p50_1:5.2f} ms p99 {p99_1:6.2f} ms "
                      f"{rps_1:6.0f} req/s | {args.connections} conns: p50 {p50:6.2f} ms p99 {p99:6.2f} ms "
                      f"{rps:6.0f} req/s ({n} requests) | CPU per request: app {app_ms:.2f} ms, "
                      f"PostgreSQL {db_ms:.2f} ms  load {load_avg()}", flush=True)
        finally:
            bs.stop_server(proc)


async def _call(app, path: str) -> int:
    """One plain ASGI HTTP call (what uvicorn hands the app), body drained."""
    raw_path, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": raw_path, "raw_path": raw_path.encode(), "query_string": query.encode(),
             "root_path": "", "headers": [(b"host", b"bench"), (b"accept-encoding", b"gzip")],
             "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000), "state": {}}
    status = 0

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def by_package(stats: pstats.Stats) -> list[tuple[str, float]]:
    """Own (not cumulative) profiled time summed by top-level package or afrobiz module."""
    totals: dict[str, float] = {}
    for (filename, _line, func), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        if "site-packages/" in filename:
            key = filename.split("site-packages/")[1].split("/")[0]
        elif "/afrobiz/" in filename:
            key = "afrobiz." + filename.split("/afrobiz/")[1].split("/")[0].removesuffix(".py")
        elif filename == "~":
            key = "builtins:" + func.split("'")[1] if "'" in func else "builtins"
        else:
            key = "stdlib:" + Path(filename).stem
        totals[key] = totals.get(key, 0.0) + tottime
    return sorted(totals.items(), key=lambda kv: -kv[1])[:14]


async def profile(url: str, targets: dict[str, str], n: int, app_root: Path) -> None:
    if app_root != ROOT:   # the app (and everything it imports) from the other checkout
        sys.path.insert(0, str(app_root))
        for module in [m for m in sys.modules if m == "afrobiz" or m.startswith("afrobiz.")]:
            del sys.modules[module]
    from afrobiz.app import create_app
    from afrobiz.config import Settings

    app = create_app(url, Settings(database_url=url, data_dir=Path(tempfile.mkdtemp()), secret_key="bench",
                                   environment="production", log_level="WARNING"))
    async with app.router.lifespan_context(app):
        for name, path in targets.items():
            for _ in range(20):
                status = await _call(app, path)
            if status != 200:
                raise RuntimeError(f"{path}: HTTP {status}")
            trips, statements, _ = await bs.count_round_trips(url, path)
            print(f"--- {name}: {trips} database round trips: {'; '.join(statements)}")
            t0, c0 = time.perf_counter(), time.process_time()
            for _ in range(n):
                await _call(app, path)
            wall, cpu = (time.perf_counter() - t0) / n * 1000, (time.process_time() - c0) / n * 1000
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(n):
                await _call(app, path)
            prof.disable()
            out = io.StringIO()
            stats = pstats.Stats(prof, stream=out)
            stats.sort_stats("tottime").print_stats(30)
            print(f"=== {name}: {wall:.3f} ms wall, {cpu:.3f} ms app CPU per request in process "
                  f"(load {load_avg()})\n  own time by package, ms per request (profiled, so inflated): "
                  + ", ".join(f"{k} {v / n * 1000:.3f}" for k, v in by_package(stats))
                  + f"\n{out.getvalue()}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--duration", type=int, default=8, help="seconds per wrk run")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--workers", type=lambda s: [int(w) for w in s.split(",")], default=[1, 2])
    ap.add_argument("--app-root", type=lambda s: Path(s).resolve(), default=ROOT)
    ap.add_argument("--only", default="", help="comma-separated subset of healthz,slots,search,suggest")
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="profile N in-process calls per path")
    args = ap.parse_args()
    print(f"app from {args.app_root}; load average at start: {load_avg()} on {os.cpu_count()} CPUs")
    with scratch_database(args.server, "afrobiz_bench") as url:
        service, day = bs.seed(url)
        targets = paths(service, day)
        if args.only:
            targets = {k: v for k, v in targets.items() if k in args.only.split(",")}
        if args.profile:
            asyncio.run(profile(url, targets, args.profile, args.app_root))
        else:
            http_runs(url, targets, args)
    print(f"load average at end: {load_avg()}")


if __name__ == "__main__":
    main()
