"""The page-side identity and CSRF helpers in afrobiz/web/deps.py."""
from __future__ import annotations

import pytest
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Template

from afrobiz.accounts.sessions import start_session
from afrobiz.web.deps import COOKIE_NAME, csrf_protect, page_user, require_page_role, require_page_user, safe_next
from afrobiz.web.templating import templates
from factories.accounts import create_user


@pytest.fixture
async def probe(app, client):
    router = APIRouter()

    @router.get("/_probe/who")
    async def who(user=Depends(page_user)):
        return {"user": str(user.id) if user else None}

    @router.get("/_probe/private")
    async def private(user=Depends(require_page_user)):
        return {"user": str(user.id)}

    @router.get("/_probe/admin")
    async def admin(user=Depends(require_page_role("admin"))):
        return {"ok": True}

    @router.get("/_probe/form", response_class=HTMLResponse)
    async def form(request: Request, user=Depends(page_user)):
        html = templates.env.from_string("<form method=post>{{ csrf_input() }}</form>").render(request=request)
        return HTMLResponse(html)

    @router.post("/_probe/form", dependencies=[Depends(csrf_protect)])
    async def submit(request: Request):
        return {"ok": True}

    app.include_router(router)
    return client


def _token_from(html: str) -> str:
    return html.split('value="', 1)[1].split('"', 1)[0]


async def test_page_user_reads_the_cookie_and_ignores_a_bad_one(probe, db):
    user = await create_user(db)
    assert (await probe.get("/_probe/who")).json() == {"user": None}
    probe.cookies.set(COOKIE_NAME, "not-a-session")
    assert (await probe.get("/_probe/who")).json() == {"user": None}
    probe.cookies.set(COOKIE_NAME, await start_session(db, user=user))
    assert (await probe.get("/_probe/who")).json() == {"user": str(user.id)}


async def test_anonymous_is_redirected_to_login_with_next(probe):
    r = await probe.get("/_probe/private?x=1")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/_probe/private%3Fx%3D1"


async def test_wrong_role_gets_403_right_role_passes(probe, db):
    customer, admin = await create_user(db), await create_user(db, role="admin")
    probe.cookies.set(COOKIE_NAME, await start_session(db, user=customer))
    assert (await probe.get("/_probe/admin")).status_code == 403
    probe.cookies.set(COOKIE_NAME, await start_session(db, user=admin))
    assert (await probe.get("/_probe/admin")).json() == {"ok": True}


async def test_anonymous_form_needs_a_valid_token_and_our_origin(probe):
    token = _token_from((await probe.get("/_probe/form")).text)
    assert token.startswith("a.")
    assert (await probe.post("/_probe/form", data={})).status_code == 403
    assert (await probe.post("/_probe/form", data={"csrf_token": token + "x"})).status_code == 403
    assert (await probe.post("/_probe/form", data={"csrf_token": token})).json() == {"ok": True}
    cross = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    assert (await probe.post("/_probe/form", data={"csrf_token": token}, headers=cross)).status_code == 403
    same = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    assert (await probe.post("/_probe/form", data={"csrf_token": token}, headers=same)).status_code == 200


async def test_session_form_token_is_bound_to_the_session(probe, db):
    user = await create_user(db)
    anon_token = _token_from((await probe.get("/_probe/form")).text)
    probe.cookies.set(COOKIE_NAME, await start_session(db, user=user))
    token = _token_from((await probe.get("/_probe/form")).text)
    assert token.startswith("s.")
    assert (await probe.post("/_probe/form", data={"csrf_token": anon_token})).status_code == 403
    assert (await probe.post("/_probe/form", data={"csrf_token": token})).status_code == 200
    assert (await probe.post("/_probe/form", headers={"X-CSRF-Token": token})).status_code == 200
    probe.cookies.set(COOKIE_NAME, await start_session(db, user=user))     # another session
    assert (await probe.post("/_probe/form", data={"csrf_token": token})).status_code == 403


@pytest.mark.parametrize("url,expected", [
    ("/account", "/account"), ("/b/x?y=1", "/b/x?y=1"), ("//evil.example", "/account"),
    ("https://evil.example/", "/account"), ("/\\evil", "/account"), (None, "/account"), ("", "/account")])
def test_safe_next_only_follows_our_own_paths(url, expected):
    assert safe_next(url) == expected
