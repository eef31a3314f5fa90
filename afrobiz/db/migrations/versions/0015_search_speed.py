"""Search speed: indexes and a side table shaped like the queries of the search mix.

- search_entries.base_score: the part of the relevance score that needs neither words nor a
  place (smoothed rating and review count), computed once per change instead of per search;
  search_entries.name_key, the unaccented lower-case name for the exact-name boost;
  search_entries.open_week, the weekly hours as one multirange, for "open now".
- GiST (category_id, point) and (subcategory_id, point) (btree_gist): "category + nearest"
  walks only the category's points, nearest first; btree (category, region) for filters.
- search_name_words: each word of each active business's name (unaccented, lower case),
  a btree range scan answers "a name word starts with ..." for suggest, instead of a prefix
  match on the whole GIN document. Kept by triggers on search_entries, which is itself kept
  in the same transaction as the change to the business (no index lag).

Revision ID: 0015
Revises: 0014
"""
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(r"""
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Must stay the same expression as afrobiz/search/sql.py BASE (Bayesian rating, prior 10
-- reviews of 3.5 stars, plus a capped log of the review count).
ALTER TABLE search_entries ADD COLUMN base_score float8 GENERATED ALWAYS AS (
  0.5 * (((review_count * average_rating + 10 * 3.5) / (review_count + 10))::float8 - 1) / 4
  + 0.1 * least(1.0, ln(1 + review_count) / ln(1001))) STORED;

-- The name as the exact-name boost compares it: unaccenting every match's name per search
-- cost more than ranking it.
ALTER TABLE search_entries ADD COLUMN name_key text GENERATED ALWAYS AS (lower(immutable_unaccent(name))) STORED;

-- Category + region (the common filter pair): one probe instead of AND-ing a category
-- bitmap with a bitmap of every listing in the region.
CREATE INDEX idx_search_entries_category_region ON search_entries (category_id, region);
CREATE INDEX idx_search_entries_subcategory_region ON search_entries (subcategory_id, region);

CREATE INDEX idx_search_entries_category_geo ON search_entries
  USING GIST (category_id, search_geo_point(latitude::float8, longitude::float8));
CREATE INDEX idx_search_entries_subcategory_geo ON search_entries
  USING GIST (subcategory_id, search_geo_point(latitude::float8, longitude::float8));

-- Words of active businesses' names, for as-you-type suggestions. Public data, no RLS.
CREATE TABLE search_name_words (
  word TEXT COLLATE "C" NOT NULL,
  business_id UUID NOT NULL REFERENCES search_entries(id) ON DELETE CASCADE,
  PRIMARY KEY (word, business_id)
);
CREATE INDEX idx_search_name_words_business ON search_name_words (business_id);

CREATE FUNCTION search_name_words_of(t text) RETURNS SETOF text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT DISTINCT w FROM regexp_split_to_table(lower(immutable_unaccent(coalesce(t, ''))), '[^a-z0-9]+') w
   WHERE length(w) BETWEEN 2 AND 40;
END;

-- Statement-level on insert, so a bulk load adds its words in one go.
CREATE FUNCTION search_name_words_inserted() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO search_name_words (word, business_id)
    SELECT w, n.id FROM new_rows n, search_name_words_of(n.name) w ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER search_entries_name_words_insert AFTER INSERT ON search_entries
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_name_words_inserted();

-- search_entries_from_business upserts (INSERT ... ON CONFLICT DO UPDATE): a rename arrives
-- as an UPDATE of the entry, a new or re-activated listing as an INSERT.
CREATE FUNCTION search_name_words_renamed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  DELETE FROM search_name_words WHERE business_id = NEW.id;
  INSERT INTO search_name_words (word, business_id)
    SELECT w, NEW.id FROM search_name_words_of(NEW.name) w ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER search_entries_name_words_update AFTER UPDATE OF name ON search_entries FOR EACH ROW
  WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION search_name_words_renamed();

INSERT INTO search_name_words (word, business_id)
  SELECT w, e.id FROM search_entries e, search_name_words_of(e.name) w ON CONFLICT DO NOTHING;

-- The weekly opening hours as microseconds since Sunday 00:00 (local time), so "open now"
-- is one containment test per row instead of two probes of business_hours. Same rules as
-- afrobiz/search/sql.py open_now_sql: hours belong to the day they start on; close <= open
-- runs past midnight (Saturday's into Sunday); 24 hours is the whole day. Closures are not
-- in it: a business with a closure today or yesterday is checked the long way.
CREATE FUNCTION search_open_week(bid uuid) RETURNS int8multirange
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(range_agg(int8range(v.s, v.e)), '{}'::int8multirange)
    FROM (SELECT h.day_of_week * 86400000000::int8 AS d,
                 CASE WHEN h.is_24_hours THEN 0 ELSE (extract(epoch FROM h.open_time) * 1000000)::int8 END AS o,
                 CASE WHEN h.is_24_hours THEN 86400000000::int8
                      WHEN h.close_time > h.open_time THEN (extract(epoch FROM h.close_time) * 1000000)::int8
                      ELSE 86400000000::int8 + (extract(epoch FROM h.close_time) * 1000000)::int8 END AS c
            FROM business_hours h
           WHERE h.business_id = bid AND NOT h.is_closed
             AND (h.is_24_hours OR (h.open_time IS NOT NULL AND h.close_time IS NOT NULL))) x,
         LATERAL (VALUES (x.d + x.o, least(x.d + x.c, 604800000000::int8)),
                         (0::int8, x.d + x.c - 604800000000::int8)) v(s, e)
   WHERE v.e > v.s
$$;

ALTER TABLE search_entries ADD COLUMN open_week int8multirange NOT NULL DEFAULT '{}';

CREATE FUNCTION search_entries_open_week() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  NEW.open_week := search_open_week(NEW.id);
  RETURN NEW;
END $$;
CREATE TRIGGER search_entries_open_week BEFORE INSERT ON search_entries
  FOR EACH ROW EXECUTE FUNCTION search_entries_open_week();

-- Hours added, changed or removed: recompute those businesses' weeks (statement-level, so a
-- bulk load recomputes each business once).
CREATE FUNCTION search_hours_changed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE search_entries e SET open_week = search_open_week(e.id)
     WHERE e.id IN (SELECT DISTINCT business_id FROM new_rows);
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE search_entries e SET open_week = search_open_week(e.id)
     WHERE e.id IN (SELECT DISTINCT business_id FROM old_rows);
  ELSE
    UPDATE search_entries e SET open_week = search_open_week(e.id)
     WHERE e.id IN (SELECT business_id FROM new_rows UNION SELECT business_id FROM old_rows);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER business_hours_search_insert AFTER INSERT ON business_hours
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_hours_changed();
CREATE TRIGGER business_hours_search_update AFTER UPDATE ON business_hours
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION search_hours_changed();
CREATE TRIGGER business_hours_search_delete AFTER DELETE ON business_hours
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_hours_changed();

UPDATE search_entries SET open_week = search_open_week(id);
ANALYZE search_entries;
ANALYZE search_name_words;
""")


def downgrade() -> None:
    op.execute(r"""
DROP TRIGGER IF EXISTS business_hours_search_insert ON business_hours;
DROP TRIGGER IF EXISTS business_hours_search_update ON business_hours;
DROP TRIGGER IF EXISTS business_hours_search_delete ON business_hours;
DROP TRIGGER IF EXISTS search_entries_open_week ON search_entries;
DROP FUNCTION IF EXISTS search_hours_changed(), search_entries_open_week();
ALTER TABLE search_entries DROP COLUMN IF EXISTS open_week;
DROP FUNCTION IF EXISTS search_open_week(uuid);
DROP TRIGGER IF EXISTS search_entries_name_words_insert ON search_entries;
DROP TRIGGER IF EXISTS search_entries_name_words_update ON search_entries;
DROP FUNCTION IF EXISTS search_name_words_inserted(), search_name_words_renamed(), search_name_words_of(text);
DROP TABLE IF EXISTS search_name_words;
DROP INDEX IF EXISTS idx_search_entries_category_geo, idx_search_entries_subcategory_geo,
  idx_search_entries_category_region, idx_search_entries_subcategory_region;
ALTER TABLE search_entries DROP COLUMN IF EXISTS base_score, DROP COLUMN IF EXISTS name_key;
""")
