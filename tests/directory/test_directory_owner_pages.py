"""The owner's pages: list, create (with field errors), edit, hours, photos; CSRF; who may."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from afrobiz.directory.models import Business, BusinessImage
from factories.directory import create_business
from factories.directory import jpeg_with_gps


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
async def owner_web(client, db, people, web_login):
    users, _ = people
    return users["owner"], await web_login(users["owner"])


async def test_anonymous_is_sent_to_login_and_customers_refused(client, db, people, web_login):
    r = await client.get("/my/businesses")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/my/businesses")
    r = await client.get("/my/businesses", headers=await web_login(people[0]["customer"]))
    assert r.status_code == 403


async def test_owner_lists_a_business_through_the_form(client, db, owner_web, tree):
    owner, cookie = owner_web
    parent, kids = tree
    page = await client.get("/my/businesses/new", headers=cookie)
    assert page.status_code == 200 and parent.name in page.text and "Khomas" in page.text
    form = {"csrf_token": csrf(page.text), "name": "Tate Kapana", "category_id": str(parent.id),
            "subcategory_id": str(kids[0].id), "phone": "081 234 5678", "city": "Windhoek", "region": "Khomas",
            "latitude": "", "longitude": "", "price_range": "budget", "website": ""}
    # First with mistakes: the form comes back with the values and the messages.
    bad = await client.post("/my/businesses/new", headers=cookie,
                            data=form | {"phone": "123", "latitude": "-22.5", "subcategory_id": ""})
    assert bad.status_code == 422
    assert "Not a valid phone number" in bad.text and "Give both latitude and longitude" in bad.text
    assert 'value="Tate Kapana"' in bad.text
    assert await db.scalar(select(Business).where(Business.name == "Tate Kapana")) is None
    ok = await client.post("/my/businesses/new", headers=cookie, data=form)
    assert ok.status_code == 303
    business = await db.scalar(select(Business).where(Business.name == "Tate Kapana"))
    assert business.status == "pending" and business.owner_id == owner.id and business.phone == "+264812345678"
    assert ok.headers["location"] == f"/my/businesses/{business.id}?created=1"
    listing = await client.get("/my/businesses", headers=cookie)
    assert "Tate Kapana" in listing.text and "pending" in listing.text


async def test_post_without_csrf_is_refused(client, db, owner_web, tree):
    _, cookie = owner_web
    r = await client.post("/my/businesses/new", headers=cookie, data={"name": "No token", "city": "Windhoek"})
    assert r.status_code == 403


async def test_edit_and_hours_forms(client, db, owner_web, people):
    owner, cookie = owner_web
    b = await create_business(db, owner=owner, description="Old")
    page = await client.get(f"/my/businesses/{b.id}", headers=cookie)
    assert page.status_code == 200 and 'value="' + b.name + '"' in page.text
    form = {"csrf_token": csrf(page.text), "name": b.name, "city": "Swakopmund", "region": "Erongo",
            "description": "New words", "category_id": ""}
    r = await client.post(f"/my/businesses/{b.id}", headers=cookie, data=form)
    # No category on a business that had none: the form insists on one.
    assert r.status_code == 422 and "cannot be empty" in r.text
    r = await client.post(f"/my/businesses/{b.id}", headers=cookie,
                          data={k: v for k, v in form.items() if k != "category_id"})
    assert r.status_code == 303
    await db.refresh(b)
    assert (b.city, b.region, b.description) == ("Swakopmund", "Erongo", "New words")

    hours = await client.get(f"/my/businesses/{b.id}/hours", headers=cookie)
    data = {"csrf_token": csrf(hours.text)}
    for d in range(7):
        data |= {f"mode_{d}": "open", f"open_{d}": "18:00", f"close_{d}": "02:00"}
    data |= {"mode_0": "closed", "mode_1": "24h", "open_2": "09:00", "close_2": "09:00"}
    r = await client.post(f"/my/businesses/{b.id}/hours", headers=cookie, data=data)
    assert r.status_code == 422 and "the same" in r.text
    r = await client.post(f"/my/businesses/{b.id}/hours", headers=cookie, data=data | {"close_2": "17:00"})
    assert r.status_code == 303
    page = (await client.get(f"/b/{b.slug}")).text
    assert "18:00–02:00" in page and "Open 24 hours" in page and "09:00–17:00" in page


async def test_other_owner_cannot_open_or_post_to_my_forms(client, db, people, owner_web, web_login):
    owner, _ = owner_web
    b = await create_business(db, owner=owner, status="pending")
    other = await web_login(people[0]["other_owner"])
    for path in ("", "/hours", "/photos"):
        assert (await client.get(f"/my/businesses/{b.id}{path}", headers=other)).status_code == 404
    own_page = await client.get("/my/businesses", headers=other)
    r = await client.post(f"/my/businesses/{b.id}", headers=other,
                          data={"csrf_token": csrf(own_page.text) if "csrf_token" in own_page.text else "x",
                                "name": "Stolen", "city": "Windhoek", "region": "Khomas"})
    assert r.status_code in (403, 404)
    await db.refresh(b)
    assert b.name != "Stolen"


async def test_photo_manager_upload_move_delete(client, db, owner_web):
    owner, cookie = owner_web
    b = await create_business(db, owner=owner)
    page = await client.get(f"/my/businesses/{b.id}/photos", headers=cookie)
    token = csrf(page.text)
    for _ in range(2):
        r = await client.post(f"/my/businesses/{b.id}/photos", headers=cookie, data={"csrf_token": token,
                              "image_type": "gallery", "alt_text": "Shop"},
                              files={"file": ("p.jpg", jpeg_with_gps((300 + _, 200)), "image/jpeg")})
        assert r.status_code == 303
    r = await client.post(f"/my/businesses/{b.id}/photos", headers=cookie, data={"csrf_token": token},
                          files={"file": ("notes.jpg", b"plain text" * 50, "image/jpeg")})
    assert r.status_code == 415 and "JPEG, PNG or WebP" in r.text
    images = (await db.scalars(select(BusinessImage).where(BusinessImage.business_id == b.id)
                               .order_by(BusinessImage.sort_order))).all()
    first, second = images[0].id, images[1].id
    r = await client.post(f"/my/businesses/{b.id}/photos/{second}/move", headers=cookie,
                          data={"csrf_token": token, "direction": "up"})
    assert r.status_code == 303
    order = (await db.scalars(select(BusinessImage.id).where(BusinessImage.business_id == b.id)
                              .order_by(BusinessImage.sort_order))).all()
    assert order == [second, first]
    r = await client.post(f"/my/businesses/{b.id}/photos/{first}/delete", headers=cookie, data={"csrf_token": token})
    assert r.status_code == 303
    assert (await db.scalars(select(BusinessImage.id).where(BusinessImage.business_id == b.id))).all() == [second]
