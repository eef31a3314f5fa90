"""Content-addressed files shared by rows of different tables (issue 21, item 12): deleting
a listing's photo must not delete a customer's review photo of the same picture."""
from __future__ import annotations

import io

from PIL import Image

from factories.reviews import create_review


def picture() -> bytes:
    """A picture small enough that every stored size of it is the same file."""
    buf = io.BytesIO()
    Image.new("RGB", (300, 200), (12, 120, 80)).save(buf, "PNG")
    return buf.getvalue()


async def test_deleting_a_business_photo_keeps_the_review_photo_of_the_same_picture(client, world, db, login):
    owner = await login(world.owner)
    up = await client.post(f"/api/v1/businesses/{world.business.id}/images", headers=owner,
                           files={"file": ("shop.png", picture(), "image/png")}, data={"image_type": "gallery"})
    assert up.status_code == 201, up.text
    # The review waits for moderation: the owner cannot see it (RLS), the check must.
    review = await create_review(db, business=world.business, customer=world.author, status="pending",
                                 published_at=None)
    photo = await client.post(f"/api/v1/reviews/{review.id}/images", headers=await login(world.author),
                              files={"file": ("me.png", picture(), "image/png")})
    assert photo.status_code == 201, photo.text
    url = photo.json()["image_url"]
    assert url in {s["url"] for s in up.json()["sizes"].values()}      # one file for both rows

    gone = await client.delete(f"/api/v1/businesses/{world.business.id}/images/{up.json()['id']}", headers=owner)
    assert gone.status_code == 204
    served = await client.get(url)
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"


async def test_a_file_no_row_points_at_is_deleted(client, world, login):
    owner = await login(world.owner)
    up = await client.post(f"/api/v1/businesses/{world.business.id}/images", headers=owner,
                           files={"file": ("shop.png", picture(), "image/png")}, data={"image_type": "logo"})
    urls = {s["url"] for s in up.json()["sizes"].values()}
    assert [(await client.get(u)).status_code for u in urls] == [200] * len(urls)
    assert (await client.delete(f"/api/v1/businesses/{world.business.id}/images/{up.json()['id']}",
                                headers=owner)).status_code == 204
    assert [(await client.get(u)).status_code for u in urls] == [404] * len(urls)
