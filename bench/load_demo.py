"""How fast the demo data loads: scratch database, migrations, load_demo, figures, drop.

    .venv/bin/python bench/load_demo.py --businesses 100000 [--keep]

Prints rows/second per table (rows over the time its COPY statements took on the writer
connection), per stage (all rows a stage wrote over its wall time) and the total.
"""
from __future__ import annotations

import argparse
import sys
import time
import uuid

import psycopg

from afrobiz.db.migrate import upgrade
from afrobiz.demo.loader import load_demo


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--businesses", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432",
                    help="server URL without a database name (default: %(default)s)")
    ap.add_argument("--revision", default="head", help="migrate to this revision (default: head)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = ap.parse_args()

    name = f"afrobiz_bench_demo_{uuid.uuid4().hex[:8]}"
    url = f"{args.server}/{name}"
    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        t0 = time.perf_counter()
        upgrade(url, args.revision)
        migrate_s = time.perf_counter() - t0

        last = [0.0]

        def progress(stage: str, done: int, total: int) -> None:
            now = time.perf_counter()
            if done == total or now - last[0] > 5:
                last[0] = now
                print(f"  {now - start:7.1f}s  {stage:<12} {done:>10,} / {total:,}", flush=True)

        stats: dict = {}
        start = time.perf_counter()
        loaded = load_demo(url, businesses=args.businesses, seed=args.seed, progress=progress, stats=stats)
        total_s = time.perf_counter() - start
        assert loaded

        with psycopg.connect(url) as conn:
            size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]

        tables = stats["tables"]
        print(f"\ndatabase {name}: migrations {migrate_s:.1f}s, {args.businesses:,} businesses")
        print(f"\n{'table':<22}{'rows':>12}{'COPY s':>10}{'rows/s':>12}")
        for table, t in tables.items():
            rate = t["rows"] / t["copy_seconds"] if t["copy_seconds"] else 0
            print(f"{table:<22}{t['rows']:>12,}{t['copy_seconds']:>10.1f}{rate:>12,.0f}")
        all_rows = sum(t["rows"] for t in tables.values())
        stage_rows = {"users": tables["users"]["rows"], "businesses": all_rows - tables["users"]["rows"]}
        print(f"\n{'stage':<22}{'rows':>12}{'seconds':>10}{'rows/s':>12}")
        for stage, secs in stats["stages"].items():
            rows = stage_rows.get(stage)
            rate = f"{rows / secs:>12,.0f}" if rows and secs else f"{'':>12}"
            print(f"{stage:<22}{'' if rows is None else format(rows, ','):>12}{secs:>10.1f}{rate}")
        print(f"\nPython generation (child process, overlaps the COPYs): {stats['generate_seconds']:.1f}s")
        print(f"totals fixed by the final check: {stats['total_fixes']}")
        print(f"TOTAL {all_rows:,} rows in {total_s:.1f}s = {all_rows / total_s:,.0f} rows/s; database size {size}")
    finally:
        if args.keep:
            print(f"kept: {url}")
        else:
            with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
