"""Review endpoints: write, list, reply, vote, report, photos, delete."""
from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.api.deps import Session, current_user, optional_user, request_ip, require_role
from afrobiz.reviews import moderation, queries, service
from afrobiz.reviews.schemas import (
    ResponseIn,
    ReportIn,
    ReviewCreate,
    ReviewImageRead,
    ReviewPage,
    ReviewRead,
    VoteIn,
    VoteRead,
    review_read,
    summary_read,
)
from afrobiz.storage import get_store

router = APIRouter(tags=["reviews"])
reviewer_roles = require_role("customer", "business_owner")
owner_only = require_role("business_owner", "admin")


async def _read(session: AsyncSession, review_id: uuid.UUID, user: User | None) -> ReviewRead:
    return review_read(await queries.review_view(session, review_id=review_id, viewer_id=user and user.id))


@router.post("/businesses/{business_id}/reviews", response_model=ReviewRead, status_code=201,
             summary="Review a business (verified when tied to your completed booking)")
async def create_review(business_id: uuid.UUID, body: ReviewCreate, request: Request,
                        session: AsyncSession = Session, user: User = Depends(reviewer_roles)):
    details = body.model_dump(include=set(service.DETAIL_RATINGS))
    review = await service.create_review(session, author=user, business_id=business_id, rating=body.rating,
                                         title=body.title, content=body.content, booking_id=body.booking_id,
                                         details=details, ip=request_ip(request))
    return await _read(session, review.id, user)


@router.get("/businesses/{business_id}/reviews", response_model=ReviewPage,
            summary="Approved reviews, with the rating summary")
async def list_reviews(business_id: uuid.UUID, session: AsyncSession = Session,
                       user: User | None = Depends(optional_user),
                       sort: str = Query("newest", description="newest | helpful | highest | lowest"),
                       limit: int = Query(20, ge=1, le=100), cursor: str | None = None):
    page = await queries.public_reviews(session, business_id=business_id, sort=sort, limit=limit, cursor=cursor,
                                        viewer_id=user and user.id)
    summary = await queries.rating_summary(session, business_id=business_id)
    return ReviewPage(items=[review_read(v) for v in page.items], next_cursor=page.next_cursor,
                      summary=summary_read(summary))


@router.get("/reviews/{review_id}", response_model=ReviewRead, summary="One review (if you may see it)")
async def get_review(review_id: uuid.UUID, session: AsyncSession = Session,
                     user: User | None = Depends(optional_user)):
    return await _read(session, review_id, user)


@router.delete("/reviews/{review_id}", status_code=204, summary="Delete your review (or any, as admin)")
async def delete_review(review_id: uuid.UUID, request: Request, session: AsyncSession = Session,
                        user: User = Depends(current_user)):
    await service.delete_review(session, user=user, review_id=review_id, ip=request_ip(request))
    return Response(status_code=204)


@router.post("/reviews/{review_id}/response", response_model=ReviewRead,
             summary="The business's owner replies (again to edit the reply)")
async def respond(review_id: uuid.UUID, body: ResponseIn, request: Request, session: AsyncSession = Session,
                  user: User = Depends(owner_only)):
    await service.respond_to_review(session, owner=user, review_id=review_id, content=body.content,
                                    ip=request_ip(request))
    return await _read(session, review_id, user)


@router.post("/reviews/{review_id}/vote", response_model=VoteRead, summary="Helpful or not (one vote, changeable)")
async def vote(review_id: uuid.UUID, body: VoteIn, session: AsyncSession = Session,
               user: User = Depends(current_user)):
    return VoteRead(**(await moderation.vote(session, user=user, review_id=review_id,
                                             helpful=body.helpful)).__dict__)


@router.delete("/reviews/{review_id}/vote", response_model=VoteRead, summary="Take your vote back")
async def remove_vote(review_id: uuid.UUID, session: AsyncSession = Session, user: User = Depends(current_user)):
    return VoteRead(**(await moderation.remove_vote(session, user=user, review_id=review_id)).__dict__)


@router.post("/reviews/{review_id}/report", status_code=204, summary="Report a review to the moderators")
async def report(review_id: uuid.UUID, session: AsyncSession = Session, user: User = Depends(current_user),
                 body: ReportIn | None = None):
    await moderation.report_review(session, user=user, review_id=review_id, reason=body and body.reason)
    return Response(status_code=204)


@router.post("/reviews/{review_id}/images", response_model=ReviewImageRead, status_code=201,
             summary="Add a photo to your review (JPEG, PNG or WebP; re-encoded, metadata removed)")
async def add_image(review_id: uuid.UUID, request: Request, file: UploadFile = File(...),
                    alt_text: str | None = Form(None), session: AsyncSession = Session,
                    user: User = Depends(current_user)):
    data = await file.read(service.MAX_UPLOAD_BYTES + 1)
    image = await service.add_review_photo(session, author=user, review_id=review_id, data=data,
                                           alt_text=alt_text, store=get_store(request.app.state.settings))
    return ReviewImageRead(id=image.id, image_url=image.image_url, alt_text=image.alt_text)
