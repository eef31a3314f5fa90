"""Favourites: PUT/DELETE /me/favorites/{business_id} (idempotent), GET /me/favorites."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from afrobiz.engagement import queries
from afrobiz.engagement.models import UserFavorite
from factories.accounts import create_user
from factories.directory import create_business


@pytest.fixture
async def people(db):
    owner = await create_user(db, role="business_owner")
    return {"owner": owner, "alice": await create_user(db), "bob": await create_user(db),
            "biz": [await create_business(db, owner=owner, name=f"Shop {i}") for i in range(3)]}


async def test_anonymous_is_401(client, people):
    biz = people["biz"][0]
    assert (await client.put(f"/api/v1/me/favorites/{biz.id}")).status_code == 401
    assert (await client.delete(f"/api/v1/me/favorites/{biz.id}")).status_code == 401
    assert (await client.get("/api/v1/me/favorites")).status_code == 401


async def test_add_twice_remove_twice(client, people, login, db):
    headers, biz = await login(people["alice"]), people["biz"][0]
    for _ in range(2):
        r = await client.put(f"/api/v1/me/favorites/{biz.id}", headers=headers)
        assert r.status_code == 204 and r.content == b""
    rows = (await db.scalars(select(UserFavorite).where(UserFavorite.user_id == people["alice"].id))).all()
    assert [f.business_id for f in rows] == [biz.id]
    for _ in range(2):
        assert (await client.delete(f"/api/v1/me/favorites/{biz.id}", headers=headers)).status_code == 204
    assert (await client.get("/api/v1/me/favorites", headers=headers)).json() == {"items": [], "next_cursor": None}


async def test_only_active_businesses_can_be_saved(client, people, login, db):
    hidden = await create_business(db, owner=people["owner"], status="pending")
    headers = await login(people["alice"])
    assert (await client.put(f"/api/v1/me/favorites/{hidden.id}", headers=headers)).status_code == 404
    # Even the owner cannot favourite their unpublished listing.
    assert (await client.put(f"/api/v1/me/favorites/{hidden.id}",
                             headers=await login(people["owner"]))).status_code == 404
    assert (await client.put("/api/v1/me/favorites/00000000-0000-0000-0000-000000000000",
                             headers=headers)).status_code == 404
    assert (await client.put("/api/v1/me/favorites/nope", headers=headers)).status_code == 422


async def test_list_is_newest_first_paginated_and_private(client, people, login, db):
    alice = people["alice"]
    now = datetime.now(UTC)
    for i, biz in enumerate(people["biz"]):
        db.add(UserFavorite(user_id=alice.id, business_id=biz.id, created_at=now - timedelta(minutes=10 - i)))
    await db.flush()
    headers = await login(alice)
    first = (await client.get("/api/v1/me/favorites", params={"limit": 2}, headers=headers)).json()
    assert [f["name"] for f in first["items"]] == ["Shop 2", "Shop 1"] and first["next_cursor"]
    assert set(first["items"][0]) >= {"id", "slug", "name", "city", "average_rating", "review_count", "favorited_at"}
    second = (await client.get("/api/v1/me/favorites", params={"limit": 2, "cursor": first["next_cursor"]},
                               headers=headers)).json()
    assert [f["name"] for f in second["items"]] == ["Shop 0"] and second["next_cursor"] is None
    # Bob sees none of Alice's favourites.
    assert (await client.get("/api/v1/me/favorites", headers=await login(people["bob"]))).json()["items"] == []
    # A listing that is suspended drops out of the list.
    people["biz"][2].status = "suspended"
    await db.flush()
    names = [f["name"] for f in (await client.get("/api/v1/me/favorites", headers=headers)).json()["items"]]
    assert names == ["Shop 1", "Shop 0"]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"cursor": "x"}])
async def test_bad_list_parameters(client, people, login, params):
    r = await client.get("/api/v1/me/favorites", params=params, headers=await login(people["alice"]))
    assert r.status_code == 422


async def test_favorite_ids_for_hearts(client, people, login, db):
    alice, (a, b, c) = people["alice"], people["biz"]
    await client.put(f"/api/v1/me/favorites/{b.id}", headers=await login(alice))
    assert await queries.favorite_ids(db, user_id=alice.id, business_ids=[a.id, b.id, c.id]) == {b.id}
    assert await queries.favorite_ids(db, user_id=None, business_ids=[b.id]) == set()
    assert await queries.is_favorite(db, user_id=alice.id, business_id=b.id)
