"""Reads of the directory (no rules, no writes)."""
from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.booking.models import Service
from afrobiz.directory.hours import DEFAULT_TZ, OpenStatus, open_status
from afrobiz.booking.models import BusinessClosure
from afrobiz.directory.models import Business, BusinessHours, BusinessImage, Category
from afrobiz.errors import InvalidInput
from afrobiz.reviews.models import Review


@dataclass
class CategoryNode:
    id: uuid.UUID
    name: str
    slug: str
    icon: str | None
    color: str | None
    description: str | None
    children: list["CategoryNode"] = field(default_factory=list)


async def category_tree(session: AsyncSession) -> list[CategoryNode]:
    """Active categories as a tree (parents in sort order, each with its children)."""
    rows = (await session.scalars(
        select(Category).where(Category.is_active).order_by(Category.sort_order, Category.name)
    )).all()
    nodes = {c.id: CategoryNode(c.id, c.name, c.slug, c.icon, c.color, c.description) for c in rows}
    roots: list[CategoryNode] = []
    for c in rows:
        if c.parent_id is None:
            roots.append(nodes[c.id])
        elif c.parent_id in nodes:  # a child of an inactive parent is hidden with it
            nodes[c.parent_id].children.append(nodes[c.id])
    return roots


# ---------------------------------------------------------------- businesses


@dataclass
class BusinessDetail:
    """Everything a business page shows, read in a few cheap queries."""
    business: Business
    category: Category | None
    subcategory: Category | None
    hours: list[BusinessHours]
    closures: list[BusinessClosure]
    images: list[BusinessImage]
    services: list[Service]
    rating_distribution: dict[int, int]
    min_reviews_for_average: int
    status: OpenStatus

    @property
    def rating_is_new(self) -> bool:
        return self.business.review_count < self.min_reviews_for_average


async def setting_int(session: AsyncSession, key: str, default: int) -> int:
    from afrobiz.admin.settings import get_setting   # the one typed, cached reader of system_settings

    value = await get_setting(session, key, default)
    try:
        return int(value) if value is not None and not isinstance(value, bool) else default
    except (TypeError, ValueError):
        return default


async def business_detail(session: AsyncSession, business: Business, *, at: datetime | None = None,
                          tz: str = DEFAULT_TZ) -> BusinessDetail:
    """The page's data for a business the caller may already see."""
    at = at or datetime.now(UTC)
    today = at.astimezone(ZoneInfo(tz)).date()
    cat_ids = [i for i in (business.category_id, business.subcategory_id) if i]
    cats = {c.id: c for c in (await session.scalars(select(Category).where(Category.id.in_(cat_ids)))).all()} \
        if cat_ids else {}
    hours = (await session.scalars(select(BusinessHours).where(BusinessHours.business_id == business.id)
                                   .order_by(BusinessHours.day_of_week))).all()
    # Yesterday's closure matters for nothing; keep the list short: from yesterday on.
    closures = (await session.scalars(select(BusinessClosure).where(
        BusinessClosure.business_id == business.id, BusinessClosure.closed_on >= today - timedelta(days=1))
        .order_by(BusinessClosure.closed_on).limit(60))).all()
    images = (await session.scalars(select(BusinessImage).where(BusinessImage.business_id == business.id)
                                    .order_by(BusinessImage.sort_order, BusinessImage.created_at))).all()
    services = (await session.scalars(select(Service).where(Service.business_id == business.id, Service.is_active)
                                      .order_by(Service.sort_order, Service.name))).all()
    distribution = {star: 0 for star in range(5, 0, -1)}
    if business.review_count:
        rows = await session.execute(select(Review.rating, func.count()).where(
            Review.business_id == business.id, Review.status == "approved").group_by(Review.rating))
        for rating, count in rows:
            distribution[int(rating)] = count
    minimum = await setting_int(session, "reviews.min_count_for_average", 3)
    status = open_status(hours, at, closures=[c.closed_on for c in closures], tz=tz)
    return BusinessDetail(business, cats.get(business.category_id), cats.get(business.subcategory_id),
                          list(hours), list(closures), list(images), list(services), distribution, minimum, status)


async def hours_of(session: AsyncSession, business_id: uuid.UUID) -> list[BusinessHours]:
    return list((await session.scalars(select(BusinessHours).where(BusinessHours.business_id == business_id)
                                       .order_by(BusinessHours.day_of_week))).all())


def _cursor_encode(created_at: datetime, id_: uuid.UUID) -> str:
    raw = f"{created_at.isoformat()}|{id_}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_decode(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, _, ident = raw.partition("|")
        return datetime.fromisoformat(when), uuid.UUID(ident)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("The cursor is not valid.", field="cursor") from exc


async def list_businesses(session: AsyncSession, *, owner_id: uuid.UUID | None = None,
                          status: str | None = None, limit: int = 20,
                          cursor: str | None = None) -> tuple[list[Business], str | None]:
    """Businesses newest first (keyset pages), optionally one owner's or in one status.
    What the caller sees is bounded by RLS as always."""
    limit = max(1, min(limit, 100))
    query = select(Business).order_by(Business.created_at.desc(), Business.id.desc())
    if owner_id is not None:
        query = query.where(Business.owner_id == owner_id)
    if status is not None:
        query = query.where(Business.status == status)
    if cursor:
        created_at, id_ = _cursor_decode(cursor)
        query = query.where(tuple_(Business.created_at, Business.id) < tuple_(created_at, id_))
    rows = list((await session.scalars(query.limit(limit + 1))).all())
    next_cursor = _cursor_encode(rows[limit - 1].created_at, rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], next_cursor


async def category_by_slug(session: AsyncSession, slug: str) -> Category | None:
    return await session.scalar(select(Category).where(Category.slug == slug, Category.is_active))


async def category_businesses(session: AsyncSession, category: Category, *, limit: int = 20,
                              offset: int = 0) -> tuple[list[Business], int]:
    """Active businesses of a category or subcategory: featured first, then best rated."""
    column = Business.category_id if category.parent_id is None else Business.subcategory_id
    where = (column == category.id, Business.status == "active")
    total = await session.scalar(select(func.count()).select_from(Business).where(*where))
    now = datetime.now(UTC)
    featured = and_(Business.is_featured, or_(Business.featured_until.is_(None), Business.featured_until > now))
    rows = (await session.scalars(select(Business).where(*where).order_by(
        featured.desc(), Business.average_rating.desc(), Business.review_count.desc(), Business.name)
        .limit(max(1, min(limit, 100))).offset(max(0, offset)))).all()
    return list(rows), total or 0


async def sitemap_entries(session: AsyncSession, *, limit: int = 50_000) -> tuple[list[tuple[str, datetime]],
                                                                                  list[str]]:
    """(business slug, updated_at) of active businesses, and active category slugs."""
    businesses = (await session.execute(select(Business.slug, Business.updated_at)
                                        .where(Business.status == "active")
                                        .order_by(Business.updated_at.desc()).limit(limit))).all()
    categories = (await session.scalars(select(Category.slug).where(Category.is_active)
                                        .order_by(Category.sort_order, Category.slug))).all()
    return [(s, u) for s, u in businesses], list(categories)


async def featured_businesses(session: AsyncSession, *, limit: int = 6,
                              now: datetime | None = None) -> list[tuple[Business, str | None]]:
    """Active businesses featured right now, best rated first, with their category's name."""
    now = now or datetime.now(UTC)
    rows = (await session.execute(
        select(Business, Category.name).outerjoin(Category, Category.id == Business.category_id)
        .where(Business.status == "active", Business.is_featured,
               or_(Business.featured_until.is_(None), Business.featured_until > now))
        .order_by(Business.average_rating.desc(), Business.review_count.desc(), Business.name)
        .limit(max(1, min(limit, 100))))).all()
    return [(b, category) for b, category in rows]
