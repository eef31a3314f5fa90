"""The shared layout, the home page's lists and the static files, through the pages."""
from __future__ import annotations

import gzip
import re
from types import SimpleNamespace

from sqlalchemy.orm.exc import DetachedInstanceError
from starlette.requests import Request

from afrobiz.accounts.sessions import start_session
from afrobiz.web.deps import COOKIE_NAME
from afrobiz.web.errors import error_page
from factories.accounts import create_user
from factories.directory import create_business


async def cookie(db, user) -> dict:
    return {"Cookie": f"{COOKIE_NAME}={await start_session(db, user=user)}"}


def nav_links(html: str) -> list[str]:
    main_nav = html.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]+)"', main_nav)


async def test_each_role_gets_its_own_navigation(client, db):
    assert nav_links((await client.get("/")).text) == ["/search"]
    customer = await create_user(db)
    owner = await create_user(db, role="business_owner")
    mine = nav_links((await client.get("/", headers=await cookie(db, customer))).text)
    assert mine[:4] == ["/search", "/me/bookings", "/me/favorites", "/me/notifications"]
    assert "/owner/bookings" not in mine and "/my/businesses" not in mine
    theirs = nav_links((await client.get("/search", headers=await cookie(db, owner))).text)
    assert {"/me/bookings", "/my/businesses", "/owner/bookings", "/owner/reviews"} <= set(theirs)


async def test_layout_has_lang_skip_link_landmarks_and_marks_the_current_page(client, db):
    html = (await client.get("/search", headers=await cookie(db, await create_user(db)))).text
    assert '<html lang="en">' in html
    assert html.index('class="skip-link" href="#main"') < html.index("<header") < html.index('<main id="main"')
    assert '<a href="/search" aria-current="page">Search</a>' in html
    assert re.search(r'<script src="/static/app\.[0-9a-f]{12}\.js" defer></script>', html)
    assert "<script>" not in html            # no inline scripts: our own JS is one cached file


async def test_home_shows_featured_and_businesses_near_the_chosen_town(client, db):
    owner = await create_user(db, role="business_owner")
    await create_business(db, owner=owner, name="Featured Tailor", is_featured=True,
                          latitude=-22.57, longitude=17.08)
    await create_business(db, owner=owner, name="Plain Bakery", latitude=-22.56, longitude=17.07)
    await create_business(db, owner=owner, name="Hidden Garage", is_featured=True, status="pending")
    await create_business(db, owner=owner, name="Far Away Lodge", city="Rundu", region="Kavango East",
                          latitude=-17.92, longitude=19.77)
    home = (await client.get("/")).text
    featured = home.split('id="featured-heading"', 1)[1].split("</section>", 1)[0]
    assert "Featured Tailor" in featured and "Plain Bakery" not in featured and "Hidden Garage" not in featured
    assert "Choose your town" in home and 'id="near"' in home

    near = (await client.get("/?near=windhoek")).text
    nearby = near.split('id="near-heading"', 1)[1].split("</section>", 1)[0]
    assert "Near Windhoek" in nearby and "Plain Bakery" in nearby and "Featured Tailor" in nearby
    assert "Far Away Lodge" not in nearby and "Hidden Garage" not in nearby
    assert (await client.get("/?near=Atlantis")).status_code == 200      # unknown town: no list, no error


async def test_error_page_after_a_rolled_back_request_still_shows_who_is_logged_in(app):
    # After a failed request the transaction is rolled back and the User row is expired and
    # detached: reading it raises. The layout must use the snapshot page_user took.
    class Detached:
        def __getattr__(self, name):
            raise DetachedInstanceError(f"{name} is not loaded")

    request = Request({"type": "http", "app": app, "method": "POST", "path": "/bookings/AB-X/cancel",
                       "headers": [], "query_string": b"", "root_path": "", "scheme": "http",
                       "server": ("testserver", 80)})
    request.state.user = Detached()
    request.state.nav_user = SimpleNamespace(first_name="Ndapewa", role="customer")
    r = error_page(request, 409, "Too late to cancel", "Please contact the business.")
    html = r.body.decode()
    assert r.status_code == 409 and "Too late to cancel" in html
    assert "Ndapewa" in html and "Log out" in html and 'href="/me/bookings"' in html


async def test_static_text_files_are_served_pre_gzipped_with_vary(client):
    html = (await client.get("/")).text
    src = re.search(r'src="(/static/app\.[0-9a-f]{12}\.js)"', html).group(1)
    async with client.stream("GET", src, headers={"Accept-Encoding": "gzip"}) as r:
        raw = b"".join([chunk async for chunk in r.aiter_raw()])
    assert r.headers["content-encoding"] == "gzip" and r.headers["vary"] == "Accept-Encoding"
    assert b"geolocation" in gzip.decompress(raw) and len(raw) < len(gzip.decompress(raw))
    plain = await client.get(src, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and "geolocation" in plain.text
    assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
