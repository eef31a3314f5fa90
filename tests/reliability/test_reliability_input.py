"""Text PostgreSQL cannot store (NUL) or UTF-8 cannot encode (lone surrogates) is refused at
the door, by one layer in front of every route (afrobiz/kit/clean_input.py): 422 problem+json
in the API, a 404 page for a page's path, a 422 page for a page's query or form.

Before that layer each of these answered 500 (PostgreSQL refused the NUL, psycopg could not
encode the surrogate): the URLs and bodies below are the ones issue 21 lists.
"""
from __future__ import annotations

import json

import pytest
from factories.analytics import csrf_of
from factories.directory import png
from reliability_helpers import build_world

from afrobiz.accounts.sessions import start_session
from afrobiz.web.deps import COOKIE_NAME

PROBLEM = "application/problem+json"
REFUSED = "Contains characters that are not allowed."


def assert_refused(r, field: str | None = None) -> None:
    assert r.status_code == 422, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == 422 and body["errors"][0]["message"] == REFUSED
    if field is not None:
        assert body["errors"][0]["field"] == field


# ---------------------------------------------------------------- query strings and paths (API)

@pytest.mark.parametrize("url, field", [
    ("/api/v1/search/businesses?q=%00", "q"),                 # the hot lane answers these GETs
    ("/api/v1/search/businesses?city=%00", "city"),
    ("/api/v1/search/businesses?category=%00", "category"),
    ("/api/v1/search/businesses?q=braids%ED%A0%80", "q"),     # an unpaired surrogate, percent-encoded
    ("/api/v1/search/businesses?q=a+b&region=x%00y", "region"),
    ("/api/v1/search/suggest?q=%00", "q"),
    ("/api/v1/search/suggest?q=%ED%B0%80", "q"),
    ("/api/v1/search/suggest?q%00=x", "query"),               # in a name: the name is no field
    ("/api/v1/businesses/%00", "path"),
    ("/api/v1/businesses/%ED%A0%80", "path"),
    ("/api/v1/categories/x%00/businesses", "path"),
])
async def test_nul_or_surrogate_in_a_query_or_path_is_422(client, url, field):
    assert_refused(await client.get(url), field)


async def test_admin_filters_with_nul_are_422(db, client):
    world = await build_world(db)
    admin = world.admin.headers
    assert_refused(await client.get("/api/v1/admin/users?q=%00", headers=admin), "q")
    assert_refused(await client.get("/api/v1/admin/audit-logs?table_name=%00", headers=admin), "table_name")
    assert_refused(await client.get("/api/v1/admin/audit-logs?action=x%00", headers=admin), "action")


async def test_clean_text_still_passes(db, client):
    world = await build_world(db)
    # Non-ASCII text, an emoji (a surrogate pair in JSON), %-encoded UTF-8: all fine.
    r = await client.get("/api/v1/search/businesses", params={"q": "Ûnîcödé 🙂", "city": "Lüderitz"})
    assert r.status_code == 200, r.text
    body = b'{"name": "Caf\\u00e9 \\ud83d\\ude00", "description": "a \\\\u0000 written out"}'
    r = await client.patch(f"/api/v1/businesses/{world.a.business}", content=body,
                           headers=world.a.owner.headers | {"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Café 😀" and r.json()["description"] == "a \\u0000 written out"


# ---------------------------------------------------------------- JSON bodies

def _raw(text: str) -> bytes:
    """A JSON body written by hand, so escapes such as \\ud800 reach the server as sent."""
    return text.encode()


async def test_guest_booking_with_nul_or_surrogate_is_422(db, client):
    world = await build_world(db)
    base = (f'"service_id": "{world.a.service}", "booking_date": "{world.day}", "booking_time": "11:00", '
            '"customer_email": "guest@example.na"')
    for body, field in ((f'{{{base}, "customer_name": "Ndapewa\\u0000"}}', "customer_name"),
                        (f'{{{base}, "customer_name": "N", "notes": "\\ud800 hi"}}', "notes"),
                        (f'{{{base}, "customer_name": "N", "notes": "hi \\uDFFF"}}', "notes"),
                        (f'{{{base}, "customer_name": "N", "\\u0000": 1}}', "body")):
        r = await client.post("/api/v1/bookings", content=_raw(body), headers={"Content-Type": "application/json"})
        assert_refused(r, field)


async def test_owner_json_bodies_with_nul_or_surrogate_are_422(db, client):
    world = await build_world(db)
    owner = world.a.owner.headers | {"Content-Type": "application/json"}
    biz = world.a.business
    cases = [
        ("PATCH", f"/api/v1/businesses/{biz}", '{"name": "Salon\\u0000"}', "name"),
        ("PATCH", f"/api/v1/businesses/{biz}", '{"description": "\\ud83d alone"}', "description"),
        ("PATCH", f"/api/v1/businesses/{biz}", '{"keywords": ["hair", "\\u0000"]}', "keywords.1"),
        ("PATCH", f"/api/v1/businesses/{biz}", '{"settings": {"note": "\\u0000"}}', "settings.note"),
        ("PATCH", f"/api/v1/businesses/{biz}", '{"settings": {"\\ud800key": 1}}', "settings"),
        ("POST", f"/api/v1/businesses/{biz}/services", '{"name": "Cut\\u0000", "duration_minutes": 30}', "name"),
        ("PUT", f"/api/v1/businesses/{biz}/closures", '[{"date": "2031-01-02", "reason": "\\u0000"}]', "0.reason"),
        ("PUT", f"/api/v1/businesses/{biz}/bank-details",
         '{"account_name": "A\\u0000B", "bank": "FNB", "account_number": "62000000000"}', "account_name"),
        ("PATCH", f"/api/v1/businesses/{biz}/images/{world.a.image}", '{"caption": "\\udc00"}', "caption"),
    ]
    for method, url, body, field in cases:
        r = await client.request(method, url, content=_raw(body), headers=owner)
        assert_refused(r, field)


async def test_a_raw_utf8_encoded_surrogate_in_json_is_422(db, client):
    # Python's JSON reader decodes the bytes ED A0 80 into the surrogate U+D800 ('surrogatepass').
    world = await build_world(db)
    r = await client.patch(f"/api/v1/businesses/{world.a.business}", content=b'{"name": "Salon \xed\xa0\x80"}',
                           headers=world.a.owner.headers | {"Content-Type": "application/json"})
    assert_refused(r)


# ---------------------------------------------------------------- forms (multipart and pages)

async def test_multipart_text_field_with_nul_is_422(db, client):
    world = await build_world(db)
    r = await client.post(f"/api/v1/businesses/{world.a.business}/images", headers=world.a.owner.headers,
                          files={"file": ("a.png", png(), "image/png")},
                          data={"caption": "front\x00door", "image_type": "gallery"})
    assert_refused(r, "caption")


@pytest.mark.parametrize("path", ["/categories/%00", "/b/%00", "/b/x%ED%A0%80", "/bookings/AB-%00",
                                  "/static/%00", "/media/%00"])
async def test_a_page_path_with_nul_or_surrogate_is_a_404_page(client, path):
    r = await client.get(path)
    assert r.status_code == 404, (r.status_code, r.text[:200])
    assert r.headers["content-type"].startswith("text/html")


async def test_a_signed_in_booking_page_with_nul_is_a_404_page(db, client):
    world = await build_world(db)
    cookie = {"Cookie": f"{COOKIE_NAME}={world.a.customer.token}"}
    r = await client.get("/bookings/AB-%00", headers=cookie)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")


async def test_a_page_query_with_nul_is_a_422_page(client):
    r = await client.get("/search?q=%00")
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert REFUSED in r.text


async def test_a_page_form_with_nul_is_a_422_page(db, client):
    world = await build_world(db)
    from afrobiz.accounts.models import User

    owner = await db.get(User, world.a.owner.id)
    cookie = {"Cookie": f"{COOKIE_NAME}={await start_session(db, user=owner)}"}
    page = await client.get(f"/my/businesses/{world.a.business}", headers=cookie)
    assert page.status_code == 200
    r = await client.post(f"/my/businesses/{world.a.business}", headers=cookie,
                          data={"csrf_token": csrf_of(page.text), "name": "Salon\x00", "description": "x"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert REFUSED in r.text
