"""Each trigger does its job: updated_at, the rating totals, the search document."""
from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from sql_helpers import business, insert, user


@pytest.fixture
def conn(database_url):
    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT set_config('app.role', 'system', true)")
        yield conn
        conn.rollback()


def totals(conn, business_id):
    return conn.execute("SELECT average_rating, review_count FROM businesses WHERE id = %s",
                        (business_id,)).fetchone()


def test_updated_at_moves_on_update(conn):
    uid = user(conn)
    # Backdate with the trigger off (inside this rolled-back transaction), then update.
    conn.execute("ALTER TABLE users DISABLE TRIGGER update_users_updated_at")
    conn.execute("UPDATE users SET updated_at = now() - interval '1 day' WHERE id = %s", (uid,))
    conn.execute("ALTER TABLE users ENABLE TRIGGER update_users_updated_at")
    before = conn.execute("SELECT updated_at FROM users WHERE id = %s", (uid,)).fetchone()[0]
    conn.execute("UPDATE users SET first_name = 'Ndapewa' WHERE id = %s", (uid,))
    after = conn.execute("SELECT updated_at FROM users WHERE id = %s", (uid,)).fetchone()[0]
    assert after > before


def test_every_table_with_updated_at_has_the_trigger(conn):
    missing = conn.execute("""
        SELECT c.table_name FROM information_schema.columns c
          JOIN pg_class k ON k.relname = c.table_name AND k.relnamespace = 'public'::regnamespace
         WHERE c.table_schema = 'public' AND c.column_name = 'updated_at' AND k.relkind IN ('r', 'p')
           AND NOT k.relispartition
           AND NOT EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
                            WHERE t.tgrelid = k.oid AND p.proname = 'update_updated_at_column')""").fetchall()
    assert missing == []


def test_rating_follows_approved_reviews(conn):
    owner, customer = user(conn, "business_owner"), user(conn)
    biz = business(conn, owner)
    assert totals(conn, biz) == (Decimal("0.00"), 0)
    r1 = insert(conn, "reviews", business_id=biz, customer_id=customer, rating=5, status="approved")
    r2 = insert(conn, "reviews", business_id=biz, customer_id=customer, rating=4, status="approved")
    pending = insert(conn, "reviews", business_id=biz, customer_id=customer, rating=1)
    assert totals(conn, biz) == (Decimal("4.50"), 2)          # the pending 1-star does not count
    conn.execute("UPDATE reviews SET status = 'approved' WHERE id = %s", (pending,))
    assert totals(conn, biz) == (Decimal("3.33"), 3)          # status change counts
    conn.execute("UPDATE reviews SET rating = 2 WHERE id = %s", (r1,))
    assert totals(conn, biz) == (Decimal("2.33"), 3)          # rating edit counts
    conn.execute("UPDATE reviews SET status = 'rejected' WHERE id = %s", (r2,))
    assert totals(conn, biz) == (Decimal("1.50"), 2)
    conn.execute("DELETE FROM reviews WHERE business_id = %s", (biz,))
    assert totals(conn, biz) == (Decimal("0.00"), 0)          # delete counts


def test_rating_moves_with_a_review_to_another_business(conn):
    owner, customer = user(conn, "business_owner"), user(conn)
    a, b = business(conn, owner), business(conn, owner)
    review = insert(conn, "reviews", business_id=a, customer_id=customer, rating=4, status="approved")
    conn.execute("UPDATE reviews SET business_id = %s WHERE id = %s", (b, review))
    assert totals(conn, a) == (Decimal("0.00"), 0)
    assert totals(conn, b) == (Decimal("4.00"), 1)


def test_search_document_is_weighted_unaccented_and_never_null(conn):
    owner = user(conn, "business_owner")
    cat = insert(conn, "categories", name="Hair & Beauty", slug="hair-test-x")
    biz = business(conn, owner, name="Lüderitz Braids", category_id=cat)   # no description at all
    doc = conn.execute("SELECT search_document::text FROM businesses WHERE id = %s", (biz,)).fetchone()[0]
    assert "'luderitz':1A" in doc and "'braid':2A" in doc and "'hair'" in doc
    found = conn.execute("SELECT count(*) FROM businesses WHERE id = %s AND search_document @@ "
                         "websearch_to_tsquery('english', immutable_unaccent('Luderitz'))", (biz,)).fetchone()[0]
    assert found == 1
    conn.execute("UPDATE businesses SET description = 'Knotless braids and cornrows' WHERE id = %s", (biz,))
    doc = conn.execute("SELECT search_document::text FROM businesses WHERE id = %s", (biz,)).fetchone()[0]
    assert "'cornrow'" in doc


def test_rating_trigger_works_for_a_customer_under_rls(database_url):
    # As the app role a customer may not update businesses, yet their approved review
    # (inserted by a moderator flow here) must move the totals; and app.role comes back.
    with psycopg.connect(database_url) as conn:
        conn.execute("SELECT set_config('app.role', 'system', true)")
        owner, customer = user(conn, "business_owner"), user(conn)
        biz = business(conn, owner)
        conn.execute("SET ROLE afrobiz_app")
        conn.execute("SELECT set_config('app.user_id', %s, true), set_config('app.role', 'customer', true)",
                     (str(customer),))
        insert(conn, "reviews", business_id=biz, customer_id=customer, rating=4, status="approved")
        assert conn.execute("SELECT app_role()").fetchone()[0] == "customer"
        assert totals(conn, biz) == (Decimal("4.00"), 1)
        conn.rollback()


def test_counter_bumps_do_not_move_business_updated_at(conn):
    biz = business(conn, user(conn, "business_owner"))
    conn.execute("ALTER TABLE businesses DISABLE TRIGGER update_businesses_updated_at")
    conn.execute("UPDATE businesses SET updated_at = now() - interval '1 day' WHERE id = %s", (biz,))
    conn.execute("ALTER TABLE businesses ENABLE TRIGGER update_businesses_updated_at")
    stamp = lambda: conn.execute("SELECT updated_at FROM businesses WHERE id = %s", (biz,)).fetchone()[0]  # noqa: E731
    before = stamp()
    conn.execute("UPDATE businesses SET view_count = view_count + 1, click_count = click_count + 1 WHERE id = %s", (biz,))
    assert stamp() == before
    conn.execute("UPDATE businesses SET name = 'Renamed Salon' WHERE id = %s", (biz,))
    assert stamp() > before
