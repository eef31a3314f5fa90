"""Fixtures of the payments tests: every provider configured, an owner's business with bank
details, a N$150 service, and a customer's pending booking of it."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from factories.accounts import create_user
from factories.booking import create_booking, create_service
from factories.directory import create_business
from factories.payments import payment_settings, set_bank


@pytest.fixture
def settings(tmp_path):
    return payment_settings(tmp_path)


@pytest.fixture
def day():
    return datetime.now(UTC).astimezone(ZoneInfo("Africa/Windhoek")).date() + timedelta(days=3)


@pytest.fixture
async def owner(db):
    return await create_user(db, role="business_owner")


@pytest.fixture
async def customer(db):
    return await create_user(db, first_name="Ndapewa", last_name="Shikongo", phone="+264811234567")


@pytest.fixture
async def stranger(db):
    return await create_user(db)


@pytest.fixture
async def admin(db):
    return await create_user(db, role="admin")


@pytest.fixture
async def business(db, owner):
    business = await create_business(db, owner=owner, name="Windhoek Test Braids")
    await set_bank(db, business)
    return business


@pytest.fixture
async def service(db, business):
    return await create_service(db, business=business, name="Box braids")


@pytest.fixture
async def booking(db, service, customer, day):
    return await create_booking(db, service=service, day=day, at=time(10), customer=customer)
