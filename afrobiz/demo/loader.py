"""Load the Namibian demo data into a migrated database, once.

Fast enough for a million businesses: a child Python process generates the rows (ids made
in Python) as COPY text while this process streams them into PostgreSQL over two
connections, so generation and ingestion run on all cores; each batch of businesses, with
their hours, services, bookings and reviews, is committed as it arrives. Deterministic for a
seed: users, businesses and services are the same every time; bookings and reviews are laid
out around the load date (pass ``now`` to pin that too).

Every connection states ``app.role = system``: the tables FORCE Row Level Security, so even
their owner sees and writes nothing without it.
"""
from __future__ import annotations

import json
import math
import os
import pickle
import subprocess
import sys
import time
import traceback
import unicodedata
from bisect import bisect
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate
from pathlib import Path
from random import Random
from zoneinfo import ZoneInfo

import psycopg

from afrobiz.db.urls import plain_url
from afrobiz.demo import data

DEMO_PASSWORD = "demo-password-2026"  # printed by the CLI for the demo log-ins
DEMO_ACCOUNTS = {"admin": "admin@demo.afrobiz.na", "owner": "owner@demo.afrobiz.na",
                 "customer": "customer@demo.afrobiz.na"}
MARKER_KEY = "demo.loaded"
LOADING_KEY = "demo.loading"  # while loading: the triggers switched off (to switch on again if killed)
BATCH_BUSINESSES = 5_000  # businesses per commit: ~130k rows in all tables, ~35 MB of COPY text
BATCH_USERS = 50_000
TZ = ZoneInfo("Africa/Windhoek")
_LOCK_KEY = 0x0AF0B12D  # pg_advisory_lock: one demo load at a time per database
# Row triggers on these tables that write the businesses' totals (rating, review and booking
# counts) are switched off while loading: each business row is written with its totals, and
# one statement per total checks them at the end (_check_totals).
_TOTALS_TABLES = ("reviews", "bookings")
_DEMO_BUSINESSES = (  # the demo owner's three, all in Windhoek: (name, subcategory, suburb)
    ("Windhoek Braids Studio", "braids", "Klein Windhoek"),
    ("Katutura Kapana Corner", "kapana-stands", "Katutura"),
    ("Eros Auto Clinic", "mechanics", "Eros"),
)
_DEMO_NAMES = frozenset(name for name, _, _ in _DEMO_BUSINESSES)
_DEMO_BRAIDS_SERVICES = ("Knotless braids (medium, mid-back)", "Box braids", "Cornrows (straight back)",
                         "Wig installation", "Wash and blow-dry")
_B32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U to misread
_BOOKING_MULT = 0x9E3779B97F | 1  # odd, so n -> n * mult mod 2**40 is a bijection: numbers never repeat

Progress = Callable[[str, int, int], None]

COLUMNS = {
    "users": "id, email, password_hash, first_name, last_name, phone, role, email_verified, phone_verified, "
             "gender, preferred_language, marketing_consent, location_city, location_region, created_at, "
             "updated_at, last_login_at",
    "businesses": "id, owner_id, name, slug, description, category_id, subcategory_id, email, phone, website, "
                  "whatsapp, street_address, city, region, postal_code, latitude, longitude, price_range, status, "
                  "is_verified, verification_date, is_featured, featured_until, keywords, view_count, click_count, "
                  "booking_count, average_rating, review_count, created_at, updated_at, published_at",
    # (ids of rows nothing refers to are left to the database's default)
    "business_hours": "business_id, day_of_week, open_time, close_time, is_closed, is_24_hours",
    "services": "id, business_id, name, description, price, duration_minutes, category, requires_booking, "
                "sort_order, cancellation_deadline_hours, created_at, updated_at",
    "service_availability": "service_id, day_of_week, start_time, end_time",
    "bookings": "id, booking_number, customer_id, business_id, service_id, booking_date, booking_time, "
                "duration_minutes, customer_name, customer_email, customer_phone, service_price, total_amount, "
                "status, notes, cancellation_reason, time_range, exclusive_slot, created_at, updated_at, "
                "confirmed_at, completed_at, cancelled_at, reminder_sent_at",
    "reviews": "id, business_id, customer_id, booking_id, rating, title, content, service_rating, quality_rating, "
               "value_rating, status, is_verified, moderation_notes, helpful_count, business_response, "
               "business_response_date, created_at, updated_at, published_at",
    "user_favorites": "user_id, business_id, created_at",
}
TABLE_ORDER = tuple(COLUMNS)  # parents before children
N = "\\N"  # NULL in COPY text


def load_demo(url: str, *, businesses: int = 300, seed: int = 2026, progress: Progress | None = None,
              now: datetime | None = None, stats: dict | None = None) -> bool:
    """Load the demo data unless it is there already (False); True after loading.

    ``businesses`` counts all businesses, the demo owner's three included (at least 3).
    ``progress(stage, done, total)`` is called as stages start and batches commit; ``stats``,
    if given, is filled with rows and COPY seconds per table and seconds per stage.
    """
    if businesses < 3:
        raise ValueError("businesses must be at least 3 (the demo owner's)")
    report = progress or (lambda stage, done, total: None)
    st = stats if stats is not None else {}
    st.update(tables={t: {"rows": 0, "copy_seconds": 0.0} for t in TABLE_ORDER}, stages={},
              generate_seconds=0.0, total_fixes=0)
    dsn = plain_url(url)
    with psycopg.connect(dsn, autocommit=True) as conn:
        _as_system(conn)
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        try:
            if conn.execute("SELECT 1 FROM system_settings WHERE key = %s", (MARKER_KEY,)).fetchone():
                return False
            stale = conn.execute("SELECT value FROM system_settings WHERE key = %s", (LOADING_KEY,)).fetchone()
            if stale:  # a load was killed half-way: at least give the triggers back
                _enable(conn, json.loads(stale[0]))
            if stale or conn.execute("SELECT 1 FROM users WHERE email = %s", (DEMO_ACCOUNTS["admin"],)).fetchone():
                raise RuntimeError("an earlier demo load stopped half-way (demo rows exist but the "
                                   f"{MARKER_KEY!r} marker does not): load into a fresh database")
            # One UPDATE of a business per inserted review or booking would dominate the load.
            triggers = _totals_triggers(conn)
            conn.execute("INSERT INTO system_settings (key, value, data_type, description) VALUES (%s, %s, 'json', %s)",
                         (LOADING_KEY, json.dumps(triggers), "Set by the demo loader while it runs."))
            for table, name in triggers:
                conn.execute(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')
            try:
                _load(dsn, conn, businesses, seed, now or datetime.now(UTC), report, st)
            finally:
                _enable(conn, triggers)
                conn.execute("DELETE FROM system_settings WHERE key = %s", (LOADING_KEY,))
            return True
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))


def _as_system(conn: psycopg.Connection) -> None:
    conn.execute("SELECT set_config('app.role', 'system', false), set_config('TimeZone', 'UTC', false)")
    if not conn.autocommit:
        conn.commit()


def _enable(conn: psycopg.Connection, triggers) -> None:
    for table, name in triggers:
        conn.execute(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"')


def _totals_triggers(conn: psycopg.Connection) -> list[tuple[str, str]]:
    """The enabled row triggers on reviews/bookings whose function updates businesses."""
    return conn.execute(r"""
        SELECT c.relname, t.tgname FROM pg_trigger t
          JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
         WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(%s) AND NOT t.tgisinternal
           AND t.tgenabled <> 'D' AND (t.tgtype & 1) = 1 AND p.prosrc ~* 'update\s+(public\.)?businesses\M'
         ORDER BY 1, 2""", (list(_TOTALS_TABLES),)).fetchall()


def _load(dsn: str, conn: psycopg.Connection, businesses: int, seed: int, now: datetime,
          report: Progress, st: dict) -> None:
    from pwdlib import PasswordHash

    password_hash = PasswordHash.recommended().hash(DEMO_PASSWORD)  # once: argon2 is slow on purpose
    taken_slugs = {r[0] for r in conn.execute("SELECT slug FROM businesses")}
    taken_emails = {r[0] for r in conn.execute("SELECT lower(email::text) FROM users WHERE email LIKE '%@example.na'")}
    with psycopg.connect(dsn) as first, psycopg.connect(dsn) as second:
        for writer in (first, second):
            _as_system(writer)
            # No waiting for each batch's commit to reach the disk: a crash loses the last
            # batches, and a half-done load is refused and reported anyway.
            writer.execute("SET synchronous_commit = off")
            writer.commit()
        t0 = time.perf_counter()
        report("categories", 0, 1)
        category_ids = _insert_categories(first, seed)
        first.commit()
        report("categories", 1, 1)
        st["stages"]["categories"] = time.perf_counter() - t0

        info = _copy_generated((first, second), (seed, now, businesses, password_hash, taken_slugs, taken_emails,
                                                 category_ids), report, st)

        t0 = time.perf_counter()
        report("totals", 0, 1)
        st["total_fixes"] = _check_totals(first)
        report("totals", 1, 1)
        st["stages"]["totals"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        report("finish", 0, 1)
        _finish(first, seed, businesses, now, info)
        first.commit()
    conn.execute("ANALYZE users, businesses, business_hours, services, service_availability, bookings, "
                 "reviews, user_favorites")
    st["stages"]["finish"] = time.perf_counter() - t0
    report("finish", 1, 1)


def _insert_categories(conn: psycopg.Connection, seed: int) -> dict[str, str]:
    """The category tree; a slug that exists already is kept and used. Returns slug -> id."""
    rng = Random(seed ^ 0xCA7E6021)
    rows = []
    for ci, cat in enumerate(data.CATEGORIES):
        rows.append((_uuid(rng), cat.name, cat.slug, cat.description, cat.icon, cat.color, None, (ci + 1) * 10,
                     f"{cat.name} in Namibia | AfroBiz Connect", cat.description))
        for si, sub in enumerate(cat.subcategories):
            rows.append((_uuid(rng), sub.name, sub.slug, sub.description, sub.icon, cat.color, cat.slug,
                         (si + 1) * 10, f"{sub.name} in Namibia | AfroBiz Connect", sub.description))
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO categories (id, name, slug, description, icon, color, parent_id, sort_order, seo_title, "
            "seo_description) VALUES (%s, %s, %s, %s, %s, %s, (SELECT id FROM categories WHERE slug = %s), "
            "%s, %s, %s) ON CONFLICT (slug) DO NOTHING", rows)
        cur.execute("SELECT slug, id::text FROM categories WHERE slug = ANY(%s)", ([r[2] for r in rows],))
        return dict(cur.fetchall())


# Each batch is written by two connections, so the database works on two cores: the first
# writes the parent rows and commits, then the second writes the rows that refer to them while
# the first goes on with the next batch. The two halves cost the server about the same.
_FIRST_TABLES = ("users", "businesses", "business_hours", "services")
_SECOND_TABLES = ("service_availability", "bookings", "reviews", "user_favorites")


def _copy_generated(conns: tuple[psycopg.Connection, psycopg.Connection], args: tuple, report: Progress,
                    st: dict) -> dict:
    """Run the generator in a child Python and COPY the batches it sends; returns its closing info.

    A plain subprocess rather than multiprocessing: spawn would re-run the caller's __main__
    and fork is unsafe in a process with threads (a web server). The pipe's small buffer
    holds the child back once it is a batch ahead.
    """
    root = str(Path(__file__).resolve().parents[2])  # where afrobiz is importable from
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH"))))}
    child = subprocess.Popen([sys.executable, "-c", "from afrobiz.demo.loader import _child; _child()"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    writers = (ThreadPoolExecutor(1, "demo-copy-1"), ThreadPoolExecutor(1, "demo-copy-2"))
    pending: deque[tuple[Future, str, int, int]] = deque()

    def settle(keep: int) -> None:  # wait until at most `keep` batches are still being written
        while len(pending) > keep:
            future, stage_, done_, total_ = pending.popleft()
            future.result()
            report(stage_, done_, total_)

    finished = False
    stage, started = "", 0.0
    try:
        pickle.dump(args, child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        child.stdin.close()
        while True:
            try:
                msg = pickle.load(child.stdout)
            except EOFError:
                raise RuntimeError(f"the demo data generator stopped (exit code {child.wait()})") from None
            if msg[0] in ("stage", "done"):
                settle(0)
                if stage:
                    st["stages"][stage] = time.perf_counter() - started
            if msg[0] == "stage":
                _, stage, total = msg
                started = time.perf_counter()
                report(stage, 0, total)
            elif msg[0] == "batch":
                _, done, total, payloads = msg
                parents = writers[0].submit(_write, conns[0], payloads, _FIRST_TABLES, st)
                children = writers[1].submit(_write, conns[1], payloads, _SECOND_TABLES, st, parents)
                pending.append((children, stage, done, total))
                settle(1)
            elif msg[0] == "done":
                finished = True
                st["generate_seconds"] = msg[2]
                return msg[1]
            else:
                raise RuntimeError("the demo data generator failed:\n" + msg[1])
    finally:
        for writer in writers:
            writer.shutdown(wait=True, cancel_futures=True)
        if not finished and child.poll() is None:
            child.kill()
        child.stdout.close()
        child.wait()


def _write(conn: psycopg.Connection, payloads: dict[str, tuple[bytes, int]], tables: tuple[str, ...], st: dict,
           after: Future | None = None) -> None:
    if after is not None:
        after.result()  # the rows these refer to are committed (or this batch fails with them)
    with conn.cursor() as cur:
        for table in tables:
            if table not in payloads:
                continue
            text, rows = payloads[table]
            t0 = time.perf_counter()
            with cur.copy(f"COPY {table} ({COLUMNS[table]}) FROM STDIN") as copy:
                copy.write(text)
            st["tables"][table]["copy_seconds"] += time.perf_counter() - t0
            st["tables"][table]["rows"] += rows
    conn.commit()


def _child() -> None:
    """The generator process: arguments come pickled on stdin, batches go pickled to stdout."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by accident goes to stderr, not into the data stream

    def send(msg) -> None:
        pickle.dump(msg, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    try:
        gen = _Generator(*pickle.load(sys.stdin.buffer))
        busy = 0.0
        for stage, batches in (("users", gen.user_batches()), ("businesses", gen.business_batches())):
            send(("stage", stage, gen.totals[stage]))
            while True:
                t0 = time.perf_counter()
                item = next(batches, None)
                if item is not None:
                    batch, done = item
                    payloads = {t: ("".join(lines).encode(), len(lines)) for t, lines in batch.items() if lines}
                busy += time.perf_counter() - t0
                if item is None:
                    break
                send(("batch", done, gen.totals[stage], payloads))
        send(("done", {"demo": gen.demo_ids, "favourites": gen.favourite_candidates}, busy))
    except BrokenPipeError:  # the loader is gone
        os._exit(1)
    except BaseException:  # noqa: BLE001 - reported to the loader, which raises it
        send(("error", traceback.format_exc()))


def _check_totals(conn: psycopg.Connection) -> int:
    """Make average_rating/review_count equal the approved reviews and booking_count the
    confirmed, in-progress and completed bookings; returns the rows fixed (0 expected)."""
    fixed = 0
    for sql in (
        """UPDATE businesses b SET average_rating = s.avg, review_count = s.n
             FROM (SELECT business_id, round(avg(rating), 2) AS avg, count(*) AS n
                     FROM reviews WHERE status = 'approved' GROUP BY business_id) s
            WHERE b.id = s.business_id AND (b.average_rating, b.review_count) IS DISTINCT FROM (s.avg, s.n)""",
        """UPDATE businesses b SET average_rating = 0, review_count = 0
            WHERE (b.average_rating <> 0 OR b.review_count <> 0) AND NOT EXISTS
                  (SELECT 1 FROM reviews r WHERE r.business_id = b.id AND r.status = 'approved')""",
        """UPDATE businesses b SET booking_count = s.n
             FROM (SELECT business_id, count(*) AS n FROM bookings
                    WHERE status IN ('confirmed', 'in_progress', 'completed') GROUP BY business_id) s
            WHERE b.id = s.business_id AND b.booking_count <> s.n""",
        """UPDATE businesses b SET booking_count = 0
            WHERE b.booking_count <> 0 AND NOT EXISTS (SELECT 1 FROM bookings k WHERE k.business_id = b.id
                  AND k.status IN ('confirmed', 'in_progress', 'completed'))""",
    ):
        fixed += conn.execute(sql).rowcount
    conn.commit()
    return fixed


def _finish(conn: psycopg.Connection, seed: int, businesses: int, now: datetime, info: dict) -> None:
    """The demo customer's favourites, the settings, and the marker, in the last transaction."""
    rng = Random(seed ^ 0xFA7E)
    favourites = [info["demo"]["braids"], *info["favourites"][:4]]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO user_favorites (id, user_id, business_id, created_at) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (user_id, business_id) DO NOTHING",
            [(_uuid(rng), info["demo"]["customer"], b, now - timedelta(days=5 * (k + 1)))
             for k, b in enumerate(favourites)])
        cur.executemany(
            "INSERT INTO system_settings (key, value, data_type, description, is_public) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (key) DO NOTHING", data.SYSTEM_SETTINGS)
        cur.execute("DELETE FROM system_settings WHERE key = %s", (LOADING_KEY,))
        cur.execute(
            "INSERT INTO system_settings (key, value, data_type, description) VALUES (%s, %s, 'json', %s)",
            (MARKER_KEY, json.dumps({"businesses": businesses, "seed": seed, "loaded_at": now.isoformat()}),
             "Set by the demo loader; while it exists the demo data is not loaded again."))


# ---------------------------------------------------------------- small helpers


def slugify(text: str) -> str:
    """ASCII slug: 'Lüderitz Café & Co.' -> 'luderitz-cafe-co'."""
    text = text.replace("ß", "ss").replace("'", "").replace("’", "")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    out, dash = [], False
    for ch in text:
        if ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


def _uuid(rng: Random) -> str:
    """A version-4 UUID from a seeded generator, as 32 hex digits (PostgreSQL takes them bare)."""
    n = rng.getrandbits(128) & ~(0xF000 << 64) & ~(0xC000 << 48) | (0x4000 << 64) | (0x8000 << 48)
    return f"{n:032x}"


def _possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


def _hm(s: str) -> int:
    h, m = s.split(":")
    return int(h) * 60 + int(m)


def _booking_number(n: int, salt: int) -> str:
    x = (n * _BOOKING_MULT + salt) & ((1 << 40) - 1)
    return "AB" + "".join(_B32[(x >> s) & 31] for s in range(35, -1, -5))


class _Clock:
    """Epoch seconds -> 'YYYY-MM-DD HH:MM:SS+00' quickly, and local slot starts -> epoch."""

    def __init__(self, now: datetime):
        self.now = int(now.timestamp())
        self.today = now.astimezone(TZ).date()
        # Every day from ~5 years back to 1 year ahead, and every second of a day, preformatted.
        self._first_day = self.now // 86400 - 5 * 366
        self._days = [(date(1970, 1, 1) + timedelta(days=d)).isoformat() + " "
                      for d in range(self._first_day, self._first_day + 6 * 366)]
        self._secs = [f"{h:02d}:{m:02d}:{s:02d}+00" for h in range(24) for m in range(60) for s in range(60)]
        self._starts: dict[tuple[int, int], int] = {}

    def ts(self, epoch: int) -> str:
        return self._days[epoch // 86400 - self._first_day] + self._secs[epoch % 86400]

    def local_start(self, ordinal: int, minute: int) -> int:
        key = (ordinal, minute)
        e = self._starts.get(key)
        if e is None:
            d = date.fromordinal(ordinal)
            e = self._starts[key] = int(datetime(d.year, d.month, d.day, minute // 60, minute % 60,
                                                 tzinfo=TZ).timestamp())
        return e


# ---------------------------------------------------------------- the generator

_DAY = 86400
_SERVICE_COUNTS = list(accumulate((20, 30, 25, 15, 10)))  # 2..6 services
_MAX_BOOKABLE = 3  # more bookable templates become walk-in services
_REVIEW_COUNTS = list(accumulate((14, 12, 11, 10, 9, 8, 7, 6, 5, 4, 4, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1)))
_RATINGS = {q: list(accumulate(w)) for q, w in
            {"great": (70, 22, 5, 2, 1), "good": (40, 38, 12, 5, 5), "mixed": (20, 25, 25, 15, 15)}.items()}
_PAST_BOOKINGS = list(accumulate((35, 25, 15, 10, 6, 4, 3, 2)))  # 0..7 per bookable service
_FUTURE_BOOKINGS = list(accumulate((60, 28, 12)))  # 0..2


class _Generator:
    def __init__(self, seed: int, now: datetime, businesses: int, password_hash: str,
                 taken_slugs: set[str], taken_emails: set[str], category_ids: dict[str, str]):
        self.rng = Random(seed)  # everything that is not laid out around the load date
        self.arng = Random(seed * 1_000_003 + 7)  # bookings and reviews (their dates depend on today)
        self.r, self.ar = self.rng.random, self.arng.random
        self.clock = _Clock(now)
        self.n_businesses = businesses
        self.n_owners = max(1, businesses // 3)
        self.n_customers = max(50, businesses // 2)
        self.totals = {"users": 3 + self.n_owners + self.n_customers, "businesses": businesses}
        self.password_hash = password_hash
        self.category_ids = category_ids
        self.slugs, self.slug_counts = taken_slugs, {}
        self.emails, self.email_counts = taken_emails, {}
        self.booking_salt = Random(seed).getrandbits(40)
        self.booking_seq = 0
        self.towns = data.towns()
        self.town_cum = list(accumulate(t.weight for t in self.towns))
        self.regions = sorted({t.region for t in self.towns})
        self.by_region = {r: [i for i, t in enumerate(self.towns) if t.region == r] for r in self.regions}
        self.town_index = {t.name: i for i, t in enumerate(self.towns)}
        self.name_mix = {r: (list(m), list(accumulate(m.values())))
                         for r, m in ((r, data.REGION_NAME_MIX[r]) for r in self.regions)}
        self.subs = [(c, s) for c in data.CATEGORIES for s in c.subcategories]
        self.sub_cum = list(accumulate(c.weight * s.weight / sum(x.weight for x in c.subcategories)
                                       for c, s in self.subs))
        self.sub_by_slug = {s.slug: (c, s) for c, s in self.subs}
        self.slot_cache: dict[tuple[str, int], tuple[list, list[list[int]]]] = {}
        self.owners: list[tuple] = []  # (id, first, last, female, town index, created epoch)
        self.owners_by_town: dict[int, list[int]] = {}
        self.owners_by_region: dict[str, list[int]] = {}
        self.customers: list[tuple] = []  # (id, first, last, email, phone); [0] is the demo customer
        self.demo_ids: dict[str, str] = {}
        self.favourite_candidates: list[str] = []  # active Windhoek businesses for the demo customer

    # ------------------------------------------------------------ picking

    def pick(self, seq):
        return seq[int(self.r() * len(seq))]

    def apick(self, seq):
        return seq[int(self.ar() * len(seq))]

    def uid(self) -> str:
        return _uuid(self.rng)

    def auid(self) -> str:
        return _uuid(self.arng)

    def phone(self) -> str:
        return f"+2648{'1' if self.r() < 0.6 else '5'}{int(self.r() * 10_000_000):07d}"

    def person(self, region: str) -> tuple[str, str, bool]:
        groups, cum = self.name_mix[region]
        females, males, surnames = data.NAME_GROUPS[groups[bisect(cum, self.r() * cum[-1])]]
        female = self.r() < 0.5
        return self.pick(females if female else males), self.pick(surnames), female

    def email(self, first: str, last: str) -> str:
        f, l = slugify(first).replace("-", ""), slugify(last).replace("-", "")
        style = self.r()
        base = f"{f}.{l}" if style < 0.6 else f"{f}{l}" if style < 0.8 else f"{f[0]}.{l}" if style < 0.9 else f"{f}_{l}"
        while True:
            n = self.email_counts[base] = self.email_counts.get(base, 0) + 1
            email = f"{base}{n if n > 1 else ''}@example.na"
            if email not in self.emails:
                self.emails.add(email)
                return email

    def slug(self, name: str) -> str:
        base = slugify(name)[:240] or "business"
        while True:
            n = self.slug_counts[base] = self.slug_counts.get(base, 0) + 1
            slug = base if n == 1 else f"{base}-{n}"
            if slug not in self.slugs:
                self.slugs.add(slug)
                return slug

    # ------------------------------------------------------------ users

    def _user_line(self, uid, email, first, last, phone, role, female, town, created,
                   language: str | None = None) -> str:
        r, ts = self.r, self.clock.ts
        login = ts(self.clock.now - int(r() * 90 * _DAY)) if r() < 0.7 else N
        lang = "en" if r() < 0.85 else "af" if r() < 0.6 else "de"
        lang = language or lang  # drawn anyway so the rest of the random stream stays the same
        return (f"{uid}\t{email}\t{self.password_hash}\t{first}\t{last}\t{phone}\t{role}\t"
                f"{'t' if r() < 0.9 else 'f'}\t{'t' if r() < 0.6 else 'f'}\t{'female' if female else 'male'}\t"
                f"{lang}\t{'t' if r() < 0.3 else 'f'}\t{town.name}\t{town.region}\t{ts(created)}\t{ts(created)}\t"
                f"{login}\n")

    def user_batches(self):
        r, now = self.r, self.clock.now
        lines: list[str] = []
        windhoek = self.towns[self.town_index["Windhoek"]]
        for key, role in (("admin", "admin"), ("owner", "business_owner"), ("customer", "customer")):
            first, last = data.DEMO_PEOPLE[key][:2]
            uid, phone = self.uid(), self.phone()
            self.demo_ids[key] = uid
            # The three log-in accounts read the site in English, so a first look is predictable.
            lines.append(self._user_line(uid, DEMO_ACCOUNTS[key], first, last, phone, role, True, windhoek,
                                         now - 400 * _DAY, language="en"))
            if key == "customer":
                self.customers.append((uid, first, last, DEMO_ACCOUNTS[key], phone))
        done = 3
        for kind, count in (("business_owner", self.n_owners), ("customer", self.n_customers)):
            for _ in range(count):
                ti = bisect(self.town_cum, r() * self.town_cum[-1])
                town = self.towns[ti]
                first, last, female = self.person(town.region)
                uid, email, phone = self.uid(), self.email(first, last), self.phone()
                created = now - 60 * _DAY - int(r() * 1035 * _DAY)
                lines.append(self._user_line(uid, email, first, last, phone, kind, female, town, created))
                if kind == "customer":
                    self.customers.append((uid, first, last, email, phone))
                else:
                    self.owners_by_town.setdefault(ti, []).append(len(self.owners))
                    self.owners_by_region.setdefault(town.region, []).append(len(self.owners))
                    self.owners.append((uid, first, last, female, ti, created))
                done += 1
                if len(lines) >= BATCH_USERS:
                    yield {"users": lines}, done
                    lines = []
        if lines:
            yield {"users": lines}, done

    # ------------------------------------------------------------ businesses

    def business_batches(self):
        out: dict[str, list[str]] = {t: [] for t in TABLE_ORDER}
        for i in range(self.n_businesses):
            self.business(i, out)
            if (i + 1) % BATCH_BUSINESSES == 0 or i + 1 == self.n_businesses:
                yield out, i + 1
                out = {t: [] for t in TABLE_ORDER}

    def _place(self, i: int) -> tuple[int, tuple, object, object]:
        """Town index, owner, category and subcategory of business i."""
        r = self.r
        n_demo = len(_DEMO_BUSINESSES)
        if i < n_demo:
            first, last = data.DEMO_PEOPLE["owner"][:2]
            ti = self.town_index["Windhoek"]
            return (ti, (self.demo_ids["owner"], first, last, True, ti, self.clock.now - 400 * _DAY),
                    *self.sub_by_slug[_DEMO_BUSINESSES[i][1]])
        if i < n_demo + len(self.regions):  # first one business in every region (kept active)
            idx = self.by_region[self.regions[i - n_demo]]
            cum = list(accumulate(self.towns[t].weight for t in idx))
            ti = idx[bisect(cum, r() * cum[-1])]
        else:
            ti = bisect(self.town_cum, r() * self.town_cum[-1])
        pool = self.owners_by_town.get(ti) or self.owners_by_region.get(self.towns[ti].region) or range(len(self.owners))
        owner = self.owners[self.pick(pool)]
        while True:
            cat, sub = self.subs[bisect(self.sub_cum, r() * self.sub_cum[-1])]
            if sub.towns is None or self.towns[ti].name in sub.towns:
                return ti, owner, cat, sub

    def business(self, i: int, out: dict[str, list[str]]) -> None:
        r, pick, clock, ts = self.r, self.pick, self.clock, self.clock.ts
        now = clock.now
        demo = _DEMO_BUSINESSES[i] if i < len(_DEMO_BUSINESSES) else None
        ti, owner, cat, sub = self._place(i)
        town = self.towns[ti]
        bid = self.uid()
        if i == 0:
            self.demo_ids["braids"] = bid

        # where, and what it is called
        is_windhoek = town.name == "Windhoek"
        suburb = demo[2] if demo else pick(data.WINDHOEK_SUBURBS) if is_windhoek else town.name
        streets = data.WINDHOEK_STREETS if is_windhoek else data.TOWN_STREETS.get(town.name, data.GENERIC_STREETS)
        street = f"{1 + int(r() * 250)} {pick(streets)}"
        places = data.PLACES_BY_REGION[town.region]
        place = pick(places) if r() < 0.6 else pick(data.PLACES)
        if demo:
            name = demo[0]
        else:
            patterns = sub.names
            if not owner[3]:  # a man's name goes only into patterns that suit it
                patterns = tuple(p for p in patterns if not p.startswith(data.FEMALE_TITLES)
                                 and not (sub.female_names and "{first" in p)) or patterns
            name = pick(patterns).format(
                first=owner[1], first_s=_possessive(owner[1]), last=owner[2], town=pick((town.short, town.name)),
                last2=pick(data.NAME_GROUPS[pick(tuple(data.NAME_GROUPS))][2]), short=town.short,
                de_last=pick(data.NAME_GROUPS["german"][2]), suburb=suburb, place=place)
            name = name[0].upper() + name[1:]
            if name in _DEMO_NAMES:  # the demo owner's listings stay one of a kind
                name = f"{name} {place}"
        slug = self.slug(name)

        # status and dates
        x = r()
        status = "active" if i < len(_DEMO_BUSINESSES) + len(self.regions) or x < 0.93 else \
            "pending" if x < 0.98 else "suspended"
        active = status == "active"
        created = owner[5] + int(r() * max(_DAY, now - 30 * _DAY - owner[5]))
        published = created + _DAY + int(r() * 13 * _DAY)
        verified = active and (demo is not None or r() < 0.3)
        featured = active and (i == 0 or r() < 0.03)
        p = r()  # price level, shared by every service
        price_range = "budget" if p < 0.3 else "moderate" if p < 0.7 else "expensive" if p < 0.92 else "luxury"

        # a few hundred metres to ~3 km from the centre; on the coast only inland of it
        dist = 0.2 + 2.8 * r() ** 1.5
        bearing = math.radians(25 + 130 * r() if town.coastal else 360 * r())
        lat = town.latitude + dist * math.cos(bearing) / 111.32
        lon = town.longitude + dist * math.sin(bearing) / (111.32 * math.cos(math.radians(town.latitude)))

        description = pick(data.DESCRIPTIONS).format(
            name=name, where=suburb if is_windhoek else street, community=suburb, town=town.name,
            sub_description=sub.description, year=1995 + int(r() * 29))
        description += " " + " ".join(self.rng.sample(data.DESCRIPTION_EXTRAS, 1 + (r() < 0.5)))
        keywords = self.rng.sample(sub.keywords, min(len(sub.keywords), 3 + int(r() * 3)))
        phone = self.phone()
        views = min(50_000, int(self.rng.paretovariate(1.3) * 25)) if active else int(r() * 20)

        # opening hours
        hours_key = sub.hours[0][0]
        if len(sub.hours) > 1 and not demo:
            cum = list(accumulate(w for _, w in sub.hours))
            hours_key = sub.hours[bisect(cum, r() * cum[-1])][0]
        hlines = out["business_hours"]
        for dow, h in enumerate(data.HOURS[hours_key]):
            if h is None:
                hlines.append(f"{bid}\t{dow}\t{N}\t{N}\tt\tf\n")
            elif h == "24h":
                hlines.append(f"{bid}\t{dow}\t{N}\t{N}\tf\tt\n")
            else:
                hlines.append(f"{bid}\t{dow}\t{h[0]}\t{h[1]}\tf\tf\n")

        # services, and the bookable ones' weekly windows
        templates = sub.services
        if hours_key == "night":  # evening-only places take no slot bookings
            templates = tuple(t for t in templates if not t.bookable)
        if i == 0:
            chosen = [t for t in templates if t.name in _DEMO_BRAIDS_SERVICES]
        else:
            k = min(len(templates), 2 + bisect(_SERVICE_COUNTS, r() * _SERVICE_COUNTS[-1]))
            chosen = [templates[j] for j in sorted(self.rng.sample(range(len(templates)), k))]
        bookable: list[tuple[str, str, int, list[list[int]]]] = []  # (id, price, minutes, starts per weekday)
        slines, alines = out["services"], out["service_availability"]
        screated = ts(created)
        for order, t in enumerate(chosen):
            sid = self.uid()
            q = min(1.0, max(0.0, p - 0.15 + 0.3 * r()))
            step = 5 if t.high < 200 else 10 if t.high < 2000 else 50
            price = f"{round((t.low + (t.high - t.low) * q) / step) * step}.00"
            sname = t.name.format(town=town.name)
            takes_booking = t.bookable and (i == 0 or len(bookable) < _MAX_BOOKABLE)
            deadline = 24 if takes_booking and r() < 0.4 else 0
            slines.append(f"{sid}\t{bid}\t{sname}\t{t.description or f'{sname} at {name}.'}\t{price}\t"
                          f"{t.minutes or N}\t{sub.name}\t{'t' if takes_booking else 'f'}\t{order}\t{deadline}\t"
                          f"{screated}\t{screated}\n")
            if takes_booking:
                windows, starts = self._slots(t.windows or sub.windows, t.minutes)
                alines.extend(f"{sid}\t{w}" for w in windows)
                bookable.append((sid, price, t.minutes, starts))

        # bookings, reviews and favourites (active businesses only)
        booking_count, rating_sum, rating_n = 0, 0, 0
        if active:
            completed, booking_count = self._bookings(i, bid, published, bookable, out["bookings"])
            rating_sum, rating_n = self._reviews(i, bid, cat, sub, town, published, completed, out["reviews"])
            self._favourites(bid, published, out["user_favorites"])
            if is_windhoek and 0 < i and len(self.favourite_candidates) < 12:
                self.favourite_candidates.append(bid)
        avg = (Decimal(rating_sum) / rating_n).quantize(Decimal("0.01"), ROUND_HALF_UP) if rating_n else "0.00"

        out["businesses"].append(
            f"{bid}\t{owner[0]}\t{name}\t{slug}\t{description}\t{self.category_ids[cat.slug]}\t"
            f"{self.category_ids[sub.slug]}\t{slug}@example.na\t{phone}\t"
            f"{f'https://{slug}.example.na' if r() < 0.35 else N}\t{phone if r() < 0.7 else N}\t"
            f"{f'{street}, {suburb}' if is_windhoek else street}\t{town.name}\t{town.region}\t"
            f"{data.POSTAL_CODE if r() < 0.6 else N}\t{lat:.6f}\t{lon:.6f}\t{price_range}\t{status}\t"
            f"{'t' if verified else 'f'}\t{ts(min(now - 3600, published + int(r() * 60 * _DAY))) if verified else N}\t"
            f"{'t' if featured else 'f'}\t{ts(now + 7 * _DAY + int(r() * 53 * _DAY)) if featured else N}\t"
            "{" + ",".join(f'"{w}"' for w in keywords) + "}\t"
            f"{views}\t{views // (5 + int(r() * 10))}\t{booking_count}\t{avg}\t{rating_n}\t{ts(created)}\t"
            f"{ts(created if status == 'pending' else published)}\t{ts(published) if active else N}\n")

    def _slots(self, key: str, minutes: int):
        """Window rows ('dow\tHH:MM\tHH:MM\n') and, per weekday, the slot starts on the duration grid."""
        cached = self.slot_cache.get((key, minutes))
        if cached is None:
            windows, starts = [], [[] for _ in range(7)]
            for days, a, b in data.WINDOWS[key]:
                for dow in days:
                    windows.append(f"{dow}\t{a}\t{b}\n")
                    starts[dow].extend(range(_hm(a), _hm(b) - minutes + 1, minutes))
            cached = self.slot_cache[(key, minutes)] = (windows, starts)
        return cached

    def _bookings(self, i: int, bid: str, published: int, bookable, lines: list[str]):
        """Past and upcoming bookings, never two in one slot of a service. Returns the completed
        ones as (booking id, customer index, end epoch), and the confirmed + completed count."""
        ar, apick, clock = self.ar, self.apick, self.clock
        now, ts = clock.now, clock.ts
        today_ord, today_dow = clock.today.toordinal(), clock.today.isoweekday() % 7
        max_back = min(180, (now - published) // _DAY - 1)
        n_cust = len(self.customers)
        completed: list[tuple[str, int, int]] = []
        counted = 0
        busy = i == 0 or ar() < 0.12
        for si, (sid, price, minutes, starts) in enumerate(bookable):
            plans: list[tuple[bool, str, int]] = []  # (upcoming, status, customer index)
            if i == 0 and si == 0:  # the demo customer is a regular of the demo braids studio
                plans += [(False, "completed", 0), (True, "confirmed", 0), (False, "cancelled", 0)]
            if busy:
                n_past, n_future = 4 + int(ar() * 9), 1 + int(ar() * 4)
            else:
                n_past = bisect(_PAST_BOOKINGS, ar() * _PAST_BOOKINGS[-1])
                n_future = bisect(_FUTURE_BOOKINGS, ar() * _FUTURE_BOOKINGS[-1])
            for _ in range(n_past):
                x = ar()
                plans.append((False, "completed" if x < 0.76 else "cancelled" if x < 0.9 else "no_show",
                              1 + int(ar() * (n_cust - 1))))
            for _ in range(n_future):
                plans.append((True, "confirmed" if ar() < 0.8 else "pending", 1 + int(ar() * (n_cust - 1))))
            used: set[tuple[int, int]] = set()
            for upcoming, status, ci in plans:
                if not upcoming and max_back < 1:
                    continue
                for _ in range(8):
                    off = 1 + int(ar() * 30) if upcoming else -1 - int(ar() * max_back)
                    day_starts = starts[(today_dow + off) % 7]
                    if day_starts:
                        minute = apick(day_starts)
                        if (off, minute) not in used:
                            used.add((off, minute))
                            break
                else:
                    continue
                start = clock.local_start(today_ord + off, minute)
                end = start + minutes * 60
                if upcoming:  # pending ones are fresh: bookings.pending_expiry_minutes is 30
                    created = now - (60 + int(ar() * 1140) if status == "pending" else 3600 + int(ar() * 9 * _DAY))
                else:
                    created = start - 3600 - int(ar() * 13 * _DAY)
                confirmed = created + 300 + int(ar() * 6900) if status != "pending" else None
                done_at = end + int(ar() * 1800) if status == "completed" else None
                cancelled = created + int((start - created) * ar()) if status == "cancelled" else None
                reminder = start - _DAY if not upcoming and status != "cancelled" and start - _DAY > created else None
                updated = max(x for x in (created, confirmed, done_at, cancelled, reminder) if x is not None)
                cust = self.customers[ci]
                cid = self.auid()
                self.booking_seq += 1
                lines.append(
                    f"{cid}\t{_booking_number(self.booking_seq, self.booking_salt)}\t{cust[0]}\t{bid}\t{sid}\t"
                    f"{date.fromordinal(today_ord + off).isoformat()}\t{minute // 60:02d}:{minute % 60:02d}\t"
                    f"{minutes}\t{cust[1]} {cust[2]}\t{cust[3]}\t{cust[4]}\t{price}\t{price}\t{status}\t"
                    f"{apick(data.BOOKING_NOTES) if ar() < 0.2 else N}\t"
                    f"{apick(data.CANCELLATION_REASONS) if cancelled else N}\t"
                    f"[\"{ts(start)}\",\"{ts(end)}\")\tt\t{ts(created)}\t{ts(updated)}\t"
                    f"{ts(confirmed) if confirmed else N}\t{ts(done_at) if done_at else N}\t"
                    f"{ts(cancelled) if cancelled else N}\t{ts(reminder) if reminder else N}\n")
                if status == "completed":
                    completed.append((cid, ci, end))
                if status in ("confirmed", "completed"):
                    counted += 1
        return completed, counted

    def _reviews(self, i: int, bid: str, cat, sub, town, published: int, completed, lines: list[str]):
        """0-25 reviews, some verified through a completed booking; returns (sum, count) of approved ratings."""
        ar, apick, clock = self.ar, self.apick, self.clock
        now, ts = clock.now, clock.ts
        n = 18 if i == 0 else bisect(_REVIEW_COUNTS, ar() * _REVIEW_COUNTS[-1])
        if n == 0:
            return 0, 0
        quality = "great" if i == 0 else "great" if (x := ar()) < 0.5 else "good" if x < 0.85 else "mixed"
        ratings = _RATINGS[quality]
        good, bad = data.CATEGORY_REVIEW_TEXTS.get(sub.slug) or data.CATEGORY_REVIEW_TEXTS.get(cat.slug, ((), ()))
        seen: set[int] = set()
        plans: list[tuple[int, str | None, int]] = []  # (customer index, booking id, earliest epoch)
        for booking_id, ci, end in completed:
            if len(plans) < n and ci not in seen and (ci == 0 or ar() < 0.45):
                seen.add(ci)
                plans.append((ci, booking_id, end))
        n_cust = len(self.customers)
        while len(plans) < n and len(seen) < n_cust - 1:
            ci = 1 + int(ar() * (n_cust - 1))
            if ci not in seen:
                seen.add(ci)
                plans.append((ci, None, published))
        total = count = 0
        for ci, booking_id, earliest in plans:
            cust = self.customers[ci]
            rating = 5 if ci == 0 else 5 - bisect(ratings, ar() * ratings[-1])
            if booking_id is not None:  # verified: published at once (reviews.auto_approve_verified)
                status = "approved"
                created = min(now - 60, earliest + 3600 + int(ar() * 3 * _DAY))
            else:
                x = ar()
                status = "approved" if x < 0.88 else "pending" if x < 0.95 else "flagged" if x < 0.98 else "rejected"
                created = earliest + int((now - 3600 - earliest) * ar())
            pool = good if rating >= 4 else bad if rating <= 2 else ()
            text = apick(pool) if pool and ar() < 0.5 else apick(data.REVIEW_TEXTS[rating])
            if "{" in text:
                text = text.format(town=town.name, other=apick(self.towns).name,
                                   staff=apick(data.NAME_GROUPS["oshiwambo"][0]))
            subs = f"{N}\t{N}\t{N}"
            if ar() < 0.6:
                subs = "\t".join(str(min(5, max(1, rating + (ar() < 0.15) - (ar() < 0.15)))) for _ in range(3))
            published_at = response = response_at = None
            if status == "approved":
                total += rating
                count += 1
                published_at = created if booking_id else min(now - 30, created + 600 + int(ar() * 2 * _DAY))
                if ar() < (0.5 if rating <= 2 else 0.2):
                    response = apick(data.RESPONSES_BAD if rating <= 3 else data.RESPONSES_GOOD).format(first=cust[1])
                    response_at = min(now - 10, published_at + 3600 + int(ar() * 5 * _DAY))
            lines.append(
                f"{self.auid()}\t{bid}\t{cust[0]}\t{booking_id or N}\t{rating}\t{apick(data.REVIEW_TITLES[rating])}\t"
                f"{text}\t{subs}\t{status}\t{'t' if booking_id else 'f'}\t"
                f"{apick(data.MODERATION_NOTES) if status in ('rejected', 'flagged') else N}\t"
                f"{int(ar() * 12) if status == 'approved' and ar() < 0.4 else 0}\t{response or N}\t"
                f"{ts(response_at) if response_at else N}\t{ts(created)}\t"
                f"{ts(max(x for x in (created, published_at, response_at) if x is not None))}\t"
                f"{ts(published_at) if published_at else N}\n")
        return total, count

    def _favourites(self, bid: str, published: int, lines: list[str]) -> None:
        ar = self.ar
        if ar() < 0.2:
            now = self.clock.now
            for ci in self.arng.sample(range(1, len(self.customers)), 1 + int(ar() * 3)):
                lines.append(f"{self.customers[ci][0]}\t{bid}\t{self.clock.ts(published + int((now - published) * ar()))}\n")
