"""Review shapes for the API (Pydantic); the rules themselves live in service.py."""
from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from afrobiz.reviews.queries import RatingSummary, ReviewView
from afrobiz.reviews.service import CONTENT_MAX, RESPONSE_MAX, TITLE_MAX

Stars = Field(None, ge=1, le=5)


class ReviewCreate(BaseModel):
    rating: int = Field(ge=1, le=5)
    title: str | None = Field(None, max_length=TITLE_MAX)
    content: str | None = Field(None, max_length=CONTENT_MAX)
    booking_id: uuid.UUID | None = None
    service_rating: int | None = Stars
    quality_rating: int | None = Stars
    value_rating: int | None = Stars
    cleanliness_rating: int | None = Stars


class ResponseIn(BaseModel):
    content: str = Field(min_length=1, max_length=RESPONSE_MAX)


class VoteIn(BaseModel):
    helpful: bool


class ReportIn(BaseModel):
    reason: str | None = Field(None, max_length=1000)


class ModerateIn(BaseModel):
    status: Literal["approved", "rejected", "flagged"]
    notes: str | None = Field(None, max_length=2000)


class Reviewer(BaseModel):
    name: str


class OwnerResponse(BaseModel):
    content: str
    responded_at: datetime | None


class ReviewImageRead(BaseModel):
    id: uuid.UUID
    image_url: str
    alt_text: str | None


class ReviewRead(BaseModel):
    id: uuid.UUID
    business_id: uuid.UUID
    rating: int
    title: str | None
    content: str | None
    service_rating: int | None
    quality_rating: int | None
    value_rating: int | None
    cleanliness_rating: int | None
    status: str
    is_verified: bool
    helpful_count: int
    not_helpful_count: int
    reviewer: Reviewer
    response: OwnerResponse | None
    images: list[ReviewImageRead]
    my_vote: bool | None = None
    created_at: datetime
    published_at: datetime | None


class ReviewAdminRead(ReviewRead):
    customer_id: uuid.UUID | None
    business_name: str | None
    business_slug: str | None
    moderation_notes: str | None
    spam_signals: list[str]
    report_count: int


class RatingSummaryRead(BaseModel):
    average_rating: Decimal | None = Field(description="null while the business is 'new'")
    review_count: int
    distribution: dict[int, int]
    is_new: bool


class ReviewPage(BaseModel):
    items: list[ReviewRead]
    next_cursor: str | None
    summary: RatingSummaryRead | None = None


class ReviewAdminPage(BaseModel):
    items: list[ReviewAdminRead]
    next_cursor: str | None


class VoteRead(BaseModel):
    review_id: uuid.UUID
    helpful: bool | None
    helpful_count: int
    not_helpful_count: int


def review_read(view: ReviewView, *, images: list | None = None) -> ReviewRead:
    """The public shape (no e-mail, no IP, no moderation notes)."""
    r = view.review
    return ReviewRead(
        id=r.id, business_id=r.business_id, rating=r.rating, title=r.title, content=r.content,
        service_rating=r.service_rating, quality_rating=r.quality_rating, value_rating=r.value_rating,
        cleanliness_rating=r.cleanliness_rating, status=str(r.status), is_verified=r.is_verified,
        helpful_count=r.helpful_count, not_helpful_count=r.not_helpful_count,
        reviewer=Reviewer(name=view.reviewer_name),
        response=OwnerResponse(content=r.business_response, responded_at=r.business_response_date)
        if r.business_response else None,
        images=[ReviewImageRead(id=i.id, image_url=i.image_url, alt_text=i.alt_text)
                for i in (images if images is not None else r.images)],
        my_vote=view.my_vote, created_at=r.created_at, published_at=r.published_at)


def review_admin_read(view: ReviewView) -> ReviewAdminRead:
    r = view.review
    return ReviewAdminRead(**review_read(view).model_dump(), customer_id=r.customer_id,
                           business_name=view.business_name, business_slug=view.business_slug,
                           moderation_notes=r.moderation_notes, spam_signals=list(r.spam_signals or []),
                           report_count=view.report_count)


def summary_read(s: RatingSummary) -> RatingSummaryRead:
    return RatingSummaryRead(average_rating=None if s.is_new else s.average, review_count=s.count,
                             distribution=s.distribution, is_new=s.is_new)
