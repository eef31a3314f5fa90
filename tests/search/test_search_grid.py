"""Text + near me through the grid cells of the search document (migration 0004) and the
stored unit-sphere coordinates (migration 0017): cell borders, the radius edge, far matches,
moves, and typo corrections with and without a place."""
from __future__ import annotations

from decimal import Decimal

import pytest
from factories.directory import create_business
from factories.search import names
from sqlalchemy import text

from afrobiz.search.sql import geo, scored


async def at(db, owner, name: str, lat: str, lon: str, **kw):
    return await create_business(db, owner=owner, name=name, latitude=Decimal(lat), longitude=Decimal(lon), **kw)


async def exact_km(db, business, lat: float, lon: float) -> float:
    """The great-circle distance the database computes for a stored business."""
    return (await db.execute(text(
        "SELECT 2 * 6371.0088 * asin(least(1.0, (search_geo_point(latitude::float8, longitude::float8)"
        " <-> search_geo_point(:lat, :lon)) / 2)) FROM search_entries WHERE id = :id"),
        {"lat": lat, "lon": lon, "id": business.id})).scalar_one()


async def test_a_radius_across_fine_cell_borders_finds_all_four_sides(world, search, db):
    # (-22.5, 17.0) is a corner of four 0.1-degree cells; one business in each, ~1.5 km away.
    corners = [("-22.49", "16.99"), ("-22.49", "17.01"), ("-22.51", "16.99"), ("-22.51", "17.01")]
    for i, (lat, lon) in enumerate(corners):
        await at(db, world.owner, f"Corner Welding {i}", lat, lon)
    page = await search(q="welding", lat=-22.5005, lon=17.0005, radius_km=3)
    assert sorted(names(page)) == [f"Corner Welding {i}" for i in range(4)]
    assert all(0 < i["distance_km"] < 3 for i in page["items"])


async def test_a_wide_radius_crosses_whole_degree_cells(world, search, db):
    # 50 km needs more than 36 fine cells, so the 1-degree cells answer; -23 is a border.
    south = await at(db, world.owner, "Rehoboth Welding", "-23.20", "17.00")
    page = await search(q="welding", lat=-22.98, lon=17.0, radius_km=50)
    assert names(page) == ["Rehoboth Welding"]
    assert abs(page["items"][0]["distance_km"] - await exact_km(db, south, -22.98, 17.0)) < 0.01


async def test_a_business_at_the_radius_edge_is_in_and_just_beyond_is_out(world, search, db):
    # Due south across a cell border (-22.6), at a distance where the cells of a box a hair too
    # small would leave the business out.
    lat, lon = -22.499998, 17.05
    edge = await at(db, world.owner, "Edge Welding", "-22.600002", "17.05")
    d = await exact_km(db, edge, lat, lon)
    assert names(await search(q="welding", lat=lat, lon=lon, radius_km=d * (1 + 1e-9))) == ["Edge Welding"]
    assert names(await search(q="welding", lat=lat, lon=lon, radius_km=d * (1 - 1e-6))) == []
    # the same east-west, at this latitude
    east = await at(db, world.owner, "East Edge Welding", "-22.30", "17.19999")
    d = await exact_km(db, east, -22.30, 16.9)
    assert names(await search(q="east welding", lat=-22.30, lon=16.9, radius_km=d * (1 + 1e-9))) == [
        "East Edge Welding"]
    assert names(await search(q="east welding", lat=-22.30, lon=16.9, radius_km=d * (1 - 1e-6))) == []


async def test_far_matches_and_matches_in_a_covered_cell_but_outside_the_radius_are_left_out(world, search, db):
    await at(db, world.owner, "Near Welding", "-22.55", "17.06")
    await at(db, world.owner, "Cell Corner Welding", "-22.55", "17.0999")     # same 0.1-degree cell, ~4 km
    await at(db, world.owner, "Luderitz Welding", "-26.648", "15.159")
    assert names(await search(q="welding", lat=-22.55, lon=17.06, radius_km=2)) == ["Near Welding"]
    both = await search(q="welding", lat=-22.55, lon=17.06, radius_km=100)
    assert sorted(names(both)) == ["Cell Corner Welding", "Near Welding"] and both["total"] == 2
    assert len(names(await search(q="welding"))) == 3


async def test_a_move_shows_in_near_me_at_once(world, search, db):
    shop = await at(db, world.owner, "Moving Welding", "-22.56", "17.07")
    assert names(await search(q="welding", lat=-22.56, lon=17.07, radius_km=5)) == ["Moving Welding"]
    shop.latitude, shop.longitude = Decimal("-22.678"), Decimal("14.527")        # to Swakopmund
    await db.flush()
    assert names(await search(q="welding", lat=-22.56, lon=17.07, radius_km=5)) == []
    page = await search(q="welding", lat=-22.68, lon=14.53, radius_km=5)
    assert names(page) == ["Moving Welding"] and page["items"][0]["distance_km"] < 1
    assert abs(page["items"][0]["distance_km"] - await exact_km(db, shop, -22.68, 14.53)) < 0.01
    # and the nearest-first plan (no words) agrees
    assert "Moving Welding" in names(await search(lat=-22.68, lon=14.53, radius_km=5))


@pytest.mark.parametrize("lat,lon", [(-22.3, 16.9), (-22.5609, 17.0658), (-17.78834, 15.70445), (-26.648, 15.159),
                                     (-28.0, 20.0), (-17.3, 11.7)])
async def test_the_stored_point_gives_the_same_chord_as_the_cube(world, db, lat, lon):
    """Bit for bit: the centre from Python (geo.center_binds) and each business's stored point
    give the chord the cube's <-> gives (the radius check and the shown distance agree)."""
    rows = (await db.execute(text(
        f"SELECT {geo.FAST_CHORD} AS fast,"
        " search_geo_point(b.latitude::float8, b.longitude::float8) <-> search_geo_point(:lat, :lon) AS cube"
        " FROM search_entries b WHERE b.latitude IS NOT NULL"), {"lat": lat, "lon": lon} | geo.center_binds(lat, lon))).all()
    assert rows and all(r.fast == r.cube for r in rows)


async def test_a_corrected_word_near_a_place_only_finds_businesses_there(world, search):
    page = await search(q="brads", lat=-22.5609, lon=17.0658, radius_km=5)
    assert "Windhoek Braids Studio" in names(page) and page["did_you_mean"] == "braids"
    far = await search(q="brads", lat=-26.648, lon=15.159, radius_km=10)           # Lüderitz
    assert "Windhoek Braids Studio" not in names(far)


async def test_phrases_prefixes_and_not_near_a_place(world, search):
    near = {"lat": -22.52, "lon": 17.05, "radius_km": 3}
    assert names(await search(q='"hair salon"', **near)) == ["Katutura Hair Salon"]
    assert names(await search(q='"salon hair"', **near)) == []
    assert names(await search(q="sal", **near)) == ["Katutura Hair Salon"]
    wider = await search(q='hair -"hair salon"', lat=-22.52, lon=17.05, radius_km=10)   # phrase under NOT
    assert "Windhoek Braids Studio" in names(wider) and "Katutura Hair Salon" not in names(wider)


def test_cell_words_query_tags_every_lexeme_and_loosens_phrases():
    q = scored.cell_words_query("'hair' <-> 'salon' & 'braid':*", ["~f674x1970", "~f675x1970"])
    assert q == ("('~f674x1970~hair' & '~f674x1970~salon' & '~f674x1970~braid':*) | "
                 "('~f675x1970~hair' & '~f675x1970~salon' & '~f675x1970~braid':*)")
    assert scored.cell_words_query("'hair' & !( 'hair' <-> 'salon' )", ["~f674x1970"]) is None
    assert geo.covering_cells(-22.5, 17.0, 3)[0].startswith("~f")
    assert geo.covering_cells(-22.5, 17.0, 60)[0].startswith("~c")
