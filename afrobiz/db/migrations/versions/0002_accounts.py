"""The accounts domain's schema changes: indexes for the expiry clean-up.

users, user_sessions and verification_tokens come from 0001. They have no RLS on purpose:
log-in, sign-up and reset links must find a user before anyone is identified, and the
secrets in them are stored only as hashes. The services are the wall there.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
    CREATE INDEX idx_verification_tokens_expires ON verification_tokens(expires_at);
    CREATE INDEX idx_user_sessions_live ON user_sessions(user_id) WHERE revoked_at IS NULL;
    """)


def downgrade() -> None:
    op.execute("""
    DROP INDEX IF EXISTS idx_user_sessions_live;
    DROP INDEX IF EXISTS idx_verification_tokens_expires;
    """)
