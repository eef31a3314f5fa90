"""Payments reports: indexes for the owner's payouts by period and the admin's reconciliation.

Revision ID: 0012
Revises: 0011
"""
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
-- Payouts: a business's received money by the day it arrived.
CREATE INDEX idx_payments_business_processed ON payments(business_id, processed_at)
  WHERE processed_at IS NOT NULL;
-- Payouts: refunds by the day they were made.
CREATE INDEX idx_payment_refunds_created ON payment_refunds(created_at, payment_id);
-- Reconciliation: provider payments, newest change first (keyset pages).
CREATE INDEX idx_payments_provider_updated ON payments(updated_at DESC, id DESC)
  WHERE provider_payment_id IS NOT NULL;
""")


def downgrade() -> None:
    op.execute("""
DROP INDEX IF EXISTS idx_payments_provider_updated;
DROP INDEX IF EXISTS idx_payment_refunds_created;
DROP INDEX IF EXISTS idx_payments_business_processed;
""")
