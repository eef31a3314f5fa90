"""The SQL of a business search, built from fixed fragments and bind parameters only.

Candidates come from search_entries (aliased b, same column names as businesses), a side
table without RLS so the planner can use its GIN and GiST indexes; the page's rows are then
read from businesses by id (page.py). Three plans, each every sort as one float key k,
ordered k DESC, id ASC (distance is -chord), the score as search/scoring.py defines it:
- scored.py (the GIN way): every match is scored once in a materialised CTE, which feeds
  both the page (keyset on (k, id)) and the facets (GROUPING SETS) — one statement, one
  scan. Words narrow through the GIN index on search_document; words near a place through
  one GIN index of words tagged with their 0.1-degree cell (geo.GEO_WORDS, migration 0017),
  or for a wide radius through the document's 1-degree cell lexemes; the exact distance is
  the chord between unit-sphere points, from stored float8 coordinates (geo.FAST_CHORD).
- ranked.py: one word near a place reads search_postings instead (migrations 0020, 0021):
  counted per 0.01-degree subcell from search_posting_counts, and only the postings that
  can reach the page read, best first, index-only; the page is the one the GIN way gives.
- nearest.py: no words but a place: a KNN walk of a GiST index, nearest first, that stops
  after one page (no facets: counting everything within the radius is the scan it avoids);
  with a category, of the (category, point) GiST indexes.
filters.py holds the WHERE conditions all three share.
"""
