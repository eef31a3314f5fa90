"""audit_logs and business_analytics are range-partitioned; ensure_partitions() adds ranges."""
from __future__ import annotations

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
    before = partitions(conn, "audit_logs")
    added = [r[0] for r in conn.execute("SELECT ensure_partitions(8)")]
    after = partitions(conn, "audit_logs")
    assert set(a for a in added if a.startswith("audit_logs")) == after - before
    assert len(after - before) == 5                       # 3 months ahead at migration, now 8
    assert conn.execute("SELECT count(*) FROM ensure_partitions(8)").fetchone()[0] == 0


def test_rows_waiting_in_the_default_partition_move_to_their_new_partition(conn):
    uid = user(conn)
    conn.execute("INSERT INTO audit_logs (user_id, action, created_at) VALUES "
                 "(%s, 'test.far_future', now() + interval '10 months')", (uid,))
    assert conn.execute("SELECT count(*) FROM audit_logs_default WHERE action = 'test.far_future'").fetchone()[0] == 1
    conn.execute("SELECT ensure_partitions(11)")
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
    conn.execute("SET LOCAL TIME ZONE 'Africa/Windhoek'")
    added = conn.execute("SELECT count(*) FROM ensure_partitions(6)").fetchone()[0]   # overlaps if local
    assert added >= 3
    conn.execute("SET LOCAL TIME ZONE 'UTC'")
    bounds = conn.execute("SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_class c "
                          "WHERE c.relname LIKE 'audit_logs_y%' AND c.relkind = 'r' ORDER BY 1").fetchall()
    assert len(bounds) >= 8 and all(b[0].count("00:00:00+00") == 2 for b in bounds), bounds
