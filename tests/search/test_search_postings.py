"""One word near a place through search_postings (migrations 0020, 0021): the postings and
their counts follow every change in the same transaction, and a search through them answers
exactly as the GIN way."""
from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from factories.booking import create_service
from factories.directory import create_business
from sqlalchemy import text

from afrobiz.db.raw import session_reader
from afrobiz.search import queries
from afrobiz.search.params import SearchParams

SECRET = "s" * 32
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)

# What the postings should be: rebuilt from search_entries, in both directions of EXCEPT; and
# the counts (0021) as counted from the postings (rows counted down to 0 stay, harmlessly).
_STALE = """
WITH want AS (SELECT r.* FROM search_entries e, search_postings_rows(e) r),
counted AS (SELECT token, sub, lcp_prev, category_id, subcategory_id, region, price_range, count(*)::int AS n
              FROM search_postings GROUP BY 1, 2, 3, 4, 5, 6, 7),
kept AS (SELECT token, sub, lcp_prev, category_id, subcategory_id, region, price_range, n
           FROM search_posting_counts WHERE n <> 0)
SELECT (SELECT count(*) FROM (SELECT * FROM want EXCEPT SELECT * FROM search_postings) missing) AS missing,
       (SELECT count(*) FROM (SELECT * FROM search_postings EXCEPT SELECT * FROM want) extra) AS extra,
       (SELECT count(*) FROM ((SELECT * FROM counted EXCEPT SELECT * FROM kept)
                              UNION ALL (SELECT * FROM kept EXCEPT SELECT * FROM counted)) d) AS miscounted,
       (SELECT count(*) FROM search_postings) AS total"""


async def stale(db) -> tuple[int, int, int]:
    row = (await db.execute(text(_STALE))).one()
    assert row.total > 0
    return row.missing, row.extra, row.miscounted


async def postings_of(db, business) -> list[str]:
    return list((await db.execute(text("SELECT token FROM search_postings WHERE business_id = :id ORDER BY token"),
                                  {"id": business.id})).scalars())


async def test_postings_follow_every_change_in_the_same_transaction(world, db):
    assert await stale(db) == (0, 0, 0)
    studio = world.braids_studio
    tokens = await postings_of(db, studio)
    assert "~f674x1970~braid" in tokens and "~f674x1970~knotless" in tokens
    # A new service's words, a move to another cell, a new rating, featuring.
    await create_service(db, business=studio, name="Loc retwist")
    studio.latitude, studio.longitude = Decimal("-22.6790"), Decimal("14.5260")   # to Swakopmund
    studio.review_count, studio.average_rating = 41, Decimal("4.70")
    studio.is_featured, studio.featured_until = True, NOW + timedelta(days=7)
    await db.flush()
    tokens = await postings_of(db, studio)
    assert "~f673x1945~retwist" in tokens and not any(t.startswith("~f674x1970~") for t in tokens)
    assert await stale(db) == (0, 0, 0)
    # Suspended: gone; active again: back; no location: none.
    studio.status = "suspended"
    await db.flush()
    assert await postings_of(db, studio) == []
    studio.status = "active"
    world.salon.latitude = world.salon.longitude = None
    await db.flush()
    assert await postings_of(db, studio) != [] and await postings_of(db, world.salon) == []
    assert await stale(db) == (0, 0, 0)


@pytest.fixture
async def barbers(world, db):
    """Windhoek barbers whose documents hold 'barber' and 'barbershop' (one prefix, two words
    in one document), or only one of them, and a far one."""
    made = []
    for i, (name, description, lat, lon) in enumerate([
            ("Klein Windhoek Barbershop", "Barber for fades.", "-22.5700", "17.0950"),
            ("Okuryangava Barber", "Fades and shaves.", "-22.5000", "17.0600"),
            ("Barbershop Eros", "Hot towel shaves.", "-22.5500", "17.0850"),
            ("Pioneers Park Barbershop", "The barber's chair.", "-22.5900", "17.0500"),
            ("Walvis Bay Barber", "Harbour cuts.", "-22.9570", "14.5050")]):
        made.append(await create_business(
            db, owner=world.owner, name=name, description=description, category_id=world.hair.id,
            latitude=Decimal(lat), longitude=Decimal(lon), review_count=3 * i, average_rating=Decimal("4.50"),
            price_range="moderate" if i % 2 else "budget"))
    return made


CASES = [
    dict(q="barber", lat=-22.5609, lon=17.0658, radius_km=10),             # prefix over two words
    dict(q="barbershop", lat=-22.5609, lon=17.0658, radius_km=10),
    dict(q="braids", lat=-22.5609, lon=17.0658, radius_km=10),
    dict(q="braids", lat=-22.5609, lon=17.0658, radius_km=10, sort="distance"),
    dict(q="barber", lat=-22.5609, lon=17.0658, radius_km=10, price_range=["budget"]),
    dict(q="barber", lat=-22.5609, lon=17.0658, radius_km=10, category="hair-beauty", region="Khomas"),
    dict(q="Katutura Hair Salon", lat=-22.5609, lon=17.0658, radius_km=10),    # words: the GIN way
    dict(q="windhoek braids studio", lat=-22.5609, lon=17.0658, radius_km=20),
    dict(q="grill", lat=-26.6481, lon=15.1594, radius_km=5),
    dict(q="nothinglikethis", lat=-22.5609, lon=17.0658, radius_km=10),
    dict(q="barber", lat=-22.5609, lon=17.0658, radius_km=10, limit=2),
    # Radii that cut the 0.01-degree subcells between the barbers (2.3, 3.2, 3.6 km away):
    # the cut subcells are read posting by posting, the rest counted (0021).
    dict(q="barber", lat=-22.5609, lon=17.0658, radius_km=3),
    dict(q="barber", lat=-22.5609, lon=17.0658, radius_km=3.4),
    dict(q="barber", lat=-22.5609, lon=17.0658, radius_km=3.4, sort="distance"),
]


async def both_ways(db, monkeypatch, params: dict) -> tuple[object, object, int]:
    """The search through postings where it can, then forced the GIN way; and how many
    statements read postings."""
    used = []
    original = queries._run_postings

    async def counting(*args, **kw):
        used.append(1)
        return await original(*args, **kw)

    monkeypatch.setattr(queries, "_run_postings", counting)
    p = SearchParams(**params)
    fast = await queries.search_businesses(await session_reader(db), params=p, secret=SECRET, now=NOW)
    monkeypatch.setattr(queries, "_postings_word", lambda *a: None)
    slow = await queries.search_businesses(await session_reader(db), params=p, secret=SECRET, now=NOW)
    monkeypatch.undo()
    return fast, slow, len(used)


def answer(result) -> dict:
    d = dataclasses.asdict(result)
    d.pop("params")
    return d


@pytest.mark.parametrize("params", CASES, ids=[f"{i}-{c['q']}" for i, c in enumerate(CASES)])
async def test_one_word_near_a_place_answers_as_the_gin_way(world, barbers, db, monkeypatch, params):
    fast, slow, used = await both_ways(db, monkeypatch, params)
    assert answer(fast) == answer(slow)
    one_word = len(params["q"].split()) == 1
    assert used == (1 if one_word else 0)


async def test_two_words_of_one_document_count_once_and_rank_as_the_document(world, barbers, db, monkeypatch):
    fast, slow, used = await both_ways(db, monkeypatch, dict(q="barber", lat=-22.5609, lon=17.0658, radius_km=10))
    assert used == 1
    names = sorted(i["name"] for i in fast.items)
    assert names == ["Barbershop Eros", "Klein Windhoek Barbershop", "Okuryangava Barber", "Pioneers Park Barbershop"]
    assert fast.total == 4 and answer(fast) == answer(slow)


async def test_pages_through_postings_return_every_match_once(world, barbers, db):
    seen, cursor = [], None
    for _ in range(5):
        page = await queries.search_businesses(
            await session_reader(db), params=SearchParams(q="barber", lat=-22.5609, lon=17.0658, radius_km=10, limit=1, cursor=cursor),
            secret=SECRET, now=NOW)
        seen += [i["name"] for i in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 4


@pytest.mark.parametrize("params", [dict(q="nothinglikethis", lat=-22.5609, lon=17.0658, radius_km=10),
                                    dict(q="nothing like this"), dict(q="braids", region="Zambezi")])
async def test_no_match_counts_zero(world, db, params):
    result = await queries.search_businesses(await session_reader(db), params=SearchParams(**params), secret=SECRET, now=NOW)
    assert (result.items, result.total) == ([], 0)
    assert result.facets == {"category": [], "region": [], "price_range": []}


@pytest.fixture
async def grills(world, db):
    """Sixty Windhoek grills in a few subcells, with ratings, review counts, featuring (some
    expired), a second matching word ('grillhouse') and one named exactly 'Grill': the page
    through postings is the best of many, found without scoring them all."""
    made = []
    for i in range(60):
        made.append(await create_business(
            db, owner=world.owner, name="Grill" if i == 7 else f"Grill {i}",
            description="Grillhouse and bar." if i % 5 == 0 else ("Braai." if i % 2 else "Grill, grill, grill."),
            category_id=world.hair.id, latitude=Decimal("-22.5609") + Decimal(i % 6) / 400,
            longitude=Decimal("17.0658") + Decimal(i // 6) / 500, review_count=(i * 7) % 50,
            average_rating=Decimal("3.00") + Decimal((i * 13) % 20) / 10,
            is_featured=i % 9 == 0, featured_until=NOW + timedelta(days=(1 if i % 18 == 0 else -1)),
            price_range=("budget", "moderate", "expensive")[i % 3]))
    return made


@pytest.mark.parametrize("params", [
    dict(q="grill", lat=-22.5609, lon=17.0658, radius_km=10, limit=5),
    dict(q="gril", lat=-22.5650, lon=17.0700, radius_km=10, limit=5),
    dict(q="grill", lat=-22.5500, lon=17.0800, radius_km=1.2, limit=3),
    dict(q="grill", lat=-22.5609, lon=17.0658, radius_km=10, limit=5, price_range=["moderate"]),
], ids=["whole-word", "prefix", "cut-radius", "filtered"])
async def test_pages_of_many_matches_are_the_gin_ways_pages(world, grills, db, monkeypatch, params):
    cursor, pages = None, 0
    while True:
        fast, slow, used = await both_ways(db, monkeypatch, params | {"cursor": cursor})
        assert used == 1 and answer(fast) == answer(slow)
        pages += 1
        cursor = fast.next_cursor
        if cursor is None:
            break
    assert pages >= 2
