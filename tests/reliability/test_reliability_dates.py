"""Dates far from now are a 422 (a page: its form error), never an OverflowError 500.

Every date and moment input is held to 1900-01-01 .. 2100-12-31 (afrobiz/kit/dates.py).
Before, POST /api/v1/bookings with "booking_date": "0001-01-01" or "9999-12-31" answered 500.
"""
from __future__ import annotations

import pytest
from factories.analytics import csrf_of
from reliability_helpers import build_world

from afrobiz.api.problems import PROBLEM_JSON
from afrobiz.web.deps import COOKIE_NAME

FAR = ("0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01")
OUT_OF_RANGE = "Use a date from 1900-01-01 to 2100-12-31."


def assert_out_of_range(r, field: str) -> None:
    assert r.status_code == 422, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith(PROBLEM_JSON)
    errors = r.json()["errors"]
    assert {"field": field, "message": OUT_OF_RANGE} in errors, errors


@pytest.fixture
async def world(db):
    return await build_world(db)


@pytest.mark.parametrize("day", FAR)
async def test_a_booking_far_from_now_is_422(client, world, day):
    body = {"service_id": str(world.a.service), "booking_date": day, "booking_time": "10:00"}
    guest = {"customer_name": "Ndapewa", "customer_email": "guest@example.na"}
    assert_out_of_range(await client.post("/api/v1/bookings", json=body | guest), "booking_date")
    assert_out_of_range(await client.post("/api/v1/bookings", json=body, headers=world.b.customer.headers),
                        "booking_date")
    r = await client.post(f"/api/v1/bookings/{world.a.booking}/reschedule", headers=world.a.customer.headers,
                          json={"booking_date": day, "booking_time": "10:00"})
    assert_out_of_range(r, "booking_date")


@pytest.mark.parametrize("day", FAR)
async def test_free_slots_far_from_now_are_422(client, world, day):
    # Anonymous GETs of free slots are the hot lane's: it hands these to the route.
    url = f"/api/v1/services/{world.a.service}/slots"
    assert_out_of_range(await client.get(url, params={"from": day}), "from")
    assert_out_of_range(await client.get(url, params={"from": str(world.day), "to": day}), "to")


@pytest.mark.parametrize("day", FAR)
async def test_owner_ranges_and_closures_far_from_now_are_422(client, world, day):
    owner, biz = world.a.owner.headers, world.a.business
    for path in ("bookings", "payouts", "payouts.csv"):
        assert_out_of_range(await client.get(f"/api/v1/businesses/{biz}/{path}", params={"from": day},
                                             headers=owner), "from")
        assert_out_of_range(await client.get(f"/api/v1/businesses/{biz}/{path}", params={"to": day},
                                             headers=owner), "to")
    r = await client.put(f"/api/v1/businesses/{biz}/closures", json=[{"date": day, "reason": "x"}], headers=owner)
    assert_out_of_range(r, "0.date")


@pytest.mark.parametrize("day", FAR)
async def test_admin_moments_far_from_now_are_422(client, world, day):
    admin = world.admin.headers
    for moment in (day, f"{day}T12:00:00+00:00", f"{day}T23:59:59-12:00"):
        for name in ("from", "to"):
            r = await client.get("/api/v1/admin/audit-logs", params={name: moment}, headers=admin)
            assert_out_of_range(r, name)
    r = await client.post(f"/api/v1/admin/businesses/{world.a.business}/feature",
                          json={"until": f"{day}T23:59:59Z"}, headers=admin)
    assert_out_of_range(r, "until")


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "9999-12-31"])
async def test_a_birth_date_far_from_now_is_422(client, world, day):
    r = await client.patch("/api/v1/me", json={"date_of_birth": day}, headers=world.a.customer.headers)
    assert_out_of_range(r, "date_of_birth")


async def test_dates_within_the_bounds_still_work(client, world):
    owner, biz = world.a.owner.headers, world.a.business
    r = await client.get(f"/api/v1/businesses/{biz}/bookings", params={"from": "1900-01-01", "to": "2100-12-31"},
                         headers=owner)
    assert r.status_code == 200 and len(r.json()["items"]) == 1
    r = await client.put(f"/api/v1/businesses/{biz}/closures", json=[{"date": "2100-12-31"}], headers=owner)
    assert r.status_code == 200, r.text
    r = await client.get("/api/v1/admin/audit-logs", params={"from": "1900-01-01", "to": "2100-12-31"},
                         headers=world.admin.headers)
    assert r.status_code == 200, r.text
    r = await client.patch("/api/v1/me", json={"date_of_birth": "1900-01-01"}, headers=world.a.customer.headers)
    assert r.status_code == 200 and r.json()["date_of_birth"] == "1900-01-01"


async def test_openapi_states_the_bounds_of_every_date_input(client):
    document = (await client.get("/api/v1/openapi.json")).json()
    schemas = document["components"]["schemas"]

    def dates(schema, seen=()):
        if not isinstance(schema, dict):
            return
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            if name not in seen:
                yield from dates(schemas[name], (*seen, name))
            return
        if schema.get("format") in ("date", "date-time"):
            yield schema
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in schema.get(key, ()):
                yield from dates(sub, seen)
        for sub in (*schema.get("properties", {}).values(), schema.get("items"), schema.get("additionalProperties")):
            yield from dates(sub, seen)

    found = 0
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            inputs = [p["schema"] for p in op.get("parameters", ())]
            inputs += [c["schema"] for c in op.get("requestBody", {}).get("content", {}).values()]
            for schema in inputs:
                for d in dates(schema):
                    found += 1
                    assert d.get("formatMinimum", "").startswith("1900-01-01"), (method, path, d)
                    assert d.get("formatMaximum", "").startswith("2100-12-31"), (method, path, d)
    assert found >= 13   # the walk really reached them (13 date inputs when this was written)


# ---------------------------------------------------------------- pages

async def _cookie(world, who) -> dict[str, str]:
    return {"Cookie": f"{COOKIE_NAME}={who.token}"}


async def test_pages_with_dates_far_from_now_are_4xx_not_500(client, world):
    customer, owner, admin = (await _cookie(world, world.a.customer), await _cookie(world, world.a.owner),
                              await _cookie(world, world.admin))
    for day in FAR:
        for url, who in ((f"/book/{world.a.service}?date={day}", {}),
                         (f"/owner/bookings?date={day}", owner),
                         (f"/owner/payouts?from={day}", owner), (f"/owner/payouts?to={day}", owner),
                         (f"/owner/payouts.csv?from={day}", owner),
                         (f"/admin/audit?from={day}", admin), (f"/admin/audit?to={day}", admin)):
            r = await client.get(url, headers=who)
            assert 400 <= r.status_code < 500, (url, r.status_code)
    page = await client.get(f"/book/{world.a.service}")
    r = await client.post(f"/book/{world.a.service}", data={
        "csrf_token": csrf_of(page.text), "date": "9999-12-31", "time": "10:00", "customer_name": "N",
        "customer_email": "guest@example.na"})
    assert 400 <= r.status_code < 500 and OUT_OF_RANGE in r.text, r.status_code


async def test_an_admin_featuring_until_far_from_now_is_a_form_error(client, world):
    admin = await _cookie(world, world.admin)
    page = await client.get("/admin/businesses?status=active", headers=admin)
    r = await client.post(f"/admin/businesses/{world.a.business}", headers=admin, data={
        "csrf_token": csrf_of(page.text), "decision": "feature", "until": "9999-12-31", "back_status": "active"})
    assert r.status_code == 422 and OUT_OF_RANGE in r.text, r.status_code
