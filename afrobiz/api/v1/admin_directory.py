"""Admin endpoints for listings: the queue by status, and the lifecycle decisions."""
from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.api.deps import Session, request_ip, require_role
from afrobiz.directory import lifecycle, present, queries, service
from afrobiz.directory.models import BusinessStatus
from afrobiz.directory.schemas import BusinessPage, BusinessRead, FeatureIn, StatusChange, VerifyIn

router = APIRouter(prefix="/admin/businesses", tags=["admin"])
admin_only = require_role("admin")


async def _read(session: AsyncSession, business) -> BusinessRead:  # noqa: ANN001
    return present.business_read(await queries.business_detail(session, business))


@router.get("", response_model=BusinessPage, summary="Businesses, filtered by status")
async def list_businesses(session: AsyncSession = Session, user: User = Depends(admin_only),
                          status: BusinessStatus | None = None, limit: int = Query(20, ge=1, le=100),
                          cursor: str | None = None):
    rows, next_cursor = await queries.list_businesses(session, status=status, limit=limit, cursor=cursor)
    return BusinessPage(items=[present.business_summary(b) for b in rows], next_cursor=next_cursor)


@router.post("/{business_id}/status", response_model=BusinessRead, summary="Activate, suspend or close")
async def change_status(business_id: uuid.UUID, body: StatusChange, request: Request,
                        session: AsyncSession = Session, user: User = Depends(admin_only)):
    business = await service.require_business(session, business_id)
    await lifecycle.change_status(session, business=business, actor=user, status=body.status, reason=body.reason,
                                  ip=request_ip(request))
    return await _read(session, business)


@router.post("/{business_id}/verify", response_model=BusinessRead, summary="Mark verified (or not)")
async def verify(business_id: uuid.UUID, request: Request, body: VerifyIn | None = None,
                 session: AsyncSession = Session, user: User = Depends(admin_only)):
    business = await service.require_business(session, business_id)
    await lifecycle.set_verified(session, business=business, actor=user, verified=(body or VerifyIn()).verified,
                                 ip=request_ip(request))
    return await _read(session, business)


@router.post("/{business_id}/feature", response_model=BusinessRead, summary="Feature until a moment (null ends it)")
async def feature(business_id: uuid.UUID, body: FeatureIn, request: Request,
                  session: AsyncSession = Session, user: User = Depends(admin_only)):
    business = await service.require_business(session, business_id)
    await lifecycle.set_featured(session, business=business, actor=user, until=body.until, ip=request_ip(request))
    return await _read(session, business)
