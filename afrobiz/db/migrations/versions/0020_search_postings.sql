-- Migration 0020's upgrade (0020_search_postings.py); 0021's downgrade runs it again.
CREATE TABLE search_postings (
  token TEXT COLLATE "C" NOT NULL,
  business_id UUID NOT NULL,
  rank REAL NOT NULL,
  category_id UUID,
  subcategory_id UUID,
  region VARCHAR(100),
  price_range price_range_enum,
  base_score FLOAT8,
  is_featured BOOLEAN NOT NULL,
  featured_until TIMESTAMPTZ,
  geo_x FLOAT8 NOT NULL,
  geo_y FLOAT8 NOT NULL,
  geo_z FLOAT8 NOT NULL
) WITH (autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_vacuum_scale_factor = 0.02);
-- The low vacuum thresholds keep the visibility map current: an index-only scan visits the
-- heap for every row on a page changed since the last vacuum.
COMMENT ON TABLE search_postings IS
  'One row per cell-tagged word of each located search_entries row (migration 0020); no RLS: public data of active listings only, as search_entries.';

-- The words of a document tagged with its 0.1-degree cell (the same tokens as
-- search_geo_words, 0017), each with its ts_rank alone in the document.
CREATE FUNCTION search_postings_of(doc tsvector, lat numeric, lon numeric)
  RETURNS TABLE (token text, rank real)
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT c.cell || '~' || u.lexeme,
         ts_rank('{0.1, 0.2, 0.4, 1.0}', doc,
                 ('''' || replace(replace(u.lexeme, '\', '\\'), '''', '''''') || '''')::tsquery)
    FROM unnest(doc) u,
         (SELECT '~f' || floor((lat::float8 + 90) * 10)::int || 'x' || floor((lon::float8 + 180) * 10)::int AS cell) c
   WHERE lat IS NOT NULL AND lon IS NOT NULL AND left(u.lexeme, 1) <> '~'
$$;

-- The postings of one search entry, as rows of the table.
CREATE FUNCTION search_postings_rows(e search_entries) RETURNS SETOF search_postings
  LANGUAGE sql STABLE AS $$
  SELECT p.token, e.id, p.rank, e.category_id, e.subcategory_id, e.region, e.price_range, e.base_score,
         e.is_featured, e.featured_until, e.geo_x, e.geo_y, e.geo_z
    FROM search_postings_of(e.search_document, e.latitude, e.longitude) p
$$;

CREATE FUNCTION search_postings_remove(e search_entries) RETURNS void
  LANGUAGE sql AS $$
  DELETE FROM search_postings
   WHERE token = ANY(ARRAY(SELECT p.token FROM search_postings_of(e.search_document, e.latitude, e.longitude) p))
     AND business_id = e.id
$$;

CREATE FUNCTION search_postings_sync() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM search_postings_remove(OLD);
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO search_postings SELECT * FROM search_postings_rows(NEW);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER search_postings_insert AFTER INSERT ON search_entries
  FOR EACH ROW EXECUTE FUNCTION search_postings_sync();
CREATE TRIGGER search_postings_delete AFTER DELETE ON search_entries
  FOR EACH ROW EXECUTE FUNCTION search_postings_sync();
-- Only when something a posting carries changed (hours, name, city and verification do not).
CREATE TRIGGER search_postings_update AFTER UPDATE ON search_entries FOR EACH ROW
  WHEN (OLD.search_document IS DISTINCT FROM NEW.search_document
        OR OLD.latitude IS DISTINCT FROM NEW.latitude OR OLD.longitude IS DISTINCT FROM NEW.longitude
        OR OLD.category_id IS DISTINCT FROM NEW.category_id OR OLD.subcategory_id IS DISTINCT FROM NEW.subcategory_id
        OR OLD.region IS DISTINCT FROM NEW.region OR OLD.price_range IS DISTINCT FROM NEW.price_range
        OR OLD.base_score IS DISTINCT FROM NEW.base_score OR OLD.is_featured IS DISTINCT FROM NEW.is_featured
        OR OLD.featured_until IS DISTINCT FROM NEW.featured_until)
  EXECUTE FUNCTION search_postings_sync();

INSERT INTO search_postings SELECT r.* FROM search_entries e, search_postings_rows(e) r;
-- After the rows: one bulk build instead of a million index inserts.
ALTER TABLE search_postings ADD PRIMARY KEY (token, business_id)
  INCLUDE (rank, category_id, subcategory_id, region, price_range, base_score, is_featured, featured_until,
           geo_x, geo_y, geo_z);
ANALYZE search_postings;
