"""One word near a place, from search_postings (migrations 0020, 0021): only the postings
that can reach the page are read."""
from __future__ import annotations

import re

from afrobiz.search import scoring
from afrobiz.search.sql.filters import Plan
from afrobiz.search.sql.geo import CHORD, FAST_CHORD, KM_PER_DEGREE, km_sql
from afrobiz.search.sql.page import facets, items
from afrobiz.search.sql.score import BASE, FEATURED, RANK

_ONE_WORD = re.compile(r"^'((?:[^'\\]|''|\\.)*)'(:\*)?$")
# Above every character a lexeme can hold (U+10FFFF is a noncharacter), so [word, word + TOP)
# in byte order is exactly the tokens that start with word.
TOP = "\U0010ffff"


def one_word(tsq: str) -> tuple[str, bool] | None:
    """The lexeme of a tsquery that is one word (its text form 'salon' or 'salon':*) and
    whether it is a prefix; None for anything else (phrases, and, or, not, weights)."""
    m = _ONE_WORD.match(tsq)
    if not m:
        return None
    lexeme = re.sub(r"''|\\(.)", lambda x: x.group(1) or "'", m.group(1))
    return lexeme, bool(m.group(2))


def posting_ranges(lexeme: str, prefix: bool, cells: list[str]) -> tuple[list[str], list[str]]:
    """Per cell the [lo, hi) range of search_postings tokens ('~f674x1970~salon', 0020) that
    hold the word: the one token, or every token the prefix starts."""
    lo = [f"{cell}~{lexeme}" for cell in cells]
    return lo, [t + (TOP if prefix else "\x01") for t in lo]


def cell_origins(cells: list[str], lon: float) -> tuple[list[float], list[float]]:
    """The south-west corner (degrees) of each fine cell, its longitude on the centre's side
    of the antimeridian (cell names wrap, see covering_cells)."""
    lats, lons = [], []
    for cell in cells:
        row, col = (int(v) for v in cell[2:].split("x"))
        west = col / 10 - 180
        west += 360 * round((lon - west) / 360)
        lats.append(row / 10 - 90)
        lons.append(west)
    return lats, lons


# Slack for telling a 0.01-degree subcell inside, cut by or outside the radius with flat
# (equirectangular) distances: they are off by under 0.2 % of the radius within 25 km.
def subcell_margin_km(radius_km: float) -> float:
    return 0.05 + 0.01 * radius_km


def _in_range(alias: str) -> str:
    return f'{alias}.token >= r.lo COLLATE "C" AND {alias}.token < r.hi COLLATE "C"'


_RANGES = ("unnest(CAST(:lo AS text[]), CAST(:hi AS text[]), CAST(:lat0 AS float8[]), CAST(:lon0 AS float8[]))"
           " r(lo, hi, lat0, lon0)")
# The 0.01-degree subcells that hold the word (search_posting_counts, migration 0021), each
# once, with the nearest and farthest flat distance (km) of its square from the centre.
_SUBCELLS = f"""SELECT s.token, s.sub, g.near, g.far FROM (SELECT DISTINCT token, sub, slat, slon FROM dir) s
  CROSS JOIN LATERAL (SELECT
    sqrt(power(greatest(0, s.slat - :lat, :lat - s.slat - 0.01) * {KM_PER_DEGREE!r}, 2)
         + power(greatest(0, s.slon - :lon, :lon - s.slon - 0.01) * :kx, 2)) AS near,
    sqrt(power(greatest(abs(s.slat - :lat), abs(s.slat + 0.01 - :lat)) * {KM_PER_DEGREE!r}, 2)
         + power(greatest(abs(s.slon - :lon), abs(s.slon + 0.01 - :lon)) * :kx, 2)) AS far) g"""
# EXACT_NAME for postings (they carry no name): the ids of the businesses with that exact
# name, once per statement, through the name index (0004).
EXACT_NAME_IDS = """ARRAY(SELECT e.id FROM search_entries e
       WHERE lower(immutable_unaccent(e.name)) COLLATE "C" = (SELECT lower(immutable_unaccent(:qname))))"""
# A business whose document holds a second word the prefix starts (lcp_next, 0021) is ranked
# on its document, as the GIN way ranks it; every other one by its word's own rank.
_POSTING_RANK = (f"CASE WHEN b.lcp_next >= :plen THEN (SELECT {RANK.replace('b.search_document', 'e.search_document')}"
                 " FROM search_entries e WHERE e.id = b.business_id) ELSE b.rank END")


def ranked_sql(plan: Plan, *, sort: str, after: bool, limit: int) -> str:
    """One word near a place from search_postings (migration 0021), without reading every match.

    :lo/:hi are the word's token range in each covering fine cell, :lat0/:lon0 the cells'
    corners, :plen the prefix's length (32767 for a whole word). plan.where holds the filters
    a posting carries (category, region, price range), for postings and counts alike.
    - dir: the counts of the word's postings per subcell and category/region/price (those
      that are each business's first matching word: lcp_prev < :plen);
    - subcells: which of them the radius covers wholly (counted from dir) or cuts (their
      postings are read, with the exact distance), and the most distance can add to a score;
    - c1: each subcell's best `share` postings by s_key (an upper bound of the score apart
      from distance and an exact name), scored exactly; `bound`, the limit-th best of them,
      less what distance and an exact name can add, is a score every page row reaches.
      Any `limit` real matches give such a bound; the closer they are to the page the
      tighter it is. share = 3 x limit / subcells (at least 1, at most limit): a page's
      rows rarely share a subcell when there are many, and scoring each subcell's best
      `limit` (the obvious choice) scored 470 postings for "restaurant" within 10 km of
      Windhoek at 20,000 listings (34 subcells) where this share scores 67;
    - m: the postings whose s_key reaches the bound (the page is among them), scored.
    Sorted by distance there is no such bound: m is every match (scored by its chord).
    The score is the one scored_sql gives, so the page is the GIN way's page.

    OFFSET 0 keeps each per-subcell read a probe of the postings index (a nested loop over
    the few subcells). Without it PostgreSQL may pull the subquery up into a join, and a
    custom plan (the first runs of a statement, or literal SQL) then estimated the subcells
    high and sorted a sequential scan of all postings to merge-join them: 557 ms instead of
    6 ms at 20,000 listings."""
    where = " AND ".join(plan.where + ["b.lcp_prev < :plen"])
    in_radius = f"{FAST_CHORD} <= :max_chord"
    exact = "(b.business_id = ANY(CAST((SELECT x.ids FROM exact x) AS uuid[])))"
    if sort == "distance":
        key = f"-{FAST_CHORD}"
    else:
        key = scoring.relevance_sql(base=BASE, featured=FEATURED, rank=_POSTING_RANK, exact=exact,
                                    km=km_sql(FAST_CHORD))
    keyset = f"AND ({key} < :ck OR ({key} = :ck AND b.business_id > CAST(:cid AS uuid)))" if after else ""

    def postings(extra: str, tail: str = "", columns: str = f"b.business_id AS id, {key} AS k") -> str:
        """The matching postings of subcell q (in the radius, filtered)."""
        return f"""SELECT {columns} FROM search_postings b
           WHERE b.token = q.token AND b.sub = q.sub AND {where} AND {in_radius} {extra} {tail}"""

    if sort == "distance":
        bound = "'-Infinity'::float8"
        first = ""
    else:
        first = f"""share AS (
  SELECT least({int(limit)}, ceil({3 * int(limit)}::float8 / greatest(1, count(*))))::int AS n FROM subcells
), c1 AS MATERIALIZED (
  SELECT x.k FROM subcells q CROSS JOIN LATERAL
    ({postings(keyset, "ORDER BY b.s_key DESC LIMIT (SELECT n FROM share)")}) x
), bound AS (
  SELECT coalesce((SELECT c1.k FROM c1 ORDER BY c1.k DESC LIMIT 1 OFFSET {int(limit) - 1}), '-Infinity'::float8)
         - CASE WHEN cardinality((SELECT x.ids FROM exact x)) > 0 THEN {scoring.EXACT_NAME!r} ELSE 0 END - 1e-6 AS l
),"""
        bound = "(SELECT l FROM bound) - q.bonus"
    return f"""
WITH exact AS MATERIALIZED (SELECT {EXACT_NAME_IDS} AS ids),
dir AS MATERIALIZED (
  SELECT b.token, b.sub, b.category_id, b.region, b.price_range, b.n,
         r.lat0 + (b.sub / 10) * 0.01::float8 AS slat, r.lon0 + (b.sub % 10) * 0.01::float8 AS slon
    FROM {_RANGES} CROSS JOIN LATERAL (
      SELECT * FROM search_posting_counts b WHERE {_in_range('b')} AND b.n <> 0 AND {where}) b
), subcells AS MATERIALIZED (
  SELECT c.token, c.sub, c.far + :margin <= :radius AS inside,
         {scoring.near_sql('greatest(0, c.near - :margin)')} AS bonus
    FROM ({_SUBCELLS}) c WHERE c.near - :margin <= :radius
), {first} m AS MATERIALIZED (
  SELECT x.id, x.k FROM subcells q CROSS JOIN LATERAL ({postings(f"AND b.s_key >= {bound}", "OFFSET 0")}) x
), page AS (
  SELECT m.id, m.k FROM m {"WHERE (m.k < :ck OR (m.k = :ck AND m.id > CAST(:cid AS uuid)))" if after else ""}
   ORDER BY m.k DESC, m.id LIMIT {int(limit)}
), combos AS (
  SELECT d.category_id, d.region, d.price_range, sum(d.n) AS n
    FROM dir d JOIN subcells q ON q.token = d.token AND q.sub = d.sub AND q.inside GROUP BY 1, 2, 3
  UNION ALL
  SELECT x.category_id, x.region, x.price_range, count(*)
    FROM subcells q CROSS JOIN LATERAL (
      {postings("", "OFFSET 0", "b.category_id, b.region, b.price_range")}) x
   WHERE NOT q.inside GROUP BY 1, 2, 3
)
SELECT {items(CHORD)} AS items, {facets(combos="combos")} AS facets"""
