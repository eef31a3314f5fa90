"""Reads of reviews: the public list, the owner's list, the moderation queue, rating summary."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from afrobiz.accounts.models import User
from afrobiz.booking.models import Booking, BookingStatus
from afrobiz.directory.models import Business
from afrobiz.errors import InvalidInput, NotFound
from afrobiz.reviews.models import Review, ReviewReport, ReviewStatus, ReviewVote
from afrobiz.reviews.pagination import Page, after, clamp_limit, decode_cursor, encode_cursor, order_by
from afrobiz.reviews.settings import get_setting

SORTS = ("newest", "helpful", "highest", "lowest")
_NEWEST = [(Review.created_at, True), (Review.id, True)]
SORT_KEYS = {
    "newest": _NEWEST,
    "helpful": [(Review.helpful_count, True), *_NEWEST],
    "highest": [(Review.rating, True), *_NEWEST],
    "lowest": [(Review.rating, False), *_NEWEST],
}
_KINDS = {"newest": [datetime, uuid.UUID], "helpful": [int, datetime, uuid.UUID],
          "highest": [int, datetime, uuid.UUID], "lowest": [int, datetime, uuid.UUID]}


def display_name(first_name: str | None, last_name: str | None) -> str:
    """First name and last initial only: reviews never reveal who someone is in full."""
    if not first_name:
        return "Former customer"
    initial = (last_name or "").strip()[:1]
    return f"{first_name.strip()} {initial.upper()}." if initial else first_name.strip()


@dataclass
class ReviewView:
    review: Review
    reviewer_name: str
    business_name: str | None = None
    business_slug: str | None = None
    my_vote: bool | None = None
    report_count: int = 0
    extra: dict = field(default_factory=dict)


@dataclass
class RatingSummary:
    average: Decimal
    count: int
    distribution: dict[int, int]      # stars -> approved reviews with that many
    is_new: bool                      # too few reviews for the average to mean much
    min_reviews: int


async def _page(session: AsyncSession, stmt: Select, keys, kinds, *, limit: int | None, cursor: str | None,  # noqa: ANN001
                key_of) -> tuple[list, str | None]:  # noqa: ANN001
    limit = clamp_limit(limit)
    if cursor:
        stmt = stmt.where(after(keys, decode_cursor(cursor, kinds)))
    # populate_existing: counts change under triggers; never show a stale copy from the session.
    rows = (await session.execute(stmt.order_by(*order_by(keys)).limit(limit + 1)
                                  .execution_options(populate_existing=True))).all()
    next_cursor = encode_cursor(key_of(rows[limit - 1])) if len(rows) > limit else None
    return rows[:limit], next_cursor


def _with_reviewer(stmt: Select) -> Select:
    return stmt.add_columns(User.first_name, User.last_name).outerjoin(User, User.id == Review.customer_id)


async def require_public_business(session: AsyncSession, business_id: uuid.UUID) -> Business:
    business = (await session.scalars(select(Business).where(Business.id == business_id, Business.status == "active")
                                      .execution_options(populate_existing=True))).one_or_none()
    if business is None:
        raise NotFound("No such business.")
    return business


async def public_reviews(session: AsyncSession, *, business_id: uuid.UUID, sort: str = "newest",
                         limit: int | None = None, cursor: str | None = None,
                         viewer_id: uuid.UUID | None = None) -> Page[ReviewView]:
    """Approved reviews of an active business, in the chosen order, with the owner's reply."""
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of: {', '.join(SORTS)}.", field="sort")
    await require_public_business(session, business_id)
    keys = SORT_KEYS[sort]
    stmt = _with_reviewer(select(Review).options(selectinload(Review.images)).where(
        Review.business_id == business_id, Review.status == ReviewStatus.APPROVED))
    rows, next_cursor = await _page(session, stmt, keys, _KINDS[sort], limit=limit, cursor=cursor,
                                    key_of=lambda r: [getattr(r.Review, c.key) for c, _ in keys])
    votes = await votes_of(session, user_id=viewer_id, review_ids=[r.Review.id for r in rows])
    items = [ReviewView(r.Review, display_name(r.first_name, r.last_name), my_vote=votes.get(r.Review.id))
             for r in rows]
    return Page(items, next_cursor)


async def votes_of(session: AsyncSession, *, user_id: uuid.UUID | None,
                   review_ids: list[uuid.UUID]) -> dict[uuid.UUID, bool]:
    """The user's own votes on these reviews (review id → helpful?)."""
    if user_id is None or not review_ids:
        return {}
    rows = await session.execute(select(ReviewVote.review_id, ReviewVote.is_helpful).where(
        ReviewVote.user_id == user_id, ReviewVote.review_id.in_(review_ids)))
    return dict(rows.all())


async def rating_summary(session: AsyncSession, *, business_id: uuid.UUID) -> RatingSummary:
    """Average, count and star distribution of the approved reviews; 'new' below the setting."""
    rows = dict((await session.execute(
        select(Review.rating, func.count()).where(Review.business_id == business_id,
                                                  Review.status == ReviewStatus.APPROVED)
        .group_by(Review.rating))).all())
    count = sum(rows.values())
    total = sum(stars * n for stars, n in rows.items())
    average = (Decimal(total) / count).quantize(Decimal("0.01")) if count else Decimal("0.00")
    min_reviews = int(await get_setting(session, "reviews.min_count_for_average"))
    return RatingSummary(average, count, {s: rows.get(s, 0) for s in (5, 4, 3, 2, 1)}, count < min_reviews,
                         min_reviews)


async def owner_reviews(session: AsyncSession, *, owner_id: uuid.UUID, limit: int | None = None,
                        cursor: str | None = None) -> Page[ReviewView]:
    """Published reviews of the owner's businesses, newest first, for replying."""
    stmt = _with_reviewer(select(Review).options(selectinload(Review.images))
                          .add_columns(Business.name, Business.slug)
                          .join(Business, Business.id == Review.business_id)
                          .where(Business.owner_id == owner_id, Review.status == ReviewStatus.APPROVED))
    rows, next_cursor = await _page(session, stmt, _NEWEST, [datetime, uuid.UUID], limit=limit, cursor=cursor,
                                    key_of=lambda r: [r.Review.created_at, r.Review.id])
    return Page([ReviewView(r.Review, display_name(r.first_name, r.last_name), r.name, r.slug) for r in rows],
                next_cursor)


async def moderation_queue(session: AsyncSession, *, status: str | None = None, limit: int | None = None,
                           cursor: str | None = None) -> Page[ReviewView]:
    """Reviews for admins, by status; the pending and flagged queues oldest first, others newest first."""
    if status is not None and status not in [s.value for s in ReviewStatus]:
        raise InvalidInput("status must be pending, approved, rejected or flagged.", field="status")
    oldest_first = status in ("pending", "flagged")
    keys = [(Review.created_at, not oldest_first), (Review.id, not oldest_first)]
    reports = (select(func.count()).select_from(ReviewReport).where(ReviewReport.review_id == Review.id)
               .correlate(Review).scalar_subquery())
    stmt = _with_reviewer(select(Review).options(selectinload(Review.images))
                          .add_columns(Business.name, Business.slug, reports.label("report_count"))
                          .join(Business, Business.id == Review.business_id))
    if status:
        stmt = stmt.where(Review.status == status)
    rows, next_cursor = await _page(session, stmt, keys, [datetime, uuid.UUID], limit=limit, cursor=cursor,
                                    key_of=lambda r: [r.Review.created_at, r.Review.id])
    return Page([ReviewView(r.Review, display_name(r.first_name, r.last_name), r.name, r.slug,
                            report_count=r.report_count) for r in rows], next_cursor)


async def my_reviews(session: AsyncSession, *, user_id: uuid.UUID, business_id: uuid.UUID) -> list[Review]:
    """The user's own reviews of one business (any status), newest first."""
    return list((await session.scalars(select(Review).where(
        Review.customer_id == user_id, Review.business_id == business_id).order_by(Review.created_at.desc())
        .execution_options(populate_existing=True))).all())


async def reviewable_bookings(session: AsyncSession, *, user_id: uuid.UUID, business_id: uuid.UUID) -> list[Booking]:
    """The user's completed bookings at this business that have no review yet."""
    reviewed = select(Review.booking_id).where(Review.booking_id.is_not(None))
    return list((await session.scalars(select(Booking).where(
        Booking.customer_id == user_id, Booking.business_id == business_id,
        Booking.status == BookingStatus.COMPLETED, Booking.id.not_in(reviewed))
        .order_by(Booking.booking_date.desc()))).all())


async def review_view(session: AsyncSession, *, review_id: uuid.UUID, viewer_id: uuid.UUID | None = None) -> ReviewView:
    """One review as the asking user may see it (RLS decides), with reviewer name, photos, and
    for staff the business and report count; NotFound if it is not visible."""
    reports = (select(func.count()).select_from(ReviewReport).where(ReviewReport.review_id == Review.id)
               .correlate(Review).scalar_subquery())
    stmt = _with_reviewer(select(Review).options(selectinload(Review.images))
                          .add_columns(reports.label("report_count"))
                          .where(Review.id == review_id).execution_options(populate_existing=True))
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        raise NotFound("No such review.")
    business = (await session.execute(select(Business.name, Business.slug)
                                      .where(Business.id == row.Review.business_id))).one_or_none()
    votes = await votes_of(session, user_id=viewer_id, review_ids=[review_id])
    return ReviewView(row.Review, display_name(row.first_name, row.last_name),
                      business.name if business else None, business.slug if business else None,
                      my_vote=votes.get(review_id), report_count=row.report_count)
