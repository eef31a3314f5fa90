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


def test_queued_guest_messages_and_recent_notifications_carry_over(server_url):
    """Migration 0026: delivery no longer reads the booking. A guest job queued with its
    booking's id is rewritten to carry the message's recipient and link (one whose booking has
    an account would have sent nothing and goes); a recent notification about a booking gets
    its link, and the owner's new-booking one its SMS reply hint. Downgrade gives the jobs
    their booking back."""
    import json

    from sql_helpers import business, insert, user

    url = create_database(server_url, "afrobiz_migr")
    try:
        migrate.upgrade(url, "0025")
        with psycopg.connect(url) as conn:
            conn.execute("SELECT set_config('app.role', 'system', false)")
            owner, member = user(conn, "business_owner"), user(conn)
            shop = business(conn, owner)

            def booking(number, **who):
                return insert(conn, "bookings", booking_number=number, business_id=shop, booking_date="2030-06-14",
                              booking_time="10:00", total_amount=0, **who)

            guest = booking("AB-GUEST234", customer_name="Tjeripo Kaura", customer_email="tj@example.na",
                            customer_phone="0811234567")
            booking("AB-MEMBER23", customer_id=member, customer_email="m@example.na")
            member_booking = conn.execute("SELECT id FROM bookings WHERE booking_number = 'AB-MEMBER23'").fetchone()[0]

            def job(**args):
                return conn.execute(
                    "INSERT INTO procrastinate.procrastinate_jobs (queue_name, task_name, args)"
                    " VALUES ('notifications', 'notifications.send_guest', %s) RETURNING id",
                    (json.dumps(args),)).fetchone()[0]

            by_mail = job(booking_id=str(guest), channel="email", title="T", message="M", key="k1",
                          type="booking_confirmed")
            by_text = job(booking_id=str(guest), channel="sms", title="T", message="M")
            to_member = job(booking_id=str(member_booking), channel="email", title="T", message="M", key="k2")
            new_booking = insert(conn, "notifications", user_id=owner, type="booking_requested", title="New",
                                 message="m", data=json.dumps({"event": "booking.created",
                                                              "booking_number": "AB-GUEST234"}))
            follow_up = insert(conn, "notifications", user_id=member, type="booking_reminder", title="How was it?",
                               message="m", data=json.dumps({"booking_number": "AB-MEMBER23",
                                                             "url": "https://x.example/review"}))
        migrate.upgrade(url, "0026")
        with psycopg.connect(url) as conn:
            conn.execute("SELECT set_config('app.role', 'system', false)")
            args = dict(conn.execute("SELECT id, args FROM procrastinate.procrastinate_jobs").fetchall())
            notes = {r[0]: r[1:] for r in conn.execute("SELECT id, link, reply_hint FROM notifications")}
        link = "/bookings/AB-GUEST234"
        assert args == {
            by_mail: {"channel": "email", "to": "tj@example.na", "name": "Tjeripo Kaura", "link": link,
                      "title": "T", "message": "M", "key": "k1"},
            by_text: {"channel": "sms", "to": "0811234567", "name": "Tjeripo Kaura", "link": link,
                      "title": "T", "message": "M"}}
        assert to_member not in args
        assert notes[new_booking] == (link, "Reply YES ABGUEST234 to confirm, NO ABGUEST234 to decline")
        assert notes[follow_up] == (None, None)              # it leads to its own data["url"]
        migrate.downgrade(url, "0025")
        with psycopg.connect(url) as conn:
            args = dict(conn.execute("SELECT id, args FROM procrastinate.procrastinate_jobs").fetchall())
        assert args[by_mail] == {"booking_id": str(guest), "channel": "email", "title": "T", "message": "M",
                                 "key": "k1"}
    finally:
        drop_database(server_url, url)
