"""Owner replies and helpful votes."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from afrobiz.admin.models import AuditLog
from afrobiz.notifications.models import Notification
from afrobiz.reviews.models import Review, ReviewVote
from factories.reviews import create_customer, create_review


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("author", 403), ("customer", 403), ("owner", 200),
                                             ("other_owner", 403), ("admin", 403)])
async def test_only_the_business_owner_replies(client, world, db, login, who, status):
    review = await create_review(db, business=world.business, customer=world.author)
    headers = await login(getattr(world, who)) if who else {}
    r = await client.post(f"/api/v1/reviews/{review.id}/response", headers=headers, json={"content": "Thanks!"})
    assert r.status_code == status


async def test_reply_is_public_editable_audited_and_the_reviewer_is_told(client, world, db, login):
    review = await create_review(db, business=world.business, customer=world.author)
    headers = await login(world.owner)
    r = await client.post(f"/api/v1/reviews/{review.id}/response", headers=headers, json={"content": "Thank you!"})
    first = r.json()["response"]
    assert first["content"] == "Thank you!" and first["responded_at"]
    r = await client.post(f"/api/v1/reviews/{review.id}/response", headers=headers,
                          json={"content": "Thank you, see you soon."})
    assert r.json()["response"]["content"] == "Thank you, see you soon."
    assert r.json()["response"]["responded_at"] >= first["responded_at"]
    public = (await client.get(f"/api/v1/businesses/{world.business.id}/reviews")).json()["items"][0]
    assert public["response"]["content"] == "Thank you, see you soon."
    notes = (await db.scalars(select(Notification).where(Notification.user_id == world.author.id)
                              .order_by(Notification.created_at))).all()
    assert [n.type for n in notes] == ["review_response", "review_response"]
    assert "updated" in notes[1].title
    audit = (await db.scalars(select(AuditLog).where(AuditLog.record_id == review.id)
                              .order_by(AuditLog.created_at))).all()
    assert [a.action for a in audit] == ["review.respond", "review.respond"]
    assert audit[1].old_values == {"business_response": "Thank you!"}


async def test_reply_refusals(client, world, db, login):
    pending = await create_review(db, business=world.business, customer=world.author, status="pending")
    headers = await login(world.owner)
    assert (await client.post(f"/api/v1/reviews/{pending.id}/response", headers=headers,
                              json={"content": "Hi"})).status_code == 409
    review = await create_review(db, business=world.business, customer=world.customer)
    for body in ({"content": ""}, {"content": "x" * 2001}, {}):
        assert (await client.post(f"/api/v1/reviews/{review.id}/response", headers=headers,
                                  json=body)).status_code == 422
    assert (await client.post(f"/api/v1/reviews/{review.id}/response", headers=headers,
                              json={"content": "   "})).status_code == 422


async def test_votes_count_once_per_user_and_can_change(client, world, db, login):
    review = await create_review(db, business=world.business, customer=world.author)
    a, b = await login(world.customer), await login(world.other_owner)
    url = f"/api/v1/reviews/{review.id}/vote"
    r = await client.post(url, headers=a, json={"helpful": True})
    assert r.status_code == 200 and r.json() == {"review_id": str(review.id), "helpful": True,
                                                 "helpful_count": 1, "not_helpful_count": 0}
    assert (await client.post(url, headers=a, json={"helpful": True})).json()["helpful_count"] == 1
    r = await client.post(url, headers=a, json={"helpful": False})
    assert (r.json()["helpful_count"], r.json()["not_helpful_count"]) == (0, 1)
    r = await client.post(url, headers=b, json={"helpful": False})
    assert (r.json()["helpful_count"], r.json()["not_helpful_count"]) == (0, 2)
    r = await client.delete(url, headers=a)
    assert (r.json()["helpful_count"], r.json()["not_helpful_count"]) == (0, 1)
    count = await db.scalar(select(ReviewVote.is_helpful).where(ReviewVote.review_id == review.id))
    assert count is False   # only b's vote is left
    listed = (await client.get(f"/api/v1/businesses/{world.business.id}/reviews", headers=b)).json()["items"][0]
    assert listed["my_vote"] is False and listed["not_helpful_count"] == 1


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("author", 403), ("customer", 200), ("owner", 403),
                                             ("other_owner", 200), ("admin", 200)])
async def test_vote_matrix(client, world, db, login, who, status):
    review = await create_review(db, business=world.business, customer=world.author)
    headers = await login(getattr(world, who)) if who else {}
    r = await client.post(f"/api/v1/reviews/{review.id}/vote", headers=headers, json={"helpful": True})
    assert r.status_code == status


async def test_no_votes_on_hidden_reviews_and_bad_bodies(client, world, db, login):
    pending = await create_review(db, business=world.business, customer=world.author, status="pending")
    headers = await login(world.customer)
    assert (await client.post(f"/api/v1/reviews/{pending.id}/vote", headers=headers,
                              json={"helpful": True})).status_code == 404
    review = await create_review(db, business=world.business, customer=await create_customer(db))
    for body in ({}, {"helpful": "maybe"}):
        assert (await client.post(f"/api/v1/reviews/{review.id}/vote", headers=headers,
                                  json=body)).status_code == 422
    assert await db.scalar(select(Review.helpful_count).where(Review.id == review.id)) == 0
