"""Search benchmark: our search (in-process and through HTTP) against a naive PostgreSQL baseline.

    .venv/bin/python bench/search_bench.py --businesses 100000 [--seconds 10] [--fresh]

Creates (or reuses) the scratch database afrobiz_bench_<N> on 127.0.0.1:5432, migrates it, loads
N demo businesses with afrobiz.demo.loader, adds the naive baseline's generated tsvector and
earth-box index, then runs one mix (text + near me, category + nearest, filters + open now,
typo, suggest) three ways, 2 concurrent clients each, and prints p50/p95/p99 and queries/s:
  naive SQL   plainto_tsquery on a generated tsvector, earth_box + earth_distance, ts_rank
              ordering, category + earth_distance ordering, trigram (%) autocomplete;
  ours SQL    afrobiz.search called in-process (SQLAlchemy, one connection per client);
  ours HTTP   GET /api/v1/search/... on uvicorn with 1 and 2 workers.
Also the overlap of top-20 sets (ours vs naive) on a fixed list of text + near-me queries.
Timings are printed, never asserted.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from afrobiz.db import migrate
from afrobiz.db.session import make_engine, make_sessionmaker, set_identity
from afrobiz.search.params import SearchParams
from afrobiz.search.queries import search_businesses
from afrobiz.search.suggest import suggest

SERVER = "postgresql://postgres@127.0.0.1:5432"
SECRET = "bench"
CENTERS = [(-22.5609, 17.0658)] * 4 + [(-22.6784, 14.5266), (-17.7883, 15.7045), (-22.9575, 14.5053)]

NAIVE_SETUP = """
ALTER TABLE businesses ADD COLUMN IF NOT EXISTS naive_doc tsvector GENERATED ALWAYS AS
  (to_tsvector('english', coalesce(name, '') || ' ' || coalesce(description, ''))) STORED;
CREATE INDEX IF NOT EXISTS naive_doc_gin ON businesses USING GIN (naive_doc);
CREATE INDEX IF NOT EXISTS naive_earth ON businesses USING GIST (ll_to_earth(latitude::float8, longitude::float8));
CREATE INDEX IF NOT EXISTS naive_name_trgm ON businesses USING GIN (name gin_trgm_ops);
ANALYZE;
"""
NAIVE = {
    "text_near": """SELECT id FROM businesses WHERE status = 'active' AND naive_doc @@ plainto_tsquery('english', %(q)s)
        AND earth_box(ll_to_earth(%(lat)s, %(lon)s), 10000) @> ll_to_earth(latitude::float8, longitude::float8)
        AND earth_distance(ll_to_earth(%(lat)s, %(lon)s), ll_to_earth(latitude::float8, longitude::float8)) < 10000
        ORDER BY ts_rank(naive_doc, plainto_tsquery('english', %(q)s)) DESC LIMIT 20""",
    "cat_nearest": """SELECT b.id FROM businesses b JOIN categories c ON c.id = b.category_id
        WHERE b.status = 'active' AND c.slug = %(category)s
        AND earth_box(ll_to_earth(%(lat)s, %(lon)s), 25000) @> ll_to_earth(latitude::float8, longitude::float8)
        ORDER BY earth_distance(ll_to_earth(%(lat)s, %(lon)s), ll_to_earth(latitude::float8, longitude::float8))
        LIMIT 20""",
    "filters": """SELECT b.id FROM businesses b JOIN categories c ON c.id = b.category_id
        WHERE b.status = 'active' AND c.slug = %(category)s AND b.region = %(region)s AND b.average_rating >= 4
        ORDER BY b.average_rating DESC, b.id LIMIT 20""",
    "typo": """SELECT id FROM businesses WHERE status = 'active' AND naive_doc @@ plainto_tsquery('english', %(q)s)
        ORDER BY ts_rank(naive_doc, plainto_tsquery('english', %(q)s)) DESC LIMIT 20""",
    "suggest": """SELECT name FROM businesses WHERE status = 'active' AND name %% %(q)s
        ORDER BY word_similarity(%(q)s, name) DESC LIMIT 8""",
}


def prepare(n: int, fresh: bool) -> str:
    from afrobiz.demo.loader import load_demo

    name = f"afrobiz_bench_{n}"
    with psycopg.connect(SERVER + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or fresh:
            conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{SERVER}/{name}"
    migrate.upgrade(url)
    t0 = time.perf_counter()
    last = [0.0]

    def progress(stage, done, total):
        if time.perf_counter() - last[0] > 10:
            last[0] = time.perf_counter()
            print(f"  loading {stage}: {done:,}/{total:,}", flush=True)

    if load_demo(url, businesses=n, progress=progress):
        print(f"loaded {n:,} businesses in {time.perf_counter() - t0:.0f} s", flush=True)
    with psycopg.connect(url, autocommit=True) as conn:
        t0 = time.perf_counter()
        conn.execute(NAIVE_SETUP)
        print(f"naive baseline columns and indexes ready ({time.perf_counter() - t0:.0f} s)", flush=True)
    return url


def workload(url: str, seed: int = 7) -> list[tuple[str, dict]]:
    """A fixed list of (kind, params) drawn from the loaded data."""
    with psycopg.connect(url) as conn:
        conn.execute("SET app.role = 'system'")
        subs = [r[0] for r in conn.execute("SELECT name FROM categories WHERE parent_id IS NOT NULL ORDER BY name")]
        tops = [r[0] for r in conn.execute("SELECT slug FROM categories WHERE parent_id IS NULL ORDER BY slug")]
    rnd = random.Random(seed)
    words = [w for s in subs for w in s.lower().replace("&", " ").split() if len(w) > 4] or ["braids"]
    out = []
    for i in range(400):
        lat, lon = rnd.choice(CENTERS)
        lat, lon = lat + rnd.uniform(-.02, .02), lon + rnd.uniform(-.02, .02)
        w = rnd.choice(words)
        kind = ("text_near", "text_near", "cat_nearest", "filters", "typo", "suggest", "suggest")[i % 7]
        if kind == "text_near":
            out.append((kind, {"q": w, "lat": lat, "lon": lon, "radius_km": 10}))
        elif kind == "cat_nearest":
            out.append((kind, {"category": rnd.choice(tops), "lat": lat, "lon": lon, "radius_km": 25, "sort": "distance"}))
        elif kind == "filters":
            out.append((kind, {"category": rnd.choice(tops), "region": "Khomas", "min_rating": 4, "open_now": True}))
        elif kind == "typo":
            k = rnd.randrange(1, len(w) - 1)
            out.append((kind, {"q": w[:k] + w[k + 1:]}))
        else:
            out.append((kind, {"q": w[: rnd.choice((2, 3, 4, 5))]}))
    return out


def summarize(label: str, samples: dict[str, list[float]], wall: float) -> None:
    every = [x for xs in samples.values() for x in xs]
    print(f"\n{label}: {len(every) / wall:,.0f} queries/s")
    print(f"  {'kind':<12}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for kind, xs in sorted(samples.items()) + [("ALL", every)]:
        xs = sorted(xs)
        q = lambda p: xs[min(len(xs) - 1, int(p * len(xs)))] * 1000
        print(f"  {kind:<12}{len(xs):>6}{q(.5):>9.2f}{q(.95):>9.2f}{q(.99):>9.2f}")


def run_naive(url: str, mix, seconds: float, clients: int) -> float:
    import threading

    samples: dict[str, list[float]] = {}
    stop = time.perf_counter() + seconds

    def client(offset: int):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SET app.role = 'anonymous'")
            conn.execute("SET ROLE afrobiz_app")
            i = offset
            while time.perf_counter() < stop:
                kind, p = mix[i % len(mix)]
                i += 1
                t = time.perf_counter()
                conn.execute(NAIVE[kind], p).fetchall()
                samples.setdefault(kind, []).append(time.perf_counter() - t)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k * 37,)) for k in range(clients)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    wall = time.perf_counter() - t0
    summarize(f"naive SQL ({clients} clients)", samples, wall)
    return sum(map(len, samples.values())) / wall


async def run_ours(url: str, mix, seconds: float, clients: int) -> float:
    engine = make_engine(url, pool_size=clients)
    sm = make_sessionmaker(engine)
    samples: dict[str, list[float]] = {}
    stop = time.perf_counter() + seconds

    async def client(offset: int):
        i = offset
        while time.perf_counter() < stop:
            kind, p = mix[i % len(mix)]
            i += 1
            t = time.perf_counter()
            async with sm() as s, s.begin():
                await set_identity(s, None, "anonymous")
                if kind == "suggest":
                    await suggest(s, q=p["q"])
                else:
                    await search_businesses(s, params=SearchParams(**p), secret=SECRET)
            samples.setdefault(kind, []).append(time.perf_counter() - t)

    t0 = time.perf_counter()
    await asyncio.gather(*(client(k * 37) for k in range(clients)))
    wall = time.perf_counter() - t0
    await engine.dispose()
    summarize(f"ours in-process ({clients} clients)", samples, wall)
    return sum(map(len, samples.values())) / wall


async def run_http(url: str, mix, seconds: float, clients: int, workers: int, port: int = 8765) -> float:
    env = os.environ | {"AFROBIZ_DATABASE_URL": url, "AFROBIZ_SECRET_KEY": SECRET, "AFROBIZ_ENVIRONMENT": "production"}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "afrobiz.asgi:app", "--port", str(port),
                               "--workers", str(workers), "--log-level", "warning", "--no-access-log"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            for _ in range(100):
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(.2)
            samples: dict[str, list[float]] = {}
            for kind, p in mix[:40]:   # warm up every worker's pool
                await http.get("/api/v1/search/suggest" if kind == "suggest" else "/api/v1/search/businesses", params=p)
            stop = time.perf_counter() + seconds

            async def client(offset: int):
                i = offset
                while time.perf_counter() < stop:
                    kind, p = mix[i % len(mix)]
                    i += 1
                    path = "/api/v1/search/suggest" if kind == "suggest" else "/api/v1/search/businesses"
                    params = {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in p.items()}
                    t = time.perf_counter()
                    r = await http.get(path, params=params)
                    samples.setdefault(kind, []).append(time.perf_counter() - t)
                    assert r.status_code == 200, (r.status_code, r.text[:300])

            t0 = time.perf_counter()
            await asyncio.gather(*(client(k * 37) for k in range(clients)))
            wall = time.perf_counter() - t0
        summarize(f"ours HTTP ({workers} worker{'s' if workers > 1 else ''}, {clients} client{'s' if clients > 1 else ''})",
                  samples, wall)
        return sum(map(len, samples.values())) / wall
    finally:
        server.terminate()
        server.wait(10)


async def overlap(url: str, mix) -> None:
    """Top-20 overlap, ours (relevance) vs naive (ts_rank), on the text + near-me queries."""
    engine = make_engine(url, pool_size=1)
    sm = make_sessionmaker(engine)
    ratios = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET app.role = 'system'")
        for kind, p in [m for m in mix if m[0] == "text_near"][:30]:
            naive = {str(r[0]) for r in conn.execute(NAIVE["text_near"], p)}
            async with sm() as s, s.begin():
                await set_identity(s, None, "anonymous")
                ours = {i["id"] for i in (await search_businesses(s, params=SearchParams(**p), secret=SECRET)).items}
            if naive or ours:
                ratios.append(len(naive & ours) / max(len(naive), len(ours)))
    await engine.dispose()
    print(f"\ntop-20 overlap ours vs naive on {len(ratios)} text + near-me queries: "
          f"mean {statistics.mean(ratios):.0%}, min {min(ratios):.0%}" if ratios else "no overlap sample")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--businesses", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--clients", type=int, default=2)
    ap.add_argument("--fresh", action="store_true", help="drop and reload the scratch database")
    ap.add_argument("--no-http", action="store_true")
    args = ap.parse_args()
    url = prepare(args.businesses, args.fresh)
    mix = workload(url)
    naive = run_naive(url, mix, args.seconds, args.clients)
    ours = asyncio.run(run_ours(url, mix, args.seconds, args.clients))
    results = {"naive SQL": naive, "ours in-process": ours}
    if not args.no_http:
        results["ours HTTP 1 worker, 1 client"] = asyncio.run(run_http(url, mix, args.seconds, 1, 1))
        for workers in (1, 2):
            results[f"ours HTTP {workers} worker(s)"] = asyncio.run(run_http(url, mix, args.seconds, args.clients, workers))
    asyncio.run(overlap(url, mix))
    print(f"\n{'':<32}{'queries/s':>10}{'x naive':>9}")
    for label, qps in results.items():
        print(f"{label:<32}{qps:>10,.0f}{qps / naive:>9.2f}")


if __name__ == "__main__":
    main()
