"""Search results before vs after a change, at a fixed clock, on the benchmark database.

    .venv/bin/python bench/search_compare.py --save /tmp/search_before.json    # old code
    .venv/bin/python bench/search_compare.py --against /tmp/search_before.json # new code
    .venv/bin/python bench/search_compare.py --explain                         # plans per kind

Runs a fixed list of 96 searches (text + near me, typos with and without a place, category
+ nearest, filters + open now, other sorts, a second page by cursor) through
afrobiz.search.queries.search_businesses as the application role, at a fixed `now`, and
records for each the result ids in order, distances, totals, facets and "did you mean".
--against prints every search whose answer differs. --explain runs EXPLAIN (ANALYZE,
BUFFERS) of the statements of one search per kind and prints time, shared buffers read or
hit and the rows the top node returned (buffers do not depend on the machine's load).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from afrobiz.db.raw import Reader, session_reader  # noqa: E402
from afrobiz.db.session import make_engine, make_sessionmaker  # noqa: E402
from afrobiz.search.params import SearchParams  # noqa: E402
from afrobiz.search.queries import search_businesses  # noqa: E402

URL = "postgresql://postgres@127.0.0.1:5432/afrobiz_bench_100000"
SECRET = "compare-secret"
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)   # a Wednesday morning in Windhoek
CENTERS = [(-22.5609, 17.0658), (-22.6784, 14.5266), (-17.7883, 15.7045), (-22.9575, 14.5053),
           (-19.5587, 18.1029), (-26.6481, 15.1594)]


async def searches(session) -> list[tuple[str, dict]]:
    subs = [r[0] for r in await session.execute(
        text("SELECT name FROM categories WHERE parent_id IS NOT NULL ORDER BY name"))]
    tops = [r[0] for r in await session.execute(
        text("SELECT slug FROM categories WHERE parent_id IS NULL ORDER BY slug"))]
    words = [w for s in subs for w in s.lower().replace("&", " ").split() if len(w) > 4]
    rnd = random.Random(11)
    out: list[tuple[str, dict]] = []
    for i in range(96):
        lat, lon = rnd.choice(CENTERS)
        lat, lon = round(lat + rnd.uniform(-.05, .05), 5), round(lon + rnd.uniform(-.05, .05), 5)
        w = rnd.choice(words)
        k = rnd.randrange(1, len(w) - 1)
        typo = w[:k] + w[k + 1:]
        kind = i % 12
        if kind in (0, 1):
            out.append(("text_near", {"q": w, "lat": lat, "lon": lon, "radius_km": rnd.choice((5, 10, 25, 60))}))
        elif kind == 2:
            out.append(("text_near_sort", {"q": w, "lat": lat, "lon": lon, "radius_km": 25,
                                           "sort": rnd.choice(("distance", "rating", "newest"))}))
        elif kind == 3:
            out.append(("typo", {"q": typo}))
        elif kind == 4:
            out.append(("typo_near", {"q": typo, "lat": lat, "lon": lon, "radius_km": rnd.choice((10, 25))}))
        elif kind == 5:
            out.append(("cat_nearest", {"category": rnd.choice(tops), "lat": lat, "lon": lon, "radius_km": 25,
                                        "sort": "distance"}))
        elif kind == 6:
            out.append(("filters", {"category": rnd.choice(tops), "region": "Khomas", "min_rating": 4,
                                    "open_now": True}))
        elif kind == 7:
            out.append(("text", {"q": w}))
        elif kind == 8:
            out.append(("text_region", {"q": w, "region": "Erongo", "price_range": ("budget", "moderate")}))
        elif kind == 9:
            out.append(("text_near_page2", {"q": w, "lat": lat, "lon": lon, "radius_km": 25, "limit": 5}))
        elif kind == 10:
            out.append(("typo_two_words", {"q": f"{rnd.choice(words)} {typo}"}))
        else:
            out.append(("near", {"lat": lat, "lon": lon, "radius_km": 10}))
    return out


def summary(r) -> dict:
    return {"ids": [i["id"] for i in r.items], "km": [i.get("distance_km") for i in r.items],
            "total": r.total, "facets": r.facets, "dym": r.did_you_mean, "more": r.next_cursor is not None}


async def run(session, kind: str, p: dict, reader=session_reader) -> dict:
    params = SearchParams(**{k: v for k, v in p.items()})
    r = await search_businesses(await reader(session), params=params, secret=SECRET, now=NOW)
    out = summary(r)
    if kind.endswith("page2") and r.next_cursor:
        params.cursor = r.next_cursor
        out["page2"] = summary(await search_businesses(await reader(session), params=params, secret=SECRET, now=NOW))
    return out


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default=URL)
    ap.add_argument("--save")
    ap.add_argument("--against")
    ap.add_argument("--explain", action="store_true")
    args = ap.parse_args()
    engine = make_engine(args.url, pool_size=1)
    sessions = make_sessionmaker(engine)
    async with sessions() as session:
        mix = await searches(session)
        if args.explain:
            await explain(engine, session, mix)
        else:
            results = []
            for kind, p in mix:
                results.append({"kind": kind, "params": p, "result": await run(session, kind, p)})
                await session.rollback()
            if args.save:
                Path(args.save).write_text(json.dumps(results, indent=1, default=str))
                print(f"saved {len(results)} searches to {args.save}")
            if args.against:
                compare(json.loads(Path(args.against).read_text()), json.loads(json.dumps(results, default=str)))
    await engine.dispose()


def compare(before: list[dict], after: list[dict]) -> None:
    same = 0
    for b, a in zip(before, after, strict=True):
        if b["result"] == a["result"]:
            same += 1
            continue
        rb, ra = b["result"], a["result"]
        diff = [k for k in rb if rb.get(k) != ra.get(k)]
        print(f"DIFF {b['kind']} {b['params']}: {', '.join(diff)}")
        print(f"   total {rb['total']} -> {ra['total']}, dym {rb['dym']!r} -> {ra['dym']!r}, "
              f"top-{len(rb['ids'])} overlap {len(set(rb['ids']) & set(ra['ids']))}")
    print(f"{same}/{len(before)} searches identical")


async def explain(engine, session, mix) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement of the first search of every kind."""
    sink: list[tuple[str, dict]] = []

    class Recording(Reader):
        async def all(self, statement, binds=None, *, settings=None):
            sink.append((str(text(statement).compile(dialect=engine.dialect)), binds or {}))
            return await super().all(statement, binds, settings=settings)

    async def recording(s):
        return Recording((await session_reader(s)).conn, tuned=False)
    seen = set()
    for kind, p in mix:
        if kind in seen:
            continue
        seen.add(kind)
        await run(session, kind, p, recording)   # warm
        sink.clear()
        await run(session, kind, p, recording)
        captured = [(s, prm) for s, prm in sink if not s.lstrip().upper().startswith(("EXPLAIN", "SELECT SET_CONFIG"))]
        sink.clear()
        print(f"\n=== {kind} {p}")
        for st, prm in captured:
            conn = await session.connection()
            res = (await conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + st, prm)).scalar()
            top = res[0]
            node = top["Plan"]
            first = " ".join(st.split())[:90]
            jit = top.get("JIT", {}).get("Timing", {}).get("Total", 0)
            print(f"  {top['Execution Time']:8.2f} ms (jit {jit:.0f})  shared hit {node.get('Shared Hit Blocks', 0):>7} "
                  f"read {node.get('Shared Read Blocks', 0):>6}  rows {node.get('Actual Rows')}  | {first}")
            for line in _scans(node):
                print("      " + line)
        sink.clear()
        await session.rollback()


def _scans(node, depth=0) -> list[str]:
    """The scan nodes of a plan with their actual rows and rows removed by filters."""
    out = []
    if "Scan" in node["Node Type"] or node["Node Type"] in ("Sort", "Limit"):
        removed = node.get("Rows Removed by Filter") or node.get("Rows Removed by Index Recheck") or 0
        name = re.sub(r"\s+", " ", f"{node['Node Type']} {node.get('Index Name', node.get('Relation Name', ''))}")
        out.append(f"{'  ' * depth}{name}: rows {node.get('Actual Rows')} x{node.get('Actual Loops')}"
                   f" removed {removed} hit {node.get('Shared Hit Blocks', 0)}")
    for child in node.get("Plans", []):
        out += _scans(child, depth + 1)
    return out


if __name__ == "__main__":
    asyncio.run(main())
