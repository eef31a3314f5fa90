"""Search: word postings per grid cell, read by index-only scans for one-word searches near a place.

A text + near-me search scores every match inside the radius, because the facets and the
total count them all. Through the GIN index of cell-tagged words (0017) each match costs a
visit to its search_entries row (about 830 bytes, every match on its own heap page): 0.8 us
when the page is in shared buffers, more from the OS cache, 2-4 us a match in all at a
million listings. A common word near Windhoek matches 5,000-50,000 listings there.

search_postings holds one row per (cell-tagged word, business): the token is the 0017 token
('~f674x1970~restaur'), and the row carries what the search ranks, filters and counts a
match on (the word's ts_rank in the document, base score, featured, categories, region,
price, unit-sphere point). Its primary key INCLUDEs them all, so a one-word search reads
one contiguous range of the index per cell, index-only, and never the heap: "restaurants"
within 10 km of central Windhoek at 100,000 listings, 4,943 matches, reads 107 index pages
instead of 4,788 heap pages.

rank is ts_rank('{0.1, 0.2, 0.4, 1.0}', document, that one word), so for a document with one
word in the searched range it is exactly what the full query's ts_rank returns (ts_rank of
a one-item query is that item's sum over the matching words). A prefix that matches two
words of one document is detected by the search (afrobiz/search/sql.py) and answered the
GIN way instead.

Kept by triggers on search_entries (itself kept in the same transaction as the business),
deleted by (token, business) through the primary key, so no second index is needed.

Revision ID: 0020
Revises: 0019
"""
from pathlib import Path

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

HERE = Path(__file__).parent


def upgrade() -> None:
    # In a file of its own, so 0021's downgrade can run it again.
    op.execute((HERE / "0020_search_postings.sql").read_text())


def downgrade() -> None:
    op.execute("""
DROP TRIGGER IF EXISTS search_postings_insert ON search_entries;
DROP TRIGGER IF EXISTS search_postings_delete ON search_entries;
DROP TRIGGER IF EXISTS search_postings_update ON search_entries;
DROP FUNCTION IF EXISTS search_postings_sync(), search_postings_rows(search_entries),
  search_postings_remove(search_entries), search_postings_of(tsvector, numeric, numeric);
DROP TABLE IF EXISTS search_postings;
""")
