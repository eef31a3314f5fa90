"""The SQL of a business search, built from fixed fragments and bind parameters only.

Candidates come from search_entries (aliased b, same column names as businesses), a side
table without RLS so the planner can use its GIN and GiST indexes; the page's rows are then
read from businesses by id. Two plans:
- "scored": every match is scored once in a materialised CTE, which feeds both the page
  (keyset on (k, id)) and the facets (GROUPING SETS) — one statement, one scan. Words
  narrow through the GIN index on search_document; words near a place through one GIN
  index of words tagged with their 0.1-degree cell (GEO_WORDS, migration 0017), or for a
  wide radius through the document's 1-degree cell lexemes; the exact distance is the chord
  between unit-sphere points, from stored float8 coordinates (FAST_CHORD).
  One word near a place reads search_postings instead (migrations 0020, 0021, ranked_sql):
  counted per 0.01-degree subcell from search_posting_counts, and only the postings that
  can reach the page read, best first, index-only; the page is the one the scored plan gives.
- "nearest": no words but a place: a KNN walk of a GiST index, nearest first, that stops
  after one page (no facets: counting everything within the radius is the scan it avoids);
  with a category, of the (category, point) GiST indexes.
Every sort is expressed as one float key k, ordered k DESC, id ASC (distance is -chord).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

EARTH_KM = 6371.0088
# Bayesian rating: as if every business also had PRIOR_N reviews of PRIOR_MEAN stars, so one
# 5-star review does not beat forty 4.8s.
PRIOR_N, PRIOR_MEAN = 10, 3.5

POINT = "search_geo_point(b.latitude::float8, b.longitude::float8)"
CENTER = "search_geo_point(CAST(:lat AS float8), CAST(:lon AS float8))"
CHORD = f"({POINT} <-> {CENTER})"


def center_binds(lat: float, lon: float) -> dict[str, float]:
    """The centre as a unit-sphere point (:cx, :cy, :cz) for FAST_CHORD, computed here once.

    Why not in SQL: the lane's statements are prepared (psycopg, after five runs), and under
    PostgreSQL's generic plan an expression of parameters is no longer folded to a constant,
    so cos(radians($4)) and its kin ran again on every matching row (with the name key's
    unaccent, see EXACT_NAME: 1.5 us a row, half of a text + near-me search's scan at 100k,
    6.1 ms before, 3.1 ms after). The same expressions as search_geo_point in the same float
    arithmetic (libm's cos and sin; pi/180 as radians() uses it), so the chord stays
    bit-identical to the cube's (tests/search/test_search_grid.py)."""
    rlat, rlon = math.radians(lat), math.radians(lon)
    return {"cx": math.cos(rlat) * math.cos(rlon), "cy": math.cos(rlat) * math.sin(rlon), "cz": math.sin(rlat)}


def _fast_chord() -> str:
    """CHORD for search_entries b from its stored unit-sphere coordinates (migration 0017):
    plain float arithmetic instead of NUMERIC conversions, trigonometry and a cube per row,
    summed in the order cube's <-> sums them, so the value is bit-identical."""
    axes = (("geo_x", ":cx"), ("geo_y", ":cy"), ("geo_z", ":cz"))
    return "sqrt(" + " + ".join(f"(b.{col} - CAST({c} AS float8)) * (b.{col} - CAST({c} AS float8))"
                                for col, c in axes) + ")"


FAST_CHORD = _fast_chord()
BAYES = (f"((b.review_count * b.average_rating + {PRIOR_N} * {PRIOR_MEAN}) "
         f"/ (b.review_count + {PRIOR_N}))::float8")
# Rating and review count, the part of the relevance score that needs neither words nor
# place: stored as search_entries.base_score (migration 0015 spells out the same expression).
BASE = "b.base_score"
FEATURED = "(b.is_featured AND (b.featured_until IS NULL OR b.featured_until > :now))"
RANK = "ts_rank('{0.1, 0.2, 0.4, 1.0}', b.search_document, CAST(:tsq AS tsquery))"
# name_key: migration 0015. The words' key in a sub-select: an InitPlan, computed once per
# statement even under a generic plan, where an expression of parameters is not folded and
# unaccent would run again on every match.
EXACT_NAME = "(b.name_key = (SELECT lower(immutable_unaccent(:qname))))"


def chord_for_km(km: float) -> float:
    return 2 * math.sin(km / (2 * EARTH_KM))


def km_sql(chord: str) -> str:
    return f"(2 * {EARTH_KM} * asin(least(1.0, {chord} / 2)))"


MAX_FINE_CELLS = 36
GEO_WORDS = "search_geo_words(b.search_document, b.latitude, b.longitude)"   # migration 0017


def covering_cells(lat: float, lon: float, radius_km: float) -> list[str]:
    """The grid cells (see migration 0004) that cover the radius's box: the 0.1-degree ones
    ('~f...') if at most MAX_FINE_CELLS do, else the 1-degree ones ('~c...').

    The box must contain the whole spherical cap, or a business just inside the radius but
    in a cell beyond the box is never a candidate: the angular radius in latitude, and in
    longitude the cap's widest point, asin(sin r / cos lat) (wider than r / cos lat), plus
    1e-7 degrees for rounding in the cells' floor()."""
    ang = radius_km / EARTH_KM
    dlat = math.degrees(ang) + 1e-7
    lat0, lat1 = max(-90.0, lat - dlat), min(89.999, lat + dlat)
    s = math.sin(ang) / max(1e-9, math.cos(math.radians(lat)))
    dlon = 180.0 if s >= 1 or lat1 >= 89.999 or lat0 <= -90 else math.degrees(math.asin(s)) + 1e-7
    lon0, lon1 = lon - dlon, lon + dlon
    for prefix, per_degree in (("f", 10), ("c", 1)):
        rows = range(math.floor((lat0 + 90) * per_degree), math.floor((lat1 + 90) * per_degree) + 1)
        cols = range(math.floor((lon0 + 180) * per_degree), math.floor((lon1 + 180) * per_degree) + 1)
        if len(rows) * len(cols) <= MAX_FINE_CELLS or prefix == "c":
            return [f"~{prefix}{r}x{c % (360 * per_degree)}" for r in rows for c in cols]
    raise AssertionError("unreachable")


def grid_cells(lat: float, lon: float, radius_km: float) -> str:
    """The cells covering the radius as a tsquery, for search_document @@ (words && cells)."""
    return " | ".join(f"'{cell}'" for cell in covering_cells(lat, lon, radius_km))


# A quoted lexeme of a tsquery's text form (quotes and backslashes inside are doubled).
_LEXEME = re.compile(r"'((?:[^'\\]|''|\\.)*)'")
_PHRASE = re.compile(r"<(?:\d+|-)>")


def cell_words_query(tsq: str, cells: list[str]) -> str | None:
    """The words of tsq tagged with each fine cell, OR-ed: a tsquery for GEO_WORDS, whose
    tokens are 'cell~lexeme' (migration 0017), so one GIN index answers words-within-cells
    without reading the huge posting lists of a city's cells (and a prefix stays a prefix:
    'cell~salo':*). GEO_WORDS has no positions, so a phrase becomes AND here (a superset; the
    exact tsq check follows). None when that would not be a superset (a phrase under NOT):
    the caller then uses grid_cells."""
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


# Degrees to km along a meridian; along a parallel times cos(latitude) (:kx).
KM_PER_DEGREE = EARTH_KM * math.pi / 180
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
        key = (f"({BASE} + CASE WHEN {FEATURED} THEN 0.3::float8 ELSE 0::float8 END + 2.0 * {_POSTING_RANK}"
               f" + CASE WHEN {exact} THEN 1.0::float8 ELSE 0::float8 END + 0.5 / (1 + {km_sql(FAST_CHORD)} / 5))::float8")
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
         - CASE WHEN cardinality((SELECT x.ids FROM exact x)) > 0 THEN 1.0 ELSE 0 END - 1e-6 AS l
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
         0.5 / (1 + greatest(0, c.near - :margin) / 5) AS bonus
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
SELECT {_items(CHORD)} AS items, {_facets(combos="combos")} AS facets"""


def open_now_sql(b: str = "b") -> str:
    """Open at the local moment (:dow, :t, :today; yesterday :pdow, :yesterday), as hours.py:
    a day's hours belong to the day they start on; a closure date cancels them; hours with
    close <= open run past midnight. OFFSET 0 keeps each EXISTS a per-row probe of the
    (business_id, day_of_week) index: as a semi-join PostgreSQL would hash every business's hours."""
    return f"""(EXISTS (SELECT 1 FROM business_hours h WHERE h.business_id = {b}.id AND h.day_of_week = :dow
       AND NOT h.is_closed
       AND (h.is_24_hours OR (h.open_time <= :t AND (h.close_time > :t OR h.close_time <= h.open_time)))
       AND NOT EXISTS (SELECT 1 FROM business_closures x WHERE x.business_id = {b}.id AND x.closed_on = :today)
       OFFSET 0)
     OR EXISTS (SELECT 1 FROM business_hours h WHERE h.business_id = {b}.id AND h.day_of_week = :pdow
       AND NOT h.is_closed AND NOT h.is_24_hours AND h.close_time <= h.open_time AND :t < h.close_time
       AND NOT EXISTS (SELECT 1 FROM business_closures x WHERE x.business_id = {b}.id AND x.closed_on = :yesterday)
       OFFSET 0))"""


def open_now_fast_sql() -> str:
    """open_now_sql for search_entries b: the stored weekly hours contain this moment of the
    week (:mow), checked the long way only if the business has a closure today or yesterday."""
    return f"""(b.open_week @> CAST(:mow AS bigint) AND (NOT EXISTS (SELECT 1 FROM business_closures x
       WHERE x.business_id = b.id AND x.closed_on IN (:today, :yesterday)) OR {open_now_sql()}))"""


@dataclass
class Plan:
    where: list[str] = field(default_factory=list)
    binds: dict = field(default_factory=dict)


CATEGORY = "(b.category_id = ANY(:cats) OR b.subcategory_id = ANY(:cats))"


def filters(plan: Plan, *, category_ids, region, city, min_rating, price_range, open_now, verified,
            bookable) -> None:
    w = plan.where
    if category_ids:
        w.append(CATEGORY)
        plan.binds["cats"] = list(category_ids)
    if region:
        w.append("b.region = :region")
        plan.binds["region"] = region
    if city:
        w.append("lower(immutable_unaccent(b.city)) = (SELECT lower(immutable_unaccent(:city)))")   # once, as EXACT_NAME
        plan.binds["city"] = city
    if min_rating:
        w.append("b.average_rating >= :min_rating")
        plan.binds["min_rating"] = min_rating
    if price_range:
        w.append("b.price_range = ANY(CAST(:prices AS price_range_enum[]))")
        plan.binds["prices"] = list(price_range)
    if open_now:
        w.append(open_now_fast_sql())
    if verified:
        w.append("b.is_verified")
    if bookable:
        w.append("EXISTS (SELECT 1 FROM services s WHERE s.business_id = b.id AND s.is_active AND s.requires_booking)")


def item_json(key: str, chord: str) -> str:
    """One result, built in the database so the page needs no second query."""
    return f"""json_build_object(
      'id', b.id, 'slug', b.slug, 'name', b.name, 'city', b.city, 'region', b.region,
      'category', CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('id', c.id, 'name', c.name, 'slug', c.slug) END,
      'average_rating', b.average_rating::float8, 'review_count', b.review_count,
      'price_range', b.price_range, 'is_verified', b.is_verified, 'is_featured', {FEATURED},
      'is_open_now', {open_now_sql()},
      'distance_km', {km_sql(chord)},
      'thumbnail_url', coalesce(b.logo_url, (SELECT coalesce(i.variants -> 'thumb' ->> 'url', i.image_url)
          FROM business_images i WHERE i.business_id = b.id
          ORDER BY (i.image_type = 'logo') DESC, (i.image_type = 'cover') DESC, i.sort_order, i.id LIMIT 1),
          b.cover_image_url),
      'k', {key})"""


def _items(chord: str) -> str:
    """The page's results, in order, from a CTE `page` (id, k) of search_entries ids."""
    return f"""(SELECT coalesce(json_agg({item_json('p.k', chord)} ORDER BY p.k DESC, p.id), '[]')
     FROM page p JOIN businesses b ON b.id = p.id AND b.status = 'active'
     LEFT JOIN categories c ON c.id = b.category_id)"""


def _facets(source: str = "", combos: str = "") -> str:
    """Counts per category (with its name and slug), region and price range, and the total
    (g = 7), of the rows of `source` in one pass: counted per combination (one hash a row
    instead of one per grouping set), then rolled up (GROUPING SETS) over the few combinations."""
    return f"""(SELECT coalesce(json_agg(json_build_object('g', f.g, 'category_id', f.category_id,
                        'name', c.name, 'slug', c.slug, 'region', f.region, 'price_range', f.price_range, 'n', f.n)), '[]')
     FROM (SELECT GROUPING(category_id, region, price_range) AS g, category_id, region,
                  price_range::text AS price_range, coalesce(sum(n), 0)::int8 AS n
             FROM {combos or f"(SELECT category_id, region, price_range, count(*) AS n FROM {source} GROUP BY 1, 2, 3)"} combos
             GROUP BY GROUPING SETS ((category_id), (region), (price_range), ())) f
     LEFT JOIN categories c ON c.id = f.category_id)"""


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
        parts = [BASE, f"CASE WHEN {FEATURED} THEN 0.3::float8 ELSE 0::float8 END"]
        if has_text:
            parts += [f"2.0 * {RANK}", f"CASE WHEN {EXACT_NAME} THEN 1.0::float8 ELSE 0::float8 END"]
        if has_place:
            parts.append(f"0.5 / (1 + {km_sql(FAST_CHORD)} / 5)")
        key = "(" + " + ".join(parts) + ")::float8"
    where = " AND ".join(plan.where) or "TRUE"
    keyset = "WHERE (m.k < :ck OR (m.k = :ck AND m.id > CAST(:cid AS uuid)))" if after else ""
    return f"""
WITH m AS MATERIALIZED (
  SELECT b.id, b.category_id, b.region, b.price_range, {key} AS k
    FROM search_entries b WHERE {where}
), page AS (
  SELECT m.id, m.k FROM m {keyset} ORDER BY m.k DESC, m.id LIMIT {int(limit)}
)
SELECT {_items(chord)} AS items, {_facets('m')} AS facets"""


def nearest_sql(plan: Plan, *, after: bool) -> str:
    """Nearest first within the radius, straight off a GiST index (stops after a page). With
    a category, one walk per category id of the (category, point) and (subcategory, point)
    indexes, so only that category's points are visited."""
    def bounds(reach: str) -> list[str]:
        out = ["b.latitude IS NOT NULL", f"{POINT} <@ cube_enlarge({CENTER}, {reach}, 3)", f"{CHORD} <= {reach}"]
        if after:
            out.append(f"(-{CHORD} < :ck OR (-{CHORD} = :ck AND b.id > CAST(:cid AS uuid)))")
        return out

    # Pure KNN order (a second sort key would make PostgreSQL sort the whole box); the margin
    # of 50 lets rows at the very same spot be put in id order across pages.
    first = ""
    if CATEGORY in plan.where:
        others = [w for w in plan.where if w != CATEGORY]

        def walk(col: str, reach: str) -> str:
            # Only the ids that have listings in that column are walked (the sub-select with
            # LIMIT stays a per-id probe of the btree): a walk for an id the column never
            # holds (a subcategory's id among the categories) found nothing only after
            # visiting every point of the radius, 2 ms each at a million listings.
            return f"""SELECT x.id, x.chord FROM unnest(CAST(:cats AS uuid[])) cat(id) CROSS JOIN LATERAL (
            SELECT b.id, {CHORD} AS chord FROM search_entries b WHERE b.{col} = cat.id AND {" AND ".join(bounds(reach) + others)}
             ORDER BY {POINT} <-> {CENTER} LIMIT :lim + 50) x
           WHERE (SELECT true FROM search_entries e WHERE e.{col} = cat.id LIMIT 1)"""
        # The subcategory walks only need to reach as far as the page's last row by category:
        # nearer than that the page has its rows already (ties included). Each then stops
        # in a small box instead of walking until it has a page of its own (1 ms each at a
        # million listings, one per subcategory).
        first = f"""WITH by_category AS MATERIALIZED ({walk("category_id", "CAST(:max_chord AS float8)")}),
reach AS (SELECT coalesce((SELECT chord FROM by_category ORDER BY chord LIMIT 1 OFFSET :lim - 1),
                          CAST(:max_chord AS float8)) AS c)"""
        knn = f"SELECT * FROM by_category UNION {walk('subcategory_id', '(SELECT r.c FROM reach r)')}"
    else:
        knn = f"""SELECT b.id, {CHORD} AS chord FROM search_entries b WHERE {" AND ".join(bounds(":max_chord") + plan.where)}
           ORDER BY {POINT} <-> {CENTER} LIMIT :lim + 50"""
    return f"""{first}
SELECT coalesce(json_agg({item_json(f'-{CHORD}', CHORD)} ORDER BY {CHORD}, b.id), '[]') AS items,
       NULL::json AS facets
  FROM (SELECT id FROM ({knn}) knn ORDER BY chord, id LIMIT :lim) e
  JOIN businesses b ON b.id = e.id AND b.status = 'active'
  LEFT JOIN categories c ON c.id = b.category_id"""
