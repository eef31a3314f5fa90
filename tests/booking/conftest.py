"""Fixtures of the booking tests: an owner's active business with a service open 08:00-17:00."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from factories.accounts import create_user
from factories.booking import create_service, set_hours, windhoek_today
from factories.directory import create_business


@pytest.fixture
def day() -> date:
    """A date comfortably ahead (no min-advance trouble, inside max advance)."""
    return windhoek_today() + timedelta(days=3)


@pytest.fixture
async def owner(db):
    return await create_user(db, role="business_owner")


@pytest.fixture
async def customer(db):
    return await create_user(db, first_name="Ndapewa", last_name="Shikongo", phone="+264811234567")


@pytest.fixture
async def business(db, owner):
    business = await create_business(db, owner=owner, name="Windhoek Test Braids")
    await set_hours(db, business=business)
    return business


@pytest.fixture
async def service(db, business):
    return await create_service(db, business=business, name="Box braids")
