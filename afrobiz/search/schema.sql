-- Search's functions, triggers and indexes as they are today: the one place to read them.
--
-- The tables (search_entries, search_words, search_name_words, search_postings,
-- search_posting_counts) and their data are built by the migrations (0004, 0015, 0017, 0020,
-- 0021); everything here is (re)installed after them, idempotently, by `afrobiz db upgrade`
-- whenever this file's text changes (afrobiz/db/migrations/env.py: repeatable files, as
-- Flyway's R__ scripts). So a change here is this diff alone, no migration, unless it needs
-- the rows recomputed: a function that computes stored values (the search document, the
-- postings, an index expression) changes only what is written from now on, so such a change
-- comes with a migration that rewrites the rows (or REINDEXes) after it.
--
-- Numbers marked /*scoring.NAME*/ are written from afrobiz/search/scoring.py by
-- `python -m afrobiz.search.schema` (a test fails while they differ).
--
-- Search data is public data of active listings only: no RLS on these tables; the functions
-- that write them are SECURITY DEFINER and kept in the same transaction as the change.

-- ========================================================================================
-- Building blocks: points and cells, words, weekly hours, postings (pure functions).

-- A point on the unit sphere as a 3-D cube. The straight-line (chord) distance between two
-- of them orders exactly like the great-circle distance, so a GiST index answers "nearest
-- first" (KNN, <->) and a box around the centre bounds a radius. A SQL-standard body binds
-- cube() at creation, so no search_path surprises during autovacuum or restore.
CREATE OR REPLACE FUNCTION search_geo_point(lat double precision, lon double precision) RETURNS public.cube
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN public.cube(ARRAY[cos(radians(lat)) * cos(radians(lon)),
                           cos(radians(lat)) * sin(radians(lon)),
                           sin(radians(lat))]);

-- Coarse grid cells a business lies in, as lexemes no text query can produce ('~' is
-- never part of a parsed word): 0.1 degree (~11 km) and 1 degree. A text + radius query
-- then intersects words and cells in the one GIN index instead of AND-ing a text bitmap
-- with a huge geographic one.
CREATE OR REPLACE FUNCTION search_geo_cells(lat double precision, lon double precision) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE WHEN lat IS NULL OR lon IS NULL THEN ''::tsvector ELSE array_to_tsvector(ARRAY[
    '~f' || floor((lat + 90) * 10)::int || 'x' || floor((lon + 180) * 10)::int,
    '~c' || floor(lat + 90)::int || 'x' || floor(lon + 180)::int]) END;

-- Unaccented, and '/' read as a space: the parser would take "//Karas" for a file path.
CREATE OR REPLACE FUNCTION search_clean(t text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN translate(immutable_unaccent(t), '/\\', '  ');

CREATE OR REPLACE FUNCTION search_words_of(t text) RETURNS SETOF text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT w FROM regexp_split_to_table(lower(immutable_unaccent(coalesce(t, ''))), '[^a-z0-9]+') w
   WHERE length(w) BETWEEN 3 AND 40;
END;

CREATE OR REPLACE FUNCTION search_name_words_of(t text) RETURNS SETOF text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
  SELECT DISTINCT w FROM regexp_split_to_table(lower(immutable_unaccent(coalesce(t, ''))), '[^a-z0-9]+') w
   WHERE length(w) BETWEEN 2 AND 40;
END;

-- Each word of the document tagged with the business's 0.1-degree cell ('~f674x1970~salon'),
-- the same cell as search_geo_cells (0004). An expression index, not a column: the rows stay
-- narrow, and a words-in-cells query never evaluates it on a row (no recheck without
-- weights). Maintained with search_document and the location in the same transaction, like
-- any index. A prefix stays a prefix ('~f674x1970~salo':*), and the GIN index reads only the
-- place's matches instead of a city's whole cell posting lists.
CREATE OR REPLACE FUNCTION search_geo_words(doc tsvector, lat numeric, lon numeric) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN lat IS NULL OR lon IS NULL THEN ''::tsvector ELSE coalesce((
    SELECT array_to_tsvector(array_agg(c.cell || '~' || u.lexeme))
      FROM unnest(doc) u,
           (SELECT '~f' || floor((lat::float8 + 90) * 10)::int || 'x' || floor((lon::float8 + 180) * 10)::int AS cell) c
     WHERE left(u.lexeme, 1) <> '~'), ''::tsvector) END
$$;

-- The weekly opening hours as microseconds since Sunday 00:00 (local time), so "open now"
-- is one containment test per row instead of two probes of business_hours. Same rules as
-- afrobiz/search/sql/filters.py open_now_sql: hours belong to the day they start on; close <= open
-- runs past midnight (Saturday's into Sunday); 24 hours is the whole day. Closures are not
-- in it: a business with a closure today or yesterday is checked the long way.
CREATE OR REPLACE FUNCTION search_open_week(bid uuid) RETURNS int8multirange
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

-- How many leading characters two words share, counted only from 3 (0 below: the search
-- takes postings for prefixes of 3 or more characters, so 1 and 2 mean the same as 0), and 0
-- without a neighbour (a document's first or last word). Called by search_postings_of only
-- for neighbours with the same first three characters: most differ there, and a test in
-- the query itself settles those without a function call.
CREATE OR REPLACE FUNCTION search_common_prefix(a text, b text) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN a IS NULL OR b IS NULL OR length(a) < 3 OR length(b) < 3 OR left(a, 3) <> left(b, 3) THEN 0
         ELSE coalesce((SELECT min(i) - 1 FROM generate_series(4, least(length(a), length(b))) i
                         WHERE substr(a, i, 1) <> substr(b, i, 1)), least(length(a), length(b))) END
$$;

-- The 0.1-degree cell (as 0017 and 0020 name it) and the 0.01-degree subcell in it (row * 10
-- + column), from the same float arithmetic, so a subcell never falls outside its cell.
CREATE OR REPLACE FUNCTION search_cell_of(lat numeric, lon numeric) RETURNS TABLE (cell text, sub smallint)
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT '~f' || floor(y)::int || 'x' || floor(x)::int,
         (least(9, floor((y - floor(y)) * 10)::int) * 10 + least(9, floor((x - floor(x)) * 10)::int))::smallint
    FROM (SELECT (lat::float8 + 90) * 10 AS y, (lon::float8 + 180) * 10 AS x) v
   WHERE lat IS NOT NULL AND lon IS NOT NULL
$$;

-- Every word of a document (cell lexemes '~...' only as neighbours), with its ts_rank alone
-- in the document, the leading characters it shares with its neighbours (lcp_prev, lcp_next:
-- a prefix query 'barber:*' matches a run of neighbours, barber and barbershop; the run's
-- first word is the one whose lcp_prev is shorter than the prefix), and the rank of its
-- block of neighbours sharing 3 or more: an upper bound of the rank of any prefix of 3 or
-- more characters that starts at this word.
CREATE OR REPLACE FUNCTION search_postings_of(doc tsvector)
  RETURNS TABLE (lexeme text, rank real, lcp_prev integer, lcp_next integer, block_rank float8)
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT w.lexeme, w.rank, w.lcp_prev, w.lcp_next, sum(w.rank::float8) OVER (PARTITION BY w.block)
    FROM (SELECT v.*, count(*) FILTER (WHERE v.lcp_prev < 3) OVER (ORDER BY v.i) AS block
            FROM (SELECT u.lexeme, u.i,
                         ts_rank('{0.1, 0.2, 0.4, 1.0}' /*scoring.RANK_WEIGHTS*/, doc,
                                 ('''' || replace(replace(u.lexeme, '\', '\\'), '''', '''''') || '''')::tsquery) AS rank,
                         CASE WHEN left(u.lexeme, 3) = left(u.prev, 3)
                              THEN search_common_prefix(u.lexeme, u.prev) ELSE 0 END AS lcp_prev,
                         CASE WHEN left(u.lexeme, 3) = left(u.next, 3)
                              THEN search_common_prefix(u.lexeme, u.next) ELSE 0 END AS lcp_next
                    FROM (SELECT t.*, lag(t.lexeme) OVER (ORDER BY t.i) AS prev, lead(t.lexeme) OVER (ORDER BY t.i) AS next
                            FROM unnest(doc) WITH ORDINALITY t(lexeme, positions, weights, i)) u) v) w
   WHERE left(w.lexeme, 1) <> '~'
$$;

-- The postings of one search entry, as rows of the table. s_key bounds the score
-- (search/scoring.py) from above apart from distance and an exact name: base score, featuring
-- even if expired, the rank weight times the word's block rank.
CREATE OR REPLACE FUNCTION search_postings_rows(e search_entries) RETURNS SETOF search_postings
  LANGUAGE sql STABLE AS $$
  SELECT c.cell || '~' || p.lexeme, c.sub,
         coalesce(e.base_score, 0) + CASE WHEN e.is_featured THEN 0.3 /*scoring.FEATURED*/ ELSE 0 END
           + 2.0 /*scoring.RANK*/ * p.block_rank,
         e.id, p.rank, p.lcp_prev, p.lcp_next, e.category_id, e.subcategory_id, e.region, e.price_range,
         e.base_score, e.is_featured, e.featured_until, e.geo_x, e.geo_y, e.geo_z
    FROM search_cell_of(e.latitude, e.longitude) c, search_postings_of(e.search_document) p
$$;

-- ========================================================================================
-- businesses -> their search document and the word list.

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
CREATE OR REPLACE TRIGGER businesses_search_document_trigger
  BEFORE INSERT OR UPDATE OF name, keywords, description, category_id, subcategory_id, city, region,
    latitude, longitude, search_document
  ON businesses FOR EACH ROW EXECUTE FUNCTION businesses_search_document();

-- Statement-level on INSERT so a bulk load (COPY) adds its words in one go.
CREATE OR REPLACE FUNCTION search_words_from_new_businesses() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO search_words (word)
    SELECT DISTINCT search_words_of(n.name || ' ' || coalesce(array_to_string(n.keywords, ' '), '')
                                    || ' ' || coalesce(n.city, '') || ' ' || coalesce(n.region, ''))
      FROM new_rows n WHERE n.status = 'active'
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER businesses_search_words_insert AFTER INSERT ON businesses
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION search_words_from_new_businesses();

CREATE OR REPLACE FUNCTION search_words_from_business() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO search_words (word)
    SELECT DISTINCT search_words_of(NEW.name || ' ' || coalesce(array_to_string(NEW.keywords, ' '), '')
                                    || ' ' || coalesce(NEW.city, '') || ' ' || coalesce(NEW.region, ''))
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER businesses_search_words_update AFTER UPDATE ON businesses FOR EACH ROW
  WHEN (NEW.status = 'active' AND (OLD.status IS DISTINCT FROM NEW.status OR OLD.name IS DISTINCT FROM NEW.name
        OR OLD.keywords IS DISTINCT FROM NEW.keywords OR OLD.city IS DISTINCT FROM NEW.city
        OR OLD.region IS DISTINCT FROM NEW.region))
  EXECUTE FUNCTION search_words_from_business();

CREATE OR REPLACE FUNCTION search_words_from_category() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO search_words (word) SELECT DISTINCT search_words_of(NEW.name) ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER categories_search_words AFTER INSERT OR UPDATE OF name ON categories
  FOR EACH ROW EXECUTE FUNCTION search_words_from_category();

-- A service added, renamed, switched off or removed rebuilds its business's document (and
-- adds its words). Statement-level, so a bulk load rebuilds each business once. Acts as
-- 'system' for its own writes: the caller may change a service (checked by the booking
-- service) without being allowed to update the business row under RLS.
CREATE OR REPLACE FUNCTION search_services_changed() RETURNS trigger
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

CREATE OR REPLACE TRIGGER services_search_insert AFTER INSERT ON services
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_services_changed();

CREATE OR REPLACE TRIGGER services_search_update AFTER UPDATE ON services
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION search_services_changed();

CREATE OR REPLACE TRIGGER services_search_delete AFTER DELETE ON services
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_services_changed();

-- A renamed category renames what its businesses are found by.
CREATE OR REPLACE FUNCTION search_category_renamed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  caller_role text := current_setting('app.role', true);
BEGIN
  PERFORM set_config('app.role', 'system', true);
  UPDATE businesses SET search_document = '' WHERE category_id = NEW.id OR subcategory_id = NEW.id;
  PERFORM set_config('app.role', coalesce(caller_role, ''), true);
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER categories_search_renamed AFTER UPDATE OF name ON categories FOR EACH ROW
  WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION search_category_renamed();

-- ========================================================================================
-- businesses -> search_entries (active listings only).

CREATE OR REPLACE FUNCTION search_entries_from_new_businesses() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO search_entries
    SELECT n.id, n.name, n.search_document, n.latitude, n.longitude, n.category_id, n.subcategory_id, n.city,
           n.region, n.price_range, n.average_rating, n.review_count, n.is_verified, n.is_featured,
           n.featured_until, n.created_at
      FROM new_rows n WHERE n.status = 'active';
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER businesses_search_entries_insert AFTER INSERT ON businesses
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION search_entries_from_new_businesses();

CREATE OR REPLACE FUNCTION search_entries_from_business() RETURNS trigger
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
CREATE OR REPLACE TRIGGER businesses_search_entries_update AFTER UPDATE ON businesses FOR EACH ROW
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

-- ========================================================================================
-- search_entries -> name words, weekly hours, postings and their counts.

-- Statement-level on insert, so a bulk load adds its words in one go.
CREATE OR REPLACE FUNCTION search_name_words_inserted() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO search_name_words (word, business_id)
    SELECT w, n.id FROM new_rows n, search_name_words_of(n.name) w ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER search_entries_name_words_insert AFTER INSERT ON search_entries
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_name_words_inserted();

-- search_entries_from_business upserts (INSERT ... ON CONFLICT DO UPDATE): a rename arrives
-- as an UPDATE of the entry, a new or re-activated listing as an INSERT.
CREATE OR REPLACE FUNCTION search_name_words_renamed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  DELETE FROM search_name_words WHERE business_id = NEW.id;
  INSERT INTO search_name_words (word, business_id)
    SELECT w, NEW.id FROM search_name_words_of(NEW.name) w ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER search_entries_name_words_update AFTER UPDATE OF name ON search_entries FOR EACH ROW
  WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION search_name_words_renamed();

CREATE OR REPLACE FUNCTION search_entries_open_week() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  NEW.open_week := search_open_week(NEW.id);
  RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER search_entries_open_week BEFORE INSERT ON search_entries
  FOR EACH ROW EXECUTE FUNCTION search_entries_open_week();

-- Hours added, changed or removed: recompute those businesses' weeks (statement-level, so a
-- bulk load recomputes each business once).
CREATE OR REPLACE FUNCTION search_hours_changed() RETURNS trigger
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

CREATE OR REPLACE TRIGGER business_hours_search_insert AFTER INSERT ON business_hours
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_hours_changed();

CREATE OR REPLACE TRIGGER business_hours_search_update AFTER UPDATE ON business_hours
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT
  EXECUTE FUNCTION search_hours_changed();

CREATE OR REPLACE TRIGGER business_hours_search_delete AFTER DELETE ON business_hours
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_hours_changed();

CREATE OR REPLACE FUNCTION search_postings_sync() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM search_postings WHERE business_id = OLD.id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO search_postings SELECT * FROM search_postings_rows(NEW);
  END IF;
  -- The counts change by the difference, in key order (two transactions lock shared count
  -- rows in the same order, so they wait for each other rather than deadlock).
  INSERT INTO search_posting_counts AS c (token, sub, lcp_prev, category_id, subcategory_id, region, price_range, n)
  SELECT d.token, d.sub, d.lcp_prev, d.category_id, d.subcategory_id, d.region, d.price_range, sum(d.n)::int
    FROM (SELECT o.*, -1 AS n FROM search_postings_rows(OLD) o WHERE TG_OP <> 'INSERT'
          UNION ALL
          SELECT w.*, 1 FROM search_postings_rows(NEW) w WHERE TG_OP <> 'DELETE') d
   GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(d.n) <> 0
   ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (token, sub, lcp_prev, category_id, subcategory_id, region, price_range)
  DO UPDATE SET n = c.n + excluded.n;
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER search_postings_insert AFTER INSERT ON search_entries
  FOR EACH ROW EXECUTE FUNCTION search_postings_sync();

CREATE OR REPLACE TRIGGER search_postings_delete AFTER DELETE ON search_entries
  FOR EACH ROW EXECUTE FUNCTION search_postings_sync();

-- Only when something a posting carries changed (hours, name, city and verification do not).
CREATE OR REPLACE TRIGGER search_postings_update AFTER UPDATE ON search_entries FOR EACH ROW
  WHEN (OLD.search_document IS DISTINCT FROM NEW.search_document
        OR OLD.latitude IS DISTINCT FROM NEW.latitude OR OLD.longitude IS DISTINCT FROM NEW.longitude
        OR OLD.category_id IS DISTINCT FROM NEW.category_id OR OLD.subcategory_id IS DISTINCT FROM NEW.subcategory_id
        OR OLD.region IS DISTINCT FROM NEW.region OR OLD.price_range IS DISTINCT FROM NEW.price_range
        OR OLD.base_score IS DISTINCT FROM NEW.base_score OR OLD.is_featured IS DISTINCT FROM NEW.is_featured
        OR OLD.featured_until IS DISTINCT FROM NEW.featured_until)
  EXECUTE FUNCTION search_postings_sync();

-- ========================================================================================
-- Indexes.

CREATE INDEX IF NOT EXISTS idx_search_entries_document ON search_entries USING GIN (search_document);

CREATE INDEX IF NOT EXISTS idx_search_entries_geo_words ON search_entries
  USING GIN (search_geo_words(search_document, latitude, longitude));

CREATE INDEX IF NOT EXISTS idx_search_entries_geo ON search_entries USING GIST (search_geo_point(latitude::float8, longitude::float8));

CREATE INDEX IF NOT EXISTS idx_search_entries_category ON search_entries (category_id);

CREATE INDEX IF NOT EXISTS idx_search_entries_subcategory ON search_entries (subcategory_id);

CREATE INDEX IF NOT EXISTS idx_search_entries_region ON search_entries (region);

CREATE INDEX IF NOT EXISTS idx_search_entries_city ON search_entries (lower(immutable_unaccent(city)));

-- Autocomplete: a name-prefix range scan (byte order, so ranges work for any prefix).
CREATE INDEX IF NOT EXISTS idx_search_entries_name_prefix ON search_entries ((lower(immutable_unaccent(name)) COLLATE "C"));

-- Category + region (the common filter pair): one probe instead of AND-ing a category
-- bitmap with a bitmap of every listing in the region.
CREATE INDEX IF NOT EXISTS idx_search_entries_category_region ON search_entries (category_id, region);

CREATE INDEX IF NOT EXISTS idx_search_entries_subcategory_region ON search_entries (subcategory_id, region);

CREATE INDEX IF NOT EXISTS idx_search_entries_category_geo ON search_entries
  USING GIST (category_id, search_geo_point(latitude::float8, longitude::float8));

CREATE INDEX IF NOT EXISTS idx_search_entries_subcategory_geo ON search_entries
  USING GIST (subcategory_id, search_geo_point(latitude::float8, longitude::float8));

CREATE INDEX IF NOT EXISTS idx_search_words_trgm ON search_words USING GIN (word gin_trgm_ops);

CREATE INDEX IF NOT EXISTS idx_search_name_words_business ON search_name_words (business_id);

CREATE INDEX IF NOT EXISTS idx_search_postings_business ON search_postings (business_id);

CREATE UNIQUE INDEX IF NOT EXISTS idx_search_posting_counts_key ON search_posting_counts
  (token, sub, lcp_prev, category_id, subcategory_id, region, price_range) INCLUDE (n) NULLS NOT DISTINCT;

CREATE INDEX IF NOT EXISTS idx_business_hours_search ON business_hours (business_id, day_of_week);

-- Every search reads a GIN index's whole pending list (fastupdate): capped at 256 kB
-- instead of PostgreSQL's 4 MB, which left a text + near-me search at 100,000 listings 6.5 ms
-- instead of 4.2 ms after an afternoon of edits (migration 0019). The same for the name
-- trigram indexes behind suggest and the corrections.
ALTER INDEX idx_search_entries_document SET (gin_pending_list_limit = 256);
ALTER INDEX idx_search_entries_geo_words SET (gin_pending_list_limit = 256);
ALTER INDEX idx_search_words_trgm SET (gin_pending_list_limit = 256);
ALTER INDEX idx_businesses_search SET (gin_pending_list_limit = 256);
ALTER INDEX idx_businesses_name_trgm SET (gin_pending_list_limit = 256);
