"""Reliability hardening: Row Level Security on the last private tables (issue 12).

audit_logs (IPs, old/new values of every change), business_views (who viewed what, from
which address), idempotency_keys (the stored first answer of a booking or payment) and
user_sessions (who is logged in, from where) held personal data behind one wall only, the
services. Each now forces RLS like the tables of 0001_rls.sql:

- audit_logs: any identity may append (the services log in the caller's name, even
  anonymous ones such as a password reset); only staff read; only the system deletes
  (retention); nobody edits.
- business_views: anyone logs a view in their own name or anonymously; the business's
  owner (for the figures) and staff read; the system alone edits or deletes (IP retention).
- idempotency_keys: only the key's user, or the system (guest keys, which have no user,
  are handled by the service acting as system).
- user_sessions: the session's user and staff; resolving a token before anyone is
  identified is done by accounts.sessions acting as system (the token's hash is the key).

audit_logs is partitioned: the policies sit on the parent, and every partition (those of
today and those ensure_partitions() adds later) forces RLS with a system-only policy, so a
partition named directly shows nothing to the app.

Revision ID: 0013
Revises: 0012
"""
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
ALTER TABLE audit_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_logs FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_logs_append ON audit_logs FOR INSERT WITH CHECK (true);
CREATE POLICY audit_logs_read ON audit_logs FOR SELECT USING (app_is_staff());
CREATE POLICY audit_logs_retention ON audit_logs FOR DELETE USING (app_role() = 'system');

ALTER TABLE business_views ENABLE ROW LEVEL SECURITY;
ALTER TABLE business_views FORCE ROW LEVEL SECURITY;
CREATE POLICY business_views_log ON business_views FOR INSERT
  WITH CHECK (user_id IS NULL OR user_id = app_user_id() OR app_is_staff());
CREATE POLICY business_views_read ON business_views FOR SELECT
  USING (app_owns_business(business_id) OR app_is_staff());
CREATE POLICY business_views_update ON business_views FOR UPDATE
  USING (app_role() = 'system') WITH CHECK (app_role() = 'system');
CREATE POLICY business_views_delete ON business_views FOR DELETE USING (app_role() = 'system');

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY idempotency_keys_access ON idempotency_keys FOR ALL
  USING (user_id = app_user_id() OR app_role() = 'system')
  WITH CHECK (user_id = app_user_id() OR app_role() = 'system');

ALTER TABLE user_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY user_sessions_access ON user_sessions FOR ALL
  USING (user_id = app_user_id() OR app_is_staff())
  WITH CHECK (user_id = app_user_id() OR app_is_staff());

-- Partitions of a table with RLS: forced, readable by the system alone (ensure_partitions
-- moves rows out of the default partition as 'system', which also works for an owner that
-- is no superuser), and no rights for the app's role. The wrapper from 0009 is wrapped once
-- more, so the partitions it creates in the future get the same.
CREATE FUNCTION guard_partitions() RETURNS void AS $$
DECLARE
  part record;
BEGIN
  FOR part IN SELECT child.relname FROM pg_inherits i
                JOIN pg_class child ON child.oid = i.inhrelid
                JOIN pg_class parent ON parent.oid = i.inhparent
               WHERE parent.relrowsecurity AND parent.relnamespace = 'public'::regnamespace
                 AND NOT (child.relrowsecurity AND child.relforcerowsecurity)
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', part.relname);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', part.relname);
    EXECUTE format('DROP POLICY IF EXISTS system_only ON %I', part.relname);
    EXECUTE format('CREATE POLICY system_only ON %I FOR ALL USING (app_role() = ''system'')'
                   ' WITH CHECK (app_role() = ''system'')', part.relname);
    EXECUTE format('REVOKE ALL ON %I FROM afrobiz_app', part.relname);
  END LOOP;
END;
$$ LANGUAGE plpgsql;

ALTER FUNCTION ensure_partitions(integer) RENAME TO ensure_partitions_revoking;
CREATE FUNCTION ensure_partitions(periods_ahead integer DEFAULT 3) RETURNS SETOF text AS $$
BEGIN
  RETURN QUERY SELECT * FROM ensure_partitions_revoking(periods_ahead);
  PERFORM guard_partitions();
END;
$$ LANGUAGE plpgsql SET app.role = 'system';
SELECT ensure_partitions();
""")


def downgrade() -> None:
    op.execute("""
DROP FUNCTION IF EXISTS ensure_partitions(integer);
ALTER FUNCTION ensure_partitions_revoking(integer) RENAME TO ensure_partitions;
DROP FUNCTION IF EXISTS guard_partitions();
DO $$
DECLARE part record;
BEGIN
  FOR part IN SELECT child.relname FROM pg_inherits i JOIN pg_class child ON child.oid = i.inhrelid
               WHERE i.inhparent IN ('audit_logs'::regclass, 'business_analytics'::regclass)
  LOOP
    EXECUTE format('DROP POLICY IF EXISTS system_only ON %I', part.relname);
    EXECUTE format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', part.relname);
    EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', part.relname);
  END LOOP;
  FOR part IN SELECT child.relname FROM pg_inherits i JOIN pg_class child ON child.oid = i.inhrelid
               WHERE i.inhparent = 'audit_logs'::regclass
  LOOP
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO afrobiz_app', part.relname);
  END LOOP;
END $$;
DROP POLICY IF EXISTS user_sessions_access ON user_sessions;
ALTER TABLE user_sessions NO FORCE ROW LEVEL SECURITY;
ALTER TABLE user_sessions DISABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS idempotency_keys_access ON idempotency_keys;
ALTER TABLE idempotency_keys NO FORCE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys DISABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS business_views_delete ON business_views;
DROP POLICY IF EXISTS business_views_update ON business_views;
DROP POLICY IF EXISTS business_views_read ON business_views;
DROP POLICY IF EXISTS business_views_log ON business_views;
ALTER TABLE business_views NO FORCE ROW LEVEL SECURITY;
ALTER TABLE business_views DISABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS audit_logs_retention ON audit_logs;
DROP POLICY IF EXISTS audit_logs_read ON audit_logs;
DROP POLICY IF EXISTS audit_logs_append ON audit_logs;
ALTER TABLE audit_logs NO FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_logs DISABLE ROW LEVEL SECURITY;
""")
