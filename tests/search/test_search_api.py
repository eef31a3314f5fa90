"""GET /api/v1/search/businesses on a small fixed world: words, place, filters, facets, pages."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from factories.booking import create_service
from factories.directory import create_business, create_category
from factories.search import names

from afrobiz.directory.models import BusinessHours


async def test_unaccented_words_find_accented_names_and_regions(world, search):
    assert names(await search(q="Luderitz")) == ["Lüderitz Seafood Grill"]
    assert names(await search(q="karas")) == ["Lüderitz Seafood Grill"]      # region "//Karas"


async def test_stemming_prefix_and_phrases(world, search):
    assert names(await search(q="braid")) == ["Windhoek Braids Studio"]
    assert names(await search(q="sal")) == ["Katutura Hair Salon"]           # the last word as a prefix
    assert names(await search(q='"hair salon"')) == ["Katutura Hair Salon"]
    assert names(await search(q='"salon hair"')) == []
    assert "Windhoek Braids Studio" in names(await search(q="cornrows"))     # description (weight C)


@pytest.mark.parametrize("typed, found, suggestion", [
    ("brads", "Windhoek Braids Studio", "braids"),
    ("swakopmnd", "Swakopmund Kapana Corner", "swakopmund"),
    ("seafod grill", "Lüderitz Seafood Grill", "seafood grill"),
])
async def test_typos_are_forgiven_with_a_did_you_mean(world, search, typed, found, suggestion):
    page = await search(q=typed)
    assert found in names(page)
    assert page["did_you_mean"] == suggestion


async def test_exact_words_need_no_correction(world, search):
    page = await search(q="braids")
    assert page["did_you_mean"] is None and names(page)[0] == "Windhoek Braids Studio"


async def test_pending_and_suspended_never_appear_even_to_their_owner(world, search, login):
    for headers in (None, await login(world.owner)):
        page = await search(headers=headers, q="braids")
        assert "Secret Braids Pending" not in names(page) and "Suspended Braids Bar" not in names(page)
        near = await search(headers=headers, lat=-22.561, lon=17.066, radius_km=1)
        assert {i["slug"] for i in near["items"]}.isdisjoint({world.pending.slug, world.suspended.slug})


async def test_exact_name_comes_first(world, search, db):
    plain = await create_business(db, owner=world.owner, name="Kapana", city="Swakopmund", region="Erongo")
    page = await search(q="kapana")
    assert names(page)[:2] == ["Kapana", "Swakopmund Kapana Corner"] and page["items"][0]["id"] == str(plain.id)


async def test_one_five_star_review_does_not_beat_forty_good_ones(world, search, db):
    for name, count, rating in (("Lucky Braids", 1, "5.00"), ("Steady Braids", 40, "4.80")):
        await create_business(db, owner=world.owner, name=name, review_count=count, average_rating=Decimal(rating))
    for sort in ("rating", "relevance"):
        order = names(await search(q="lucky or steady", sort=sort))
        assert order.index("Steady Braids") < order.index("Lucky Braids"), sort


async def test_featured_boost_lasts_until_featured_until(world, search, db):
    soon = datetime.now(UTC) + timedelta(days=3)
    a = await create_business(db, owner=world.owner, name="Alpha Nails", is_featured=True, featured_until=soon)
    await create_business(db, owner=world.owner, name="Beta Nails", is_featured=True,
                              featured_until=datetime.now(UTC) - timedelta(days=1), review_count=3,
                              average_rating=Decimal("4.00"))
    page = await search(q="nails")
    assert names(page) == ["Alpha Nails", "Beta Nails"]
    assert [i["is_featured"] for i in page["items"]] == [True, False]
    a.featured_until = datetime.now(UTC) - timedelta(minutes=1)
    await db.flush()
    assert names(await search(q="nails")) == ["Beta Nails", "Alpha Nails"]


async def test_radius_keeps_near_ones_nearest_first(world, search):
    page = await search(lat=-22.5609, lon=17.0658, radius_km=10)
    assert names(page) == ["Windhoek Braids Studio", "Eros Auto Clinic", "Katutura Hair Salon"]
    distances = [i["distance_km"] for i in page["items"]]
    assert distances == sorted(distances) and 0.5 < distances[0] < 1 and 4 < distances[-1] < 6
    assert names(await search(lat=-22.5609, lon=17.0658, radius_km=3)) == ["Windhoek Braids Studio",
                                                                            "Eros Auto Clinic"]
    with_words = await search(q="hair", lat=-22.5609, lon=17.0658, radius_km=10, sort="distance")
    assert names(with_words) == ["Windhoek Braids Studio", "Katutura Hair Salon"]   # category "Hair & Beauty"
    far = await search(q="kapana", lat=-22.5609, lon=17.0658, radius_km=100)
    assert names(far) == []                                                          # Swakopmund is ~280 km


async def test_category_near_me_walks_every_id_that_holds_listings(world, search, db):
    """Category + near me, nearest first (the per-id KNN walks of sql.nearest_sql): listings
    of the category by either column come, ids no listing holds in a column are skipped, and
    the subcategory walks reach as far as the page's last row by category, page after page."""
    bars = [await create_business(db, owner=world.owner, name=f"Braid Bar {k}", category_id=world.braids.id,
                                  latitude=lat, longitude=17.0658)
            for k, lat in (("A", -22.5612), ("B", -22.5879), ("C", -22.6059))]          # 0.05, 3, 5 km
    await create_business(db, owner=world.owner, name="Kapana and Braids", category_id=world.food.id,
                          subcategory_id=world.braids.id, latitude=-22.5700, longitude=17.0658)   # 1 km
    near = {"lat": -22.5609, "lon": 17.0658, "radius_km": 10}
    order = ["Braid Bar A", "Windhoek Braids Studio", "Kapana and Braids", "Braid Bar B", "Braid Bar C"]
    assert names(await search(category=str(world.braids.id), **near)) == order
    assert names(await search(category="hair-beauty", sort="distance", **near)) == [
        "Braid Bar A", "Windhoek Braids Studio", "Kapana and Braids", "Braid Bar B", "Katutura Hair Salon",
        "Braid Bar C"]
    pages, cursor = [], None
    while True:
        page = await search(category=str(world.braids.id), limit=2, **near, **({"cursor": cursor} if cursor else {}))
        pages.append(names(page))
        if not (cursor := page["next_cursor"]):
            break
    assert pages == [order[:2], order[2:4], order[4:]] and bars


async def test_no_place_no_distance(world, search):
    page = await search(q="braids")
    assert "distance_km" not in page["items"][0] or page["items"][0]["distance_km"] is None


@pytest.mark.parametrize("params", [{"q": "braids", "lat": -22.56, "lon": 17.07}, {"q": "hair"}, {"lat": -22.56, "lon": 17.07}])
async def test_the_answer_is_search_pages_shape(world, search, params):
    """One shape: the database writes each result as SearchHit (search/sql/page.py), the
    writer joins them (search/schemas.page_json), and that is SearchPage to the letter."""
    from afrobiz.search.schemas import SearchHit, SearchPage

    page = await search(**params)
    assert page["items"] and SearchPage.model_validate(page).model_dump(mode="json") == page
    assert all(list(item) == list(SearchHit.model_fields) for item in page["items"])
    assert all(isinstance(item["average_rating"], float) for item in page["items"])


async def test_filters(world, search, db):
    only_braids = await create_business(db, owner=world.owner, name="Braid Bar", category_id=world.braids.id)
    await create_service(db, business=world.salon, name="Wash and set")
    assert set(names(await search(category="hair-beauty"))) == {
        "Windhoek Braids Studio", "Katutura Hair Salon", "Braid Bar"}                # subcategories included
    assert set(names(await search(category=str(world.braids.id)))) == {"Windhoek Braids Studio", "Braid Bar"}
    assert names(await search(region="Karas")) == ["Lüderitz Seafood Grill"]
    assert names(await search(city="luderitz")) == ["Lüderitz Seafood Grill"]
    assert set(names(await search(price_range="budget,expensive"))) == {
        "Eros Auto Clinic", "Lüderitz Seafood Grill", "Swakopmund Kapana Corner"}
    assert set(names(await search(min_rating=4.5))) == {"Windhoek Braids Studio", "Lüderitz Seafood Grill"}
    assert names(await search(verified="true")) == ["Windhoek Braids Studio"]
    assert names(await search(bookable="true")) == ["Katutura Hair Salon"]
    assert only_braids.status == "active"


async def test_open_now_filter_and_badge(world, search, db):
    db.add(BusinessHours(business_id=world.clinic.id, day_of_week=0, is_24_hours=True))
    for day in range(1, 7):
        db.add(BusinessHours(business_id=world.clinic.id, day_of_week=day, is_24_hours=True))
        db.add(BusinessHours(business_id=world.salon.id, day_of_week=day, is_closed=True))
    db.add(BusinessHours(business_id=world.salon.id, day_of_week=0, is_closed=True))
    await db.flush()
    page = await search(open_now="true")
    assert names(page) == ["Eros Auto Clinic"] and page["items"][0]["is_open_now"] is True
    everyone = await search()
    assert {i["name"]: i["is_open_now"] for i in everyone["items"]}["Katutura Hair Salon"] is False


async def test_facets_count_the_whole_query(world, search):
    page = await search(limit=1)
    assert page["total"] == 5 and len(page["items"]) == 1
    assert {f["slug"]: f["count"] for f in page["facets"]["category"]} == {"hair-beauty": 2, "restaurants": 2}
    assert {f["value"]: f["count"] for f in page["facets"]["region"]} == {"Khomas": 3, "//Karas": 1, "Erongo": 1}
    assert {f["value"]: f["count"] for f in page["facets"]["price_range"]} == {
        "budget": 1, "moderate": 2, "expensive": 2}
    food = await search(category="restaurants")
    assert food["total"] == 2 and [f["count"] for f in food["facets"]["category"]] == [2]


@pytest.mark.parametrize("params", [{}, {"sort": "newest"}, {"sort": "rating"}, {"q": "windhoek or food or hair"},
                                    {"lat": -22.56, "lon": 17.06, "radius_km": 100},
                                    {"lat": -22.56, "lon": 17.06, "radius_km": 100, "sort": "rating"}])
async def test_cursor_pages_return_every_match_once(world, search, db, params):
    for i in range(7):
        await create_business(db, owner=world.owner, name=f"Windhoek Hair {i}", latitude=Decimal("-22.56"),
                              longitude=Decimal("17.06"))       # identical scores: the id breaks ties
    full = await search(limit=100, **params)
    seen, cursor = [], None
    while True:
        page = await search(limit=2, **params, **({"cursor": cursor} if cursor else {}))
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [i["id"] for i in full["items"]] and len(seen) == len(set(seen)) >= 7


async def test_cursor_stays_stable_when_businesses_are_added(world, search, db):
    first = await search(limit=2, sort="newest")
    # (one transaction: every row's created_at is the same moment unless set)
    await create_business(db, owner=world.owner, name="Brand New Place", created_at=datetime.now(UTC) + timedelta(1))
    second = await search(limit=10, sort="newest", cursor=first["next_cursor"])
    everything = names(await search(limit=10, sort="newest"))
    assert everything[0] == "Brand New Place"
    assert names(second) == [n for n in everything if n not in names(first)][1:] and len(second["items"]) == 3


async def test_tampered_or_foreign_cursor_is_422(world, search, client):
    cursor = (await search(limit=1))["next_cursor"]
    body, sig = cursor.split(".")
    for bad, params in ((body + "." + "0" * len(sig), {}), ("garbage", {}), (cursor, {"q": "braids"})):
        r = await client.get("/api/v1/search/businesses", params={"cursor": bad, **params})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("params, field", [
    ({"lat": 100, "lon": 17}, "lat"), ({"lat": -22.5}, "lon"), ({"lon": 17}, "lat"),
    ({"lat": -22.5, "lon": 17, "radius_km": 500}, "radius_km"), ({"lat": -22.5, "lon": 17, "radius_km": 0}, "radius_km"),
    ({"radius_km": 5}, "radius_km"), ({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"limit": "x"}, "limit"),
    ({"sort": "cheapest"}, "sort"), ({"sort": "distance"}, "sort"), ({"region": "Atlantis"}, "region"),
    ({"category": "no-such-thing"}, "category"), ({"price_range": "cheap"}, "price_range"),
    ({"open_now": "maybe"}, "open_now"), ({"min_rating": 6}, "min_rating"), ({"q": "x" * 300}, "q"),
])
async def test_bad_parameters_are_422_problems_with_the_field(client, params, field):
    r = await client.get("/api/v1/search/businesses", params=params)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in r.json()["errors"]]


async def test_changes_show_at_once(world, search, db):
    await create_service(db, business=world.salon, name="Cornrow touch-up")
    assert "Katutura Hair Salon" in names(await search(q="touch-up"))
    world.kapana.name = "Swakop Grill House"
    await db.flush()
    assert names(await search(q="kapana")) == []
    assert names(await search(q="grill house")) == ["Swakop Grill House"]
    world.pending.status = "active"
    await db.flush()
    assert "Secret Braids Pending" in names(await search(q="secret"))
    cat = await create_category(db, name="Tattoo Parlours", slug="tattoo")
    world.clinic.category_id = cat.id
    await db.flush()
    assert names(await search(q="tattoo")) == ["Eros Auto Clinic"]


async def test_a_search_transaction_runs_without_jit_or_parallel_workers(world, db):
    """On the ordinary (SQLAlchemy) path the search's first statement switches both off for
    its transaction: JIT compiling and starting parallel workers each cost more than the
    search itself (search/queries.py _PREPARE); the hot lane's connections have them off."""
    from sqlalchemy import text

    from afrobiz.db.raw import session_reader
    from afrobiz.search.params import SearchParams
    from afrobiz.search.queries import search_businesses

    result = await search_businesses(await session_reader(db), params=SearchParams(q="braids", lat=-22.56, lon=17.07, radius_km=10),
                                     secret="s" * 32)
    assert result.items
    row = (await db.execute(text("SELECT current_setting('jit') AS j, "
                                 "current_setting('max_parallel_workers_per_gather') AS p"))).one()
    assert (row.j, row.p) == ("off", "0")
