"""Writing reviews: who may review what, verified reviews, photos, owner replies, deletion.

Text is stored exactly as written (minus control characters) and escaped wherever it is
shown; nothing HTML-rendered is ever stored.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.admin.audit import record
from afrobiz.booking.models import Booking, BookingStatus
from afrobiz.db.session import acting_as_system
from afrobiz.directory.models import Business, BusinessStatus
from afrobiz.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from afrobiz.kit.images import MAX_BYTES as MAX_UPLOAD_BYTES  # noqa: F401  (the API reads at most this)
from afrobiz.kit.images import process_upload
from afrobiz.notifications.service import notify
from afrobiz.reviews import spam
from afrobiz.reviews.models import Review, ReviewImage, ReviewStatus
from afrobiz.reviews.settings import get_settings
from afrobiz.storage import references

TITLE_MAX = 150
CONTENT_MAX = 5000
RESPONSE_MAX = 2000
PHOTOS_MAX = 5
PHOTO_SIDE = 1600
DETAIL_RATINGS = ("service_rating", "quality_rating", "value_rating", "cleanliness_rating")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class AlreadyReviewed(Conflict):
    title = "Already reviewed"


class OwnBusiness(PermissionDenied):
    title = "Cannot review your own business"


@dataclass
class Photo:
    data: bytes
    alt_text: str | None = None


def clean_text(value: str | None) -> str | None:
    """Trimmed text without control characters (a NUL would even break PostgreSQL); '' → None."""
    if value is None:
        return None
    value = _CONTROL.sub("", value).strip()
    return value or None


def _rating_error(name: str, value, *, required: bool) -> dict | None:  # noqa: ANN001
    if value is None:
        return {"field": name, "message": "Choose from 1 to 5 stars."} if required else None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        return {"field": name, "message": "Must be a whole number from 1 to 5."}
    return None


def validate_review(*, rating, title: str | None, content: str | None, details: dict) -> dict:  # noqa: ANN001
    """Cleaned fields, or InvalidInput listing every field that is wrong."""
    errors = [e for e in [_rating_error("rating", rating, required=True),
                          *(_rating_error(k, details.get(k), required=False) for k in DETAIL_RATINGS)] if e]
    title, content = clean_text(title), clean_text(content)
    if title and len(title) > TITLE_MAX:
        errors.append({"field": "title", "message": f"At most {TITLE_MAX} characters."})
    if content and len(content) > CONTENT_MAX:
        errors.append({"field": "content", "message": f"At most {CONTENT_MAX} characters."})
    if errors:
        raise InvalidInput("Please check the review.", errors=errors)
    return {"rating": rating, "title": title, "content": content, **{k: details.get(k) for k in DETAIL_RATINGS}}


async def get_visible_review(session: AsyncSession, review_id: uuid.UUID) -> Review | None:
    # A query, not session.get(): the identity map must not show a row RLS would hide.
    return (await session.scalars(select(Review).where(Review.id == review_id)
                                  .execution_options(populate_existing=True))).one_or_none()


async def require_review(session: AsyncSession, review_id: uuid.UUID) -> Review:
    review = await get_visible_review(session, review_id)
    if review is None:
        raise NotFound("No such review.")
    return review


async def _business(session: AsyncSession, business_id: uuid.UUID) -> Business | None:
    return (await session.scalars(select(Business).where(Business.id == business_id)
                                  .execution_options(populate_existing=True))).one_or_none()


async def _spam_context(session: AsyncSession, *, author: User, ip: str | None, content: str | None) -> spam.Context:
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    account_recent = await session.scalar(select(func.count()).select_from(Review).where(
        Review.customer_id == author.id, Review.created_at > hour_ago)) or 0
    normalized = spam.normalize(content)
    # Other people's reviews from the same address are invisible under RLS; the spam rule
    # must count them (only counts and a yes/no leave this block).
    async with acting_as_system(session):
        ip_recent = 0
        if ip:
            ip_recent = await session.scalar(select(func.count()).select_from(Review).where(
                Review.ip_address == ip, Review.created_at > hour_ago)) or 0
        duplicate = False
        if len(normalized) >= spam.MIN_LEN_FOR_DUPLICATE:
            same_source = Review.customer_id == author.id if not ip else or_(
                Review.customer_id == author.id, Review.ip_address == ip)
            duplicate = bool(await session.scalar(select(func.count()).select_from(Review).where(
                same_source,
                func.lower(func.regexp_replace(func.btrim(Review.content), r"\s+", " ", "g")) == normalized)))
    return spam.Context(account_age=datetime.now(UTC) - author.created_at, account_reviews_last_hour=account_recent,
                        ip_reviews_last_hour=ip_recent, duplicate_text=duplicate)


async def _verified_booking(session: AsyncSession, *, author: User, business: Business,
                            booking_id: uuid.UUID) -> Booking:
    booking = (await session.scalars(select(Booking).where(Booking.id == booking_id)
                                     .execution_options(populate_existing=True))).one_or_none()
    if booking is None or booking.customer_id != author.id or booking.business_id != business.id:
        raise InvalidInput("This is not one of your bookings at this business.", field="booking_id")
    if booking.status != BookingStatus.COMPLETED:
        raise InvalidInput("You can review a booking once it is completed.", field="booking_id")
    if await session.scalar(select(func.count()).select_from(Review).where(Review.booking_id == booking.id)):
        raise AlreadyReviewed("This booking has already been reviewed.")
    return booking


async def publish(session: AsyncSession, review: Review, business: Business) -> None:
    """Mark an approved review published (first time only) and tell the business's owner."""
    if review.published_at is not None:
        return
    review.published_at = datetime.now(UTC)
    if business.owner_id:
        await notify(session, user_id=business.owner_id, type="review_received",
                     title=f"New {review.rating}-star review of {business.name}",
                     message=review.title or (review.content or "")[:200] or f"{review.rating} stars",
                     data={"review_id": str(review.id), "business_id": str(business.id)})


async def create_review(session: AsyncSession, *, author: User, business_id: uuid.UUID, rating: int,
                        title: str | None = None, content: str | None = None, booking_id: uuid.UUID | None = None,
                        details: dict | None = None, ip: str | None = None,
                        photos: list[Photo] | None = None, store=None) -> Review:  # noqa: ANN001
    """A customer reviews an active business that is not theirs: verified when tied to their own
    completed booking (one review per booking), else at most one unverified review per business;
    held as 'pending' unless verified, unsuspicious and the auto-approve setting is on."""
    fields = validate_review(rating=rating, title=title, content=content, details=details or {})
    if photos and len(photos) > PHOTOS_MAX:
        raise InvalidInput(f"At most {PHOTOS_MAX} photos.", field="photos")
    business = await _business(session, business_id)
    if business is None or business.status != BusinessStatus.ACTIVE:
        raise NotFound("No such business.")
    if business.owner_id == author.id:
        raise OwnBusiness("You cannot review your own business.")
    # Serialise this author's reviews of this business, so two quick submits cannot both
    # pass the "already reviewed" checks below.
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                          {"k": f"review:{author.id}:{business.id}"})
    booking = None
    if booking_id is not None:
        booking = await _verified_booking(session, author=author, business=business, booking_id=booking_id)
    elif await session.scalar(select(func.count()).select_from(Review).where(
            Review.customer_id == author.id, Review.business_id == business.id, Review.is_verified.is_(False))):
        raise AlreadyReviewed("You have already reviewed this business. You can review it again after a "
                              "completed booking.")
    processed = [await process_upload(p.data, uploader_id=author.id, variants={"full": PHOTO_SIDE})
                 for p in photos or []]

    settings = await get_settings(session)
    limits = spam.Limits(new_account_hours=settings["reviews.new_account_hours"],
                         max_per_account_per_hour=settings["reviews.max_per_account_per_hour"],
                         max_per_ip_per_hour=settings["reviews.max_per_ip_per_hour"])
    ctx = await _spam_context(session, author=author, ip=ip, content=fields["content"])
    signals = spam.spam_signals(title=fields["title"], content=fields["content"], ctx=ctx, limits=limits)
    status = spam.initial_status(is_verified=booking is not None, signals=signals,
                                 auto_approve_verified=settings["reviews.auto_approve_verified"])
    review = Review(business_id=business.id, customer_id=author.id, booking_id=booking and booking.id,
                    is_verified=booking is not None, status=ReviewStatus(status), spam_signals=signals,
                    ip_address=ip, **fields)
    try:
        async with session.begin_nested():
            session.add(review)
            await session.flush()
    except IntegrityError as exc:   # the same booking reviewed by a parallel request
        raise AlreadyReviewed("This booking has already been reviewed.") from exc
    for i, (photo, image) in enumerate(zip(photos or [], processed, strict=True)):
        await _store_photo(session, review=review, image=image, alt_text=photo.alt_text, sort_order=i, store=store)
    if review.status == ReviewStatus.APPROVED:
        await publish(session, review, business)
    return review


async def _store_photo(session: AsyncSession, *, review: Review, image, alt_text: str | None,  # noqa: ANN001
                       sort_order: int, store) -> ReviewImage:  # noqa: ANN001
    variant = image.variants["full"]
    # Content-addressed: a file left behind by a rolled-back request is harmless and reused.
    await references.hold(session, [variant.key])      # a deletion of the same file waits for us
    await store.put(variant.key, variant.data, variant.content_type)
    row = ReviewImage(review_id=review.id, image_url=store.url(variant.key),
                      alt_text=(clean_text(alt_text) or "")[:255] or None, sort_order=sort_order)
    session.add(row)
    await session.flush()
    return row


async def add_review_photo(session: AsyncSession, *, author: User, review_id: uuid.UUID, data: bytes,
                           alt_text: str | None, store) -> ReviewImage:  # noqa: ANN001
    """The author adds a photo (checked, re-encoded, stripped of metadata) to their review, up to 5."""
    review = await require_review(session, review_id)
    if review.customer_id != author.id:
        raise PermissionDenied("Only the review's author can add photos.")
    count = await session.scalar(select(func.count()).select_from(ReviewImage)
                                 .where(ReviewImage.review_id == review.id)) or 0
    if count >= PHOTOS_MAX:
        raise Conflict(f"A review has at most {PHOTOS_MAX} photos.")
    image = await process_upload(data, uploader_id=author.id, variants={"full": PHOTO_SIDE})
    return await _store_photo(session, review=review, image=image, alt_text=alt_text, sort_order=count, store=store)


async def respond_to_review(session: AsyncSession, *, owner: User, review_id: uuid.UUID, content: str,
                            ip: str | None = None) -> Review:
    """The business's owner writes or edits the one public reply to a published review;
    the reviewer is told."""
    review = await require_review(session, review_id)
    business = await _business(session, review.business_id)
    if business is None or business.owner_id != owner.id:
        raise PermissionDenied("Only the business's owner can reply to its reviews.")
    if review.status != ReviewStatus.APPROVED:
        raise Conflict("You can reply once the review is published.")
    content = clean_text(content)
    if not content:
        raise InvalidInput("Write a reply.", field="content")
    if len(content) > RESPONSE_MAX:
        raise InvalidInput(f"At most {RESPONSE_MAX} characters.", field="content")
    old = review.business_response
    review.business_response = content
    review.business_response_date = datetime.now(UTC)
    await session.flush()
    await record(session, actor_id=owner.id, action="review.respond", table_name="reviews", record_id=review.id,
                 old={"business_response": old}, new={"business_response": content}, ip=ip)
    if review.customer_id:
        await notify(session, user_id=review.customer_id, type="review_response",
                     title=f"{business.name} {'updated its reply' if old else 'replied'} to your review",
                     message=content[:200], data={"review_id": str(review.id), "business_id": str(business.id)})
    return review


async def delete_review(session: AsyncSession, *, user: User, review_id: uuid.UUID, ip: str | None = None) -> None:
    """The author or an admin deletes a review (the business's totals follow by trigger)."""
    review = await require_review(session, review_id)
    is_admin = str(user.role) == "admin"
    if review.customer_id != user.id and not is_admin:
        raise PermissionDenied("Only the review's author can delete it.")
    if is_admin and review.customer_id != user.id:
        await record(session, actor_id=user.id, action="review.delete", table_name="reviews", record_id=review.id,
                     old={"status": str(review.status), "rating": review.rating, "business_id": review.business_id},
                     ip=ip)
    await session.delete(review)
    await session.flush()
