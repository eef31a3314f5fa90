"""The favourites page and the heart button's form."""
from __future__ import annotations

import re

from sqlalchemy import select

from afrobiz.accounts.sessions import start_session
from afrobiz.engagement.models import UserFavorite
from afrobiz.web.deps import COOKIE_NAME
from factories.accounts import create_user
from factories.directory import create_business


async def cookie(db, user) -> dict:
    return {"Cookie": f"{COOKIE_NAME}={await start_session(db, user=user)}"}


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


async def test_favorites_page_needs_a_log_in(client):
    r = await client.get("/me/favorites")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/me/favorites"


async def test_save_list_and_remove_through_the_forms(client, db):
    owner, user = await create_user(db, role="business_owner"), await create_user(db)
    biz = await create_business(db, owner=owner, name="Dunes Coffee")
    headers = await cookie(db, user)
    empty = await client.get("/me/favorites", headers=headers)
    assert "not saved any businesses yet" in empty.text
    token = csrf(empty.text)
    r = await client.post(f"/me/favorites/{biz.id}", headers=headers,
                          data={"csrf_token": token, "action": "add", "next": f"/b/{biz.slug}"})
    assert r.status_code == 303 and r.headers["location"] == f"/b/{biz.slug}"
    page = await client.get("/me/favorites", headers=headers)
    assert "Dunes Coffee" in page.text and 'aria-pressed="true"' in page.text
    # The script's request gets a bare 204.
    r = await client.post(f"/me/favorites/{biz.id}", headers=headers | {"X-Requested-With": "fetch"},
                          data={"csrf_token": token, "action": "remove"})
    assert r.status_code == 204
    assert await db.scalar(select(UserFavorite.id).where(UserFavorite.user_id == user.id)) is None
    # An off-site "next" is not followed.
    r = await client.post(f"/me/favorites/{biz.id}", headers=headers,
                          data={"csrf_token": token, "action": "add", "next": "https://evil.example/"})
    assert r.headers["location"] == "/me/favorites"


async def test_heart_form_without_csrf_is_refused(client, db):
    owner, user = await create_user(db, role="business_owner"), await create_user(db)
    biz = await create_business(db, owner=owner)
    r = await client.post(f"/me/favorites/{biz.id}", headers=await cookie(db, user), data={"action": "add"})
    assert r.status_code == 403
