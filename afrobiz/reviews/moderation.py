"""After a review is written: admins moderate it, users report it and vote on it."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.admin.audit import record
from afrobiz.db.session import acting_as_system
from afrobiz.directory.models import Business
from afrobiz.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from afrobiz.reviews.models import Review, ReviewReport, ReviewStatus, ReviewVote
from afrobiz.reviews.service import clean_text, publish, require_review
from afrobiz.reviews.settings import get_setting

MODERATION_STATUSES = ("approved", "rejected", "flagged")
NOTES_MAX = 2000
REASON_MAX = 1000


class AlreadyReported(Conflict):
    title = "Already reported"


async def moderate_review(session: AsyncSession, *, admin: User, review_id: uuid.UUID, status: str,
                          notes: str | None = None, ip: str | None = None) -> Review:
    """An admin approves, rejects or flags a review, with notes; approving publishes it."""
    if status not in MODERATION_STATUSES:
        raise InvalidInput(f"Choose one of: {', '.join(MODERATION_STATUSES)}.", field="status")
    notes = clean_text(notes)
    if notes and len(notes) > NOTES_MAX:
        raise InvalidInput(f"At most {NOTES_MAX} characters.", field="notes")
    review = await require_review(session, review_id)
    # Two admins deciding at once: the second waits for the first and sees its decision, so
    # the audit trail stays a chain (old = the previous decision), not a lost update.
    await session.refresh(review, with_for_update=True)
    old = {"status": str(review.status), "moderation_notes": review.moderation_notes}
    review.status = ReviewStatus(status)
    if notes is not None:
        review.moderation_notes = notes
    if review.status == ReviewStatus.APPROVED:
        business = await session.get(Business, review.business_id)
        await publish(session, review, business)
    await session.flush()
    await record(session, actor_id=admin.id, action="review.moderate", table_name="reviews", record_id=review.id,
                 old=old, new={"status": status, "moderation_notes": review.moderation_notes}, ip=ip)
    return review


async def report_review(session: AsyncSession, *, user: User, review_id: uuid.UUID,
                        reason: str | None = None) -> None:
    """A user reports a review once; when enough users have, a published review is flagged
    (hidden until an admin decides)."""
    review = await require_review(session, review_id)
    if review.customer_id == user.id:
        raise PermissionDenied("You cannot report your own review.")
    reason = clean_text(reason)
    if reason and len(reason) > REASON_MAX:
        raise InvalidInput(f"At most {REASON_MAX} characters.", field="reason")
    if await session.scalar(select(func.count()).select_from(ReviewReport).where(
            ReviewReport.review_id == review.id, ReviewReport.user_id == user.id)):
        raise AlreadyReported("You have already reported this review.")
    try:
        async with session.begin_nested():
            session.add(ReviewReport(review_id=review.id, user_id=user.id, reason=reason))
            await session.flush()
    except IntegrityError as exc:
        raise AlreadyReported("You have already reported this review.") from exc
    threshold = await get_setting(session, "reviews.flag_report_threshold")
    # The reporter may neither count other users' reports nor change someone else's review;
    # the rule needs both.
    async with acting_as_system(session):
        reports = await session.scalar(select(func.count()).select_from(ReviewReport)
                                       .where(ReviewReport.review_id == review.id))
        if reports >= threshold and review.status == ReviewStatus.APPROVED:
            review.status = ReviewStatus.FLAGGED
            await session.flush()


@dataclass
class VoteResult:
    review_id: uuid.UUID
    helpful: bool | None
    helpful_count: int
    not_helpful_count: int


async def _votable(session: AsyncSession, user: User, review_id: uuid.UUID) -> Review:
    review = await require_review(session, review_id)
    if review.customer_id == user.id:
        raise PermissionDenied("You cannot vote on your own review.")
    if review.status != ReviewStatus.APPROVED:
        raise NotFound("No such review.")
    if await session.scalar(select(func.count()).select_from(Business).where(
            Business.id == review.business_id, Business.owner_id == user.id)):
        raise PermissionDenied("You cannot vote on reviews of your own business.")
    return review


async def _counts(session: AsyncSession, review: Review, helpful: bool | None) -> VoteResult:
    row = (await session.execute(select(Review.helpful_count, Review.not_helpful_count)
                                 .where(Review.id == review.id))).one()
    return VoteResult(review.id, helpful, row.helpful_count, row.not_helpful_count)


async def vote(session: AsyncSession, *, user: User, review_id: uuid.UUID, helpful: bool) -> VoteResult:
    """One helpful/not-helpful vote per user per published review (voting again changes it);
    the counts follow by trigger, exact under concurrent votes."""
    review = await _votable(session, user, review_id)
    stmt = insert(ReviewVote).values(review_id=review.id, user_id=user.id, is_helpful=helpful)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=[ReviewVote.review_id, ReviewVote.user_id],
        set_={"is_helpful": stmt.excluded.is_helpful},
        where=ReviewVote.is_helpful.is_distinct_from(stmt.excluded.is_helpful)))
    return await _counts(session, review, helpful)


async def remove_vote(session: AsyncSession, *, user: User, review_id: uuid.UUID) -> VoteResult:
    """A user takes back their vote (nothing happens if there was none)."""
    review = await _votable(session, user, review_id)
    await session.execute(delete(ReviewVote).where(ReviewVote.review_id == review.id,
                                                   ReviewVote.user_id == user.id))
    return await _counts(session, review, None)
