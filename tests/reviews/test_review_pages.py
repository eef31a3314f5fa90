"""The review pages through the app: write, read, vote, report, reply, moderate."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from PIL import Image
from sqlalchemy import select

from afrobiz.reviews.models import Review, ReviewImage, ReviewVote
from reviews_support import cookie, csrf
from factories.reviews import create_completed_booking, create_customer, create_review, set_setting


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 60)).save(buf, "JPEG")
    return buf.getvalue()


async def test_anonymous_visitor_is_sent_to_log_in_before_writing(client, world):
    r = await client.get(f"/b/{world.business.slug}/review")
    assert r.status_code == 303 and r.headers["location"] == f"/login?next=/b/{world.business.slug}/review"


async def test_write_a_verified_review_with_a_photo(client, world, db):
    booking = await create_completed_booking(db, business=world.business, customer=world.author)
    headers = await cookie(db, world.author)
    page = await client.get(f"/b/{world.business.slug}/review", headers=headers)
    assert page.status_code == 200 and booking.booking_number in page.text
    form = {"csrf_token": csrf(page.text), "rating": "5", "title": "Best kapana", "content": "Hot & fresh <3",
            "booking_id": str(booking.id), "service_rating": "5", "value_rating": ""}
    r = await client.post(f"/b/{world.business.slug}/review", headers=headers, data=form,
                          files={"photos": ("meal.jpg", jpeg(), "image/jpeg")})
    assert r.status_code == 303 and r.headers["location"] == f"/b/{world.business.slug}/reviews?submitted=pending"
    review = (await db.scalars(select(Review).where(Review.customer_id == world.author.id))).one()
    assert review.is_verified and review.rating == 5 and review.value_rating is None
    assert (await db.scalar(select(ReviewImage.image_url).where(ReviewImage.review_id == review.id))).startswith("/media/")
    thanks = await client.get(r.headers["location"], headers=headers)
    assert "once our team has checked it" in thanks.text and "Best kapana" not in thanks.text   # not public yet


async def test_write_form_comes_back_with_field_errors(client, world, db):
    headers = await cookie(db, world.author)
    page = await client.get(f"/b/{world.business.slug}/review", headers=headers)
    r = await client.post(f"/b/{world.business.slug}/review", headers=headers,
                          data={"csrf_token": csrf(page.text), "title": "Kept", "content": "x" * 5001})
    assert r.status_code == 422
    assert "Choose from 1 to 5 stars." in r.text and "At most 5000 characters." in r.text and 'value="Kept"' in r.text
    assert await db.scalar(select(Review.id).where(Review.customer_id == world.author.id)) is None


async def test_write_refusals_show_on_the_form(client, world, db):
    await create_review(db, business=world.business, customer=world.author, status="pending")
    headers = await cookie(db, world.author)
    page = await client.get(f"/b/{world.business.slug}/review", headers=headers)
    r = await client.post(f"/b/{world.business.slug}/review", headers=headers,
                          data={"csrf_token": csrf(page.text), "rating": "4"})
    assert r.status_code == 409 and "already reviewed" in r.text
    owner = await cookie(db, world.owner)
    page = await client.get(f"/b/{world.business.slug}/review", headers=owner)
    r = await client.post(f"/b/{world.business.slug}/review", headers=owner,
                          data={"csrf_token": csrf(page.text), "rating": "5"})
    assert r.status_code == 403 and "own business" in r.text


async def test_post_without_csrf_is_refused(client, world, db):
    r = await client.post(f"/b/{world.business.slug}/review", headers=await cookie(db, world.author),
                          data={"rating": "5"})
    assert r.status_code == 403
    assert await db.scalar(select(Review.id).where(Review.customer_id == world.author.id)) is None


async def test_reviews_page_escapes_text_and_shows_only_approved(client, world, db):
    await create_review(db, business=world.business, customer=world.author, rating=5,
                        title="<script>alert('x')</script>", content="Line one\n<b>bold</b>")
    await create_review(db, business=world.business, customer=world.customer, title="Hidden pending one",
                        status="pending")
    r = await client.get(f"/b/{world.business.slug}/reviews")
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "&lt;script&gt;alert(" in r.text and "&lt;b&gt;bold&lt;/b&gt;" in r.text
    assert "Johanna N." in r.text and "johanna.private" not in r.text and "Hidden pending one" not in r.text
    assert "New" in r.text     # one review: below the threshold, no misleading average


async def test_vote_and_report_from_the_page(client, world, db):
    review = await create_review(db, business=world.business, customer=world.author)
    headers = await cookie(db, world.customer)
    page = await client.get(f"/b/{world.business.slug}/reviews", headers=headers)
    token = csrf(page.text)
    r = await client.post(f"/reviews/{review.id}/vote", headers=headers,
                          data={"csrf_token": token, "helpful": "1", "next": f"/b/{world.business.slug}/reviews"})
    assert r.status_code == 303 and r.headers["location"] == f"/b/{world.business.slug}/reviews"
    page = await client.get(f"/b/{world.business.slug}/reviews", headers=headers)
    assert "1 found this helpful" in page.text and 'value="clear"' in page.text
    await client.post(f"/reviews/{review.id}/vote", headers=headers, data={"csrf_token": token, "helpful": "clear"})
    assert await db.scalar(select(ReviewVote.id).where(ReviewVote.review_id == review.id)) is None
    r = await client.post(f"/reviews/{review.id}/report", headers=headers,
                          data={"csrf_token": token, "reason": "Not a real visit"})
    assert r.status_code == 200 and "Our team will look" in r.text
    # One report is recorded but does not hide the review (the default threshold is 3).
    assert await db.scalar(select(Review.status).where(Review.id == review.id)) == "approved"
    # The author sees no vote buttons on their own review.
    own = await client.get(f"/b/{world.business.slug}/reviews", headers=await cookie(db, world.author))
    assert f'/reviews/{review.id}/vote' not in own.text


async def test_owner_replies_from_the_owner_page(client, world, db):
    review = await create_review(db, business=world.business, customer=world.author, content="Lovely place")
    await create_review(db, business=world.other_business, customer=world.author, content="Someone else's")
    headers = await cookie(db, world.owner)
    page = await client.get("/owner/reviews", headers=headers)
    assert page.status_code == 200 and "Lovely place" in page.text and "Someone else" not in page.text
    token = csrf(page.text)
    bad = await client.post(f"/owner/reviews/{review.id}/reply", headers=headers,
                            data={"csrf_token": token, "content": "  "})
    assert bad.status_code == 422 and "Write a reply." in bad.text
    r = await client.post(f"/owner/reviews/{review.id}/reply", headers=headers,
                          data={"csrf_token": token, "content": "Thank you, Johanna!"})
    assert r.status_code == 303
    public = await client.get(f"/b/{world.business.slug}/reviews")
    assert "Reply from the business" in public.text and "Thank you, Johanna!" in public.text
    assert (await client.get("/owner/reviews", headers=await cookie(db, world.customer))).status_code == 403


async def test_admin_moderates_from_the_queue(client, world, db):
    review = await create_review(db, business=world.business, customer=world.author, status="pending",
                                 content="Check me", spam_signals=["links"], published_at=None,
                                 created_at=datetime.now(UTC) - timedelta(days=3650))   # first in the queue
    headers = await cookie(db, world.admin)
    page = await client.get("/admin/reviews", headers=headers)
    assert page.status_code == 200 and "Check me" in page.text and "Held because:" in page.text
    r = await client.post(f"/admin/reviews/{review.id}/moderate", headers=headers,
                          data={"csrf_token": csrf(page.text), "status": "approved", "notes": "ok",
                                "next": "/admin/reviews?status=pending"})
    assert r.status_code == 303
    assert "Check me" in (await client.get(f"/b/{world.business.slug}/reviews")).text
    for who in (world.owner, world.customer):
        assert (await client.get("/admin/reviews", headers=await cookie(db, who))).status_code == 403
    assert (await client.get("/admin/reviews")).status_code == 303


async def test_list_sorts_and_pages_with_a_cursor(client, world, db):
    await set_setting(db, "reviews.min_count_for_average", "1", "integer")
    for i in range(25):
        await create_review(db, business=world.business, customer=await create_customer(db), rating=1 + i % 5,
                            title=f"T{i:02d}")
    page = await client.get(f"/b/{world.business.slug}/reviews", params={"sort": "highest"})
    assert "More reviews" in page.text and "out of 5" in page.text
    nxt = page.text.split('cursor=')[1].split('"')[0].replace("&amp;", "&")
    second = await client.get(f"/b/{world.business.slug}/reviews?sort=highest&cursor={nxt}")
    assert second.status_code == 200 and second.text.count('class="review"') == 5
    assert (await client.get(f"/b/{world.business.slug}/reviews?cursor=broken")).status_code == 200
