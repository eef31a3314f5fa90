"""Business search and suggestions (reads only; only active businesses ever appear)."""
from __future__ import annotations

import math
import re
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from afrobiz.db.raw import TUNED, Reader
from afrobiz.errors import InvalidInput
from afrobiz.search.params import Search, SearchParams, decode_cursor, encode_cursor, fingerprint, validate
from afrobiz.search.sql import filters, geo, nearest, ranked, scored

TZ = ZoneInfo("Africa/Windhoek")
# Fewer exact matches than this and the words are checked for typos.
TYPO_THRESHOLD = 3
_LAST_WORD = re.compile(r"^(.*?)([^\W_]{3,})$")
_OPERATORS = re.compile(r'"|\bor\b|(^|\s)-', re.IGNORECASE)


@dataclass
class SearchResult:
    items: list[dict]
    next_cursor: str | None
    facets: dict | None
    total: int | None
    did_you_mean: str | None = None
    params: Search | None = field(default=None, repr=False)


async def search_businesses(db: Reader, *, params: SearchParams, secret: str,
                            now: datetime | None = None) -> SearchResult:
    """Active businesses matching the words, place and filters, best first, one keyset page."""
    p = validate(params)
    now = now or datetime.now(UTC)
    fp = fingerprint(p)
    after = decode_cursor(secret, p.cursor, fp) if p.cursor else None
    did_you_mean = after.get("dym") if after else None
    tsq = after.get("t") if after else None
    category_ids = None
    nearest_only = p.has_place and not p.q and p.sort in ("relevance", "distance")
    if p.category or p.q or not nearest_only:
        # One round trip for all: the category's ids, the words as a tsquery, and JIT off.
        category_ids, exact = await _prepare(db, p.category, None if after else p.q)
        if p.q and not after:
            tsq = exact
    result = await _run(db, p, tsq, category_ids, now, after)
    if p.q and not after and (result.total or 0) < TYPO_THRESHOLD:
        fixed = await _typo_tsquery(db, p.q)
        if fixed:
            tsq2, suggestion = fixed
            second = await _run(db, p, tsq2, category_ids, now, None)
            if (second.total or 0) > (result.total or 0):
                result, tsq, did_you_mean = second, tsq2, suggestion
    result.did_you_mean = did_you_mean
    result.params = p
    if result.next_cursor is not None:
        last = result.next_cursor
        result.next_cursor = encode_cursor(secret, {"k": last["k"], "id": last["id"], "f": fp,
                                                    "t": tsq, "dym": did_you_mean})
    return result


def _postings_word(p: Search, tsq: str | None, cells: list[str]) -> tuple[str, bool] | None:
    """The word, when this search can read search_postings (migrations 0020, 0021): one word
    (or a prefix of 3 characters or more) near a place, within fine cells
    (geo.MAX_FINE_CELLS), ranked by relevance or distance, and filtered at most by what a
    posting carries (category, region, price range)."""
    if not (tsq and cells and cells[0].startswith("~f") and p.sort in ("relevance", "distance")):
        return None
    if p.city or p.min_rating or p.open_now or p.verified or p.bookable:
        return None
    word = ranked.one_word(tsq)
    if word and word[1] and len(word[0]) < 3:   # a block rank bounds prefixes of 3 or more (0021)
        return None
    return word


def _filtered(p: Search, category_ids) -> filters.Plan:
    """The filters of the search, as WHERE conditions and their binds."""
    plan = filters.Plan()
    filters.filters(plan, category_ids=category_ids, region=p.region, city=p.city, min_rating=p.min_rating,
                price_range=p.price_range, open_now=p.open_now, verified=p.verified, bookable=p.bookable)
    return plan


async def _run(db: Reader, p: Search, tsq: str | None, category_ids, now: datetime,
               after: dict | None) -> SearchResult:
    cells = geo.covering_cells(p.lat, p.lon, p.radius_km) if tsq and p.has_place else []
    word = _postings_word(p, tsq, cells)
    if word:
        return await _run_postings(db, p, tsq, word, cells, category_ids, now, after)
    plan = _filtered(p, category_ids)
    binds = plan.binds | _clock_binds(p, now, after)
    has_text = bool(tsq)
    if has_text:
        binds |= {"tsq": tsq, "qname": p.q}
        plan.where.append("b.search_document @@ CAST(:tsq AS tsquery)")
    if p.has_place:
        binds |= _place_binds(p)
        if has_text:
            words = scored.cell_words_query(tsq, cells) if cells[0].startswith("~f") else None
            if words:
                # Words tagged with their 0.1-degree cell, in one GIN index (migration 0017):
                # only this place's matches are read. ts_match_vq is @@ spelled so the planner
                # keeps it a check on those rows (not a second, nationwide index scan).
                plan.where[-1] = f"{geo.GEO_WORDS} @@ CAST(:geo AS tsquery)"
                plan.where.append("ts_match_vq(b.search_document, CAST(:tsq AS tsquery))")
                binds["geo"] = words
            else:
                # Wide radius: words and 1-degree cells meet in the document's GIN index.
                plan.where[-1] = "b.search_document @@ (CAST(:tsq AS tsquery) && CAST(:cells AS tsquery))"
                binds["cells"] = geo.cells_tsquery(cells)
            # the chord is the exact check
            plan.where += ["b.latitude IS NOT NULL", f"{geo.FAST_CHORD} <= :max_chord"]
        elif p.sort in ("relevance", "distance"):
            pass   # the nearest plan bounds the radius itself
        else:
            plan.where += ["b.latitude IS NOT NULL", f"{geo.POINT} <@ cube_enlarge({geo.CENTER}, :max_chord, 3)",
                           f"{geo.FAST_CHORD} <= :max_chord"]
    knn = p.has_place and not has_text and p.sort in ("relevance", "distance")
    if knn:
        statement = nearest.nearest_sql(plan, after=after is not None)
    else:
        statement = scored.scored_sql(plan, sort=p.sort, has_text=has_text, has_place=p.has_place,
                                   after=after is not None, limit=p.limit + 1)
    if knn and not category_ids:   # with a category, the per-category KNN plan needs no help
        # The planner underestimates how many rows a radius box holds and would rather
        # bitmap-scan the whole box and sort it than walk the GiST index nearest first and
        # stop after one page: for this one statement, no bitmap scans.
        row = await db.one(statement, binds, settings={"enable_bitmapscan": "off"})
    else:
        row = await db.one(statement, binds)
    return _result(p, row)


async def _run_postings(db: Reader, p: Search, tsq: str, word: tuple[str, bool],
                        cells: list[str], category_ids, now: datetime, after: dict | None) -> SearchResult:
    """_run for one word near a place, from search_postings (migration 0021, sql/ranked.py)."""
    plan = _filtered(p, category_ids)   # category, region, price range at most (_postings_word)
    lexeme, prefix = word
    lo, hi = ranked.posting_ranges(lexeme, prefix, cells)
    lat0, lon0 = ranked.cell_origins(cells, p.lon)
    binds = plan.binds | _clock_binds(p, now, after) | _place_binds(p) | {
        "lo": lo, "hi": hi, "lat0": lat0, "lon0": lon0, "tsq": tsq, "qname": p.q,
        "plen": len(lexeme) if prefix else 32767, "radius": p.radius_km,
        "margin": ranked.subcell_margin_km(p.radius_km),
        "kx": geo.KM_PER_DEGREE * math.cos(math.radians(p.lat))}
    statement = ranked.ranked_sql(plan, sort=p.sort, after=after is not None, limit=p.limit + 1)
    return _result(p, await db.one(statement, binds))


def _place_binds(p: Search) -> dict:
    """The centre (degrees, and as a unit-sphere point for FAST_CHORD) and the radius as a chord."""
    return {"lat": p.lat, "lon": p.lon, "max_chord": geo.chord_for_km(p.radius_km)} | geo.center_binds(p.lat, p.lon)


def _clock_binds(p: Search, now: datetime, after: dict | None) -> dict:
    """The page size, the moment (for featured and open now, in Windhoek time) and the cursor."""
    local = now.astimezone(TZ)
    binds = {
        "now": now, "lim": p.limit + 1, "t": local.time().replace(tzinfo=None),
        "dow": (local.weekday() + 1) % 7, "pdow": local.weekday() % 7,   # 0 = Sunday
        "today": local.date(), "yesterday": local.date() - timedelta(days=1),
        "mow": _moment_of_week(local)}
    if after:
        binds |= {"ck": float(after["k"]), "cid": str(after["id"])}
    return binds


def _result(p: Search, row) -> SearchResult:
    """The page (without its sort keys), the next cursor's position and the facets."""
    items, facets_rows = row.items, row.facets
    next_cursor = None
    if len(items) > p.limit:
        items = items[: p.limit]
        next_cursor = {"k": items[-1]["k"], "id": items[-1]["id"]}
    for item in items:
        del item["k"]
        km = item["distance_km"]
        item["distance_km"] = round(float(km), 2) if p.has_place and km is not None else None
    facets, total = _facets(facets_rows) if facets_rows is not None else (None, None)
    return SearchResult(items=items, next_cursor=next_cursor, facets=facets, total=total)


def _moment_of_week(local: datetime) -> int:
    """Microseconds since Sunday 00:00 local time (search_entries.open_week, migration 0015)."""
    day = (local.weekday() + 1) % 7
    return (((day * 24 + local.hour) * 60 + local.minute) * 60 + local.second) * 1_000_000 + local.microsecond


def _facets(rows: list[dict]) -> tuple[dict, int]:
    """Facet counts from the GROUPING SETS rows (g: 3 = category, 5 = region, 6 = price, 7 = all)."""
    total = next((r["n"] for r in rows if r["g"] == 7), 0)
    categories = sorted(
        ({"id": r["category_id"], "name": r["name"], "slug": r["slug"], "count": r["n"]}
         for r in rows if r["g"] == 3 and r["category_id"] and r["name"] is not None),
        key=lambda f: (-f["count"], f["name"]))
    regions = sorted(({"value": r["region"], "count": r["n"]} for r in rows if r["g"] == 5 and r["region"]),
                     key=lambda f: (-f["count"], f["value"]))
    order = {"budget": 0, "moderate": 1, "expensive": 2, "luxury": 3}
    prices = sorted(({"value": r["price_range"], "count": r["n"]} for r in rows
                     if r["g"] == 6 and r["price_range"]), key=lambda f: order.get(f["value"], 9))
    return {"category": categories, "region": regions, "price_range": prices}, total


# set_config: db/raw.TUNED (no JIT, no parallel workers) for the rest of this (read-only)
# transaction. A search that scores a few thousand rows is estimated above jit_above_cost,
# and compiling its expressions took 70-120 ms of a 10 ms statement (filters + open now,
# EXPLAIN ANALYZE at 100k). At a million listings the planner also starts two parallel
# workers for a text search: launching them cost 4-5 ms even when nothing matched, and under
# concurrent searches there is no idle core for them. The hot lane's connections have both
# off for the session.
_PREPARE = """
    SELECT """ + "".join(f"set_config('{name}', '{value}', true) AS tuned_{i},\n           "
                       for i, (name, value) in enumerate(TUNED.items())) + """(WITH RECURSIVE tree AS (
              SELECT id FROM categories WHERE (id = :cid OR slug = :slug) AND is_active
              UNION SELECT c.id FROM categories c JOIN tree t ON c.parent_id = t.id WHERE c.is_active)
            SELECT array_agg(id) FROM tree WHERE :has_category) AS category_ids,
           (SELECT CASE WHEN numnode(t) = 0 THEN NULL ELSE t::text END FROM (
              SELECT websearch_to_tsquery('english', search_clean(:head))
                     && CASE WHEN w <> '' THEN to_tsquery('english', w || ':*') ELSE ''::tsquery END AS t
                FROM (SELECT regexp_replace(lower(immutable_unaccent(:last)), '[^a-z0-9]', '', 'g') AS w) x
               WHERE :has_words) y) AS tsq"""


# The words' tsquery by search text, for the hot lane's reader (below). It depends on the
# text alone (immutable functions: websearch_to_tsquery with a fixed configuration, unaccent),
# so an entry never goes stale; the oldest go once it is full.
_TSQUERIES: OrderedDict[str, str | None] = OrderedDict()
TSQUERY_CACHE_SIZE = 4096


async def _prepare(db: Reader, category: str | None, q: str | None) -> tuple[list | None, str | None]:
    """In one round trip: the ids of the category named by slug or id and all its descendants
    (InvalidInput if unknown), and the words as a tsquery — web-search syntax (phrases, "or",
    -not), English stems, unaccented, the last word also as a prefix (people type "salo" for
    salon).

    No round trip at all for words seen before without a category, on a connection that has
    JIT and parallel workers off for good (the hot lane's, db/raw.TUNED): then this statement
    has nothing left to do. Half a millisecond of every repeated search."""
    if q and not category and db.tuned and q in _TSQUERIES:
        _TSQUERIES.move_to_end(q)
        return None, _TSQUERIES[q]
    cid = slug = None
    if category:
        try:
            cid = uuid.UUID(category)
        except ValueError:
            slug = category.lower()
    head, last = q or "", ""
    m = _LAST_WORD.match(head)
    if m and not _OPERATORS.search(head):   # with "phrases", or, -not the words mean what they say
        head, last = m.group(1), m.group(2)
    row = await db.one(_PREPARE, {"cid": cid, "slug": slug, "has_category": bool(category),
                                            "head": head, "last": last, "has_words": bool(q)})
    if category and not row.category_ids:
        raise InvalidInput("No such category.", field="category")
    if q:
        _TSQUERIES[q] = row.tsq
        while len(_TSQUERIES) > TSQUERY_CACHE_SIZE:
            _TSQUERIES.popitem(last=False)
    return (list(row.category_ids) if category else None), row.tsq


_TYPO = """
    WITH w AS (
      SELECT t.w, t.i,
             CASE WHEN length(t.w) >= 3 AND NOT EXISTS (SELECT 1 FROM search_words s WHERE s.word = t.w)
                  THEN (SELECT s.word FROM search_words s WHERE s.word % t.w
                         ORDER BY similarity(s.word, t.w) DESC, s.word LIMIT 1) END AS fix
        FROM regexp_split_to_table(lower(immutable_unaccent(:q)), '[^a-z0-9]+') WITH ORDINALITY AS t(w, i)
       WHERE t.w <> ''),
    terms AS (
      SELECT i, fix, coalesce(fix, w) AS said,
             CASE WHEN i = (SELECT max(i) FROM w) AND length(w) >= 3 THEN w || ':*' ELSE w END AS own
        FROM w)
    SELECT (SELECT string_agg(said, ' ' ORDER BY i) FROM terms) AS suggestion,
           (SELECT CASE WHEN numnode(t) = 0 THEN NULL ELSE t::text END
              FROM (SELECT to_tsquery('english', string_agg(
                             CASE WHEN fix IS NULL THEN own ELSE '(' || own || ' | ' || fix || ')' END,
                             ' & ' ORDER BY i)) AS t FROM terms) x) AS tsq
     WHERE EXISTS (SELECT 1 FROM w WHERE fix IS NOT NULL)"""


async def _typo_tsquery(db: Reader, q: str) -> tuple[str, str] | None:
    """Each unknown word OR-ed with its closest listed word (pg_trgm), in one statement; None
    if none is close. Returns the tsquery and the corrected words for "did you mean"."""
    row = await db.first(_TYPO, {"q": q})
    if row is None or not row.tsq:
        return None
    return row.tsq, row.suggestion
