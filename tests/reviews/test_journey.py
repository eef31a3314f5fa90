"""A new customer's journey, through the API as a client would make it: review after a completed
booking with a photo, the admin approves, the owner replies, another user finds it helpful."""
from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from afrobiz.notifications.models import Notification
from reviews_support import totals
from factories.directory import create_business
from factories.reviews import create_completed_booking, create_customer, create_review


def photo() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (240, 200, 40)).save(buf, "PNG")
    return buf.getvalue()


async def test_review_journey(client, world, db, login):
    booking = await create_completed_booking(db, business=world.business, customer=world.author)
    author = await login(world.author)
    r = await client.post(f"/api/v1/businesses/{world.business.id}/reviews", headers=author,
                          json={"rating": 5, "title": "Best kapana in Katutura", "content": "Fresh and hot.",
                                "booking_id": str(booking.id), "service_rating": 5, "value_rating": 5})
    assert r.status_code == 201 and r.json()["status"] == "pending" and r.json()["is_verified"]
    review_id = r.json()["id"]
    img = await client.post(f"/api/v1/reviews/{review_id}/images", headers=author,
                            files={"file": ("braai.png", photo(), "image/png")})
    assert img.status_code == 201
    # Not public yet.
    assert (await client.get(f"/api/v1/businesses/{world.business.id}/reviews")).json()["items"] == []

    admin = await login(world.admin)
    queue = (await client.get("/api/v1/admin/reviews", params={"status": "pending"}, headers=admin)).json()["items"]
    mine = [i for i in queue if i["business_id"] == str(world.business.id)]
    assert [i["id"] for i in mine] == [review_id] and len(mine[0]["images"]) == 1
    r = await client.post(f"/api/v1/admin/reviews/{review_id}/moderate", headers=admin,
                          json={"status": "approved", "notes": "Genuine booking"})
    assert r.status_code == 200

    owner = await login(world.owner)
    r = await client.post(f"/api/v1/reviews/{review_id}/response", headers=owner,
                          json={"content": "Thank you! See you next Friday."})
    assert r.status_code == 200

    other = await login(world.customer)
    r = await client.post(f"/api/v1/reviews/{review_id}/vote", headers=other, json={"helpful": True})
    assert r.json()["helpful_count"] == 1

    listed = (await client.get(f"/api/v1/businesses/{world.business.id}/reviews", params={"sort": "helpful"})).json()
    item = listed["items"][0]
    assert item["id"] == review_id and item["is_verified"] and item["helpful_count"] == 1
    assert item["response"]["content"] == "Thank you! See you next Friday."
    assert item["images"][0]["image_url"].startswith("/media/") and item["reviewer"]["name"] == "Johanna N."
    stored, fresh = await totals(db, world.business.id)
    assert stored == fresh and stored[1] == 1 and str(stored[0]) == "5.00"
    kinds = {(n.user_id, n.type) for n in (await db.scalars(select(Notification))).all()}
    assert (world.owner.id, "review_received") in kinds and (world.author.id, "review_response") in kinds
    business = (await client.get(f"/api/v1/businesses/{world.business.id}")).json()
    assert business["review_count"] == 1 and business["average_rating"] in ("5.00", 5.0, "5.0")


async def test_pending_and_rejected_reviews_do_not_move_search_ranking(client, world, db):
    """Search ranks by the stored average, which only approved reviews feed."""
    faked = await create_business(db, owner=world.owner, name="Zzyzx Braai Faked")
    honest = await create_business(db, owner=world.other_owner, name="Zzyzx Braai Honest")
    for status in ("pending", "rejected", "flagged"):
        await create_review(db, business=faked, customer=await create_customer(db), rating=5, status=status)
    # Search uses a Bayesian average: had the three held 5-star reviews counted, "Faked" would win.
    await create_review(db, business=honest, customer=await create_customer(db), rating=5)
    r = await client.get("/api/v1/search/businesses", params={"q": "Zzyzx Braai", "sort": "rating"})
    assert r.status_code == 200, r.text
    items = {i["name"]: i for i in r.json()["items"]}
    assert items["Zzyzx Braai Faked"]["review_count"] == 0
    assert items["Zzyzx Braai Honest"]["review_count"] == 1
    names = [i["name"] for i in r.json()["items"] if i["name"].startswith("Zzyzx")]
    assert names.index("Zzyzx Braai Honest") < names.index("Zzyzx Braai Faked")
