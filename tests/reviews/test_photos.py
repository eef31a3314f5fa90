"""Review photos go through the same safe image pipeline as business photos."""
from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from afrobiz.reviews.models import ReviewImage
from factories.reviews import create_review


def png_with_exif() -> bytes:
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"                                 # camera maker
    Image.new("RGB", (2400, 1200), (200, 80, 20)).save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


async def test_author_adds_a_photo_reencoded_without_metadata(client, world, db, login, settings):
    review = await create_review(db, business=world.business, customer=world.author)
    r = await client.post(f"/api/v1/reviews/{review.id}/images", headers=await login(world.author),
                          files={"file": ("me.jpg", png_with_exif(), "image/jpeg")}, data={"alt_text": "Our table"})
    assert r.status_code == 201, r.text
    url = r.json()["image_url"]
    assert url.startswith("/media/") and url.endswith(".webp") and r.json()["alt_text"] == "Our table"
    key = url.removeprefix("/media/")
    stored = (settings.storage_dir / key[:2] / key).read_bytes()
    with Image.open(io.BytesIO(stored)) as im:
        assert im.format == "WEBP" and max(im.size) == 1600 and not im.getexif()
    listed = (await client.get(f"/api/v1/businesses/{world.business.id}/reviews")).json()["items"][0]
    assert [i["image_url"] for i in listed["images"]] == [url]


async def test_photo_refusals(client, world, db, login):
    review = await create_review(db, business=world.business, customer=world.author)
    url = f"/api/v1/reviews/{review.id}/images"
    files = {"file": ("x.jpg", png_with_exif(), "image/jpeg")}
    assert (await client.post(url, files=files)).status_code == 401
    assert (await client.post(url, headers=await login(world.customer), files=files)).status_code == 403
    assert (await client.post(url, headers=await login(world.owner), files=files)).status_code == 403
    r = await client.post(url, headers=await login(world.author),
                          files={"file": ("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")})
    assert r.status_code == 415
    assert await db.scalar(select(ReviewImage.id).where(ReviewImage.review_id == review.id)) is None


async def test_at_most_five_photos(client, world, db, login):
    review = await create_review(db, business=world.business, customer=world.author)
    headers = await login(world.author)
    statuses = [(await client.post(f"/api/v1/reviews/{review.id}/images", headers=headers,
                                   files={"file": ("x.jpg", png_with_exif(), "image/jpeg")})).status_code
                for _ in range(6)]
    assert statuses == [201] * 5 + [409]
