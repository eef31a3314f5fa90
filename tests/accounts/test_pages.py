"""The account pages through the app: forms, cookies, CSRF, field errors, redirects."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from afrobiz.accounts.models import User
from afrobiz.web.deps import COOKIE_NAME
from factories.accounts import STRONG
from factories.accounts import create_user

pytestmark = pytest.mark.usefixtures("store")


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', html)


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


async def post_form(client, path: str, data: dict, page: str | None = None):
    form_page = await client.get(page or path)
    return await client.post(path, data={"csrf_token": csrf(form_page.text)} | data)


async def log_in(client, email: str, password: str = STRONG, next_url: str = ""):
    return await post_form(client, "/login", {"email": email, "password": password, "next": next_url})


async def test_register_page_signs_up_and_shows_the_same_notice_for_a_taken_email(client, db, inbox):
    await create_user(db, email="taken@example.na")
    data = {"first_name": "Ndapewa", "last_name": "Shilongo", "password": STRONG, "role": "business_owner",
            "phone": "081 234 5678", "preferred_language": "en"}
    new = await post_form(client, "/register", data | {"email": "new-page@example.na"})
    taken = await post_form(client, "/register", data | {"email": "taken@example.na"})
    assert new.status_code == taken.status_code == 200
    assert "Check your e-mail" in new.text and "Check your e-mail" in taken.text
    user = (await db.scalars(select(User).where(User.email == "new-page@example.na"))).one()
    assert user.role == "business_owner" and user.phone == "+264812345678" and user.marketing_consent is False
    assert COOKIE_NAME not in new.cookies


async def test_register_page_shows_field_errors_and_keeps_values(client):
    r = await post_form(client, "/register", {"first_name": "Ndapewa", "last_name": "S", "email": "not-an-email",
                                              "password": "password1", "role": "customer"})
    assert r.status_code == 422
    assert 'id="e-email"' in r.text and 'value="Ndapewa"' in r.text
    r = await post_form(client, "/register", {"first_name": "Ndapewa", "last_name": "S", "email": "ok@example.na",
                                              "password": "password1", "role": "customer"})
    assert r.status_code == 422 and 'id="e-password"' in r.text and "too common" in r.text


async def test_post_without_csrf_token_is_refused(client):
    r = await client.post("/login", data={"email": "a@example.na", "password": STRONG})
    assert r.status_code == 403


async def test_login_sets_a_safe_cookie_and_logout_revokes_it(client, db):
    user = await create_user(db, password=STRONG, first_name="Selma")
    r = await log_in(client, user.email, next_url="/account")
    assert r.status_code == 303 and r.headers["location"] == "/account"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    token = client.cookies[COOKIE_NAME]

    page = await client.get("/account")
    assert page.status_code == 200 and user.email in page.text and "Selma" in page.text   # nav shows the name
    r = await client.post("/logout", data={"csrf_token": csrf(page.text)})
    assert r.status_code == 303
    client.cookies.set(COOKIE_NAME, token)          # an old cookie replayed is worth nothing
    assert (await client.get("/account")).status_code == 303


async def test_login_page_refusal_and_open_redirect_guard(client, db):
    user = await create_user(db, password=STRONG)
    r = await log_in(client, user.email, "wrong-password-1")
    assert r.status_code == 401 and "not correct" in r.text and COOKIE_NAME not in r.cookies
    r = await log_in(client, user.email, next_url="https://evil.example/")
    assert r.status_code == 303 and r.headers["location"] == "/account"


async def test_login_page_throttled_with_retry_after(client, db):
    user = await create_user(db, password=STRONG)
    for _ in range(10):
        await log_in(client, user.email, "wrong-password-1")
    r = await log_in(client, user.email)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0 and "Too many" in r.text


async def test_account_needs_login(client):
    r = await client.get("/account")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/account"


async def test_account_profile_and_password_forms(client, db):
    user = await create_user(db, password=STRONG)
    await log_in(client, user.email)
    r = await post_form(client, "/account/profile", {"first_name": "Tangeni", "last_name": "Amupolo",
                                                     "location_city": "Rundu", "role": "admin"}, page="/account")
    assert r.status_code == 303
    await db.refresh(user)
    assert user.first_name == "Tangeni" and user.location_city == "Rundu" and user.role == "customer"

    r = await post_form(client, "/account/profile", {"first_name": "", "last_name": "A"}, page="/account")
    assert r.status_code == 422 and 'id="e-first_name"' in r.text

    r = await post_form(client, "/account/password", {"current_password": "nope-nope-nope",
                                                      "new_password": "oryx-dune-77-sossus"}, page="/account")
    assert r.status_code == 422 and 'id="e-current_password"' in r.text
    r = await post_form(client, "/account/password", {"current_password": STRONG,
                                                      "new_password": "oryx-dune-77-sossus"}, page="/account")
    assert r.status_code == 303
    assert (await client.get("/account")).status_code == 200      # the new cookie keeps this browser in


async def test_logout_everywhere_from_the_account_page(client, db, login):
    user = await create_user(db, password=STRONG)
    api_headers = await login(user)
    await log_in(client, user.email)
    r = await post_form(client, "/account/logout-all", {}, page="/account")
    assert r.status_code == 303
    assert (await client.get("/api/v1/me", headers=api_headers)).status_code == 401
    assert (await client.get("/account")).status_code == 303


async def test_export_and_delete_from_the_account_page(client, db):
    user = await create_user(db, password=STRONG, first_name="Selma")
    await log_in(client, user.email)
    export = await client.get("/account/export")
    assert export.status_code == 200 and export.json()["user"]["first_name"] == "Selma"
    r = await post_form(client, "/account/delete", {"password": STRONG}, page="/account")
    assert r.status_code == 422 and 'Tick the box' in r.text
    r = await post_form(client, "/account/delete", {"password": STRONG, "confirm": "on"}, page="/account")
    assert r.status_code == 200 and "Account deleted" in r.text
    await db.refresh(user)
    assert user.first_name == "Deleted" and not user.is_active
    assert (await client.get("/account")).status_code == 303


async def test_forgot_and_reset_password_pages(client, db, inbox):
    user = await create_user(db, password=STRONG)
    known = await post_form(client, "/forgot-password", {"email": user.email})
    unknown = await post_form(client, "/forgot-password", {"email": "nobody@example.na"})
    assert known.status_code == unknown.status_code == 200
    # Byte-for-byte the same but for the footer's language form, whose anonymous CSRF token
    # carries the second it was made (two renders may straddle a second).
    assert without_csrf(known.text) == without_csrf(unknown.text)
    token = inbox.link_token(user.email, "/reset-password")

    page = await client.get(f"/reset-password?token={token}")
    assert page.status_code == 200 and f'value="{token}"' in page.text
    r = await client.post("/reset-password", data={"csrf_token": csrf(page.text), "token": token,
                                                  "password": "oryx-dune-77-sossus", "password_confirm": "other"})
    assert r.status_code == 422 and 'id="e-password_confirm"' in r.text
    r = await client.post("/reset-password", data={"csrf_token": csrf(page.text), "token": token,
                                                  "password": "oryx-dune-77-sossus",
                                                  "password_confirm": "oryx-dune-77-sossus"})
    assert r.status_code == 200 and "Password changed" in r.text
    assert (await log_in(client, user.email, "oryx-dune-77-sossus")).status_code == 303


async def test_verify_email_page(client, db, inbox):
    r = await post_form(client, "/register", {"first_name": "A", "last_name": "B", "email": "v@example.na",
                                              "password": STRONG, "role": "customer"})
    assert r.status_code == 200
    token = inbox.link_token("v@example.na", "/verify-email")
    ok = await client.get(f"/verify-email?token={token}")
    assert ok.status_code == 200 and "confirmed" in ok.text
    again = await client.get(f"/verify-email?token={token}")
    assert again.status_code == 422 and "does not work" in again.text
    assert (await db.scalars(select(User).where(User.email == "v@example.na"))).one().email_verified


async def test_nav_shows_login_links_to_visitors(client):
    page = await client.get("/login")
    assert 'href="/login"' in page.text and 'href="/register"' in page.text
