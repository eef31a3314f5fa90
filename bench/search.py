"""Search benchmark: our search through HTTP and as raw SQL (pgbench) against a naive baseline.

    .venv/bin/python bench/search.py --businesses 100000            # or 1000000 (the default)

One command, one run. It creates (or reuses) the scratch database afrobiz_bench_<N> on
127.0.0.1:5432, migrates it, loads N demo businesses (afrobiz.demo.loader) unless they are
there, adds the naive baseline's generated tsvector and indexes, and then measures one fixed
mix of queries (text + near me, category + nearest, filters + open now, a typo, suggest):

  naive SQL   pgbench, 2 clients: plainto_tsquery on a generated tsvector, earth_box +
              earth_distance radius, ts_rank ordering; category + nearest by the cube
              distance (<->, earth_distance's order: the earth GiST index walks nearest first;
              with an earth_box bound the planner sorted the whole box instead, 1.9 s at 1M);
              trigram (%, word_similarity) autocomplete. Runs as the table owner (no
              RLS), so it uses its indexes: the fair version of "just use PostgreSQL".
  ours SQL    pgbench, 2 clients: the exact statements the API sends for each request of the
              mix (captured from an in-process request through the hot lane, api/hot.py), on
              connections set up as the lane's are: application role (RLS on), anonymous, no
              JIT, no parallel workers. Both SQL runs use prepared statements (planned once
              per client, as the lane's psycopg connections do).
  ours HTTP   wrk (a separate C process) against uvicorn with 1 and 2 workers, cycling the
              same mix; plus a 1-client latency run per kind (p50/p99 per kind).

Prints p50/p99 and queries/s per run and kind, the ratios (API / naive, API / ours SQL), the
top-20 overlap of ours vs naive on the fixed text + near-me queries, and the load average.
Timings are printed, never asserted. Needs pgbench and wrk on PATH.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from afrobiz.db import migrate  # noqa: E402

SERVER = "postgresql://postgres@127.0.0.1:5432"
SECRET = "bench-secret-key-not-for-production"
# Windhoek four times as often as each other town, like the people who search.
CENTERS = [(-22.5609, 17.0658)] * 4 + [(-22.6784, 14.5266), (-17.7883, 15.7045), (-22.9575, 14.5053)]
KINDS = ("text_near", "text_near", "cat_nearest", "filters", "typo", "suggest", "suggest")
MIX_SIZE = 126          # pgbench takes at most 128 scripts; 18 rounds of the 7 kinds

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
    "cat_nearest": """SELECT b.id FROM businesses b
        WHERE b.status = 'active' AND b.category_id = (SELECT id FROM categories WHERE slug = %(category)s)
        AND earth_distance(ll_to_earth(%(lat)s, %(lon)s), ll_to_earth(latitude::float8, longitude::float8)) < 25000
        ORDER BY ll_to_earth(latitude::float8, longitude::float8) <-> ll_to_earth(%(lat)s, %(lon)s)
        LIMIT 20""",
    "filters": """SELECT b.id FROM businesses b JOIN categories c ON c.id = b.category_id
        WHERE b.status = 'active' AND c.slug = %(category)s AND b.region = %(region)s AND b.average_rating >= 4
        ORDER BY b.average_rating DESC, b.id LIMIT 20""",
    "typo": """SELECT id FROM businesses WHERE status = 'active' AND naive_doc @@ plainto_tsquery('english', %(q)s)
        ORDER BY ts_rank(naive_doc, plainto_tsquery('english', %(q)s)) DESC LIMIT 20""",
    "suggest": """SELECT name FROM businesses WHERE status = 'active' AND name %% %(q)s
        ORDER BY word_similarity(%(q)s, name) DESC LIMIT 8""",
}


def log(msg: str) -> None:
    print(msg, flush=True)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# ---------------------------------------------------------------- data

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
    t0 = time.perf_counter()
    migrate.upgrade(url)
    log(f"migrated ({time.perf_counter() - t0:.0f} s)")
    t0 = time.perf_counter()
    last = [0.0]

    def progress(stage, done, total):
        if time.perf_counter() - last[0] > 30:
            last[0] = time.perf_counter()
            log(f"  loading {stage}: {done:,}/{total:,}")

    if load_demo(url, businesses=n, progress=progress):
        log(f"loaded {n:,} businesses in {time.perf_counter() - t0:.0f} s")
    with psycopg.connect(url, autocommit=True) as conn:
        t0 = time.perf_counter()
        conn.execute(NAIVE_SETUP)
        # A steady state, as autovacuum keeps it: the loader's updates leave dead row versions
        # and no visibility map behind. Both the naive baseline and ours read these tables.
        conn.execute("VACUUM (ANALYZE) businesses, search_entries, search_postings, search_posting_counts, search_name_words, search_words")
        log(f"naive baseline column and indexes ready, VACUUM ANALYZE done ({time.perf_counter() - t0:.0f} s)")
    return url


def workload(url: str, seed: int = 7) -> list[tuple[str, dict]]:
    """A fixed list of (kind, params) drawn from the category names."""
    with psycopg.connect(url) as conn:
        subs = [r[0] for r in conn.execute("SELECT name FROM categories WHERE parent_id IS NOT NULL ORDER BY name")]
        tops = [r[0] for r in conn.execute("SELECT slug FROM categories WHERE parent_id IS NULL ORDER BY slug")]
    rnd = random.Random(seed)
    words = [w for s in subs for w in s.lower().replace("&", " ").split() if len(w) > 4] or ["braids"]
    out = []
    for i in range(MIX_SIZE):
        lat, lon = rnd.choice(CENTERS)
        lat, lon = round(lat + rnd.uniform(-.02, .02), 5), round(lon + rnd.uniform(-.02, .02), 5)
        w = rnd.choice(words)
        kind = KINDS[i % len(KINDS)]
        if kind == "text_near":
            out.append((kind, {"q": w, "lat": lat, "lon": lon, "radius_km": 10}))
        elif kind == "cat_nearest":
            out.append((kind, {"category": rnd.choice(tops), "lat": lat, "lon": lon, "radius_km": 25,
                               "sort": "distance"}))
        elif kind == "filters":
            out.append((kind, {"category": rnd.choice(tops), "region": "Khomas", "min_rating": 4, "open_now": True}))
        elif kind == "typo":
            k = rnd.randrange(1, len(w) - 1)
            out.append((kind, {"q": w[:k] + w[k + 1:]}))
        else:
            out.append((kind, {"q": w[: rnd.choice((2, 3, 4, 5))]}))
    return out


def api_path(kind: str, p: dict) -> str:
    params = {k: (str(v).lower() if isinstance(v, bool) else v) for k, v in p.items()}
    path = "/api/v1/search/suggest" if kind == "suggest" else "/api/v1/search/businesses"
    return f"{path}?{urlencode(params)}"


# ---------------------------------------------------------------- our statements, captured

def capture(url: str, mix) -> tuple[list[list[str]], list[dict | list]]:
    """Per mix entry, the SQL statements one API request sends (bound, literal) and its JSON.

    The app runs with its lifespan, so requests take the hot lane (api/hot.py) as they do
    under uvicorn; its reader is wrapped to record each statement as sent. The lane writes
    search impressions in one batch a second, not per request, so they are not in the scripts."""
    import contextlib
    import logging

    import httpx

    from afrobiz.app import create_app
    from afrobiz.config import Settings
    from sqlalchemy import text
    from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

    from afrobiz.db.raw import Reader

    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = Settings(database_url=url, secret_key=SECRET, environment="production", log_level="WARNING")
    app = create_app(url, settings)
    sink: list[str] = []

    class Recording(Reader):
        async def all(self, statement, binds=None, *, settings=None):
            rows = await super().all(statement, binds, settings=settings)
            sent = literal.mogrify(str(text(statement).compile(dialect=PGDialect_psycopg())), binds or {})
            if settings:
                sink.extend(["BEGIN"] + [literal.mogrify("SELECT set_config(%s, %s, true)", (k, v))
                                         for k, v in settings.items()] + [sent, "ROLLBACK"])
            else:
                sink.append(sent)
            return rows

    scripts, bodies = [], []
    with psycopg.connect(url) as raw:
        literal = psycopg.ClientCursor(raw)

        async def go():
            async with app.router.lifespan_context(app):
                pools = app.state.hot

                @contextlib.asynccontextmanager
                async def recording_reader(*, primary: bool):
                    async with pools.primary.connection() as conn:
                        yield Recording(conn, tuned=True)
                pools.reader = recording_reader
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                    for kind, p in mix:
                        sink.clear()
                        r = await http.get(api_path(kind, p))
                        assert r.status_code == 200, (r.status_code, r.text[:300])
                        assert sink, "the request did not take the hot lane"
                        bodies.append(r.json())
                        scripts.append(list(sink))
        asyncio.run(go())
    return scripts, bodies


# ---------------------------------------------------------------- pgbench

def pgbench(url: str, scripts: list[str], kinds: list[str], *, seconds: float, clients: int,
            options: str = "") -> tuple[float, dict[str, list[float]]]:
    """Queries/s and latencies (s) per kind of the scripts run at random by `clients` clients.

    Prepared (-M prepared): each statement is planned once per client, then only executed,
    as the API's hot lane runs its statements (psycopg prepares them after five runs). Sent
    as plain text, a search's long statement was planned on every run (6-10 ms for the
    one-word-near-a-place statement), which the API never pays."""
    dbname = url.rsplit("/", 1)[1]
    with tempfile.TemporaryDirectory(prefix="search_bench_") as tmp:
        files = []
        for i, body in enumerate(scripts):
            f = Path(tmp, f"q{i:03d}.sql")
            f.write_text(body)
            files += ["-f", str(f)]
        env = os.environ | {"PGOPTIONS": options}
        cmd = ["pgbench", "-n", "-h", "127.0.0.1", "-U", "postgres", "-c", str(clients), "-j", str(clients),
               "-M", "prepared", "-T", str(int(seconds)), "-l", "--log-prefix", str(Path(tmp, "log")), *files, dbname]
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tmp)
        if out.returncode != 0:
            raise SystemExit(f"pgbench failed: {out.stderr[-2000:]}")
        tps = next(float(line.split("=")[1].split()[0]) for line in out.stdout.splitlines()
                   if line.startswith("tps") and "without initial" in line)
        samples: dict[str, list[float]] = {}
        for logfile in Path(tmp).glob("log*"):
            for line in logfile.read_text().splitlines():
                parts = line.split()
                # client_id transaction_no time_us script_no time_epoch time_us_part
                samples.setdefault(kinds[int(parts[3])], []).append(int(parts[2]) / 1e6)
    return tps, samples


# ---------------------------------------------------------------- HTTP

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, url: str, workers: int):
        self.port = free_port()
        env = os.environ | {"AFROBIZ_DATABASE_URL": url, "AFROBIZ_SECRET_KEY": SECRET,
                            "AFROBIZ_ENVIRONMENT": "production"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "afrobiz.asgi:app", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers), "--log-level", "warning", "--no-access-log",
             "--loop", "uvloop", "--http", "httptools"], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)   # the app's access log stays on
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
                    if s.recv(64).startswith(b"HTTP/1.1 200"):
                        return
            except OSError:
                time.sleep(.2)
        raise SystemExit("uvicorn did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(20)


WRK_LUA = """
local paths = {%s}
local counter = 0
function setup(thread) counter = counter + 1; thread:set("start", counter * 37) end
function init(args) i = start end
function request()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def wrk(port: int, paths: list[str], *, seconds: float, clients: int) -> tuple[float, float, float, int]:
    """req/s, p50 s, p99 s, non-2xx count for `clients` keep-alive connections cycling the paths."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_LUA % ", ".join(json.dumps(p) for p in paths))
    try:
        out = subprocess.run(["wrk", "-t", str(clients), "-c", str(clients), "-d", f"{int(seconds)}s", "--latency",
                              "-s", f.name, f"http://127.0.0.1:{port}"], capture_output=True, text=True).stdout
    finally:
        os.unlink(f.name)

    def dur(s: str) -> float:
        for unit, k in (("us", 1e-6), ("ms", 1e-3), ("s", 1.0), ("m", 60.0)):
            if s.endswith(unit):
                return float(s[: -len(unit)]) * k
        return float(s)
    lines = out.splitlines()
    rps = next(float(x.split()[1]) for x in lines if x.startswith("Requests/sec"))
    p50 = next(dur(x.split()[1]) for x in lines if x.strip().startswith("50%"))
    p99 = next(dur(x.split()[1]) for x in lines if x.strip().startswith("99%"))
    bad = next((int(x.split()[-1]) for x in lines if "Non-2xx" in x), 0)
    return rps, p50, p99, bad


async def one_client(port: int, mix, seconds: float) -> dict[str, list[float]]:
    """One keep-alive connection, requests one after another; latency per kind."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    samples: dict[str, list[float]] = {}
    stop, i = time.perf_counter() + seconds, 0
    while time.perf_counter() < stop:
        kind, p = mix[i % len(mix)]
        i += 1
        t = time.perf_counter()
        writer.write(f"GET {api_path(kind, p)} HTTP/1.1\r\nHost: bench\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length"))
        await reader.readexactly(length)
        samples.setdefault(kind, []).append(time.perf_counter() - t)
        assert head.startswith(b"HTTP/1.1 200"), head[:100]
    writer.close()
    return samples


# ---------------------------------------------------------------- output

def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] * 1000


def kind_table(label: str, qps: float, samples: dict[str, list[float]]) -> None:
    every = [x for xs in samples.values() for x in xs]
    log(f"\n{label}: {qps:,.0f} queries/s")
    log(f"  {'kind':<12}{'n':>7}{'p50 ms':>9}{'p99 ms':>9}")
    for kind, xs in sorted(samples.items()) + [("ALL", every)]:
        log(f"  {kind:<12}{len(xs):>7}{pct(xs, .5):>9.2f}{pct(xs, .99):>9.2f}")


# The naive rank of given ids, if the naive query would return them at all (words, radius).
NAIVE_RANK = """SELECT id::text, ts_rank(naive_doc, plainto_tsquery('english', %(q)s)) FROM businesses
    WHERE id = ANY(%(ids)s::uuid[]) AND status = 'active' AND naive_doc @@ plainto_tsquery('english', %(q)s)
      AND earth_distance(ll_to_earth(%(lat)s, %(lon)s), ll_to_earth(latitude::float8, longitude::float8)) < 10000"""


def overlap(url: str, mix, bodies) -> None:
    """Top-20 overlap, ours (relevance, through the API) vs naive (ts_rank), text + near-me.

    Two figures, each over min(|ours|, |naive|) (the naive page may hold fewer than 20). The
    plain one counts the ids both return. But the naive order has huge ties (every "braids"
    salon in Windhoek has the same ts_rank), so which 20 it returns among thousands of
    equals is arbitrary, and the plain overlap measures that arbitrariness. The tie-aware one
    counts one of our results as agreeing when the naive query would return it and ranks it
    at least as high as its own last result: it could stand in an equally valid naive top 20.
    Queries the naive one finds nothing for (the word is only in a category name, which its
    document lacks) are counted apart."""
    plain, tie_aware, naive_empty = [], [], 0
    with psycopg.connect(url) as conn:
        for (kind, p), body in zip(mix, bodies, strict=True):
            if kind != "text_near":
                continue
            naive = conn.execute(NAIVE["text_near"].replace("SELECT id FROM", "SELECT id::text, "
                                 "ts_rank(naive_doc, plainto_tsquery('english', %(q)s)) FROM"), p).fetchall()
            ours = [i["id"] for i in body["items"]]
            if not naive:
                naive_empty += bool(ours)
                continue
            if not ours:
                plain.append(0.0)
                tie_aware.append(0.0)
                continue
            n = min(len(naive), len(ours))
            plain.append(len({r[0] for r in naive} & set(ours)) / n)
            floor = min((r[1] for r in naive), default=float("inf"))
            ranks = dict(conn.execute(NAIVE_RANK, p | {"ids": ours}).fetchall())
            tie_aware.append(min(1.0, sum(1 for i in ours if ranks.get(i, -1) >= floor) / n))
    if naive_empty:
        log(f"\n{naive_empty} text + near-me queries: the naive query finds nothing, ours finds results")
    if plain:
        for label, xs in (("plain", plain), ("tie-aware", tie_aware)):
            log(f"\ntop-20 overlap ours vs naive ({label}), {len(xs)} text + near-me queries: "
                f"mean {statistics.mean(xs):.0%}, median {statistics.median(xs):.0%}, min {min(xs):.0%}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--businesses", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=float, default=20, help="per measured run (default: %(default)s)")
    ap.add_argument("--clients", type=int, default=2, help="concurrent clients (default: %(default)s)")
    ap.add_argument("--fresh", action="store_true", help="drop and reload the scratch database")
    ap.add_argument("--sql-only", action="store_true", help="only the pgbench runs (naive and ours), no HTTP")
    args = ap.parse_args()
    for tool in ("pgbench",) if args.sql_only else ("pgbench", "wrk"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is not on PATH")

    url = prepare(args.businesses, args.fresh)
    with psycopg.connect(url) as conn:
        active = conn.execute("SELECT count(*) FROM search_entries").fetchone()[0]
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
    mix = workload(url)
    kinds = [k for k, _ in mix]
    scripts, bodies = capture(url, mix)
    log(f"\n{args.businesses:,} businesses ({active:,} active), database {size}; mix of {len(mix)} requests; "
        f"{args.clients} clients, {args.seconds:.0f} s per run; load average at start {load_average()}")
    log(f"statements per API request (mean): {statistics.mean(map(len, scripts)):.1f}")

    naive_scripts = []
    with psycopg.connect(url) as conn:
        literal = psycopg.ClientCursor(conn)
        for kind, p in mix:
            naive_scripts.append(literal.mogrify(NAIVE[kind], p) + ";\n")
    results: dict[str, tuple[float, float, float]] = {}

    def record(label, qps, samples):
        every = [x for xs in samples.values() for x in xs]
        results[label] = (qps, pct(every, .5), pct(every, .99))
        kind_table(label, qps, samples)

    # As the hot lane's connections are set up (db/raw.py): app role, UTC, no JIT, no parallel
    # workers, anonymous; each statement in autocommit as the lane sends it.
    ours_scripts = ["".join(s + ";\n" for s in ss) for ss in scripts]
    ours_options = ("-c role=afrobiz_app -c TimeZone=UTC -c jit=off -c max_parallel_workers_per_gather=0 "
                    "-c app.role=anonymous -c app.user_id=")
    # Each script once, unmeasured, so neither side pays for reading its indexes from disk
    # in its measured run (the naive one, run first, did: right after a load it is cold).
    for bodies_, options in ((naive_scripts, ""), (ours_scripts, ours_options)):
        for body in bodies_:
            subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", url.rsplit("/", 1)[1],
                            "-c", body], capture_output=True, check=True, env=os.environ | {"PGOPTIONS": options})

    qps, samples = pgbench(url, naive_scripts, kinds, seconds=args.seconds, clients=args.clients)
    record(f"naive SQL, pgbench {args.clients} clients", qps, samples)
    naive_qps = qps
    qps, samples = pgbench(url, ours_scripts, kinds, seconds=args.seconds, clients=args.clients, options=ours_options)
    record(f"ours SQL, pgbench {args.clients} clients", qps, samples)
    ours_qps = qps

    paths = [api_path(k, p) for k, p in mix]
    for workers in () if args.sql_only else (1, 2):
        server = Server(url, workers)
        try:
            wrk(server.port, paths, seconds=3, clients=args.clients * workers)   # warm every worker's pool
            if workers == 1:
                samples = asyncio.run(one_client(server.port, mix, args.seconds))
                record("ours HTTP, 1 worker, 1 client", sum(map(len, samples.values())) / args.seconds, samples)
            for clients in sorted({args.clients, 2 * workers}):
                rps, p50, p99, bad = wrk(server.port, paths, seconds=args.seconds, clients=clients)
                label = f"ours HTTP, {workers} worker{'s' if workers > 1 else ''}, {clients} clients (wrk)"
                results[label] = (rps, p50 * 1000, p99 * 1000)
                log(f"\n{label}: {rps:,.0f} requests/s, p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms"
                    + (f", {bad} non-2xx!" if bad else ""))
        finally:
            server.stop()

    overlap(url, mix, bodies)
    log(f"\nSUMMARY at {args.businesses:,} businesses (load average at end {load_average()}, {os.cpu_count()} cores)")
    log(f"{'run':<46}{'q/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'x naive':>9}{'x ours SQL':>11}")
    for label, (qps, p50, p99) in results.items():
        log(f"{label:<46}{qps:>9,.0f}{p50:>9.2f}{p99:>9.2f}{qps / naive_qps:>9.2f}{qps / ours_qps:>11.2f}")
    log("targets (1M): best API >= 3x naive SQL; API >= 0.85x ours SQL; text_near 1 client p50 <= 8 ms, "
        "p99 <= 30 ms; suggest 1 client p99 <= 10 ms")


if __name__ == "__main__":
    main()
