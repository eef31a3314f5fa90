"""The score's terms over a search_entries row b (weights: search/scoring.py)."""
from __future__ import annotations

from afrobiz.search import scoring

BAYES = scoring.bayes_sql("b")
# Rating and review count, the part of the relevance score that needs neither words nor
# place: stored as search_entries.base_score (migration 0015).
BASE = "b.base_score"
FEATURED = "(b.is_featured AND (b.featured_until IS NULL OR b.featured_until > :now))"
RANK = f"ts_rank({scoring.rank_weights_sql()}, b.search_document, CAST(:tsq AS tsquery))"
# name_key: migration 0015. The words' key in a sub-select: an InitPlan, computed once per
# statement even under a generic plan, where an expression of parameters is not folded and
# unaccent would run again on every match.
EXACT_NAME = "(b.name_key = (SELECT lower(immutable_unaccent(:qname))))"
