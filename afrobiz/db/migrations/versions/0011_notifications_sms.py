"""Two-way SMS: the inbound messages the SMS provider forwards to the webhook.

One row per provider message id (unique), so a replayed webhook finds its row and changes
nothing. The row also carries the reply the platform sends back and whether it went
(reply_sent_at), so a retried reply job never texts twice. Staff-only, RLS forced: phone
numbers and message texts are private.

Revision ID: 0011
Revises: 0010
"""
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        CREATE TABLE sms_inbound (
          id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
          provider_message_id VARCHAR(255) NOT NULL UNIQUE,
          from_phone VARCHAR(32) NOT NULL,
          body VARCHAR(1600) NOT NULL,
          user_id UUID REFERENCES users(id) ON DELETE SET NULL,
          booking_id UUID REFERENCES bookings(id) ON DELETE SET NULL,
          command VARCHAR(20),
          outcome VARCHAR(30) NOT NULL,
          reply VARCHAR(320),
          reply_sent_at TIMESTAMPTZ,
          received_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
        );
        CREATE INDEX idx_sms_inbound_from ON sms_inbound(from_phone, received_at);
        CREATE INDEX idx_sms_inbound_booking ON sms_inbound(booking_id) WHERE booking_id IS NOT NULL;
        ALTER TABLE sms_inbound ENABLE ROW LEVEL SECURITY;
        ALTER TABLE sms_inbound FORCE ROW LEVEL SECURITY;
        CREATE POLICY sms_inbound_staff ON sms_inbound FOR ALL
          USING (app_is_staff()) WITH CHECK (app_is_staff());
    """)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS sms_inbound")
