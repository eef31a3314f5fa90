"""The relevance score of a search, defined once.

score = base score (rating and review count, search_entries.base_score, migration 0015)
      + FEATURED               while the listing is featured
      + RANK x ts_rank         of the words in the document (RANK_WEIGHTS per field weight)
      + EXACT_NAME             when the words are the business's whole name
      + NEAR / (1 + km / NEAR_KM)   near the centre of a place search (half of it at NEAR_KM)

These numbers are read from here by the search statements (search/sql/) and written into
search/schema.sql by `python -m afrobiz.search.schema` (search_postings' s_key, an upper
bound of the score apart from distance and an exact name, is stored per posting). A changed
weight therefore also needs the postings rebuilt in a migration: schema.sql re-installs the
functions, not the rows they computed.
"""
from __future__ import annotations

FEATURED = 0.3
RANK = 2.0
EXACT_NAME = 1.0
NEAR = 0.5
NEAR_KM = 5
# ts_rank's weights of a word in the document's D, C, B and A parts (services; town, region
# and description; keywords and categories; name: migration 0004's search document).
RANK_WEIGHTS = (0.1, 0.2, 0.4, 1.0)
# Bayesian rating (sort by rating, and the base score): as if every business also had PRIOR_N
# reviews of PRIOR_MEAN stars, so one 5-star review does not beat forty 4.8s.
PRIOR_N, PRIOR_MEAN = 10, 3.5


def rank_weights_sql() -> str:
    return "'{" + ", ".join(repr(w) for w in RANK_WEIGHTS) + "}'"


def if_sql(condition: str, points: float) -> str:
    """`points` when the condition holds, else 0 (float8)."""
    return f"CASE WHEN {condition} THEN {points!r}::float8 ELSE 0::float8 END"


def near_sql(km: str) -> str:
    """What nearness adds at `km` kilometres from the centre."""
    return f"{NEAR!r} / (1 + {km} / {NEAR_KM!r})"


def relevance_sql(*, base: str, featured: str, rank: str | None = None, exact: str | None = None,
                  km: str | None = None) -> str:
    """The score as one float8 expression: rank (a ts_rank expression), exact (a condition)
    and km (a distance expression) only for a search with words, and with a place."""
    parts = [base, if_sql(featured, FEATURED)]
    if rank is not None:
        parts.append(f"{RANK!r} * {rank}")
    if exact is not None:
        parts.append(if_sql(exact, EXACT_NAME))
    if km is not None:
        parts.append(near_sql(km))
    return "(" + " + ".join(parts) + ")::float8"


def bayes_sql(b: str = "b") -> str:
    """The Bayesian rating of rows `b` (review_count, average_rating)."""
    return (f"(({b}.review_count * {b}.average_rating + {PRIOR_N} * {PRIOR_MEAN}) "
            f"/ ({b}.review_count + {PRIOR_N}))::float8")
