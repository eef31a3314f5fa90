"""A small world for review tests: a business with its owner, another owner, customers, an admin."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from factories.accounts import create_user
from factories.directory import create_business
from factories.reviews import create_customer


@pytest.fixture
async def world(db):
    owner = await create_user(db, role="business_owner", first_name="Ndapewa", last_name="Shikongo")
    other_owner = await create_user(db, role="business_owner")
    w = SimpleNamespace(
        owner=owner, other_owner=other_owner,
        business=await create_business(db, owner=owner, name="Kapana Corner"),
        other_business=await create_business(db, owner=other_owner),
        author=await create_customer(db, first_name="Johanna", last_name="Nghipandulwa",
                                     email="johanna.private@example.na"),
        customer=await create_customer(db, first_name="Tuhafeni", last_name="Amupolo"),
        admin=await create_user(db, role="admin"),
    )
    return w
