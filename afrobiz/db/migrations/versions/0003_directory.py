"""The directory's schema changes: image sizes, click counts, view and click recording.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
-- Each stored picture: the largest size's pixels, and every WebP size made from it
-- ({"thumb": {"key", "url", "width", "height"}, "card": ..., "full": ...}).
ALTER TABLE business_images
  ADD COLUMN width INTEGER,
  ADD COLUMN height INTEGER,
  ADD COLUMN variants JSONB NOT NULL DEFAULT '{}';

-- (Closure days live in the booking domain's business_closures, migration 0005.)

-- Clicks on a listing's call / WhatsApp / website / directions buttons, for the analytics
-- roll-up. Anyone may add one (through record_business_click); only the owner reads them.
CREATE TABLE business_clicks (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id UUID NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  kind VARCHAR(20) NOT NULL CHECK (kind IN ('phone', 'whatsapp', 'website', 'directions')),
  clicked_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_business_clicks_business_date ON business_clicks(business_id, clicked_at);
ALTER TABLE business_clicks ENABLE ROW LEVEL SECURITY;
ALTER TABLE business_clicks FORCE ROW LEVEL SECURITY;
CREATE POLICY business_clicks_read ON business_clicks FOR SELECT
  USING (app_owns_business(business_id) OR app_is_staff());

-- A visitor's view or click must bump the business's counter although RLS lets only the
-- owner update the row: one statement each, run as the owner and as 'system' (the same
-- pattern as the rating trigger). Only active businesses count.
CREATE FUNCTION record_business_view(target uuid, viewer uuid, ip inet, agent text, ref text)
  RETURNS boolean AS $$
BEGIN
  UPDATE businesses SET view_count = view_count + 1 WHERE id = target AND status = 'active';
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  INSERT INTO business_views (business_id, user_id, ip_address, user_agent, referrer)
    VALUES (target, viewer, ip, left(agent, 500), left(ref, 500));
  RETURN true;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET app.role = 'system';

CREATE FUNCTION record_business_click(target uuid, click_kind text) RETURNS boolean AS $$
BEGIN
  UPDATE businesses SET click_count = click_count + 1 WHERE id = target AND status = 'active';
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  INSERT INTO business_clicks (business_id, kind) VALUES (target, click_kind);
  RETURN true;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET app.role = 'system';

-- A view, a click, a booking or a review bumps a counter on the business row; that is not
-- an edit of the listing, so it must not move updated_at (the sitemap's lastmod).
DROP TRIGGER update_businesses_updated_at ON businesses;
CREATE TRIGGER update_businesses_updated_at BEFORE UPDATE ON businesses FOR EACH ROW
  WHEN ((to_jsonb(OLD) - ARRAY['view_count', 'click_count', 'booking_count', 'average_rating',
                               'review_count', 'updated_at', 'search_document'])
        IS DISTINCT FROM
        (to_jsonb(NEW) - ARRAY['view_count', 'click_count', 'booking_count', 'average_rating',
                               'review_count', 'updated_at', 'search_document']))
  EXECUTE FUNCTION update_updated_at_column();
""")


def downgrade() -> None:
    op.execute("""
DROP TRIGGER update_businesses_updated_at ON businesses;
CREATE TRIGGER update_businesses_updated_at BEFORE UPDATE ON businesses
  FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
DROP FUNCTION IF EXISTS record_business_click(uuid, text);
DROP FUNCTION IF EXISTS record_business_view(uuid, uuid, inet, text, text);
DROP TABLE IF EXISTS business_clicks;
ALTER TABLE business_images DROP COLUMN IF EXISTS variants, DROP COLUMN IF EXISTS height,
  DROP COLUMN IF EXISTS width;
""")
