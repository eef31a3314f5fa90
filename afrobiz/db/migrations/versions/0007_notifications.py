"""Notifications: the job queue's schema (procrastinate) and the local outbox of messages.

The procrastinate schema is taken from the installed package, so it always matches the
code that reads it. The outbox records what the local stand-in channels "sent" (SMS and
WhatsApp with no provider configured, e-mail with no SMTP server): staff-only.

Revision ID: 0007
Revises: 0006
"""
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from procrastinate.schema import SchemaManager

    # The queue lives in its own schema so the app's schema (public) stays exactly the
    # mapped tables; the worker's connections and the deferring transaction put it on
    # their search_path (afrobiz.worker.app). search_path is restored afterwards so the
    # migrations that follow still create their tables in public.
    op.execute("CREATE SCHEMA procrastinate")
    raw = op.get_bind().connection.driver_connection
    previous = raw.execute("SHOW search_path").fetchone()[0]
    raw.execute("SELECT set_config('search_path', 'procrastinate, public', true)")
    # The raw psycopg connection runs the script as one multi-statement query without
    # parameter parsing (the script contains literal '%' and ':' characters).
    raw.execute(SchemaManager.get_schema())
    raw.execute("SELECT set_config('search_path', %s, true)", (previous,))
    op.execute("""
        -- The web process defers jobs as afrobiz_app inside its own transaction; the
        -- triggers on procrastinate_jobs run as that role too and write the events table.
        GRANT USAGE ON SCHEMA procrastinate TO afrobiz_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA procrastinate TO afrobiz_app;
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA procrastinate TO afrobiz_app;
        GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA procrastinate TO afrobiz_app;
        -- Its functions (and triggers) name their tables unqualified: pin their search_path
        -- so they work from any connection, e.g. a plain DELETE of an old job.
        DO $$
        DECLARE f regprocedure;
        BEGIN
          FOR f IN SELECT p.oid FROM pg_proc p WHERE p.pronamespace = 'procrastinate'::regnamespace LOOP
            EXECUTE format('ALTER FUNCTION %s SET search_path = procrastinate, public', f);
          END LOOP;
        END $$;

        CREATE TABLE outbound_messages (
          id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
          notification_id UUID REFERENCES notifications(id) ON DELETE SET NULL,
          channel VARCHAR(20) NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp')),
          recipient VARCHAR(255) NOT NULL,
          subject VARCHAR(255),
          body TEXT NOT NULL,
          created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
        );
        CREATE INDEX idx_outbound_messages_notification ON outbound_messages(notification_id);
        CREATE INDEX idx_outbound_messages_created ON outbound_messages(created_at);
        ALTER TABLE outbound_messages ENABLE ROW LEVEL SECURITY;
        ALTER TABLE outbound_messages FORCE ROW LEVEL SECURITY;
        CREATE POLICY outbound_messages_staff ON outbound_messages FOR ALL
          USING (app_is_staff()) WITH CHECK (app_is_staff());
    """)


def downgrade() -> None:
    op.execute("""
        DROP TABLE IF EXISTS outbound_messages;
        DROP SCHEMA IF EXISTS procrastinate CASCADE;
    """)
