"""audit_logs and business_analytics are range-partitioned; ensure_partitions() adds ranges."""
from __future__ import annotations

import re

import psycopg
import pytest

from sql_helpers import business, user


@pytest.fixture
def conn(database_url):
    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT set_config('app.role', 'system', true)")
        yield conn
        conn.rollback()


def partitions(conn, table):
    return {r[0] for r in conn.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass", (table,))}


def last_month_ahead(conn) -> int:
    """How many months after this one the last monthly audit_logs partition is. Tests that
    need partitions yet to be made start past it: another test may have committed
    partitions 30 months ahead to this session's database (tests/reliability)."""
    now = conn.execute("SELECT now() AT TIME ZONE 'UTC'").fetchone()[0]
    last = max(int(y) * 12 + int(m) - 1 for y, m in
               (re.fullmatch(r"audit_logs_y(\d{4})m(\d{2})", name).groups()
                for name in partitions(conn, "audit_logs") if name != "audit_logs_default"))
    return last - (now.year * 12 + now.month - 1)


def test_both_tables_are_partitioned_with_a_default(conn):
    for table, key in (("audit_logs", "created_at"), ("business_analytics", "date")):
        strategy, cols = conn.execute(
            "SELECT p.partstrat, array_agg(a.attname) FROM pg_partitioned_table p "
            "JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = ANY(p.partattrs) "
            "WHERE p.partrelid = %s::regclass GROUP BY p.partstrat", (table,)).fetchone()
        assert strategy == "r" and cols == [key]
        assert f"{table}_default" in partitions(conn, table)


def test_migration_created_current_and_coming_partitions(conn):
    month = conn.execute("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY\"m\"MM')").fetchone()[0]
    quarter = conn.execute("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY\"q\"Q')").fetchone()[0]
    assert f"audit_logs_y{month}" in partitions(conn, "audit_logs")
    assert f"business_analytics_y{quarter}" in partitions(conn, "business_analytics")
    assert len(partitions(conn, "audit_logs")) >= 5


def test_ensure_partitions_adds_further_periods_and_is_idempotent(conn):
    """Every month from now to 8 ahead exists afterwards, and what it reports added is what
    is new. Says nothing of how many were there before: tests/reliability commits
    ensure_partitions(30) to this session's database, and when it ran first on the same
    xdist worker, an exact count of 5 new ones failed."""
    before = partitions(conn, "audit_logs")
    added = [r[0] for r in conn.execute("SELECT ensure_partitions(8)")]
    after = partitions(conn, "audit_logs")
    months = {r[0] for r in conn.execute(
        "SELECT to_char(m, '\"audit_logs_y\"YYYY\"m\"MM') FROM generate_series("
        "date_trunc('month', now() AT TIME ZONE 'UTC'), date_trunc('month', now() AT TIME ZONE 'UTC')"
        " + interval '8 months', interval '1 month') m")}
    assert len(months) == 9 and months <= after
    assert {a for a in added if a.startswith("audit_logs")} == after - before
    assert conn.execute("SELECT count(*) FROM ensure_partitions(8)").fetchone()[0] == 0


def test_rows_waiting_in_the_default_partition_move_to_their_new_partition(conn):
    uid = user(conn)
    # Two months past the last monthly partition there is: a row there waits in the default.
    ahead = last_month_ahead(conn) + 2
    conn.execute("INSERT INTO audit_logs (user_id, action, created_at) VALUES "
                 "(%s, 'test.far_future', date_trunc('month', now()) + make_interval(months => %s) + interval '3 days')",
                 (uid, ahead))
    assert conn.execute("SELECT count(*) FROM audit_logs_default WHERE action = 'test.far_future'").fetchone()[0] == 1
    conn.execute("SELECT ensure_partitions(%s)", (ahead + 1,))
    assert conn.execute("SELECT count(*) FROM audit_logs_default WHERE action = 'test.far_future'").fetchone()[0] == 0
    where = conn.execute("SELECT tableoid::regclass::text FROM audit_logs WHERE action = 'test.far_future'").fetchone()[0]
    assert where.startswith("audit_logs_y")


def test_analytics_row_lands_in_its_quarter_and_the_monthly_view_refreshes(conn):
    biz = business(conn, user(conn, "business_owner"))
    conn.execute("INSERT INTO business_analytics (business_id, date, profile_views, total_revenue) "
                 "VALUES (%s, current_date, 7, 350.00)", (biz,))
    part = conn.execute("SELECT tableoid::regclass::text FROM business_analytics WHERE business_id = %s",
                        (biz,)).fetchone()[0]
    assert part.startswith("business_analytics_y")
    conn.execute("REFRESH MATERIALIZED VIEW business_stats_monthly")
    row = conn.execute("SELECT total_views, total_revenue FROM business_stats_monthly WHERE business_id = %s",
                       (biz,)).fetchone()
    assert row == (7, 350)


def test_partition_bounds_do_not_depend_on_the_session_time_zone(conn):
    ahead = last_month_ahead(conn) + 3
    conn.execute("SET LOCAL TIME ZONE 'Africa/Windhoek'")
    added = conn.execute("SELECT count(*) FROM ensure_partitions(%s)", (ahead,)).fetchone()[0]  # overlaps if local
    assert added >= 3
    conn.execute("SET LOCAL TIME ZONE 'UTC'")
    bounds = conn.execute("SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c "
                          "WHERE c.relname LIKE 'audit_logs_y%' AND c.relkind = 'r' ORDER BY 1").fetchall()
    assert len(bounds) >= 8 and all(b[0].count("00:00:00+00") == 2 for b in bounds), bounds
