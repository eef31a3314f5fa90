"""Migrations round-trip: upgrade, downgrade to base, upgrade again."""
from __future__ import annotations

import psycopg

from afrobiz.db import migrate
from dbtools import create_database, drop_database


def user_tables(url):
    with psycopg.connect(url) as conn:
        return {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


def test_upgrade_downgrade_upgrade(server_url):
    url = create_database(server_url, "afrobiz_migr")
    try:
        migrate.upgrade(url)
        assert migrate.current(url) == migrate.head()
        full = user_tables(url)
        assert {"users", "businesses", "bookings", "audit_logs", "review_votes"} <= full
        migrate.downgrade(url, "base")
        assert migrate.current(url) is None
        assert user_tables(url) <= {"alembic_version"}
        with psycopg.connect(url) as conn:
            types = conn.execute("SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                                 "WHERE n.nspname = 'public' AND t.typtype = 'e'").fetchone()[0]
        assert types == 0
        migrate.upgrade(url)
        assert user_tables(url) == full
    finally:
        drop_database(server_url, url)


def test_search_gin_indexes_keep_a_short_pending_list(database_url):
    """Migration 0019: every search reads a GIN index's whole pending list, so it is capped
    at 256 kB on the indexes searches read (PostgreSQL's default is 4 MB)."""
    with psycopg.connect(database_url) as conn:
        rows = dict(conn.execute(
            "SELECT c.relname, c.reloptions FROM pg_class c JOIN pg_am a ON a.oid = c.relam "
            "WHERE a.amname = 'gin' AND c.relnamespace = 'public'::regnamespace").fetchall())
    for index in ("idx_search_entries_document", "idx_search_entries_geo_words", "idx_search_words_trgm",
                  "idx_businesses_search", "idx_businesses_name_trgm"):
        assert rows[index] == ["gin_pending_list_limit=256"], index


def test_new_notification_types_keep_each_users_channel_choice(server_url):
    """Migration 0022 adds booking_requested, booking_rescheduled and payment_refunded; a user
    who had turned e-mail off for the type such messages travelled as keeps it off."""
    url = create_database(server_url, "afrobiz_migr")
    try:
        migrate.upgrade(url, "0021")
        with psycopg.connect(url) as conn:
            conn.execute("SELECT set_config('app.role', 'system', false)")
            uid = conn.execute("INSERT INTO users (email, first_name, last_name) VALUES ('n@example.na', 'N', 'S')"
                               " RETURNING id").fetchone()[0]
            conn.execute("INSERT INTO notification_preferences (user_id, type, email, sms) VALUES"
                         " (%s, 'booking_confirmed', false, true), (%s, 'payment_received', false, false)", (uid, uid))
        migrate.upgrade(url, "0022")
        with psycopg.connect(url) as conn:
            conn.execute("SELECT set_config('app.role', 'system', false)")
            values = {r[0] for r in conn.execute("SELECT unnest(enum_range(NULL::notification_type))::text")}
            prefs = {t: (e, s) for t, e, s in conn.execute(
                "SELECT type::text, email, sms FROM notification_preferences WHERE user_id = %s", (uid,))}
        assert {"booking_requested", "booking_rescheduled", "payment_refunded"} <= values
        assert prefs["booking_requested"] == prefs["booking_rescheduled"] == (False, True)
        assert prefs["payment_refunded"] == (False, False)
        migrate.downgrade(url, "0021")
        with psycopg.connect(url) as conn:
            values = {r[0] for r in conn.execute("SELECT unnest(enum_range(NULL::notification_type))::text")}
        assert "booking_requested" not in values
    finally:
        drop_database(server_url, url)


def test_stored_business_settings_are_repaired(server_url):
    """Migration 0023 rewrites settings stored before they were typed: a key that does not
    fit (a zone zoneinfo does not know, a payments value that is not an object, an unknown
    key) is dropped, a good key next to it stays."""
    import json

    from sql_helpers import business, user

    url = create_database(server_url, "afrobiz_migr")
    try:
        migrate.upgrade(url, "0022")
        bank = {"account_name": "Meme CC", "bank": "Bank Windhoek", "account_number": "8001234567"}
        stored = {"bad": {"timezone": "Invalid/Zone", "payments": "x", "colour": "red"},
                  "mixed": {"timezone": "Africa/Lagos", "payments": {"bank": bank, "card": 1}},
                  "good": {"timezone": "Africa/Windhoek", "payments": {"bank": bank}},
                  "empty": {}}
        with psycopg.connect(url) as conn:
            conn.execute("SELECT set_config('app.role', 'system', false)")
            owner = user(conn, "business_owner")
            ids = {name: business(conn, owner, settings=json.dumps(value)) for name, value in stored.items()}
        migrate.upgrade(url, "0023")
        with psycopg.connect(url) as conn:
            conn.execute("SELECT set_config('app.role', 'system', false)")
            now = {name: conn.execute("SELECT settings FROM businesses WHERE id = %s", (i,)).fetchone()[0]
                   for name, i in ids.items()}
        assert now == {"bad": {}, "mixed": {"timezone": "Africa/Lagos", "payments": {"bank": bank}}, "good": stored["good"],
                       "empty": {}}
    finally:
        drop_database(server_url, url)
