"""The demo data loader against a real, freshly migrated database."""
from __future__ import annotations

import csv
import math
import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from dbtools import create_database, drop_database
from pwdlib import PasswordHash

from afrobiz.db.migrate import upgrade
from afrobiz.demo import data
from afrobiz.demo.loader import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    LOADING_KEY,
    MARKER_KEY,
    load_demo,
    slugify,
)

TOWNS_CSV = Path(data.__file__).with_name("namibia_towns.csv")  # the package's copy of the reference data
TABLES = ("users", "categories", "businesses", "business_hours", "services", "service_availability",
          "bookings", "reviews", "user_favorites", "system_settings")
ACTIVE = ("pending", "confirmed", "in_progress")


@pytest.fixture(scope="module")
def demo(request, server_url):
    """A fresh database (afrobiz_demo_<hex>) with the demo data for 200 businesses."""
    url = create_database(server_url, "afrobiz_demo")
    request.addfinalizer(lambda: drop_database(server_url, url))
    upgrade(url)
    stages: list[str] = []
    first = load_demo(url, businesses=200, progress=lambda stage, done, total: stages.append(stage))
    return {"url": url, "first": first, "stages": stages}


@pytest.fixture
def db(demo):
    with psycopg.connect(demo["url"]) as conn:
        conn.execute("SELECT set_config('app.role', 'system', false)")
        yield conn


def _counts(conn) -> dict[str, int]:
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def _km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def _towns() -> dict[str, tuple[str, float, float]]:
    with TOWNS_CSV.open(encoding="utf-8") as f:
        return {r["town"]: (r["region"], float(r["latitude"]), float(r["longitude"])) for r in csv.DictReader(f)}


# ---------------------------------------------------------------- loading once


def test_loads_once_and_not_twice(demo, db):
    assert demo["first"] is True
    assert {"users", "businesses", "totals", "finish"} <= set(demo["stages"])
    before = _counts(db)
    assert before["businesses"] == 200
    assert before["users"] == 3 + 200 // 3 + 100
    assert before["business_hours"] == 7 * 200
    assert min(before[t] for t in ("services", "service_availability", "bookings", "reviews")) > 100
    assert db.execute("SELECT 1 FROM system_settings WHERE key = %s", (MARKER_KEY,)).fetchone()
    assert not db.execute("SELECT 1 FROM system_settings WHERE key = %s", (LOADING_KEY,)).fetchone()

    assert load_demo(demo["url"], businesses=200) is False
    assert _counts(db) == before


def test_rating_trigger_is_enabled_again(db):
    rows = db.execute("""SELECT t.tgname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                          WHERE c.relname IN ('reviews', 'bookings') AND NOT t.tgisinternal""").fetchall()
    assert ("update_business_rating_trigger", "O") in rows
    assert all(enabled == "O" for _, enabled in rows)


def test_settings(db):
    settings = dict(db.execute("SELECT key, (value, data_type) FROM system_settings").fetchall())
    assert settings["reviews.auto_approve_verified"] == ("true", "boolean")
    assert settings["reviews.min_count_for_average"] == ("3", "integer")
    assert settings["payments.platform_fee_percent"] == ("5.0", "decimal")
    assert settings["bookings.pending_expiry_minutes"] == ("30", "integer")


# ---------------------------------------------------------------- places and people


def test_every_region_has_active_businesses(db):
    regions = {r for (r,) in db.execute("SELECT DISTINCT region FROM businesses WHERE status = 'active'")}
    assert regions == {region for region, _, _ in _towns().values()}
    assert len(regions) == 14


def test_businesses_sit_in_their_towns(db):
    towns = _towns()
    rows = db.execute("SELECT city, region, latitude, longitude FROM businesses").fetchall()
    for city, region, lat, lon in rows:
        assert city in towns, city
        t_region, t_lat, t_lon = towns[city]
        assert region == t_region
        assert _km(float(lat), float(lon), t_lat, t_lon) <= 5.0, city
    per_city = dict(db.execute("SELECT city, count(*) FROM businesses GROUP BY city").fetchall())
    assert max(per_city, key=per_city.get) == "Windhoek"


def test_windhoek_addresses_name_a_neighbourhood(db):
    for (address,) in db.execute("SELECT street_address FROM businesses WHERE city = 'Windhoek'"):
        assert address.rsplit(", ", 1)[1] in data.WINDHOEK_SUBURBS, address


def test_phones_are_namibian_mobiles(db):
    pattern = re.compile(r"^\+2648[15]\d{7}$")
    phones = [p for (p,) in db.execute(
        "SELECT phone FROM users UNION ALL SELECT phone FROM businesses "
        "UNION ALL SELECT whatsapp FROM businesses WHERE whatsapp IS NOT NULL "
        "UNION ALL SELECT customer_phone FROM bookings")]
    assert phones and all(pattern.match(p) for p in phones), [p for p in phones if not pattern.match(p)][:5]


def test_emails_and_slugs(db):
    emails = [e for (e,) in db.execute("SELECT email::text FROM users")]
    assert len(set(emails)) == len(emails)
    generated = [e for e in emails if not e.endswith("@demo.afrobiz.na")]
    assert all(e == e.lower() and re.fullmatch(r"[a-z0-9._]+@example\.na", e) for e in generated)
    slugs = [s for (s,) in db.execute("SELECT slug FROM businesses")]
    assert len(set(slugs)) == len(slugs)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s) for s in slugs)


def test_slugify():
    assert slugify("Lüderitz Café & Co.") == "luderitz-cafe-co"
    assert slugify("Ndapewa's Braids & Beauty") == "ndapewas-braids-beauty"
    assert slugify("!Gawaseb Straße") == "gawaseb-strasse"


def test_demo_accounts(db):
    hasher = PasswordHash.recommended()
    rows = dict(db.execute("SELECT email::text, (role::text, password_hash) FROM users WHERE email = ANY(%s)",
                           (list(DEMO_ACCOUNTS.values()),)).fetchall())
    roles = {"admin": "admin", "owner": "business_owner", "customer": "customer"}
    for key, email in DEMO_ACCOUNTS.items():
        role, password_hash = rows[email]
        assert role == roles[key]
        assert hasher.verify(DEMO_PASSWORD, password_hash)
        assert not hasher.verify("wrong-password", password_hash)


def test_demo_owner_and_customer_have_something_to_do(db):
    owned = db.execute("""SELECT b.name, b.city, b.status, count(s.id) FILTER (WHERE s.requires_booking)
                            FROM businesses b JOIN users u ON u.id = b.owner_id
                            LEFT JOIN services s ON s.business_id = b.id
                           WHERE u.email = %s GROUP BY b.id""", (DEMO_ACCOUNTS["owner"],)).fetchall()
    assert len(owned) == 3
    assert all(city == "Windhoek" and status == "active" for _, city, status, _ in owned)
    braids = [n for name, _, _, n in owned if name == "Windhoek Braids Studio"]
    assert braids and braids[0] >= 3
    customer = db.execute("SELECT id FROM users WHERE email = %s", (DEMO_ACCOUNTS["customer"],)).fetchone()[0]
    assert db.execute("SELECT count(*) FROM user_favorites WHERE user_id = %s", (customer,)).fetchone()[0] >= 3
    statuses = {s for (s,) in db.execute("SELECT status::text FROM bookings WHERE customer_id = %s", (customer,))}
    assert {"completed", "confirmed"} <= statuses


# ---------------------------------------------------------------- categories and services


def test_category_tree(db):
    parents = db.execute("SELECT slug, icon, color FROM categories WHERE parent_id IS NULL").fetchall()
    assert len(parents) == 12
    for slug, icon, color in parents:
        assert icon and re.fullmatch(r"#[0-9A-Fa-f]{6}", color)
        n = db.execute("SELECT count(*) FROM categories c JOIN categories p ON p.id = c.parent_id "
                       "WHERE p.slug = %s", (slug,)).fetchone()[0]
        assert 2 <= n <= 5, slug


def test_subcategory_belongs_to_category(db):
    bad = db.execute("""SELECT count(*) FROM businesses b JOIN categories s ON s.id = b.subcategory_id
                         WHERE s.parent_id IS DISTINCT FROM b.category_id""").fetchone()[0]
    assert bad == 0
    assert db.execute("SELECT count(*) FROM businesses WHERE subcategory_id IS NULL").fetchone()[0] == 0


def test_prices_are_decimal_with_two_places(db):
    prices = db.execute("SELECT price FROM services").fetchall()
    prices += db.execute("SELECT total_amount FROM bookings").fetchall()
    for (price,) in prices:
        assert isinstance(price, Decimal) and price.as_tuple().exponent == -2 and price >= 0
    for (n,) in db.execute("SELECT count(*) FROM services WHERE business_id NOT IN "
                           "(SELECT business_id FROM services GROUP BY 1 HAVING count(*) BETWEEN 2 AND 6)"):
        assert n == 0


def test_hours_and_bookable_services(db):
    assert db.execute("""SELECT count(*) FROM (SELECT business_id FROM business_hours GROUP BY 1
                          HAVING array_agg(day_of_week ORDER BY day_of_week) <> '{0,1,2,3,4,5,6}') x""").fetchone()[0] == 0
    no_windows = db.execute("""SELECT count(*) FROM services s WHERE s.requires_booking AND NOT EXISTS
                                (SELECT 1 FROM service_availability a WHERE a.service_id = s.id)""").fetchone()[0]
    assert no_windows == 0
    assert db.execute("SELECT count(*) FROM services WHERE requires_booking AND duration_minutes IS NULL").fetchone()[0] == 0


# ---------------------------------------------------------------- reviews and bookings


def test_ratings_match_approved_reviews(db):
    mismatched = db.execute("""
        SELECT count(*) FROM businesses b
          LEFT JOIN (SELECT business_id, round(avg(rating), 2) AS avg, count(*) AS n
                       FROM reviews WHERE status = 'approved' GROUP BY 1) r ON r.business_id = b.id
         WHERE b.average_rating <> coalesce(r.avg, 0) OR b.review_count <> coalesce(r.n, 0)""").fetchone()[0]
    assert mismatched == 0
    mean, reviewed = db.execute("SELECT avg(rating), count(DISTINCT business_id) FROM reviews").fetchone()
    assert mean > Decimal("3.5") and reviewed > 100
    assert db.execute("""SELECT max(n) FROM (SELECT count(*) AS n FROM reviews GROUP BY business_id) x""").fetchone()[0] <= 25
    assert db.execute("""SELECT count(*) FROM reviews r JOIN businesses b ON b.id = r.business_id
                          WHERE b.status <> 'active'""").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM reviews WHERE status = 'approved' AND published_at IS NULL").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM reviews WHERE business_response IS NOT NULL").fetchone()[0] > 0


def test_booking_counts_match(db):
    mismatched = db.execute("""
        SELECT count(*) FROM businesses b
          LEFT JOIN (SELECT business_id, count(*) AS n FROM bookings
                      WHERE status IN ('confirmed', 'in_progress', 'completed') GROUP BY 1) k ON k.business_id = b.id
         WHERE b.booking_count <> coalesce(k.n, 0)""").fetchone()[0]
    assert mismatched == 0


def test_verified_reviews_follow_completed_bookings(db):
    rows = db.execute("""SELECT r.is_verified, r.status::text, k.status::text, r.customer_id = k.customer_id,
                                r.business_id = k.business_id, r.created_at >= upper(k.time_range)
                           FROM reviews r JOIN bookings k ON k.id = r.booking_id""").fetchall()
    assert rows
    assert all(row == (True, "approved", "completed", True, True, True) for row in rows)
    assert db.execute("SELECT count(*) FROM reviews WHERE is_verified AND booking_id IS NULL").fetchone()[0] == 0


def test_no_overlapping_active_bookings(db):
    overlaps = db.execute(f"""
        SELECT count(*) FROM bookings a JOIN bookings b
          ON a.service_id = b.service_id AND a.id < b.id AND a.time_range && b.time_range
         WHERE a.status::text IN {ACTIVE} AND b.status::text IN {ACTIVE}""").fetchone()[0]
    assert overlaps == 0
    now = datetime.now(UTC)
    upcoming = db.execute(f"SELECT min(lower(time_range)) FROM bookings WHERE status::text IN {ACTIVE}").fetchone()[0]
    assert upcoming > now
    assert db.execute("SELECT max(upper(time_range)) FROM bookings WHERE status IN ('completed', 'no_show')").fetchone()[0] < now


def test_bookings_fit_windows_hours_and_time_range(db):
    windhoek = ZoneInfo("Africa/Windhoek")
    windows: dict = {}
    for sid, dow, start, end in db.execute("SELECT service_id, day_of_week, start_time, end_time FROM service_availability"):
        windows.setdefault((sid, dow), []).append((start, end))
    hours = {(b, d): (o, c, closed, h24) for b, d, o, c, closed, h24 in db.execute(
        "SELECT business_id, day_of_week, open_time, close_time, is_closed, is_24_hours FROM business_hours")}
    rows = db.execute("""SELECT k.service_id, k.business_id, k.booking_date, k.booking_time, k.duration_minutes,
                                k.time_range, k.total_amount, s.price, k.currency, k.exclusive_slot,
                                s.requires_booking, s.business_id
                           FROM bookings k JOIN services s ON s.id = k.service_id""").fetchall()
    assert rows
    for sid, bid, d, t, minutes, rng, total, price, currency, exclusive, bookable, s_bid in rows:
        assert bookable and bid == s_bid and total == price and currency == "NAD" and exclusive
        start_local = datetime.combine(d, t, windhoek)
        assert rng.lower == start_local.astimezone(UTC)
        assert rng.upper - rng.lower == timedelta(minutes=minutes)
        dow = d.isoweekday() % 7
        end_t = (datetime.combine(d, t) + timedelta(minutes=minutes)).time()
        assert any(a <= t and end_t <= b for a, b in windows[(sid, dow)]), (d, t, minutes)
        open_t, close_t, closed, h24 = hours[(bid, dow)]
        assert not closed
        if not h24 and close_t > open_t:
            assert open_t <= t and end_t <= close_t


def test_booking_numbers(db):
    numbers = [n for (n,) in db.execute("SELECT booking_number FROM bookings")]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"AB[0-9A-HJKMNP-TV-Z]{8}", n) for n in numbers)


# ---------------------------------------------------------------- content and determinism


def test_static_content_is_copy_safe_and_consistent():
    def strings(obj):
        if isinstance(obj, str):
            yield obj
        elif isinstance(obj, dict):
            for k, v in obj.items():
                yield from strings(k)
                yield from strings(v)
        elif isinstance(obj, (tuple, list, frozenset)):
            for v in obj:
                yield from strings(v)
        elif hasattr(obj, "__dataclass_fields__"):
            for f in obj.__dataclass_fields__:
                yield from strings(getattr(obj, f))

    everything = [getattr(data, n) for n in dir(data) if n.isupper()]
    for s in strings(everything):
        assert not any(ch in s for ch in "\t\n\r\\"), s
    assert [t.name for t in data.towns()] == list(_towns())

    def minutes(s: str) -> int:
        return int(s[:2]) * 60 + int(s[3:])

    for cat in data.CATEGORIES:
        assert 2 <= len(cat.subcategories) <= 5
        for sub in cat.subcategories:
            for t in sub.services:
                if not t.bookable:
                    continue
                key = t.windows or sub.windows
                fits = [minutes(b) - minutes(a) >= t.minutes for _, a, b in data.WINDOWS[key]]
                assert any(fits), (sub.slug, t.name)
                for pattern, _ in sub.hours:
                    if pattern == "night":
                        continue  # night places are given no bookable services
                    for days, a, b in data.WINDOWS[key]:
                        for dow in days:
                            h = data.HOURS[pattern][dow]
                            assert h is not None, (sub.slug, t.name, dow)
                            if h != "24h":
                                assert minutes(h[0]) <= minutes(a) and minutes(b) <= minutes(h[1]), (sub.slug, dow)


def test_refuses_after_a_killed_load_and_restores_the_triggers(server_url):
    url = create_database(server_url, "afrobiz_demo")
    try:
        upgrade(url)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("SELECT set_config('app.role', 'system', false)")
            conn.execute("ALTER TABLE reviews DISABLE TRIGGER update_business_rating_trigger")
            conn.execute("INSERT INTO system_settings (key, value, data_type) VALUES (%s, %s, 'json')",
                         (LOADING_KEY, '[["reviews", "update_business_rating_trigger"]]'))
            with pytest.raises(RuntimeError, match="half-way"):
                load_demo(url, businesses=5)
            enabled = conn.execute("SELECT tgenabled FROM pg_trigger "
                                   "WHERE tgname = 'update_business_rating_trigger'").fetchone()[0]
            assert enabled == "O"
            assert conn.execute("SELECT count(*) FROM businesses").fetchone()[0] == 0
    finally:
        drop_database(server_url, url)


def test_same_seed_same_data(server_url):
    now = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    results = []
    for _ in range(2):
        url = create_database(server_url, "afrobiz_demo")
        try:
            upgrade(url)
            assert load_demo(url, businesses=20, seed=7, now=now)
            with psycopg.connect(url) as conn:
                conn.execute("SELECT set_config('app.role', 'system', false)")
                results.append((
                    conn.execute("SELECT id, slug, name, latitude, average_rating FROM businesses ORDER BY id").fetchall(),
                    conn.execute("SELECT id, booking_number, booking_date, booking_time FROM bookings ORDER BY id").fetchall(),
                    conn.execute("SELECT id, rating, content FROM reviews ORDER BY id").fetchall(),
                ))
        finally:
            drop_database(server_url, url)
    assert results[0] == results[1]
    assert results[0][0] and results[0][1] and results[0][2]
    assert all(isinstance(t, time) for *_, t in results[0][1])
