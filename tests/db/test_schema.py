"""The migrated database holds every table and column of the seed, with the right types."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

# The seed design and its checker, kept in the repository (docs/seed, tools/): a clone
# alone runs these tests.
REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "docs" / "seed" / "000_1fba837b1ef00964.txt"
CHECKER = REPO / "tools" / "check_schema.py"

# Seed type -> (information_schema data_type, extra facts). TIMESTAMP becomes TIMESTAMPTZ
# (DESIGN 6.7) and users.email becomes citext (DESIGN 6.8).
SIMPLE = {
    "UUID": "uuid", "TEXT": "text", "BOOLEAN": "boolean", "INTEGER": "integer", "DATE": "date",
    "TIME": "time without time zone", "TIMESTAMP": "timestamp with time zone", "JSONB": "jsonb",
    "INET": "inet", "TEXT[]": "ARRAY",
}
ENUMS = {"user_role", "business_status", "price_range_enum", "booking_status", "review_status",
         "notification_type", "payment_method_enum", "payment_status", "image_type_enum"}
OVERRIDES = {("users", "email"): ("USER-DEFINED", "citext")}


def seed_columns() -> dict[str, list[tuple[str, str]]]:
    tables = {}
    for m in re.finditer(r"CREATE TABLE (\w+) \((.*?)\n\);", SEED.read_text(), re.S):
        cols = []
        for line in m.group(2).splitlines():
            words = line.strip().split()
            if len(words) < 2 or not words[0].isidentifier() or words[0] in ("CONSTRAINT", "UNIQUE"):
                continue
            cols.append((words[0], words[1].rstrip(",")))
        tables[m.group(1)] = cols
    return tables


def expected(table: str, column: str, seed_type: str) -> tuple[str, str | None]:
    if (table, column) in OVERRIDES:
        return OVERRIDES[(table, column)]
    if seed_type in ENUMS:
        return "USER-DEFINED", seed_type
    if m := re.fullmatch(r"VARCHAR\((\d+)\)", seed_type):
        return "character varying", m.group(1)
    if m := re.fullmatch(r"DECIMAL\((\d+),?", seed_type):
        return "numeric", m.group(1)
    return SIMPLE[seed_type], None


@pytest.fixture(scope="module")
def catalog(database_url):
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name, data_type, udt_name, character_maximum_length, numeric_precision "
            "FROM information_schema.columns WHERE table_schema = 'public'").fetchall()
    return {(r[0], r[1]): r[2:] for r in rows}


def test_seed_parsed_completely():
    tables = seed_columns()
    assert len(tables) == 18
    assert sum(len(c) for c in tables.values()) > 250


@pytest.mark.parametrize("table", sorted(seed_columns()))
def test_every_seed_column_has_its_type(catalog, table):
    for column, seed_type in seed_columns()[table]:
        assert (table, column) in catalog, f"{table}.{column} is missing"
        data_type, udt, length, precision = catalog[(table, column)]
        want_type, fact = expected(table, column, seed_type)
        assert data_type == want_type, f"{table}.{column}: {data_type}, want {want_type}"
        if want_type == "USER-DEFINED":
            assert udt == fact, f"{table}.{column}: {udt}, want {fact}"
        elif want_type == "character varying":
            assert str(length) == fact, f"{table}.{column}: varchar({length}), want {fact}"
        elif want_type == "numeric":
            assert str(precision) == fact, f"{table}.{column}: numeric({precision}), want {fact}"


def test_seed_indexes_exist(database_url):
    names = set(re.findall(r"CREATE (?:UNIQUE )?INDEX (idx_\w+)", SEED.read_text()))
    with psycopg.connect(database_url) as conn:
        have = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")}
    assert names and names <= have, sorted(names - have)


def test_corrections_added_tables_and_columns(catalog):
    for table in ("review_votes", "idempotency_keys", "user_sessions", "verification_tokens",
                  "payment_webhook_events", "notification_preferences"):
        assert any(t == table for t, _ in catalog), table
    assert catalog[("businesses", "average_rating")][:1] == ("numeric",)
    assert catalog[("businesses", "review_count")][:1] == ("integer",)
    assert catalog[("bookings", "time_range")][:1] == ("tstzrange",)


def test_email_is_unique_whatever_its_case(database_url):
    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT set_config('app.role', 'system', true)")
        conn.execute("INSERT INTO users (email, first_name, last_name) VALUES ('Anna@Example.na', 'Anna', 'S')")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO users (email, first_name, last_name) VALUES ('anna@example.NA', 'A', 'S')")
        conn.rollback()


def test_schema_checker_passes(database_url):
    out = subprocess.run([sys.executable, str(CHECKER), database_url],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert re.search(r"schema: (\d+)/\1 checks pass", out.stdout), out.stdout
