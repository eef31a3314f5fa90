"""Search: postings in 0.01-degree subcells, best first, with their counts kept beside them.

0020 made a one-word search near a place read each match once from an index, but it still
read, scored and counted every match: "restaurants" near Windhoek at a million listings is
50,000 matches and 52 ms. The page needs only the best 20, and the total and facets only
counts. This migration gives both without visiting every match:

- search_postings is keyed (token, sub, s_key, business_id): token as in 0020 (the word
  tagged with its 0.1-degree cell), sub the 0.01-degree subcell inside that cell (row * 10 +
  column, 0-99), and s_key an upper bound of what the match scores apart from distance and
  an exact name: base score + 0.3 if featured (whether or not it has expired) + 2 x the
  rank of the word's block (below). Within one (token, sub) the index is in s_key order, so
  the search reads the best few of each subcell, and then only the postings whose s_key
  can still reach the page (afrobiz/search/sql.py, RANKED).
- search_posting_counts holds how many postings each (token, sub, lcp_prev, category,
  subcategory, region, price range) has. A subcell wholly inside the radius is counted from
  there; only the subcells the circle cuts read postings (with the exact distance).
- lcp_prev and lcp_next: how many leading characters the word shares with the previous and
  the next word of its document (lexemes in the tsvector's own byte order). A prefix query
  'barber:*' matches a run of neighbouring words (barber, barbershop); the run's first word
  is the one whose lcp_prev is shorter than the prefix, so counting and reading only
  postings with lcp_prev < length(prefix) sees each business once. When lcp_next reaches
  the prefix's length the business has a second matching word, and the search ranks it on
  its document (ts_rank of a prefix is the sum over the matched words).
- block rank: the sum of the ranks of the word's block of neighbours sharing at least 3
  leading characters, an upper bound of the rank of any prefix of 3 or more characters
  that starts at this word; the search takes postings only for prefixes that long.

Kept by triggers on search_entries in the same transaction as before: the business's
postings deleted through the business_id index and inserted again, and the counts changed
by the difference (nothing when only the score changed: a new review moves a business's
s_key, not its counts).

Revision ID: 0021
Revises: 0020
"""
from pathlib import Path

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(r"""
DROP TRIGGER search_postings_insert ON search_entries;
DROP TRIGGER search_postings_delete ON search_entries;
DROP TRIGGER search_postings_update ON search_entries;
DROP FUNCTION search_postings_sync(), search_postings_rows(search_entries),
  search_postings_remove(search_entries), search_postings_of(tsvector, numeric, numeric);
DROP TABLE search_postings;

CREATE TABLE search_postings (
  token TEXT COLLATE "C" NOT NULL,
  sub SMALLINT NOT NULL,
  s_key FLOAT8 NOT NULL,
  business_id UUID NOT NULL,
  rank REAL NOT NULL,
  lcp_prev SMALLINT NOT NULL,
  lcp_next SMALLINT NOT NULL,
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
  'One row per cell-tagged word of each located search_entries row (migrations 0020, 0021); no RLS: public data of active listings only, as search_entries.';

CREATE TABLE search_posting_counts (
  token TEXT COLLATE "C" NOT NULL,
  sub SMALLINT NOT NULL,
  lcp_prev SMALLINT NOT NULL,
  category_id UUID,
  subcategory_id UUID,
  region VARCHAR(100),
  price_range price_range_enum,
  n INTEGER NOT NULL
) WITH (autovacuum_vacuum_scale_factor = 0.02);
COMMENT ON TABLE search_posting_counts IS
  'How many search_postings rows each (token, subcell, lcp_prev, category, subcategory, region, price range) has (migration 0021).';

-- How many leading characters two words share, counted only from 3 (0 below: the search
-- takes postings for prefixes of 3 or more characters, so 1 and 2 mean the same as 0), and 0
-- without a neighbour (a document's first or last word). Called by search_postings_of only
-- for neighbours with the same first three characters: most differ there, and a test in
-- the query itself settles those without a function call.
CREATE FUNCTION search_common_prefix(a text, b text) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN a IS NULL OR b IS NULL OR length(a) < 3 OR length(b) < 3 OR left(a, 3) <> left(b, 3) THEN 0
         ELSE coalesce((SELECT min(i) - 1 FROM generate_series(4, least(length(a), length(b))) i
                         WHERE substr(a, i, 1) <> substr(b, i, 1)), least(length(a), length(b))) END
$$;

-- The 0.1-degree cell (as 0017 and 0020 name it) and the 0.01-degree subcell in it (row * 10
-- + column), from the same float arithmetic, so a subcell never falls outside its cell.
CREATE FUNCTION search_cell_of(lat numeric, lon numeric) RETURNS TABLE (cell text, sub smallint)
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT '~f' || floor(y)::int || 'x' || floor(x)::int,
         (least(9, floor((y - floor(y)) * 10)::int) * 10 + least(9, floor((x - floor(x)) * 10)::int))::smallint
    FROM (SELECT (lat::float8 + 90) * 10 AS y, (lon::float8 + 180) * 10 AS x) v
   WHERE lat IS NOT NULL AND lon IS NOT NULL
$$;

-- Every word of a document (cell lexemes '~...' only as neighbours), with its ts_rank alone
-- in the document, the leading characters it shares with its neighbours, and the rank of
-- its block of neighbours sharing 3 or more (see above).
CREATE FUNCTION search_postings_of(doc tsvector)
  RETURNS TABLE (lexeme text, rank real, lcp_prev integer, lcp_next integer, block_rank float8)
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT w.lexeme, w.rank, w.lcp_prev, w.lcp_next, sum(w.rank::float8) OVER (PARTITION BY w.block)
    FROM (SELECT v.*, count(*) FILTER (WHERE v.lcp_prev < 3) OVER (ORDER BY v.i) AS block
            FROM (SELECT u.lexeme, u.i,
                         ts_rank('{0.1, 0.2, 0.4, 1.0}', doc,
                                 ('''' || replace(replace(u.lexeme, '\', '\\'), '''', '''''') || '''')::tsquery) AS rank,
                         CASE WHEN left(u.lexeme, 3) = left(u.prev, 3)
                              THEN search_common_prefix(u.lexeme, u.prev) ELSE 0 END AS lcp_prev,
                         CASE WHEN left(u.lexeme, 3) = left(u.next, 3)
                              THEN search_common_prefix(u.lexeme, u.next) ELSE 0 END AS lcp_next
                    FROM (SELECT t.*, lag(t.lexeme) OVER (ORDER BY t.i) AS prev, lead(t.lexeme) OVER (ORDER BY t.i) AS next
                            FROM unnest(doc) WITH ORDINALITY t(lexeme, positions, weights, i)) u) v) w
   WHERE left(w.lexeme, 1) <> '~'
$$;

-- The postings of one search entry, as rows of the table.
CREATE FUNCTION search_postings_rows(e search_entries) RETURNS SETOF search_postings
  LANGUAGE sql STABLE AS $$
  SELECT c.cell || '~' || p.lexeme, c.sub,
         coalesce(e.base_score, 0) + CASE WHEN e.is_featured THEN 0.3 ELSE 0 END + 2 * p.block_rank,
         e.id, p.rank, p.lcp_prev, p.lcp_next, e.category_id, e.subcategory_id, e.region, e.price_range,
         e.base_score, e.is_featured, e.featured_until, e.geo_x, e.geo_y, e.geo_z
    FROM search_cell_of(e.latitude, e.longitude) c, search_postings_of(e.search_document) p
$$;

CREATE FUNCTION search_postings_sync() RETURNS trigger
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

-- Memory for this transaction's one-off bulk work (27 million postings at a million
-- listings): the counts' grouping and the index builds then run without spilling to disk.
SET LOCAL work_mem = '256MB';
SET LOCAL maintenance_work_mem = '512MB';
INSERT INTO search_postings SELECT r.* FROM search_entries e, search_postings_rows(e) r;
INSERT INTO search_posting_counts
SELECT token, sub, lcp_prev, category_id, subcategory_id, region, price_range, count(*)
  FROM search_postings GROUP BY 1, 2, 3, 4, 5, 6, 7;
-- After the rows: bulk builds instead of millions of index inserts.
ALTER TABLE search_postings ADD PRIMARY KEY (token, sub, s_key, business_id)
  INCLUDE (rank, lcp_prev, lcp_next, category_id, subcategory_id, region, price_range, base_score,
           is_featured, featured_until, geo_x, geo_y, geo_z);
CREATE INDEX idx_search_postings_business ON search_postings (business_id);
CREATE UNIQUE INDEX idx_search_posting_counts_key ON search_posting_counts
  (token, sub, lcp_prev, category_id, subcategory_id, region, price_range) INCLUDE (n) NULLS NOT DISTINCT;
ANALYZE search_postings, search_posting_counts;
""")


def downgrade() -> None:
    op.execute("""
DROP TRIGGER IF EXISTS search_postings_insert ON search_entries;
DROP TRIGGER IF EXISTS search_postings_delete ON search_entries;
DROP TRIGGER IF EXISTS search_postings_update ON search_entries;
DROP FUNCTION IF EXISTS search_postings_sync(), search_postings_rows(search_entries),
  search_postings_of(tsvector), search_cell_of(numeric, numeric), search_common_prefix(text, text);
DROP TABLE IF EXISTS search_postings, search_posting_counts;
""")
    # 0020 as it was: its upgrade's SQL creates the table, its functions and triggers again.
    op.execute((Path(__file__).parent / "0020_search_postings.sql").read_text())
