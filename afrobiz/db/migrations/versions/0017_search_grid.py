"""Search: words tagged with their grid cell in one GIN index, and the unit-sphere point as
three stored float8 columns.

A text + near-me search scores every match inside the grid cells (migration 0004) and checks
the exact radius on each. Computing the point from the NUMERIC latitude/longitude per row
(two conversions, four trigonometric calls and a cube allocation) cost more than fetching
the row. The same three coordinates, stored once per change, turn the chord into plain float
arithmetic (afrobiz/search/sql.py FAST_CHORD) with bit-identical results: the same
expressions as search_geo_point, summed in the order cube's <-> sums them.

Generated columns, so the existing upsert trigger (search_entries_from_business, 0004) keeps
them current in the same transaction as a move; adding them rewrites (compacts) the table.

Revision ID: 0017
Revises: 0016
"""
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(r"""
ALTER TABLE search_entries
  ADD COLUMN geo_x float8 GENERATED ALWAYS AS
    (cos(radians(latitude::float8)) * cos(radians(longitude::float8))) STORED,
  ADD COLUMN geo_y float8 GENERATED ALWAYS AS
    (cos(radians(latitude::float8)) * sin(radians(longitude::float8))) STORED,
  ADD COLUMN geo_z float8 GENERATED ALWAYS AS (sin(radians(latitude::float8))) STORED;
-- Each word of the document tagged with the business's 0.1-degree cell ('~f674x1970~salon'),
-- the same cell as search_geo_cells (0004). An expression index, not a column: the rows stay
-- narrow, and a words-in-cells query never evaluates it on a row (no recheck without
-- weights). Maintained with search_document and the location in the same transaction, like
-- any index. A prefix stays a prefix ('~f674x1970~salo':*), and the GIN index reads only the
-- place's matches instead of a city's whole cell posting lists.
CREATE FUNCTION search_geo_words(doc tsvector, lat numeric, lon numeric) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN lat IS NULL OR lon IS NULL THEN ''::tsvector ELSE coalesce((
    SELECT array_to_tsvector(array_agg(c.cell || '~' || u.lexeme))
      FROM unnest(doc) u,
           (SELECT '~f' || floor((lat::float8 + 90) * 10)::int || 'x' || floor((lon::float8 + 180) * 10)::int AS cell) c
     WHERE left(u.lexeme, 1) <> '~'), ''::tsvector) END
$$;
CREATE INDEX idx_search_entries_geo_words ON search_entries
  USING GIN (search_geo_words(search_document, latitude, longitude));

ANALYZE search_entries;
""")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS idx_search_entries_geo_words")
    op.execute("DROP FUNCTION IF EXISTS search_geo_words(tsvector, numeric, numeric)")
    op.execute("ALTER TABLE search_entries DROP COLUMN IF EXISTS geo_x, DROP COLUMN IF EXISTS geo_y, "
               "DROP COLUMN IF EXISTS geo_z")
