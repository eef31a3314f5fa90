"""Directory test fixtures: the five kinds of caller and a small category tree."""
from __future__ import annotations

import pytest

from factories.accounts import create_user
from factories.directory import create_category_tree

BROWSER_UA = {"User-Agent": "Mozilla/5.0 (Linux; Android 10; SM-A105F) AppleWebKit/537.36 Chrome/120 Mobile"}


@pytest.fixture
async def people(db, login):
    """Users and their bearer headers: anonymous, customer, owner, other_owner, admin."""
    users = {"customer": await create_user(db), "owner": await create_user(db, role="business_owner"),
             "other_owner": await create_user(db, role="business_owner"),
             "admin": await create_user(db, role="admin")}
    headers = {"anonymous": {}} | {k: await login(u) for k, u in users.items()}
    return users, headers


@pytest.fixture
async def tree(db):
    parent, kids = await create_category_tree(db)
    return parent, kids


@pytest.fixture
def listing(tree):
    parent, kids = tree
    return {"name": "Meme Ndapewa's Braids", "description": "Braids and weaves in Katutura.",
            "category_id": str(parent.id), "subcategory_id": str(kids[0].id), "phone": "081 234 5678",
            "whatsapp": "0812345678", "website": "https://braids.com.na", "street_address": "Independence Ave 12",
            "city": "Windhoek", "region": "khomas", "latitude": -22.5609, "longitude": 17.0658,
            "price_range": "budget"}


@pytest.fixture
def web_login(db):
    """web_login(user) -> a Cookie header of a fresh page session for that user."""
    from afrobiz.accounts.sessions import start_session
    from afrobiz.web.deps import COOKIE_NAME

    async def _login(user) -> dict[str, str]:
        return {"Cookie": f"{COOKIE_NAME}={await start_session(db, user=user)}"}

    return _login
