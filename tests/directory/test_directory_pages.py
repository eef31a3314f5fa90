"""Public pages: the business page (content, JSON-LD, counting), category pages, sitemap, robots."""
from __future__ import annotations

import json
import re
from datetime import time
from decimal import Decimal
from xml.etree import ElementTree

from sqlalchemy import func, select

from afrobiz.booking.models import Service
from afrobiz.engagement.models import BusinessView
from factories.directory import create_business, set_week

PHONE_UA = {"User-Agent": "Mozilla/5.0 (Linux; Android 10; SM-A105F) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"}



def json_ld(html: str) -> dict:
    m = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert m, "no JSON-LD on the page"
    return json.loads(m.group(1))


async def test_business_page_shows_what_a_visitor_needs(client, db, people, tree):
    users, _ = people
    parent, kids = tree
    b = await create_business(db, owner=users["owner"], name="Kapana King <Grill>", category_id=parent.id,
                              subcategory_id=kids[0].id, phone="+264812345678", whatsapp="+264812345678",
                              latitude=Decimal("-22.56"), longitude=Decimal("17.07"), is_verified=True,
                              description="Best kapana in Katutura.", street_address="Soweto Market")
    await set_week(db, b, [(d, "08:00", "22:00") for d in range(7)])
    svc = Service(business_id=b.id, name="Kapana platter", price=Decimal("85"), duration_minutes=30)
    db.add(svc)
    await db.flush()
    r = await client.get(f"/b/{b.slug}", headers=PHONE_UA)
    assert r.status_code == 200
    html = r.text
    assert "<h1>Kapana King &lt;Grill&gt;</h1>" in html            # escaped
    assert "✔ Verified" in html and 'href="tel:+264812345678"' in html
    assert 'href="https://wa.me/264812345678"' in html
    assert "N$&nbsp;85.00" in html and f'href="/book/{svc.id}"' in html
    assert 'aria-current="date"' in html and "08:00–22:00" in html
    assert ("Open now" in html) or ("Closed" in html)
    assert "New" in html                                             # no reviews yet
    ld = json_ld(html)
    assert ld["@type"] == "LocalBusiness" and ld["name"] == "Kapana King <Grill>"
    assert ld["telephone"] == "+264812345678" and ld["geo"]["latitude"] == -22.56
    assert ld["address"]["addressLocality"] == "Windhoek" and len(ld["openingHoursSpecification"]) == 7
    assert "</script>" not in re.search(r'ld\+json">(.*?)</script>', html, re.S).group(1)


async def test_a_view_is_counted_once_per_page_view_without_full_ip(client, db, people, web_login):
    users, _ = people
    b = await create_business(db, owner=users["owner"])
    await client.get(f"/b/{b.slug}", headers=PHONE_UA | {"Referer": "https://www.google.com/"})
    await client.get(f"/b/{b.slug}", headers={"User-Agent": "Googlebot/2.1"})      # a robot: not counted
    await client.get(f"/b/{b.slug}", headers=PHONE_UA | await web_login(users["owner"]))   # the owner: not
    await db.refresh(b)
    assert b.view_count == 1
    views = (await db.scalars(select(BusinessView).where(BusinessView.business_id == b.id))).all()
    assert len(views) == 1 and views[0].referrer == "https://www.google.com/"
    assert views[0].ip_address is None or str(views[0].ip_address).endswith(".0")


async def test_pending_page_is_404_to_visitors_and_shown_to_its_owner(client, db, people, web_login):
    users, _ = people
    b = await create_business(db, owner=users["owner"], status="pending")
    assert (await client.get(f"/b/{b.slug}")).status_code == 404
    assert (await client.get(f"/b/{b.slug}", headers=await web_login(users["other_owner"]))).status_code == 404
    r = await client.get(f"/b/{b.slug}", headers=await web_login(users["owner"]))
    assert r.status_code == 200 and "pending" in r.text and "Edit this listing" in r.text
    assert await db.scalar(select(func.count()).select_from(BusinessView)
                           .where(BusinessView.business_id == b.id)) == 0


async def test_photos_are_lazy_thumbnails_with_dimensions(client, db, people):
    from factories.directory import jpeg_with_gps
    users, h = people
    b = await create_business(db, owner=users["owner"])
    r = await client.post(f"/api/v1/businesses/{b.id}/images", headers=h["owner"],
                          files={"file": ("a.jpg", jpeg_with_gps(), "image/jpeg")}, data={"alt_text": "Front"})
    thumb = r.json()["sizes"]["thumb"]
    html = (await client.get(f"/b/{b.slug}")).text
    assert (f'<img src="{thumb["url"]}" width="{thumb["width"]}" height="{thumb["height"]}" loading="lazy"'
            in html) and 'alt="Front"' in html
    assert json_ld(html)["image"][0].endswith(r.json()["sizes"]["full"]["url"])


async def test_rating_shows_once_enough_reviews(client, db, people):
    from afrobiz.reviews.models import Review
    users, _ = people
    b = await create_business(db, owner=users["owner"])
    for rating in (5, 4, 4):
        db.add(Review(business_id=b.id, customer_id=users["customer"].id, rating=rating, status="approved"))
        await db.flush()
    html = (await client.get(f"/b/{b.slug}")).text
    assert "4.33" in html and "(3 reviews)" in html
    assert json_ld(html)["aggregateRating"]["reviewCount"] == 3


async def test_category_page_lists_active_businesses(client, db, people, tree):
    users, _ = people
    parent, kids = tree
    shown = await create_business(db, owner=users["owner"], category_id=parent.id, subcategory_id=kids[1].id)
    hidden = await create_business(db, owner=users["owner"], category_id=parent.id, status="pending")
    r = await client.get(f"/categories/{parent.slug}")
    assert r.status_code == 200 and shown.name in r.text and hidden.name not in r.text
    assert kids[0].name in r.text                                   # subcategory chips
    r = await client.get(f"/categories/{kids[1].slug}")
    assert shown.name in r.text and parent.name in r.text           # breadcrumb to the parent
    assert (await client.get(f"/categories/{kids[0].slug}")).text.count("business-card") == 0
    assert (await client.get("/categories/no-such-thing")).status_code == 404


async def test_sitemap_and_robots(client, db, people, tree):
    users, _ = people
    active = await create_business(db, owner=users["owner"])
    pending = await create_business(db, owner=users["owner"], status="pending")
    r = await client.get("/sitemap.xml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    locs = [e.text for e in ElementTree.fromstring(r.text).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert any(loc.endswith(f"/b/{active.slug}") for loc in locs)
    assert not any(loc.endswith(f"/b/{pending.slug}") for loc in locs)
    assert any(loc.endswith(f"/categories/{tree[0].slug}") for loc in locs)
    robots = (await client.get("/robots.txt")).text
    assert "Sitemap: " in robots and "Disallow: /api/" in robots
