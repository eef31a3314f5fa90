"""The analytics domain's schema: a search-impression log, a record of rolled-up days,
Row Level Security on business_analytics, and a refresh the app's role may run.

Revision ID: 0009
Revises: 0008
"""
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
-- Which businesses each search result page showed: one append-only row per page served
-- (no per-business counter rows, so concurrent searches never wait on each other's locks).
-- The daily roll-up unnests it into business_analytics.search_appearances. No personal data
-- (no user, no address), so anyone's search may add a row; only staff read it.
CREATE TABLE search_impressions (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  shown_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  business_ids UUID[] NOT NULL
);
CREATE INDEX idx_search_impressions_shown ON search_impressions(shown_at);
ALTER TABLE search_impressions ENABLE ROW LEVEL SECURITY;
ALTER TABLE search_impressions FORCE ROW LEVEL SECURITY;
CREATE POLICY search_impressions_insert ON search_impressions FOR INSERT WITH CHECK (true);
CREATE POLICY search_impressions_staff ON search_impressions FOR ALL
  USING (app_is_staff()) WITH CHECK (app_is_staff());

-- Each local day the roll-up has finished: the catch-up redoes exactly the missing ones.
CREATE TABLE analytics_rollup_days (
  day DATE PRIMARY KEY,
  rolled_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  businesses INTEGER NOT NULL DEFAULT 0
);
ALTER TABLE analytics_rollup_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_rollup_days FORCE ROW LEVEL SECURITY;
CREATE POLICY analytics_rollup_days_staff ON analytics_rollup_days FOR ALL
  USING (app_is_staff()) WITH CHECK (app_is_staff());

-- A business's daily figures are its owner's business (and staff's); only the roll-up
-- (acting as 'system') writes them.
ALTER TABLE business_analytics ENABLE ROW LEVEL SECURITY;
ALTER TABLE business_analytics FORCE ROW LEVEL SECURITY;
CREATE POLICY business_analytics_read ON business_analytics FOR SELECT
  USING (app_owns_business(business_id) OR app_is_staff());
CREATE POLICY business_analytics_write ON business_analytics FOR ALL
  USING (app_is_staff()) WITH CHECK (app_is_staff());

-- RLS is checked on the table a query names, so a partition read directly would bypass
-- business_analytics' policies: the app's role gets no rights on the partitions (queries
-- through the parent still work). ensure_partitions() keeps it so for the partitions it
-- adds later: the original is wrapped, not rewritten.
ALTER FUNCTION ensure_partitions(integer) RENAME TO ensure_partitions_unguarded;
CREATE FUNCTION ensure_partitions(periods_ahead integer DEFAULT 3) RETURNS SETOF text AS $$
DECLARE
  part record;
BEGIN
  RETURN QUERY SELECT * FROM ensure_partitions_unguarded(periods_ahead);
  FOR part IN SELECT child.relname FROM pg_inherits i
                JOIN pg_class child ON child.oid = i.inhrelid
                JOIN pg_class parent ON parent.oid = i.inhparent
               WHERE parent.relrowsecurity AND parent.relnamespace = 'public'::regnamespace
  LOOP
    EXECUTE format('REVOKE ALL ON %I FROM afrobiz_app', part.relname);
  END LOOP;
END;
$$ LANGUAGE plpgsql;
SELECT ensure_partitions();

-- REFRESH needs the view's owner, which the app's role deliberately is not: run as the
-- owner, seeing every row ('system'), like record_business_view.
CREATE OR REPLACE FUNCTION refresh_business_stats() RETURNS void AS $$
BEGIN
  REFRESH MATERIALIZED VIEW CONCURRENTLY business_stats_monthly;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET app.role = 'system';

-- The roll-up reads one local day of each fact by its own timestamp.
CREATE INDEX idx_bookings_created ON bookings(created_at);
CREATE INDEX idx_bookings_confirmed ON bookings(confirmed_at) WHERE confirmed_at IS NOT NULL;
CREATE INDEX idx_bookings_completed ON bookings(completed_at) WHERE completed_at IS NOT NULL;
CREATE INDEX idx_bookings_cancelled ON bookings(cancelled_at) WHERE cancelled_at IS NOT NULL;
CREATE INDEX idx_payments_processed ON payments(processed_at) WHERE status = 'completed';
CREATE INDEX idx_user_favorites_created ON user_favorites(created_at);
CREATE INDEX idx_business_clicks_date ON business_clicks(clicked_at);
""")


def downgrade() -> None:
    op.execute("""
DROP INDEX IF EXISTS idx_business_clicks_date, idx_user_favorites_created, idx_payments_processed,
  idx_bookings_cancelled, idx_bookings_completed, idx_bookings_confirmed, idx_bookings_created;
CREATE OR REPLACE FUNCTION refresh_business_stats() RETURNS void AS $$
BEGIN
  REFRESH MATERIALIZED VIEW CONCURRENTLY business_stats_monthly;
END;
$$ LANGUAGE plpgsql SECURITY INVOKER;
DROP FUNCTION IF EXISTS ensure_partitions(integer);
ALTER FUNCTION ensure_partitions_unguarded(integer) RENAME TO ensure_partitions;
DO $$
DECLARE part record;
BEGIN
  FOR part IN SELECT child.relname FROM pg_inherits i JOIN pg_class child ON child.oid = i.inhrelid
               WHERE i.inhparent = 'business_analytics'::regclass
  LOOP
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO afrobiz_app', part.relname);
  END LOOP;
END $$;
DROP POLICY IF EXISTS business_analytics_read ON business_analytics;
DROP POLICY IF EXISTS business_analytics_write ON business_analytics;
ALTER TABLE business_analytics NO FORCE ROW LEVEL SECURITY;
ALTER TABLE business_analytics DISABLE ROW LEVEL SECURITY;
DROP TABLE IF EXISTS analytics_rollup_days;
DROP TABLE IF EXISTS search_impressions;
""")
