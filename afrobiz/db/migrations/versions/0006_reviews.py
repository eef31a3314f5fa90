"""Reviews: spam signals, reports, exact vote counts, sorting indexes, private votes/reports.

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
-- Why a review was held for moderation, and where it came from (the "many reviews from one
-- address in an hour" signal). The address is personal data: kept for the spam check only.
ALTER TABLE reviews
  ADD COLUMN ip_address INET,
  ADD COLUMN spam_signals TEXT[] NOT NULL DEFAULT '{}';

-- The public list of a business's reviews, one index per sort order (keyset pagination).
CREATE INDEX idx_reviews_public_newest ON reviews (business_id, created_at DESC, id DESC)
  WHERE status = 'approved';
CREATE INDEX idx_reviews_public_helpful ON reviews (business_id, helpful_count DESC, created_at DESC, id DESC)
  WHERE status = 'approved';
CREATE INDEX idx_reviews_public_highest ON reviews (business_id, rating DESC, created_at DESC, id DESC)
  WHERE status = 'approved';
CREATE INDEX idx_reviews_public_lowest ON reviews (business_id, rating ASC, created_at DESC, id DESC)
  WHERE status = 'approved';
-- The moderation queue and the spam checks (reviews per account / address in the last hour).
CREATE INDEX idx_reviews_moderation ON reviews (status, created_at, id);
-- (also serves "has this user already reviewed this business?")
CREATE INDEX idx_reviews_customer_created ON reviews (customer_id, created_at);
CREATE INDEX idx_reviews_ip_created ON reviews (ip_address, created_at) WHERE ip_address IS NOT NULL;

-- Votes and replies change other columns of a review; recomputing the business's average on
-- each of them would lock the business row for every vote. Only these columns move totals.
DROP TRIGGER update_business_rating_trigger ON reviews;
CREATE TRIGGER update_business_rating_trigger
  AFTER INSERT OR DELETE OR UPDATE OF business_id, rating, status ON reviews
  FOR EACH ROW EXECUTE FUNCTION update_business_rating();

-- helpful_count / not_helpful_count follow review_votes exactly: each vote adds its delta to
-- the review row under that row's lock, so concurrent votes never lose an update. Runs as
-- 'system' because a voter may not update someone else's review under RLS.
CREATE FUNCTION update_review_vote_counts() RETURNS trigger AS $$
DECLARE
  dh integer := 0;
  dn integer := 0;
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    IF NEW.is_helpful THEN dh := dh + 1; ELSE dn := dn + 1; END IF;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    IF OLD.is_helpful THEN dh := dh - 1; ELSE dn := dn - 1; END IF;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.review_id <> NEW.review_id THEN
    RAISE EXCEPTION 'a vote cannot move to another review';
  END IF;
  IF dh <> 0 OR dn <> 0 THEN
    UPDATE reviews SET helpful_count = helpful_count + dh, not_helpful_count = not_helpful_count + dn
     WHERE id = COALESCE(NEW.review_id, OLD.review_id);
  END IF;
  RETURN COALESCE(NEW, OLD);
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET app.role = 'system';
CREATE TRIGGER update_review_vote_counts_trigger
  AFTER INSERT OR UPDATE OR DELETE ON review_votes
  FOR EACH ROW EXECUTE FUNCTION update_review_vote_counts();

-- A user's report of a review (one per user); enough reports flag the review for an admin.
CREATE TABLE review_reports (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  review_id UUID NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  reason TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  UNIQUE (review_id, user_id)
);
CREATE INDEX idx_review_reports_user ON review_reports(user_id);

-- Who voted or reported what is private to that user (and staff).
ALTER TABLE review_votes ENABLE ROW LEVEL SECURITY;
ALTER TABLE review_votes FORCE ROW LEVEL SECURITY;
CREATE POLICY review_votes_access ON review_votes FOR ALL
  USING (user_id = app_user_id() OR app_is_staff())
  WITH CHECK (user_id = app_user_id() OR app_is_staff());

ALTER TABLE review_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE review_reports FORCE ROW LEVEL SECURITY;
CREATE POLICY review_reports_access ON review_reports FOR ALL
  USING (user_id = app_user_id() OR app_is_staff())
  WITH CHECK (user_id = app_user_id() OR app_is_staff());

-- A review's photos are visible exactly when the review is (the reviews policy applies inside
-- the subquery); only the review's author (or staff) adds or removes them.
ALTER TABLE review_images ENABLE ROW LEVEL SECURITY;
ALTER TABLE review_images FORCE ROW LEVEL SECURITY;
CREATE POLICY review_images_read ON review_images FOR SELECT
  USING (EXISTS (SELECT 1 FROM reviews r WHERE r.id = review_id));
CREATE POLICY review_images_write ON review_images FOR ALL
  USING (EXISTS (SELECT 1 FROM reviews r WHERE r.id = review_id
                  AND (r.customer_id = app_user_id() OR app_is_staff())))
  WITH CHECK (EXISTS (SELECT 1 FROM reviews r WHERE r.id = review_id
                       AND (r.customer_id = app_user_id() OR app_is_staff())));
""")


def downgrade() -> None:
    op.execute("""
DROP POLICY IF EXISTS review_images_write ON review_images;
DROP POLICY IF EXISTS review_images_read ON review_images;
ALTER TABLE review_images NO FORCE ROW LEVEL SECURITY;
ALTER TABLE review_images DISABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS review_votes_access ON review_votes;
ALTER TABLE review_votes NO FORCE ROW LEVEL SECURITY;
ALTER TABLE review_votes DISABLE ROW LEVEL SECURITY;
DROP TABLE IF EXISTS review_reports;
DROP TRIGGER IF EXISTS update_review_vote_counts_trigger ON review_votes;
DROP FUNCTION IF EXISTS update_review_vote_counts();
DROP TRIGGER update_business_rating_trigger ON reviews;
CREATE TRIGGER update_business_rating_trigger
  AFTER INSERT OR UPDATE OR DELETE ON reviews
  FOR EACH ROW EXECUTE FUNCTION update_business_rating();
DROP INDEX IF EXISTS idx_reviews_ip_created;
DROP INDEX IF EXISTS idx_reviews_customer_created;
DROP INDEX IF EXISTS idx_reviews_moderation;
DROP INDEX IF EXISTS idx_reviews_public_lowest;
DROP INDEX IF EXISTS idx_reviews_public_highest;
DROP INDEX IF EXISTS idx_reviews_public_helpful;
DROP INDEX IF EXISTS idx_reviews_public_newest;
ALTER TABLE reviews DROP COLUMN IF EXISTS spam_signals, DROP COLUMN IF EXISTS ip_address;
""")
