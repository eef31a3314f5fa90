"""GET /businesses/{id}/reviews and GET /reviews/{id}: only approved reviews are public."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from factories.directory import create_business
from factories.reviews import create_customer, create_review, set_setting


async def test_public_list_shows_approved_only_with_reply_and_short_names(client, world, db):
    approved = await create_review(db, business=world.business, customer=world.author, rating=5,
                                   business_response="Thank you!", business_response_date=datetime.now(UTC))
    for status in ("pending", "rejected", "flagged"):
        await create_review(db, business=world.business, customer=await create_customer(db), status=status)
    r = await client.get(f"/api/v1/businesses/{world.business.id}/reviews")
    assert r.status_code == 200
    body = r.json()
    assert [i["id"] for i in body["items"]] == [str(approved.id)] and body["next_cursor"] is None
    item = body["items"][0]
    assert item["reviewer"] == {"name": "Johanna N."} and item["response"]["content"] == "Thank you!"
    assert "johanna.private" not in r.text and "ip_address" not in r.text and "moderation_notes" not in r.text


@pytest.mark.parametrize("who", ["author", "owner", "admin"])
async def test_even_those_who_may_see_pending_reviews_get_only_approved_in_the_list(client, world, db, login, who):
    await create_review(db, business=world.business, customer=world.author, status="pending")
    r = await client.get(f"/api/v1/businesses/{world.business.id}/reviews", headers=await login(getattr(world, who)))
    assert r.json()["items"] == []


async def _seed_sortable(db, world):
    now = datetime.now(UTC)
    specs = [(5, 1, 4), (2, 9, 3), (4, 3, 2), (1, 0, 1), (3, 5, 0)]   # rating, helpful, days ago
    out = []
    for rating, helpful, days in specs:
        out.append(await create_review(db, business=world.business, customer=await create_customer(db),
                                       rating=rating, helpful_count=helpful, created_at=now - timedelta(days=days)))
    return out


@pytest.mark.parametrize(("sort", "expected"), [
    ("newest", [3, 1, 4, 2, 5]),       # by created_at: 0, 1, 2, 3, 4 days ago
    ("helpful", [2, 3, 4, 5, 1]),
    ("highest", [5, 4, 3, 2, 1]),
    ("lowest", [1, 2, 3, 4, 5]),
])
async def test_sorts(client, world, db, sort, expected):
    await _seed_sortable(db, world)
    r = await client.get(f"/api/v1/businesses/{world.business.id}/reviews", params={"sort": sort})
    assert [i["rating"] for i in r.json()["items"]] == expected


@pytest.mark.parametrize("sort", ["newest", "helpful", "highest", "lowest"])
async def test_cursor_pages_cover_everything_once(client, world, db, sort):
    await _seed_sortable(db, world)
    # Ties in rating and helpfulness too, so the tie-breakers are exercised.
    for _ in range(4):
        await create_review(db, business=world.business, customer=await create_customer(db), rating=4,
                            helpful_count=3)
    full = (await client.get(f"/api/v1/businesses/{world.business.id}/reviews",
                             params={"sort": sort, "limit": 100})).json()["items"]
    seen, cursor = [], None
    while True:
        params = {"sort": sort, "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get(f"/api/v1/businesses/{world.business.id}/reviews", params=params)).json()
        assert len(page["items"]) <= 2
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [i["id"] for i in full] and len(seen) == 9


@pytest.mark.parametrize("params", [{"sort": "random"}, {"cursor": "garbage"}, {"limit": 0}, {"limit": 101}])
async def test_bad_list_parameters_are_422(client, world, params):
    r = await client.get(f"/api/v1/businesses/{world.business.id}/reviews", params=params)
    assert r.status_code == 422


async def test_list_of_hidden_or_unknown_business_is_404(client, world, db):
    hidden = await create_business(db, owner=world.owner, status="suspended")
    assert (await client.get(f"/api/v1/businesses/{hidden.id}/reviews")).status_code == 404
    assert (await client.get("/api/v1/businesses/not-a-uuid/reviews")).status_code == 422


async def test_summary_shows_distribution_and_new_below_the_threshold(client, world, db):
    for rating in (5, 5, 4):
        await create_review(db, business=world.business, customer=await create_customer(db), rating=rating)
    await create_review(db, business=world.business, customer=await create_customer(db), rating=1, status="pending")
    summary = (await client.get(f"/api/v1/businesses/{world.business.id}/reviews")).json()["summary"]
    assert summary == {"average_rating": "4.67", "review_count": 3, "is_new": False,
                       "distribution": {"5": 2, "4": 1, "3": 0, "2": 0, "1": 0}}
    await set_setting(db, "reviews.min_count_for_average", "5", "integer")
    summary = (await client.get(f"/api/v1/businesses/{world.business.id}/reviews")).json()["summary"]
    assert summary["is_new"] is True and summary["average_rating"] is None and summary["review_count"] == 3


@pytest.mark.parametrize(("who", "status"), [
    (None, 404), ("author", 200), ("customer", 404), ("owner", 200), ("other_owner", 404), ("admin", 200)])
async def test_a_pending_review_is_seen_by_author_owner_and_staff_only(client, world, db, login, who, status):
    review = await create_review(db, business=world.business, customer=world.author, status="pending")
    headers = await login(getattr(world, who)) if who else {}
    r = await client.get(f"/api/v1/reviews/{review.id}", headers=headers)
    assert r.status_code == status
    if status == 200:
        assert r.json()["status"] == "pending"


async def test_an_approved_review_is_public(client, world, db):
    review = await create_review(db, business=world.business, customer=world.author)
    r = await client.get(f"/api/v1/reviews/{review.id}")
    assert r.status_code == 200 and r.json()["rating"] == 4
