"""Everything under a hidden (pending or suspended) business is 404 to the public, as the
business itself is; its owner and admins still see it all (issue 21, item 11)."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from afrobiz.booking.models import BusinessClosure
from afrobiz.directory.models import BusinessClick, BusinessImage
from factories.accounts import create_user
from factories.booking import create_service, set_hours
from factories.directory import create_business
from factories.reviews import create_review


@pytest.fixture(params=["pending", "suspended"])
async def hidden(request, db, owner, day):
    business = await create_business(db, owner=owner, name="Hidden Braids", status=request.param)
    await set_hours(db, business=business)
    service = await create_service(db, business=business, name="Cornrows")
    db.add(BusinessClosure(business_id=business.id, closed_on=day + timedelta(days=1), reason="medical leave"))
    db.add(BusinessImage(business_id=business.id, image_url="/media/" + "ab" * 20 + ".webp", image_type="gallery",
                         sort_order=0))
    review = await create_review(db, business=business, customer=await create_user(db))
    await db.flush()
    return business, service, review


def public_reads(business, service, review, day):
    b, s = business.id, service.id
    span = {"from": day.isoformat(), "to": day.isoformat()}
    return [("GET", f"/api/v1/businesses/{b}", {}), ("GET", f"/api/v1/businesses/{business.slug}", {}),
            ("GET", f"/api/v1/businesses/{b}/services", {}), ("GET", f"/api/v1/businesses/{b}/closures", {}),
            ("GET", f"/api/v1/businesses/{b}/reviews", {}), ("GET", f"/api/v1/reviews/{review.id}", {}),
            ("GET", f"/api/v1/services/{s}", {}), ("GET", f"/api/v1/services/{s}/availability", {}),
            ("GET", f"/api/v1/services/{s}/slots", span),
            ("GET", f"/b/{business.slug}", {}), ("GET", f"/b/{business.slug}/reviews", {}),
            ("GET", f"/book/{s}", {})]


async def test_the_public_and_customers_find_nothing_under_a_hidden_business(client, login, db, customer, hidden,
                                                                              day):
    business, service, review = hidden
    reads = public_reads(business, service, review, day)
    for headers in ({}, await login(customer)):
        got = {url: (await client.request(m, url, params=p, headers=headers)).status_code for m, url, p in reads}
        assert got == dict.fromkeys(got, 404), got
    closures = await client.get(f"/api/v1/businesses/{business.id}/closures")
    assert "medical leave" not in closures.text
    ch = await login(customer)
    writes = {
        "favourite": await client.put(f"/api/v1/me/favorites/{business.id}", headers=ch),
        "review": await client.post(f"/api/v1/businesses/{business.id}/reviews", headers=ch,
                                    json={"rating": 5, "content": "Lovely braids, very friendly people."}),
        "book": await client.post("/api/v1/bookings", headers=ch, json={
            "service_id": str(service.id), "booking_date": day.isoformat(), "booking_time": "10:00"}),
    }
    assert {k: r.status_code for k, r in writes.items()} == dict.fromkeys(writes, 404), \
        {k: (r.status_code, r.text[:200]) for k, r in writes.items()}


async def test_its_owner_and_admins_still_see_it(client, login, db, owner, hidden):
    business, service, review = hidden
    admin = await create_user(db, role="admin")
    for who in (owner, admin):
        h = await login(who)
        services = await client.get(f"/api/v1/businesses/{business.id}/services", headers=h)
        assert [s["name"] for s in services.json()] == ["Cornrows"], services.text
        closures = await client.get(f"/api/v1/businesses/{business.id}/closures", headers=h)
        assert [c["reason"] for c in closures.json()] == ["medical leave"]
        assert (await client.get(f"/api/v1/services/{service.id}", headers=h)).status_code == 200
        assert (await client.get(f"/api/v1/reviews/{review.id}", headers=h)).status_code == 200
        assert (await client.get(f"/api/v1/businesses/{business.id}", headers=h)).status_code == 200


async def test_a_click_on_a_hidden_business_counts_nothing_and_tells_nothing(client, db, hidden):
    business, _, _ = hidden
    missing = await client.post(f"/api/v1/businesses/{uuid.uuid4()}/clicks", params={"kind": "phone"})
    click = await client.post(f"/api/v1/businesses/{business.id}/clicks", params={"kind": "phone"})
    assert click.status_code == missing.status_code      # a beacon: the same answer as for no business
    assert await db.scalar(select(func.count()).select_from(BusinessClick)
                           .where(BusinessClick.business_id == business.id)) == 0
