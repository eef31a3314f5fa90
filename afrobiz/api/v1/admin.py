"""Admin console API: platform totals, the audit log, typed settings, user search.
(Business and review decisions live in admin_directory.py and admin_reviews.py; suspension in accounts.py.)"""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.admin import queries, settings
from afrobiz.api.deps import Session, request_ip, require_role

router = APIRouter(tags=["admin"])
admin_only = require_role("admin")
TZ = ZoneInfo("Africa/Windhoek")


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    created_at: datetime
    user_id: uuid.UUID | None
    user_name: str | None
    action: str
    table_name: str | None
    record_id: uuid.UUID | None
    old_values: dict[str, Any] | None
    new_values: dict[str, Any] | None
    ip_address: str | None
    user_agent: str | None


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_cursor: str | None


class SettingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    value: Any
    data_type: str
    description: str | None
    is_public: bool
    is_default: bool
    updated_at: datetime | None


class SettingList(BaseModel):
    items: list[SettingOut]


class SettingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: Any = Field(description="typed: a number, true/false, text, or any JSON for json settings")
    data_type: Literal["string", "integer", "decimal", "boolean", "json"] | None = None
    description: str | None = Field(None, max_length=1000)
    is_public: bool | None = None


class AdminUserItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    first_name: str
    last_name: str
    phone: str | None
    role: str
    email_verified: bool
    is_active: bool
    is_suspended: bool
    suspension_reason: str | None
    created_at: datetime
    last_login_at: datetime | None


class UserPage(BaseModel):
    items: list[AdminUserItem]
    next_cursor: str | None


class WeekOut(BaseModel):
    week: date
    bookings: int
    revenue: Decimal


class RegionCount(BaseModel):
    region: str
    count: int


class OverviewOut(BaseModel):
    currency: str = "NAD"
    businesses_by_status: dict[str, int]
    businesses_by_region: list[RegionCount]
    users_by_role: dict[str, int]
    reviews_by_status: dict[str, int]
    weeks: list[WeekOut]


@router.get("/admin/overview", response_model=OverviewOut, summary="Platform totals")
async def overview(session: AsyncSession = Session, user: User = Depends(admin_only)):
    o = await queries.overview(session, today=datetime.now(UTC).astimezone(TZ).date())
    return OverviewOut(businesses_by_status=o.businesses_by_status, users_by_role=o.users_by_role,
                       businesses_by_region=[RegionCount(region=r, count=n) for r, n in o.businesses_by_region],
                       reviews_by_status=o.reviews_by_status,
                       weeks=[WeekOut(week=w.week, bookings=w.bookings, revenue=w.revenue) for w in o.weeks])


@router.get("/admin/audit-logs", response_model=AuditPage, summary="The audit log, newest first")
async def audit_logs(session: AsyncSession = Session, user: User = Depends(admin_only),
                     user_id: uuid.UUID | None = None, table_name: str | None = Query(None, max_length=100),
                     record_id: uuid.UUID | None = None, action: str | None = Query(None, max_length=100),
                     from_: str | None = Query(None, alias="from", max_length=40),
                     to: str | None = Query(None, max_length=40),
                     limit: int = Query(20, ge=1, le=100), cursor: str | None = Query(None, max_length=200)):
    items, next_cursor = await queries.audit_log(
        session, user_id=user_id, table_name=table_name, record_id=record_id, action=action,
        start=queries.parse_moment(from_, "from"), end=queries.parse_moment(to, "to", end=True), limit=limit, cursor=cursor)
    return AuditPage(items=[AuditEntryOut.model_validate(e) for e in items], next_cursor=next_cursor)


@router.get("/admin/settings", response_model=SettingList, summary="Every setting, typed")
async def list_settings(session: AsyncSession = Session, user: User = Depends(admin_only)):
    return SettingList(items=[SettingOut.model_validate(v) for v in await settings.list_settings(session)])


@router.put("/admin/settings/{key}", response_model=SettingOut, summary="Set a setting (checked against its type)")
async def put_setting(key: str, body: SettingIn, request: Request, session: AsyncSession = Session,
                      user: User = Depends(admin_only)):
    view = await settings.set_setting(session, actor=user, key=key, value=body.value, data_type=body.data_type,
                                      description=body.description, is_public=body.is_public, ip=request_ip(request))
    return SettingOut.model_validate(view)


@router.get("/settings", response_model=SettingList, summary="Public settings (anyone)")
async def public_settings(session: AsyncSession = Session):
    return SettingList(items=[SettingOut.model_validate(v)
                              for v in await settings.list_settings(session, public_only=True)])


@router.get("/admin/users", response_model=UserPage, summary="Search users (no secrets)")
async def users(session: AsyncSession = Session, user: User = Depends(admin_only),
                q: str | None = Query(None, max_length=200),
                role: Literal["customer", "business_owner", "admin"] | None = None,
                suspended: bool | None = None, limit: int = Query(20, ge=1, le=100),
                cursor: str | None = Query(None, max_length=200)):
    rows, next_cursor = await queries.search_users(session, q=q, role=role, suspended=suspended, limit=limit,
                                                   cursor=cursor)
    return UserPage(items=[AdminUserItem.model_validate(u) for u in rows], next_cursor=next_cursor)
