"""Admin review moderation: the queue by status, and the decision with notes."""
from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.api.deps import Session, request_ip, require_role
from afrobiz.reviews import moderation, queries
from afrobiz.reviews.models import ReviewStatus
from afrobiz.reviews.schemas import ModerateIn, ReviewAdminPage, ReviewAdminRead, review_admin_read

router = APIRouter(prefix="/admin/reviews", tags=["admin"])
admin_only = require_role("admin")


@router.get("", response_model=ReviewAdminPage, summary="Reviews by status (pending and flagged: oldest first)")
async def list_reviews(session: AsyncSession = Session, user: User = Depends(admin_only),
                       status: ReviewStatus | None = None, limit: int = Query(20, ge=1, le=100),
                       cursor: str | None = None):
    page = await queries.moderation_queue(session, status=status and status.value, limit=limit, cursor=cursor)
    return ReviewAdminPage(items=[review_admin_read(v) for v in page.items], next_cursor=page.next_cursor)


@router.post("/{review_id}/moderate", response_model=ReviewAdminRead, summary="Approve, reject or flag")
async def moderate(review_id: uuid.UUID, body: ModerateIn, request: Request, session: AsyncSession = Session,
                   user: User = Depends(admin_only)):
    await moderation.moderate_review(session, admin=user, review_id=review_id, status=body.status,
                                     notes=body.notes, ip=request_ip(request))
    return review_admin_read(await queries.review_view(session, review_id=review_id))
