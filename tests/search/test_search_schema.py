"""Search's one source of truth: the score's weights in search/scoring.py, read by the
statements and written into search/schema.sql, and that file as the whole current search
schema, re-installed by `afrobiz db upgrade` whenever its text changes."""
from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from decimal import Decimal

import psycopg
import pytest
from factories.directory import create_business

from afrobiz.db import migrate
from afrobiz.db.raw import session_reader
from afrobiz.search import schema, scoring
from afrobiz.search.params import SearchParams
from afrobiz.search.queries import search_businesses
from dbtools import migrated_database

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
SEARCH_TABLES = ("search_entries", "search_words", "search_name_words", "search_postings", "search_posting_counts")


def test_the_files_weights_are_scorings():
    sql = schema.FILE.read_text()
    assert schema.marked(sql) == {"FEATURED", "RANK", "RANK_WEIGHTS"}
    assert schema.render(sql) == sql, "run: python -m afrobiz.search.schema"


async def test_searches_score_with_scorings_weights(world, db, monkeypatch):
    """A featured listing with a plain rating ranks above a better-rated one by FEATURED."""
    for name, rating, reviews, featured in (("Alpha Tailor", "5.00", 50, False), ("Beta Tailor", "3.00", 1, True)):
        await create_business(db, owner=world.owner, name=name, average_rating=Decimal(rating), review_count=reviews,
                              is_featured=featured)

    async def first() -> str:
        result = await search_businesses(await session_reader(db), params=SearchParams(q="tailor"), secret="s", now=NOW)
        return result.items[0]["name"]

    assert await first() == "Beta Tailor"
    monkeypatch.setattr(scoring, "FEATURED", 0.0)
    assert await first() == "Alpha Tailor"


@pytest.fixture(scope="module")
def url(server_url):
    yield from migrated_database(server_url, "afrobiz_search_schema")


def catalog(url: str) -> dict:
    """Every function, trigger and index that reads or writes search tables, as PostgreSQL states it."""
    with psycopg.connect(url) as conn:
        return {
            "functions": conn.execute(
                "SELECT proname, pg_get_functiondef(oid) FROM pg_proc WHERE pronamespace = 'public'::regnamespace"
                " AND (proname LIKE '%%search%%' OR prosrc LIKE '%%search_%%') ORDER BY 1").fetchall(),
            "triggers": conn.execute(
                "SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid"
                " WHERE NOT t.tgisinternal AND p.proname LIKE '%%search%%' ORDER BY 1").fetchall(),
            "indexes": conn.execute(
                "SELECT c.relname, pg_get_indexdef(c.oid), c.reloptions FROM pg_index i JOIN pg_class c"
                " ON c.oid = i.indexrelid WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary"
                " ORDER BY 1", (list(SEARCH_TABLES),)).fetchall()}


def test_the_file_is_the_whole_search_schema_and_runs_again_unchanged(url):
    sql = schema.FILE.read_text()
    before = catalog(url)
    declared = set(re.findall(r"CREATE OR REPLACE (?:FUNCTION|TRIGGER) (\w+)", sql))
    assert {name for name, _ in before["functions"] + before["triggers"]} <= declared
    assert {name for name, *_ in before["indexes"]} <= set(re.findall(r"INDEX IF NOT EXISTS (\w+)", sql))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)
    assert catalog(url) == before


def test_upgrade_runs_the_file_again_when_its_text_changed_or_the_database_went_below_head(url):
    def ran() -> dict:
        with psycopg.connect(url) as conn:
            return dict(conn.execute("SELECT file, sha256 FROM alembic_repeatable").fetchall())

    def trigger_there() -> bool:
        with psycopg.connect(url) as conn:
            return conn.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'search_postings_update'").fetchone()[0] == 1

    assert ran() == {"search/schema.sql": hashlib.sha256(schema.FILE.read_bytes()).hexdigest()}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TRIGGER search_postings_update ON search_entries")
    migrate.upgrade(url)
    assert not trigger_there()                      # the same text: not run again
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE alembic_repeatable SET sha256 = 'an older text'")
    migrate.upgrade(url)
    assert trigger_there()                          # another text: run
    migrate.downgrade(url, "0020")
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT to_regclass('alembic_repeatable')").fetchone()[0] is None
    migrate.upgrade(url)
    assert trigger_there() and list(ran()) == ["search/schema.sql"]
