"""The in-app inbox and notification preferences of the calling user."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.api.deps import Session, current_user
from afrobiz.notifications import preferences, service
from afrobiz.notifications.models import NotificationType

router = APIRouter(tags=["notifications"])


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    type: NotificationType
    title: str
    message: str
    data: dict[str, Any]
    is_read: bool
    created_at: datetime
    read_at: datetime | None


class NotificationList(BaseModel):
    items: list[NotificationRead]
    next_cursor: str | None
    unread_count: int


class ReadAll(BaseModel):
    marked_read: int


class PreferenceRead(BaseModel):
    type: NotificationType
    label: str
    custom: bool = Field(description="true when the user chose these channels; false = the type's default")
    in_app: bool
    email: bool
    sms: bool
    whatsapp: bool


class PreferenceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: NotificationType
    in_app: StrictBool | None = None
    email: StrictBool | None = None
    sms: StrictBool | None = None
    whatsapp: StrictBool | None = None


class PreferencesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[PreferenceUpdate] = Field(max_length=len(NotificationType))


class PreferencesRead(BaseModel):
    items: list[PreferenceRead]


@router.get("/me/notifications", response_model=NotificationList, summary="My notifications, newest first")
async def list_notifications(limit: int = Query(20, ge=1, le=100), cursor: str | None = Query(None, max_length=200),
                             unread: bool = Query(False, description="only unread ones"),
                             user: User = Depends(current_user), session: AsyncSession = Session):
    return await service.list_notifications(session, user_id=user.id, limit=limit, cursor=cursor, unread_only=unread)


@router.post("/me/notifications/read-all", response_model=ReadAll, summary="Mark all my notifications read")
async def read_all(user: User = Depends(current_user), session: AsyncSession = Session):
    return {"marked_read": await service.mark_all_read(session, user_id=user.id)}


@router.post("/me/notifications/{notification_id}/read", status_code=204, response_class=Response,
             summary="Mark one notification read")
async def read_one(notification_id: uuid.UUID, user: User = Depends(current_user), session: AsyncSession = Session):
    await service.mark_read(session, user_id=user.id, notification_id=notification_id)
    return Response(status_code=204)


@router.get("/me/notification-preferences", response_model=PreferencesRead,
            summary="Which channels each kind of message uses")
async def get_preferences(user: User = Depends(current_user), session: AsyncSession = Session):
    return {"items": await preferences.list_preferences(session, user=user)}


@router.put("/me/notification-preferences", response_model=PreferencesRead,
            summary="Choose channels per kind of message (types not listed keep theirs)")
async def put_preferences(body: PreferencesUpdate, user: User = Depends(current_user),
                          session: AsyncSession = Session):
    items = [item.model_dump() for item in body.items]
    return {"items": await preferences.set_preferences(session, user=user, items=items)}
