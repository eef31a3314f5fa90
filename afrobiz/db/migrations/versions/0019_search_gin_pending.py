"""Search's GIN indexes keep a small pending list, so no search pays for a long one.

With fastupdate (PostgreSQL's default) a GIN index takes new entries into an unsorted
pending list and merges them into the index in bulk, at the next (auto)vacuum or when the
list passes gin_pending_list_limit, 4 MB by default. Every search through the index reads
the whole list. A listing's rating or hours changing rewrites its search_entries row, which
enters every GIN index on the table again; 3,000 such changes (an afternoon of reviews and
edits) left 3 MB pending, and a text + near-me search at 100,000 listings took 6.5 ms
instead of 4.2 ms until the list was merged.

256 kB keeps the batching (a bulk load still merges in large steps) and bounds what a
search reads in the list to a few hundred entries. The same for the name trigram indexes
behind suggest and the corrections.

Revision ID: 0019
Revises: 0018
"""
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

PENDING_KB = 256
INDEXES = ("idx_search_entries_document", "idx_search_entries_geo_words", "idx_search_words_trgm",
           "idx_businesses_search", "idx_businesses_name_trgm")


def upgrade() -> None:
    for index in INDEXES:
        op.execute(f"ALTER INDEX {index} SET (gin_pending_list_limit = {PENDING_KB})")


def downgrade() -> None:
    for index in INDEXES:
        op.execute(f"ALTER INDEX {index} RESET (gin_pending_list_limit)")
