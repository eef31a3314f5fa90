"""Row Level Security, the second wall: as the app role, even a query with no WHERE
clause sees only what the asking user may see."""
from __future__ import annotations

import asyncio
import uuid

import psycopg
import pytest
from sqlalchemy import text

from afrobiz.db.session import make_engine, set_identity
from sql_helpers import as_app, business, insert, user

PRIVATE = ("businesses", "bookings", "payments", "notifications", "user_favorites")


@pytest.fixture
def world(database_url):
    """Two owners with a business each, two customers with a booking, payment, notification
    and favourite each — committed, and removed after the test."""
    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT set_config('app.role', 'system', false)")
        w = {"owner_a": user(conn, "business_owner"), "owner_b": user(conn, "business_owner"),
             "cust_a": user(conn), "cust_b": user(conn)}
        w["biz_a"] = business(conn, w["owner_a"])
        w["biz_b"] = business(conn, w["owner_b"])
        w["hidden_b"] = business(conn, w["owner_b"], status="pending")
        for who, biz in (("cust_a", "biz_a"), ("cust_b", "biz_b")):
            booking = insert(conn, "bookings", booking_number=f"T{uuid.uuid4().hex[:10]}", customer_id=w[who],
                             business_id=w[biz], booking_date="2026-12-01", booking_time="10:00",
                             total_amount=100)
            w[f"booking_{who}"] = booking
            insert(conn, "payments", booking_id=booking, user_id=w[who], business_id=w[biz],
                   payment_method="cash", amount=100, business_amount=100)
            insert(conn, "notifications", user_id=w[who], type="booking_confirmed", title="t", message="m")
            insert(conn, "user_favorites", user_id=w[who], business_id=w[biz])
        conn.commit()
        yield w
        bookings = [w["booking_cust_a"], w["booking_cust_b"]]
        conn.execute("DELETE FROM payments WHERE booking_id = ANY(%s)", (bookings,))
        conn.execute("DELETE FROM bookings WHERE id = ANY(%s)", (bookings,))
        conn.execute("DELETE FROM users WHERE id = ANY(%s)", ([w[k] for k in ("owner_a", "owner_b", "cust_a", "cust_b")],))
        conn.commit()


def visible(database_url, table, user_id=None, role="anonymous", column="id"):
    with psycopg.connect(database_url) as conn:
        as_app(conn, user_id, role)
        return {r[0] for r in conn.execute(f"SELECT {column} FROM {table}")}


def test_customer_sees_only_own_private_rows(database_url, world):
    a, b = world["cust_a"], world["cust_b"]
    assert visible(database_url, "bookings", a, "customer") == {world["booking_cust_a"]}
    assert visible(database_url, "payments", a, "customer", "user_id") == {a}
    assert visible(database_url, "notifications", a, "customer", "user_id") == {a}
    assert visible(database_url, "user_favorites", a, "customer", "user_id") == {a}
    assert b not in visible(database_url, "bookings", a, "customer", "customer_id")


def test_owner_sees_bookings_of_own_business_only(database_url, world):
    seen = visible(database_url, "bookings", world["owner_a"], "business_owner")
    assert seen == {world["booking_cust_a"]}
    assert world["hidden_b"] not in visible(database_url, "businesses", world["owner_a"], "business_owner")
    assert world["hidden_b"] in visible(database_url, "businesses", world["owner_b"], "business_owner")


def test_no_identity_sees_nothing_private(database_url, world):
    for table in ("bookings", "payments", "notifications", "user_favorites"):
        assert visible(database_url, table) == set(), table
    public = visible(database_url, "businesses")
    assert world["biz_a"] in public and world["hidden_b"] not in public


def test_admin_sees_everything(database_url, world):
    assert {world["booking_cust_a"], world["booking_cust_b"]} <= visible(database_url, "bookings", world["owner_a"], "admin")


def test_insert_with_another_owner_is_refused(database_url, world):
    with psycopg.connect(database_url) as conn:
        as_app(conn, world["owner_a"], "business_owner")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            business(conn, world["owner_b"])


def test_customer_cannot_book_in_someone_elses_name(database_url, world):
    with psycopg.connect(database_url) as conn:
        as_app(conn, world["cust_a"], "customer")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            insert(conn, "user_favorites", user_id=world["cust_b"], business_id=world["biz_a"])


def test_update_of_another_owners_business_changes_nothing(database_url, world):
    with psycopg.connect(database_url) as conn:
        as_app(conn, world["owner_a"], "business_owner")
        cur = conn.execute("UPDATE businesses SET name = 'Hijacked' WHERE id = %s", (world["biz_b"],))
        assert cur.rowcount == 0


def test_every_private_table_forces_row_level_security(database_url):
    with psycopg.connect(database_url) as conn:
        rows = dict(conn.execute("SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class "
                                 "WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'").fetchall())
    for table in PRIVATE + ("reviews", "booking_status_history", "notification_preferences"):
        assert rows[table] is True, table


def test_app_role_owns_nothing(database_url):
    with psycopg.connect(database_url) as conn:
        owned = conn.execute("SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner "
                             "WHERE r.rolname = 'afrobiz_app'").fetchone()[0]
    assert owned == 0


async def test_pooled_connection_keeps_no_identity(database_url, world):
    # One connection in the pool: the second transaction gets the very same connection.
    engine = make_engine(database_url, pool_size=1)
    try:
        from sqlalchemy.ext.asyncio import AsyncSession
        async with AsyncSession(engine) as s, s.begin():
            await set_identity(s, world["cust_a"], "customer")
            pid_1 = (await s.execute(text("SELECT pg_backend_pid()"))).scalar()
            assert (await s.execute(text("SELECT count(*) FROM bookings"))).scalar() == 1
        async with AsyncSession(engine) as s, s.begin():
            pid_2 = (await s.execute(text("SELECT pg_backend_pid()"))).scalar()
            assert pid_1 == pid_2
            assert (await s.execute(text("SELECT current_user"))).scalar() == "afrobiz_app"
            assert (await s.execute(text("SELECT count(*) FROM bookings"))).scalar() == 0
            assert (await s.execute(text("SELECT app_user_id()"))).scalar() is None
    finally:
        await engine.dispose()


def test_rows_under_a_hidden_business_are_hidden_with_it(database_url):
    """Migration 0024: services (and their windows, deposits), hours, images, closure days
    and approved reviews are visible exactly when their business is."""
    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT set_config('app.role', 'system', true)")
        owner, stranger = user(conn, "business_owner"), user(conn)
        shown, hidden = business(conn, owner), business(conn, owner, status="suspended")
        rows = {}
        for biz in (shown, hidden):
            service = insert(conn, "services", business_id=biz, name="Braids")
            conn.execute("INSERT INTO service_availability (service_id, day_of_week, start_time, end_time)"
                         " VALUES (%s, 1, '09:00', '12:00')", (service,))
            conn.execute("INSERT INTO service_deposits (service_id) VALUES (%s)", (service,))
            insert(conn, "business_hours", business_id=biz, day_of_week=1, open_time="08:00", close_time="17:00")
            insert(conn, "business_images", business_id=biz, image_url="/media/x.webp")
            insert(conn, "business_closures", business_id=biz, closed_on="2026-12-24", reason="medical leave")
            insert(conn, "reviews", business_id=biz, customer_id=stranger, rating=5, status="approved")
            rows[biz] = service
        tables = {"services": "business_id", "business_hours": "business_id", "business_images": "business_id",
                  "business_closures": "business_id", "reviews": "business_id",
                  "service_availability": "service_id", "service_deposits": "service_id"}

        def seen(user_id, role):
            as_app(conn, user_id, role)
            try:
                return {t: {r[0] for r in conn.execute(f"SELECT {c} FROM {t} WHERE {c} = ANY(%s)",
                                                       ([shown, hidden, *rows.values()],))}
                        for t, c in tables.items()}
            finally:
                conn.execute("RESET ROLE")

        public = {t: ({shown} if c == "business_id" else {rows[shown]}) for t, c in tables.items()}
        everything = {t: ({shown, hidden} if c == "business_id" else set(rows.values())) for t, c in tables.items()}
        assert seen(None, "anonymous") == public
        assert seen(user(conn), "customer") == public
        assert seen(owner, "business_owner") == everything
        assert seen(None, "admin") == everything
        # Writing under someone else's business is refused by the database itself.
        as_app(conn, user(conn, "business_owner"), "business_owner")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO business_closures (business_id, closed_on) VALUES (%s, '2026-12-25')", (shown,))
        conn.rollback()
