"""The /search page: results, filters, facets, next page, town search and empty-state help."""
from __future__ import annotations

import re

from factories.directory import create_business


async def test_search_page_shows_results_with_badges_and_chips(world, client):
    r = await client.get("/search", params={"q": "braids"})
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "Windhoek Braids Studio" in r.text and "Secret Braids Pending" not in r.text
    assert 'href="/b/' + world.braids_studio.slug + '"' in r.text
    assert "✔ Verified" in r.text and ("Open now" in r.text or "Closed" in r.text)
    assert 'value="braids"' in r.text                                  # the box keeps the words


async def test_town_search_shows_distances_and_a_shareable_url(world, client):
    r = await client.get("/search", params={"near": "Windhoek", "sort": "distance"})
    assert r.status_code == 200
    assert "Windhoek Braids Studio" in r.text and "Swakopmund Kapana Corner" not in r.text
    assert re.search(r"\d+\.\d km", r.text)


async def test_did_you_mean_and_facet_links(world, client):
    r = await client.get("/search", params={"q": "brads"})
    assert "Showing results for" in r.text and "q=braids" in r.text
    r = await client.get("/search")
    assert "category=restaurants" in r.text and "Restaurants (2)" in r.text


async def test_next_page_link_walks_through_everything(world, client, db):
    for i in range(25):
        await create_business(db, owner=world.owner, name=f"Okahandja Craft Stall {i:02d}", city="Okahandja",
                              region="Otjozondjupa")
    r = await client.get("/search", params={"q": "craft stall"})
    assert r.text.count('class="search-card"') == 20
    nxt = re.search(r'href="(/search\?[^"]+cursor=[^"]+)" rel="next"', r.text).group(1).replace("&amp;", "&")
    r2 = await client.get(nxt)
    assert r2.status_code == 200 and r2.text.count('class="search-card"') == 5 and 'rel="next"' not in r2.text


async def test_nothing_found_helps_and_bad_input_shows_field_errors(world, client):
    r = await client.get("/search", params={"q": "zzzqqqxxx", "open_now": "1"})
    assert r.status_code == 200 and "Nothing found" in r.text and "Remove the filters" in r.text
    r = await client.get("/search", params={"near": "Atlantis"})
    assert r.status_code == 422 and "Choose a town" in r.text
    r = await client.get("/search", params={"lat": "abc", "lon": "17"})
    assert r.status_code == 422 and "Enter a number" in r.text
