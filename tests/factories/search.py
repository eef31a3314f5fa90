"""A small fixed world for search tests: categories, businesses across Namibia, one of each status."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from factories.accounts import create_user
from factories.directory import create_business, create_category

WINDHOEK = (-22.5609, 17.0658)


@dataclass
class World:
    owner: object
    hair: object
    braids: object
    food: object
    braids_studio: object      # Windhoek, hair/braids, 40 reviews of 4.8, verified
    salon: object              # Katutura (~5 km), hair, 10 reviews of 4.0
    clinic: object             # Eros (~3 km), no category
    luderitz: object           # Lüderitz, //Karas, food, 1 review of 5.0
    kapana: object             # Swakopmund, Erongo, food, budget
    pending: object
    suspended: object


async def business(session: AsyncSession, owner, name: str, **kw):
    return await create_business(session, owner=owner, name=name, **kw)


async def create_world(session: AsyncSession) -> World:
    owner = await create_user(session, role="business_owner")
    hair = await create_category(session, name="Hair & Beauty", slug="hair-beauty")
    braids = await create_category(session, name="Braids", slug="braids", parent_id=hair.id)
    food = await create_category(session, name="Restaurants", slug="restaurants")
    studio = await business(
        session, owner, "Windhoek Braids Studio", category_id=hair.id, subcategory_id=braids.id,
        latitude=Decimal("-22.5650"), longitude=Decimal("17.0700"), review_count=40,
        average_rating=Decimal("4.80"), is_verified=True, description="Knotless braids and cornrows.")
    salon = await business(
        session, owner, "Katutura Hair Salon", category_id=hair.id, city="Windhoek", region="Khomas",
        latitude=Decimal("-22.5200"), longitude=Decimal("17.0500"), review_count=10, average_rating=Decimal("4.00"))
    clinic = await business(
        session, owner, "Eros Auto Clinic", latitude=Decimal("-22.5500"), longitude=Decimal("17.0900"),
        price_range="expensive", description="Mechanic for all makes.")
    luderitz = await business(
        session, owner, "Lüderitz Seafood Grill", category_id=food.id, city="Lüderitz", region="//Karas",
        latitude=Decimal("-26.6480"), longitude=Decimal("15.1590"), review_count=1, average_rating=Decimal("5.00"),
        price_range="expensive")
    kapana = await business(
        session, owner, "Swakopmund Kapana Corner", category_id=food.id, city="Swakopmund", region="Erongo",
        latitude=Decimal("-22.6780"), longitude=Decimal("14.5270"), price_range="budget")
    pending = await business(session, owner, "Secret Braids Pending", status="pending",
                             latitude=Decimal("-22.5610"), longitude=Decimal("17.0660"))
    suspended = await business(session, owner, "Suspended Braids Bar", status="suspended",
                               latitude=Decimal("-22.5610"), longitude=Decimal("17.0660"))
    return World(owner, hair, braids, food, studio, salon, clinic, luderitz, kapana, pending, suspended)


def names(page) -> list[str]:
    return [i["name"] for i in page["items"]]
