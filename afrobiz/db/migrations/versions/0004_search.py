"""The search domain's schema: the search document grows service names and geographic
grid cells, a word list for "did you mean", and indexes for place and autocomplete.

Everything is kept by triggers in the same transaction as the change (no index lag).

Revision ID: 0004
Revises: 0003
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(r"""
-- A point on the unit sphere as a 3-D cube. The straight-line (chord) distance between two
-- of them orders exactly like the great-circle distance, so a GiST index answers "nearest
-- first" (KNN, <->) and a box around the centre bounds a radius. A SQL-standard body binds
-- cube() at creation, so no search_path surprises during autovacuum or restore.
CREATE FUNCTION search_geo_point(lat double precision, lon double precision) RETURNS public.cube
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN public.cube(ARRAY[cos(radians(lat)) * cos(radians(lon)),
                           cos(radians(lat)) * sin(radians(lon)),
                           sin(radians(lat))]);

-- Coarse grid cells a business lies in, as lexemes no text query can produce ('~' is
-- never part of a parsed word): 0.1 degree (~11 km) and 1 degree. A text + radius query
-- then intersects words and cells in the one GIN index instead of AND-ing a text bitmap
-- with a huge geographic one.
CREATE FUNCTION search_geo_cells(lat double precision, lon double precision) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE WHEN lat IS NULL OR lon IS NULL THEN ''::tsvector ELSE array_to_tsvector(ARRAY[
    '~f' || floor((lat + 90) * 10)::int || 'x' || floor((lon + 180) * 10)::int,
    '~c' || floor(lat + 90)::int || 'x' || floor(lon + 180)::int]) END;

-- Unaccented, and '/' read as a space: the parser would take "//Karas" for a file path.
CREATE FUNCTION search_clean(t text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN translate(immutable_unaccent(t), '/\\', '  ');

-- The search document: name (A) > keywords, category, subcategory (B) > town, region and
-- description (C) > active service names (D), plus the grid cells.
CREATE OR REPLACE FUNCTION businesses_search_document() RETURNS trigger AS $$
DECLARE
  category_names text;
  service_names text;
  gap tsvector := to_tsvector('simple', 'searchgap');
BEGIN
  SELECT string_agg(c.name, ' ') INTO category_names
    FROM categories c WHERE c.id IN (NEW.category_id, NEW.subcategory_id);
  SELECT string_agg(s.name, ' ') INTO service_names
    FROM services s WHERE s.business_id = NEW.id AND s.is_active;
  -- A gap between the fields, so a phrase cannot run from the end of one into the next.
  NEW.search_document := ts_delete(
      setweight(to_tsvector('english', search_clean(coalesce(NEW.name, ''))), 'A') || gap
   || setweight(to_tsvector('english', search_clean(
        coalesce(array_to_string(NEW.keywords, ' '), '') || ' ' || coalesce(category_names, ''))), 'B') || gap
   || setweight(to_tsvector('english', search_clean(
        coalesce(NEW.city, '') || ' ' || coalesce(NEW.region, ''))), 'C') || gap
   || setweight(to_tsvector('english', search_clean(coalesce(NEW.description, ''))), 'C') || gap
   || setweight(to_tsvector('english', search_clean(coalesce(service_names, ''))), 'D'), 'searchgap')
   || search_geo_cells(NEW.latitude::float8, NEW.longitude::float8);
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- Also on a move (the cells) and on a write of search_document itself, which is how the
-- services trigger below asks for a rebuild.
DROP TRIGGER businesses_search_document_trigger ON businesses;
CREATE TRIGGER businesses_search_document_trigger
  BEFORE INSERT OR UPDATE OF name, keywords, description, category_id, subcategory_id, city, region,
    latitude, longitude, search_document
  ON businesses FOR EACH ROW EXECUTE FUNCTION businesses_search_document();

-- The vocabulary of listed words (unaccented, lower case, unstemmed), for typo correction
-- and "did you mean". Words are only added: a stale word can at most suggest a spelling
-- that finds nothing. Public data (names of active listings and categories), so no RLS.
CREATE TABLE search_words (word TEXT PRIMARY KEY);
CREATE INDEX idx_search_words_trgm ON search_words USING GIN (word gin_trgm_ops);

CREATE FUNCTION search_words_of(t text) RETURNS SETOF text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT w FROM regexp_split_to_table(lower(immutable_unaccent(coalesce(t, ''))), '[^a-z0-9]+') w
   WHERE length(w) BETWEEN 3 AND 40;
END;

-- Statement-level on INSERT so a bulk load (COPY) adds its words in one go.
CREATE FUNCTION search_words_from_new_businesses() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO search_words (word)
    SELECT DISTINCT search_words_of(n.name || ' ' || coalesce(array_to_string(n.keywords, ' '), '')
                                    || ' ' || coalesce(n.city, '') || ' ' || coalesce(n.region, ''))
      FROM new_rows n WHERE n.status = 'active'
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER businesses_search_words_insert AFTER INSERT ON businesses
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION search_words_from_new_businesses();

CREATE FUNCTION search_words_from_business() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO search_words (word)
    SELECT DISTINCT search_words_of(NEW.name || ' ' || coalesce(array_to_string(NEW.keywords, ' '), '')
                                    || ' ' || coalesce(NEW.city, '') || ' ' || coalesce(NEW.region, ''))
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER businesses_search_words_update AFTER UPDATE ON businesses FOR EACH ROW
  WHEN (NEW.status = 'active' AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.name IS DISTINCT FROM NEW.name
        OR OLD.keywords IS DISTINCT FROM NEW.keywords OR OLD.city IS DISTINCT FROM NEW.city
        OR OLD.region IS DISTINCT FROM NEW.region))
  EXECUTE FUNCTION search_words_from_business();

CREATE FUNCTION search_words_from_category() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO search_words (word) SELECT DISTINCT search_words_of(NEW.name) ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER categories_search_words AFTER INSERT OR UPDATE OF name ON categories
  FOR EACH ROW EXECUTE FUNCTION search_words_from_category();

-- A service added, renamed, switched off or removed rebuilds its business's document (and
-- adds its words). Statement-level, so a bulk load rebuilds each business once. Acts as
-- 'system' for its own writes: the caller may change a service (checked by the booking
-- service) without being allowed to update the business row under RLS.
CREATE FUNCTION search_services_changed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  caller_role text := current_setting('app.role', true);
BEGIN
  PERFORM set_config('app.role', 'system', true);
  IF TG_OP = 'INSERT' THEN
    UPDATE businesses b SET search_document = ''
      WHERE b.id IN (SELECT business_id FROM new_rows WHERE is_active);
    INSERT INTO search_words (word) SELECT DISTINCT search_words_of(name) FROM new_rows WHERE is_active
      ON CONFLICT DO NOTHING;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE businesses b SET search_document = ''
      WHERE b.id IN (SELECT business_id FROM old_rows WHERE is_active);
  ELSE
    UPDATE businesses b SET search_document = '' WHERE b.id IN (
      SELECT n.business_id FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE n.name IS DISTINCT FROM o.name OR n.is_active IS DISTINCT FROM o.is_active
          OR n.business_id IS DISTINCT FROM o.business_id
      UNION
      SELECT o.business_id FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE n.business_id IS DISTINCT FROM o.business_id);
    INSERT INTO search_words (word)
      SELECT DISTINCT search_words_of(n.name) FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE n.is_active AND n.name IS DISTINCT FROM o.name
      ON CONFLICT DO NOTHING;
  END IF;
  PERFORM set_config('app.role', coalesce(caller_role, ''), true);
  RETURN NULL;
END $$;
CREATE TRIGGER services_search_insert AFTER INSERT ON services
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_services_changed();
CREATE TRIGGER services_search_update AFTER UPDATE ON services
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION search_services_changed();
CREATE TRIGGER services_search_delete AFTER DELETE ON services
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_services_changed();

-- A renamed category renames what its businesses are found by.
CREATE FUNCTION search_category_renamed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  caller_role text := current_setting('app.role', true);
BEGIN
  PERFORM set_config('app.role', 'system', true);
  UPDATE businesses SET search_document = '' WHERE category_id = NEW.id OR subcategory_id = NEW.id;
  PERFORM set_config('app.role', coalesce(caller_role, ''), true);
  RETURN NULL;
END $$;
CREATE TRIGGER categories_search_renamed AFTER UPDATE OF name ON categories FOR EACH ROW
  WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION search_category_renamed();

-- The search index: one row per ACTIVE business with what a search filters and ranks on.
-- Why a side table: under Row Level Security the planner may not evaluate a non-leakproof
-- operator such as @@ (text) or <-> (cube) before the policy, so on businesses itself the
-- GIN and GiST indexes are unusable and every search is a sequential scan. Only public
-- data of active listings lives here, so it needs no RLS. Kept by triggers in the same
-- transaction as the change.
CREATE TABLE search_entries (
  id UUID PRIMARY KEY REFERENCES businesses(id) ON DELETE CASCADE,
  name VARCHAR(255) NOT NULL,
  search_document TSVECTOR NOT NULL,
  latitude DECIMAL(10, 8),
  longitude DECIMAL(11, 8),
  category_id UUID,
  subcategory_id UUID,
  city VARCHAR(100),
  region VARCHAR(100),
  price_range price_range_enum,
  average_rating NUMERIC(3, 2) NOT NULL,
  review_count INTEGER NOT NULL,
  is_verified BOOLEAN NOT NULL,
  is_featured BOOLEAN NOT NULL,
  featured_until TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL
);

CREATE FUNCTION search_entries_from_new_businesses() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO search_entries
    SELECT n.id, n.name, n.search_document, n.latitude, n.longitude, n.category_id, n.subcategory_id, n.city,
           n.region, n.price_range, n.average_rating, n.review_count, n.is_verified, n.is_featured,
           n.featured_until, n.created_at
      FROM new_rows n WHERE n.status = 'active';
  RETURN NULL;
END $$;
CREATE TRIGGER businesses_search_entries_insert AFTER INSERT ON businesses
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION search_entries_from_new_businesses();

CREATE FUNCTION search_entries_from_business() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NEW.status <> 'active' THEN
    DELETE FROM search_entries WHERE id = NEW.id;
  ELSE
    INSERT INTO search_entries VALUES (NEW.id, NEW.name, NEW.search_document, NEW.latitude, NEW.longitude,
        NEW.category_id, NEW.subcategory_id, NEW.city, NEW.region, NEW.price_range, NEW.average_rating,
        NEW.review_count, NEW.is_verified, NEW.is_featured, NEW.featured_until, NEW.created_at)
      ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, search_document = EXCLUDED.search_document,
        latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude, category_id = EXCLUDED.category_id,
        subcategory_id = EXCLUDED.subcategory_id, city = EXCLUDED.city, region = EXCLUDED.region,
        price_range = EXCLUDED.price_range, average_rating = EXCLUDED.average_rating,
        review_count = EXCLUDED.review_count, is_verified = EXCLUDED.is_verified,
        is_featured = EXCLUDED.is_featured, featured_until = EXCLUDED.featured_until,
        created_at = EXCLUDED.created_at;
  END IF;
  RETURN NULL;
END $$;
-- Only when something search reads changed (view and click counters do not count).
CREATE TRIGGER businesses_search_entries_update AFTER UPDATE ON businesses FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.name IS DISTINCT FROM NEW.name
        OR OLD.search_document IS DISTINCT FROM NEW.search_document
        OR OLD.latitude IS DISTINCT FROM NEW.latitude OR OLD.longitude IS DISTINCT FROM NEW.longitude
        OR OLD.category_id IS DISTINCT FROM NEW.category_id OR OLD.subcategory_id IS DISTINCT FROM NEW.subcategory_id
        OR OLD.city IS DISTINCT FROM NEW.city OR OLD.region IS DISTINCT FROM NEW.region
        OR OLD.price_range IS DISTINCT FROM NEW.price_range OR OLD.average_rating IS DISTINCT FROM NEW.average_rating
        OR OLD.review_count IS DISTINCT FROM NEW.review_count OR OLD.is_verified IS DISTINCT FROM NEW.is_verified
        OR OLD.is_featured IS DISTINCT FROM NEW.is_featured OR OLD.featured_until IS DISTINCT FROM NEW.featured_until
        OR OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION search_entries_from_business();

CREATE INDEX idx_search_entries_document ON search_entries USING GIN (search_document);
CREATE INDEX idx_search_entries_geo ON search_entries USING GIST (search_geo_point(latitude::float8, longitude::float8));
CREATE INDEX idx_search_entries_category ON search_entries (category_id);
CREATE INDEX idx_search_entries_subcategory ON search_entries (subcategory_id);
CREATE INDEX idx_search_entries_region ON search_entries (region);
CREATE INDEX idx_search_entries_city ON search_entries (lower(immutable_unaccent(city)));
-- Autocomplete: a name-prefix range scan (byte order, so ranges work for any prefix).
CREATE INDEX idx_search_entries_name_prefix ON search_entries ((lower(immutable_unaccent(name)) COLLATE "C"));
CREATE INDEX idx_business_hours_search ON business_hours (business_id, day_of_week);


-- Existing rows: fill the vocabulary and rebuild the documents (services, cells).
INSERT INTO search_words (word) SELECT DISTINCT search_words_of(name) FROM categories ON CONFLICT DO NOTHING;
INSERT INTO search_words (word)
  SELECT DISTINCT search_words_of(name || ' ' || coalesce(array_to_string(keywords, ' '), '')
                                  || ' ' || coalesce(city, '') || ' ' || coalesce(region, ''))
    FROM businesses WHERE status = 'active' ON CONFLICT DO NOTHING;
DO $$
DECLARE caller_role text := current_setting('app.role', true);
BEGIN
  PERFORM set_config('app.role', 'system', true);
  UPDATE businesses SET search_document = '';
  PERFORM set_config('app.role', coalesce(caller_role, ''), true);
END $$;
INSERT INTO search_entries
  SELECT id, name, search_document, latitude, longitude, category_id, subcategory_id, city, region, price_range,
         average_rating, review_count, is_verified, is_featured, featured_until, created_at
    FROM businesses WHERE status = 'active'
  ON CONFLICT (id) DO NOTHING;
""")


def downgrade() -> None:
    op.execute(r"""
DROP INDEX IF EXISTS idx_business_hours_search;
DROP TRIGGER IF EXISTS businesses_search_entries_insert ON businesses;
DROP TRIGGER IF EXISTS businesses_search_entries_update ON businesses;
DROP TABLE IF EXISTS search_entries;
DROP FUNCTION IF EXISTS search_entries_from_new_businesses(), search_entries_from_business();
DROP TRIGGER IF EXISTS categories_search_renamed ON categories;
DROP TRIGGER IF EXISTS categories_search_words ON categories;
DROP TRIGGER IF EXISTS services_search_insert ON services;
DROP TRIGGER IF EXISTS services_search_update ON services;
DROP TRIGGER IF EXISTS services_search_delete ON services;
DROP TRIGGER IF EXISTS businesses_search_words_insert ON businesses;
DROP TRIGGER IF EXISTS businesses_search_words_update ON businesses;
DROP FUNCTION IF EXISTS search_category_renamed(), search_services_changed(), search_words_from_category(),
  search_words_from_business(), search_words_from_new_businesses(), search_words_of(text);
DROP TABLE IF EXISTS search_words;

CREATE OR REPLACE FUNCTION businesses_search_document() RETURNS trigger AS $$
DECLARE
  category_names text;
BEGIN
  SELECT string_agg(c.name, ' ') INTO category_names
    FROM categories c WHERE c.id IN (NEW.category_id, NEW.subcategory_id);
  NEW.search_document :=
      setweight(to_tsvector('english', immutable_unaccent(coalesce(NEW.name, ''))), 'A')
   || setweight(to_tsvector('english', immutable_unaccent(
        coalesce(array_to_string(NEW.keywords, ' '), '') || ' ' || coalesce(category_names, ''))), 'B')
   || setweight(to_tsvector('english', immutable_unaccent(
        coalesce(NEW.city, '') || ' ' || coalesce(NEW.region, ''))), 'C')
   || setweight(to_tsvector('english', immutable_unaccent(coalesce(NEW.description, ''))), 'C');
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER businesses_search_document_trigger ON businesses;
CREATE TRIGGER businesses_search_document_trigger
  BEFORE INSERT OR UPDATE OF name, keywords, description, category_id, subcategory_id, city, region
  ON businesses FOR EACH ROW EXECUTE FUNCTION businesses_search_document();
DROP FUNCTION IF EXISTS search_clean(text), search_geo_cells(double precision, double precision),
  search_geo_point(double precision, double precision);
UPDATE businesses SET search_document = '';
""")
