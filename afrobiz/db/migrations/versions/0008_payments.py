"""The payments domain's schema changes: service deposits (own table), payment references and refunds,
one payment in flight per booking, and RLS on the webhook log.

Revision ID: 0008
Revises: 0007
"""
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
-- What a service asks to be paid up front: nothing, a fixed amount, a percentage of the
-- booking total, or the whole total (deposit_value is the amount or the percentage). A
-- table of its own, owned by the payments domain; no row = no deposit. Public, like services.
CREATE TABLE service_deposits (
  service_id UUID PRIMARY KEY REFERENCES services(id) ON DELETE CASCADE,
  deposit_type VARCHAR(10) NOT NULL DEFAULT 'none'
    CHECK (deposit_type IN ('none', 'fixed', 'percent', 'full')),
  deposit_value DECIMAL(10, 2),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  CONSTRAINT ck_service_deposits_value CHECK (
    (deposit_type IN ('none', 'full'))
    OR (deposit_type = 'fixed' AND deposit_value > 0)
    OR (deposit_type = 'percent' AND deposit_value > 0 AND deposit_value <= 100))
);
CREATE TRIGGER update_service_deposits_updated_at BEFORE UPDATE ON service_deposits
  FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

-- reference: what a customer writes on a bank transfer (unique, so the owner can match it).
-- refunded_amount: the sum of this payment's refunds, never more than was paid.
ALTER TABLE payments
  ADD COLUMN reference VARCHAR(20),
  ADD COLUMN refunded_amount DECIMAL(10, 2) NOT NULL DEFAULT 0,
  ADD CONSTRAINT ck_payments_refund_le_amount CHECK (refunded_amount >= 0 AND refunded_amount <= amount);
CREATE UNIQUE INDEX uq_payments_reference ON payments(reference) WHERE reference IS NOT NULL;
-- The database's last word on "one payment at a time": a booking has at most one payment
-- waiting for money (the service also locks the booking row; this catches any other path).
CREATE UNIQUE INDEX uq_payments_booking_in_flight ON payments(booking_id)
  WHERE status IN ('pending', 'processing');
CREATE INDEX idx_payments_business_created ON payments(business_id, created_at, id);

-- Each refund once, split like its payment so the ledger keeps balancing.
CREATE TABLE payment_refunds (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  payment_id UUID NOT NULL REFERENCES payments(id) ON DELETE CASCADE,
  amount DECIMAL(10, 2) NOT NULL CHECK (amount > 0),
  platform_fee DECIMAL(10, 2) NOT NULL CHECK (platform_fee >= 0),
  business_amount DECIMAL(10, 2) NOT NULL CHECK (business_amount >= 0),
  currency VARCHAR(3) NOT NULL DEFAULT 'NAD',
  reason TEXT,
  provider_refund_id VARCHAR(255),
  created_by UUID REFERENCES users(id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  CONSTRAINT ck_payment_refunds_split CHECK (platform_fee + business_amount = amount)
);
CREATE INDEX idx_payment_refunds_payment ON payment_refunds(payment_id);
-- Whoever may see the payment may see its refunds (the payments policy decides).
ALTER TABLE payment_refunds ENABLE ROW LEVEL SECURITY;
ALTER TABLE payment_refunds FORCE ROW LEVEL SECURITY;
CREATE POLICY payment_refunds_access ON payment_refunds FOR ALL
  USING (EXISTS (SELECT 1 FROM payments p WHERE p.id = payment_id))
  WITH CHECK (EXISTS (SELECT 1 FROM payments p WHERE p.id = payment_id));

-- Raw provider events are the platform's business only: staff and the system (webhooks).
ALTER TABLE payment_webhook_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE payment_webhook_events FORCE ROW LEVEL SECURITY;
CREATE POLICY payment_webhook_events_access ON payment_webhook_events FOR ALL
  USING (app_is_staff()) WITH CHECK (app_is_staff());
""")


def downgrade() -> None:
    op.execute("""
DROP POLICY IF EXISTS payment_webhook_events_access ON payment_webhook_events;
ALTER TABLE payment_webhook_events NO FORCE ROW LEVEL SECURITY;
ALTER TABLE payment_webhook_events DISABLE ROW LEVEL SECURITY;
DROP TABLE IF EXISTS payment_refunds;
DROP INDEX IF EXISTS idx_payments_business_created;
DROP INDEX IF EXISTS uq_payments_booking_in_flight;
DROP INDEX IF EXISTS uq_payments_reference;
ALTER TABLE payments DROP CONSTRAINT IF EXISTS ck_payments_refund_le_amount,
  DROP COLUMN IF EXISTS refunded_amount, DROP COLUMN IF EXISTS reference;
DROP TABLE IF EXISTS service_deposits;
""")
