"""The GIN way: every match scored once; the page and the facets from the same set."""
from __future__ import annotations

import re

from afrobiz.search import scoring
from afrobiz.search.sql.filters import Plan
from afrobiz.search.sql.geo import CHORD, FAST_CHORD, km_sql
from afrobiz.search.sql.page import facets, items
from afrobiz.search.sql.score import BASE, BAYES, EXACT_NAME, FEATURED, RANK

# A quoted lexeme of a tsquery's text form (quotes and backslashes inside are doubled).
_LEXEME = re.compile(r"'((?:[^'\\]|''|\\.)*)'")
_PHRASE = re.compile(r"<(?:\d+|-)>")


def cell_words_query(tsq: str, cells: list[str]) -> str | None:
    """The words of tsq tagged with each fine cell, OR-ed: a tsquery for GEO_WORDS, whose
    tokens are 'cell~lexeme' (migration 0017), so one GIN index answers words-within-cells
    without reading the huge posting lists of a city's cells (and a prefix stays a prefix:
    'cell~salo':*). GEO_WORDS has no positions, so a phrase becomes AND here (a superset; the
    exact tsq check follows). None when that would not be a superset (a phrase under NOT):
    the caller then uses geo.cells_tsquery."""
    outside = _LEXEME.sub("", tsq)
    if "<" in outside and "!" in outside:
        return None
    parts = []
    for cell in cells:
        out, at = [], 0
        for m in _LEXEME.finditer(tsq):
            out += [_PHRASE.sub("&", tsq[at:m.start()]), f"'{cell}~{m.group(1)}'"]
            at = m.end()
        out.append(_PHRASE.sub("&", tsq[at:]))
        parts.append("(" + "".join(out) + ")")
    return " | ".join(parts)



def scored_sql(plan: Plan, *, sort: str, has_text: bool, has_place: bool, after: bool, limit: int) -> str:
    """Score every match once; page and facets come from the same materialised set. The page
    size is spelled in the statement, not bound: under a generic plan PostgreSQL guesses a bound LIMIT at a tenth of the matches, and for a guessed
    hundreds of thousands it joined the page to businesses by hashing the whole table."""
    chord = CHORD if has_place else "NULL::float8"   # of businesses b, for the page's rows only
    if sort == "distance":
        key = f"-{FAST_CHORD}"
    elif sort == "rating":
        key = BAYES
    elif sort == "newest":
        key = "extract(epoch FROM b.created_at)::float8"
    else:
        key = scoring.relevance_sql(base=BASE, featured=FEATURED, rank=RANK if has_text else None,
                                    exact=EXACT_NAME if has_text else None,
                                    km=km_sql(FAST_CHORD) if has_place else None)
    where = " AND ".join(plan.where) or "TRUE"
    keyset = "WHERE (m.k < :ck OR (m.k = :ck AND m.id > CAST(:cid AS uuid)))" if after else ""
    return f"""
WITH m AS MATERIALIZED (
  SELECT b.id, b.category_id, b.region, b.price_range, {key} AS k
    FROM search_entries b WHERE {where}
), page AS (
  SELECT m.id, m.k FROM m {keyset} ORDER BY m.k DESC, m.id LIMIT {int(limit)}
)
SELECT {items(chord)} AS items, {facets('m')} AS facets"""
