"""The booking domain's schema changes: closure days, slot interval, per-person prices,
and businesses.booking_count kept by a trigger.

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
-- Days a business is closed (public holidays, leave): no slot starts on them. Public data,
-- like business_hours, so no RLS; only the booking service writes it (owner checked there).
CREATE TABLE business_closures (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id UUID NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  closed_on DATE NOT NULL,
  reason VARCHAR(255),
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  CONSTRAINT uq_business_closures_day UNIQUE (business_id, closed_on)
);

-- Slots step by the duration unless the owner sets an interval (a 90-minute service
-- offered every 30 minutes); price_per_person multiplies the price by guest_count.
ALTER TABLE services
  ADD COLUMN slot_interval_minutes INTEGER CHECK (slot_interval_minutes IS NULL OR slot_interval_minutes BETWEEN 5 AND 1440),
  ADD COLUMN price_per_person BOOLEAN NOT NULL DEFAULT FALSE;

-- businesses.booking_count = bookings that happened or will (confirmed, in progress,
-- completed). A customer cancelling moves the count on a business row RLS does not let
-- them update, and FORCE RLS binds even the table owner, so the trigger acts as 'system'
-- for its one UPDATE and then restores the caller's role.
CREATE FUNCTION bookings_maintain_booking_count() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  old_counts boolean := TG_OP <> 'INSERT' AND OLD.status IN ('confirmed', 'in_progress', 'completed');
  new_counts boolean := TG_OP <> 'DELETE' AND NEW.status IN ('confirmed', 'in_progress', 'completed');
  caller_role text := current_setting('app.role', true);
  delta integer := 0;
  target uuid;
BEGIN
  IF old_counts AND NOT new_counts THEN
    delta := -1; target := OLD.business_id;
  ELSIF new_counts AND NOT old_counts THEN
    delta := 1; target := NEW.business_id;
  END IF;
  IF delta <> 0 THEN
    PERFORM set_config('app.role', 'system', true);
    UPDATE businesses SET booking_count = greatest(booking_count + delta, 0) WHERE id = target;
    PERFORM set_config('app.role', coalesce(caller_role, ''), true);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER bookings_booking_count AFTER INSERT OR UPDATE OF status OR DELETE ON bookings
  FOR EACH ROW EXECUTE FUNCTION bookings_maintain_booking_count();

CREATE INDEX idx_bookings_pending_created ON bookings(created_at) WHERE status = 'pending';
""")


def downgrade() -> None:
    op.execute("""
DROP INDEX IF EXISTS idx_bookings_pending_created;
DROP TRIGGER IF EXISTS bookings_booking_count ON bookings;
DROP FUNCTION IF EXISTS bookings_maintain_booking_count();
ALTER TABLE services DROP COLUMN IF EXISTS price_per_person, DROP COLUMN IF EXISTS slot_interval_minutes;
DROP TABLE IF EXISTS business_closures;
""")
