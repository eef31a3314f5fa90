#!/usr/bin/env python3
"""Check a migrated database against the seed design (docs/seed/000_1fba837b1ef00964.txt).

  python3 tools/check_schema.py postgresql://postgres@127.0.0.1:5432/DBNAME

(The project's copy of the design's checker; only the seed's path differs.)

Needs psycopg (3). Prints one line per finding and 'schema: P/N checks pass'; exits 1 if any fail.
It checks what the seed names: every table and column, the views, the materialized view, the
partitioned tables, the rating and updated_at triggers, the extensions the design needs, and
forced Row Level Security on the private tables. It does not judge types or indexes in detail:
the project's own tests do that.
"""
import re
import sys
from pathlib import Path

import psycopg

SEED = Path(__file__).resolve().parent.parent / "docs" / "seed" / "000_1fba837b1ef00964.txt"
PRIVATE = ("businesses", "bookings", "payments", "notifications", "user_favorites")


def seed_tables():
    out = {}
    for m in re.finditer(r"CREATE TABLE (\w+) \((.*?)\n\);", SEED.read_text(), re.S):
        cols = [w for w in (line.strip().split()[0] for line in m.group(2).splitlines() if line.strip())
                if w.isidentifier() and w not in ("CONSTRAINT", "UNIQUE")]
        out[m.group(1)] = cols
    return out


def main(url):
    ok = bad = 0

    def check(name, good, detail=""):
        nonlocal ok, bad
        ok += bool(good)
        bad += not good
        if not good:
            print(f"FAIL {name}{': ' + detail if detail else ''}")

    with psycopg.connect(url) as conn:
        cols = {}
        for t, c in conn.execute("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'"):
            cols.setdefault(t, set()).add(c)
        for table, want in seed_tables().items():
            missing = [c for c in want if c not in cols.get(table, set())]
            check(f"table {table}", table in cols and not missing, f"missing {missing}" if table in cols else "absent")
        check("businesses.average_rating, review_count", {"average_rating", "review_count"} <= cols.get("businesses", set()))
        kind = dict(conn.execute("SELECT relname, relkind::text FROM pg_class WHERE relnamespace = 'public'::regnamespace"))
        for name, k in (("audit_logs", "p"), ("business_analytics", "p"), ("business_summary", "v"),
                        ("user_activity", "v"), ("business_stats_monthly", "m")):
            check(f"{name} is {'partitioned' if k == 'p' else 'a view' if k == 'v' else 'a materialized view'}", kind.get(name) == k, f"relkind {kind.get(name)}")
        triggers = {r[0] for r in conn.execute("SELECT tgrelid::regclass::text FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                                                "WHERE NOT tgisinternal AND p.proname = 'update_updated_at_column'")}
        need = sorted(t for t, c in cols.items() if "updated_at" in c and kind.get(t) in ("r", "p"))
        check("updated_at trigger on every table with updated_at", set(need) <= triggers, f"missing on {sorted(set(need) - triggers)}")
        check("rating trigger on reviews", conn.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'reviews'::regclass AND NOT tgisinternal").fetchone()[0] > 0 if "reviews" in cols else False)
        ext = {r[0] for r in conn.execute("SELECT extname FROM pg_extension")}
        check("extensions pg_trgm, unaccent, btree_gist, cube, earthdistance", {"pg_trgm", "unaccent", "btree_gist", "cube", "earthdistance"} <= ext, f"have {sorted(ext)}")
        rls = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relnamespace = 'public'::regnamespace")}
        for t in PRIVATE:
            check(f"RLS enabled and forced on {t}", rls.get(t) == (True, True), f"{rls.get(t)}")
    print(f"schema: {ok}/{ok + bad} checks pass")
    return bad == 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(0 if main(sys.argv[1]) else 1)
