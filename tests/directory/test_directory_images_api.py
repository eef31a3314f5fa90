"""Pictures through the API: upload defences, logo/cover, serving, reorder, delete, who may."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from afrobiz.admin.models import AuditLog
from afrobiz.kit.images import MAX_BYTES
from factories.directory import create_business
from factories.directory import huge_png_header, jpeg_with_gps, png


def upload(data: bytes, name="photo.jpg", mime="image/jpeg", **fields):
    return {"files": {"file": (name, data, mime)}, "data": {"image_type": "gallery"} | fields}


@pytest.fixture
async def shop(db, people):
    users, _ = people
    return await create_business(db, owner=users["owner"])


async def test_upload_stores_webp_sizes_without_exif_and_serves_them_immutable(client, people, shop):
    h = people[1]
    r = await client.post(f"/api/v1/businesses/{shop.id}/images", headers=h["owner"],
                          **upload(jpeg_with_gps(), alt_text="Our chairs"))
    assert r.status_code == 201, r.text
    img = r.json()
    assert img["alt_text"] == "Our chairs" and img["image_type"] == "gallery"
    assert set(img["sizes"]) == {"thumb", "card", "full"} and img["sizes"]["thumb"]["width"] == 320
    served = await client.get(img["sizes"]["full"]["url"])
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
    assert "immutable" in served.headers["cache-control"]
    stored = Image.open(io.BytesIO(served.content))
    assert stored.format == "WEBP" and not stored.getexif() and b"PhoneMaker" not in served.content
    assert stored.size == (img["width"], img["height"])
    page = (await client.get(f"/api/v1/businesses/{shop.slug}")).json()
    assert [i["id"] for i in page["images"]] == [img["id"]]


@pytest.mark.parametrize(("data", "name", "mime", "status"), [
    (b"just some text, honestly" * 20, "photo.jpg", "image/jpeg", 415),          # renamed text file
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "x.svg", "image/svg+xml", 415),
    (huge_png_header(), "bomb.png", "image/png", 422),                           # 20,000 x 20,000
])
async def test_dangerous_uploads_are_refused(client, people, shop, db, data, name, mime, status):
    r = await client.post(f"/api/v1/businesses/{shop.id}/images", headers=people[1]["owner"],
                          **upload(data, name, mime))
    assert r.status_code == status and r.headers["content-type"] == "application/problem+json"
    assert (await client.get(f"/api/v1/businesses/{shop.slug}")).json()["images"] == []


async def test_uploads_are_rate_limited_per_uploader(client, people, shop):
    owner = people[1]["owner"]
    for _ in range(30):                 # refused files count too: each costs the server a look
        r = await client.post(f"/api/v1/businesses/{shop.id}/images", headers=owner,
                              **upload(b"not a picture at all" * 10))
        assert r.status_code == 415
    r = await client.post(f"/api/v1/businesses/{shop.id}/images", headers=owner, **upload(png(), "a.png", "image/png"))
    assert r.status_code == 429 and r.headers["content-type"] == "application/problem+json"
    assert int(r.headers["retry-after"]) > 0
    assert (await client.get(f"/api/v1/businesses/{shop.slug}")).json()["images"] == []


async def test_oversized_body_is_413(client, people, shop):
    r = await client.post(f"/api/v1/businesses/{shop.id}/images", headers=people[1]["owner"],
                          **upload(b"\xff\xd8\xff" + b"\0" * (MAX_BYTES + 100)))
    assert r.status_code == 413


async def test_bad_image_type_is_422(client, people, shop):
    r = await client.post(f"/api/v1/businesses/{shop.id}/images", headers=people[1]["owner"],
                          **upload(png(), "a.png", "image/png", image_type="selfie"))
    assert r.status_code == 422


async def test_logo_and_cover_set_the_listing_urls_and_delete_clears_them(client, people, shop, db):
    h = people[1]
    logo = (await client.post(f"/api/v1/businesses/{shop.id}/images", headers=h["owner"],
                              **upload(png((400, 400)), "l.png", "image/png", image_type="logo"))).json()
    cover = (await client.post(f"/api/v1/businesses/{shop.id}/images", headers=h["owner"],
                               **upload(jpeg_with_gps((2000, 1000)), image_type="cover"))).json()
    body = (await client.get(f"/api/v1/businesses/{shop.id}")).json()
    assert body["logo_url"] == logo["sizes"]["card"]["url"] and body["cover_image_url"] == cover["image_url"]
    assert cover["width"] == 1600 and cover["height"] == 800
    r = await client.delete(f"/api/v1/businesses/{shop.id}/images/{logo['id']}", headers=h["owner"])
    assert r.status_code == 204
    body = (await client.get(f"/api/v1/businesses/{shop.id}")).json()
    assert body["logo_url"] is None and [i["id"] for i in body["images"]] == [cover["id"]]
    assert (await client.get(logo["sizes"]["thumb"]["url"])).status_code == 404      # its files are gone
    actions = (await db.scalars(select(AuditLog.action).where(AuditLog.action.like("business.image.%")))).all()
    assert actions.count("business.image.add") == 2 and "business.image.delete" in actions


async def test_reorder_and_describe(client, people, shop):
    h = people[1]
    ids = []
    for colour in ("red", "blue", "green"):
        buf = io.BytesIO()
        Image.new("RGB", (50, 50), colour).save(buf, "PNG")
        ids.append((await client.post(f"/api/v1/businesses/{shop.id}/images", headers=h["owner"],
                                      **upload(buf.getvalue(), "c.png", "image/png"))).json()["id"])
    r = await client.put(f"/api/v1/businesses/{shop.id}/images/order", json=ids[::-1], headers=h["owner"])
    assert r.status_code == 200 and [i["id"] for i in r.json()] == ids[::-1]
    assert [i["id"] for i in (await client.get(f"/api/v1/businesses/{shop.id}")).json()["images"]] == ids[::-1]
    r = await client.put(f"/api/v1/businesses/{shop.id}/images/order", json=ids[:2], headers=h["owner"])
    assert r.status_code == 422
    r = await client.patch(f"/api/v1/businesses/{shop.id}/images/{ids[0]}", json={"caption": "Red wall"},
                           headers=h["owner"])
    assert r.status_code == 200 and r.json()["caption"] == "Red wall"


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("customer", 403), ("other_owner", 403),
                                             ("admin", 201)])
async def test_who_may_upload(client, people, shop, who, status):
    r = await client.post(f"/api/v1/businesses/{shop.id}/images", headers=people[1][who], **upload(png(), "a.png",
                                                                                                     "image/png"))
    assert r.status_code == status


async def test_other_owner_cannot_delete_or_touch_pictures(client, people, shop, db):
    h = people[1]
    img = (await client.post(f"/api/v1/businesses/{shop.id}/images", headers=h["owner"],
                             **upload(png(), "a.png", "image/png"))).json()
    other = await create_business(db, owner=people[0]["other_owner"])
    assert (await client.delete(f"/api/v1/businesses/{shop.id}/images/{img['id']}",
                                headers=h["other_owner"])).status_code == 403
    # Through their own business id, someone else's picture does not exist.
    assert (await client.delete(f"/api/v1/businesses/{other.id}/images/{img['id']}",
                                headers=h["other_owner"])).status_code == 404
    assert (await client.patch(f"/api/v1/businesses/{other.id}/images/{img['id']}", json={"caption": "x"},
                               headers=h["other_owner"])).status_code == 404
    assert len((await client.get(f"/api/v1/businesses/{shop.id}")).json()["images"]) == 1


async def test_media_route_refuses_odd_names(client):
    assert (await client.get("/media/..%2F..%2Fetc%2Fpasswd")).status_code == 404
    assert (await client.get("/media/" + "ab" * 20 + ".webp")).status_code == 404
