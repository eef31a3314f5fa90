"""Factories for the directory: small, one row each, overrides by keyword."""
from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.directory.models import Business, Category


async def create_category(session: AsyncSession, **overrides) -> Category:
    suffix = uuid.uuid4().hex[:8]
    values = {"name": f"Category {suffix}", "slug": f"category-{suffix}"} | overrides
    category = Category(**values)
    session.add(category)
    await session.flush()
    return category


async def create_business(session: AsyncSession, *, owner, **overrides) -> Business:
    suffix = uuid.uuid4().hex[:8]
    values = {"name": f"Business {suffix}", "slug": f"business-{suffix}", "owner_id": owner.id,
              "city": "Windhoek", "region": "Khomas", "status": "active"} | overrides
    business = Business(**values)
    session.add(business)
    await session.flush()
    return business
