"""POST /businesses/{id}/reviews: who may review what, verification, moderation on arrival."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from afrobiz.notifications.models import Notification
from afrobiz.reviews.models import Review
from factories.directory import create_business
from factories.reviews import create_completed_booking, create_customer, create_review, set_setting


def url(business):
    return f"/api/v1/businesses/{business.id}/reviews"


async def test_anonymous_cannot_review(client, world):
    r = await client.post(url(world.business), json={"rating": 5})
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"


async def test_customer_review_starts_pending_and_unverified(client, world, login, db):
    r = await client.post(url(world.business), headers=await login(world.author),
                          json={"rating": 4, "title": "Nice", "content": "Good kapana.", "service_rating": 5})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "pending" and body["is_verified"] is False
    assert body["reviewer"] == {"name": "Johanna N."} and "johanna.private" not in r.text
    assert body["service_rating"] == 5 and body["response"] is None


@pytest.mark.parametrize("who", ["owner", "admin"])
async def test_owner_of_the_business_and_admin_are_refused(client, world, login, who):
    r = await client.post(url(world.business), headers=await login(getattr(world, who)), json={"rating": 5})
    assert r.status_code == 403


async def test_another_owner_may_review_someone_elses_business(client, world, login, db):
    r = await client.post(url(world.business), headers=await login(world.other_owner), json={"rating": 3})
    assert r.status_code == 201


async def test_own_business_is_refused_even_for_a_customer_who_owns_it(client, world, login, db):
    own = await create_business(db, owner=world.author)
    r = await client.post(url(own), headers=await login(world.author), json={"rating": 5})
    assert r.status_code == 403 and "own business" in r.json()["detail"]


async def test_completed_booking_makes_a_verified_review(client, world, login, db):
    booking = await create_completed_booking(db, business=world.business, customer=world.author)
    r = await client.post(url(world.business), headers=await login(world.author),
                          json={"rating": 5, "booking_id": str(booking.id)})
    assert r.status_code == 201 and r.json()["is_verified"] is True and r.json()["status"] == "pending"


async def test_booking_of_someone_else_is_refused(client, world, login, db):
    booking = await create_completed_booking(db, business=world.business, customer=world.customer)
    r = await client.post(url(world.business), headers=await login(world.author),
                          json={"rating": 5, "booking_id": str(booking.id)})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "booking_id"


async def test_booking_at_another_business_is_refused(client, world, login, db):
    booking = await create_completed_booking(db, business=world.other_business, customer=world.author)
    r = await client.post(url(world.business), headers=await login(world.author),
                          json={"rating": 5, "booking_id": str(booking.id)})
    assert r.status_code == 422


@pytest.mark.parametrize("status", ["pending", "confirmed", "cancelled", "no_show"])
async def test_booking_not_completed_is_refused(client, world, login, db, status):
    booking = await create_completed_booking(db, business=world.business, customer=world.author, status=status)
    r = await client.post(url(world.business), headers=await login(world.author),
                          json={"rating": 5, "booking_id": str(booking.id)})
    assert r.status_code == 422 and "completed" in r.json()["detail"]


async def test_second_review_of_the_same_booking_is_refused(client, world, login, db):
    booking = await create_completed_booking(db, business=world.business, customer=world.author)
    headers = await login(world.author)
    body = {"rating": 5, "booking_id": str(booking.id)}
    assert (await client.post(url(world.business), headers=headers, json=body)).status_code == 201
    r = await client.post(url(world.business), headers=headers, json=body)
    assert r.status_code == 409


async def test_one_unverified_review_per_business_but_each_booking_may_add_one(client, world, login, db):
    headers = await login(world.author)
    assert (await client.post(url(world.business), headers=headers, json={"rating": 3})).status_code == 201
    assert (await client.post(url(world.business), headers=headers, json={"rating": 4})).status_code == 409
    booking = await create_completed_booking(db, business=world.business, customer=world.author)
    r = await client.post(url(world.business), headers=headers, json={"rating": 5, "booking_id": str(booking.id)})
    assert r.status_code == 201
    assert (await client.post(url(world.other_business), headers=headers, json={"rating": 2})).status_code == 201


async def test_inactive_or_unknown_business_is_404(client, world, login, db):
    hidden = await create_business(db, owner=world.owner, status="pending")
    headers = await login(world.author)
    assert (await client.post(url(hidden), headers=headers, json={"rating": 5})).status_code == 404
    r = await client.post("/api/v1/businesses/00000000-0000-0000-0000-000000000000/reviews", headers=headers,
                          json={"rating": 5})
    assert r.status_code == 404


@pytest.mark.parametrize("body", [{"rating": 0}, {"rating": 6}, {}, {"rating": "five"}, {"rating": 5, "title": "x" * 151},
                                  {"rating": 5, "content": "x" * 5001}, {"rating": 5, "value_rating": 9}])
async def test_bad_input_is_422_with_fields(client, world, login, body):
    r = await client.post(url(world.business), headers=await login(world.author), json=body)
    assert r.status_code == 422 and r.json()["errors"]


async def test_html_is_stored_as_written_never_rendered(client, world, login, db):
    r = await client.post(url(world.business), headers=await login(world.author),
                          json={"rating": 4, "content": "<script>alert(1)</script> & <b>bold</b>\x07"})
    assert r.status_code == 201
    stored = await db.scalar(select(Review.content).where(Review.id == r.json()["id"]))
    assert stored == "<script>alert(1)</script> & <b>bold</b>"   # control characters dropped
    # A NUL never gets this far: the request gate refuses it (tests/reliability/test_reliability_input.py).


async def test_auto_approve_publishes_verified_reviews_and_tells_the_owner(client, world, login, db):
    await set_setting(db, "reviews.auto_approve_verified", "true", "boolean")
    booking = await create_completed_booking(db, business=world.business, customer=world.author)
    r = await client.post(url(world.business), headers=await login(world.author),
                          json={"rating": 5, "title": "Best braai", "booking_id": str(booking.id)})
    assert r.json()["status"] == "approved" and r.json()["published_at"]
    note = (await db.scalars(select(Notification).where(Notification.user_id == world.owner.id))).one()
    assert note.type == "review_received" and "5-star" in note.title
    await db.refresh(world.business)
    assert (world.business.review_count, str(world.business.average_rating)) == (1, "5.00")
    # An unverified review is still moderated.
    r = await client.post(url(world.business), headers=await login(world.customer), json={"rating": 1})
    assert r.json()["status"] == "pending"


async def test_spam_signals_hold_even_a_verified_review(client, world, login, db):
    await set_setting(db, "reviews.auto_approve_verified", "true", "boolean")
    booking = await create_completed_booking(db, business=world.business, customer=world.author)
    r = await client.post(url(world.business), headers=await login(world.author),
                          json={"rating": 5, "content": "Cheap at www.example.com", "booking_id": str(booking.id)})
    assert r.json()["status"] == "pending"
    assert await db.scalar(select(Review.spam_signals).where(Review.id == r.json()["id"])) == ["links"]


async def test_new_account_and_bursts_are_held(client, world, login, db):
    await set_setting(db, "reviews.auto_approve_verified", "true", "boolean")
    fresh = await create_customer(db, created_at=datetime.now(UTC) - timedelta(hours=1))
    booking = await create_completed_booking(db, business=world.business, customer=fresh)
    r = await client.post(url(world.business), headers=await login(fresh),
                          json={"rating": 5, "booking_id": str(booking.id)})
    assert r.json()["status"] == "pending"
    signals = await db.scalar(select(Review.spam_signals).where(Review.id == r.json()["id"]))
    assert signals == ["new_account"]
    # Four reviews from one account within the hour: the fourth is held.
    headers = await login(world.customer)
    for i in range(4):
        biz = await create_business(db, owner=world.owner)
        b = await create_completed_booking(db, business=biz, customer=world.customer)
        r = await client.post(url(biz), headers=headers, json={"rating": 4, "booking_id": str(b.id)})
    assert r.json()["status"] == "pending"
    assert "many_reviews_from_account" in await db.scalar(select(Review.spam_signals)
                                                          .where(Review.id == r.json()["id"]))


async def test_copied_text_from_the_same_account_is_held(client, world, login, db):
    text = "Absolutely the best place in all of Windhoek, go now"
    await create_review(db, business=world.other_business, customer=world.author, content=text.upper())
    r = await client.post(url(world.business), headers=await login(world.author), json={"rating": 5, "content": text})
    assert "repeated_text" in await db.scalar(select(Review.spam_signals).where(Review.id == r.json()["id"]))


async def test_many_reviews_from_one_address_are_held(client, world, login, db):
    # The test transport's client address is 127.0.0.1; five other accounts wrote from it.
    for _ in range(5):
        someone = await create_customer(db)
        await create_review(db, business=world.other_business, customer=someone, ip_address="127.0.0.1",
                            status="pending")
    r = await client.post(url(world.business), headers=await login(world.author), json={"rating": 5})
    review = (await db.scalars(select(Review).where(Review.id == r.json()["id"]))).one()
    assert review.spam_signals == ["many_reviews_from_ip"] and str(review.ip_address) == "127.0.0.1"
