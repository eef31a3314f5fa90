"""My notifications page: the inbox (mark one or all read) and the channel choices per kind."""
from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.api.deps import Session
from afrobiz.errors import InvalidInput
from afrobiz.notifications import messages, preferences, service
from afrobiz.notifications.models import NotificationType
from afrobiz.web.deps import csrf_protect, require_page_user
from afrobiz.web.templating import templates

router = APIRouter(include_in_schema=False)
CSRF = [Depends(csrf_protect)]
PAGE = "/me/notifications"


async def _render(request: Request, session: AsyncSession, user: User, *, cursor: str | None = None,
                  saved: bool = False, error: str | None = None, status: int = 200):
    try:
        inbox = await service.list_notifications(session, user_id=user.id, limit=20, cursor=cursor)
    except InvalidInput:
        inbox = await service.list_notifications(session, user_id=user.id, limit=20)
    prefs = await preferences.list_preferences(session, user=user)
    return templates.TemplateResponse(request, "notifications/index.html", {
        "user": user, "inbox": inbox, "prefs": prefs, "channels": preferences.CHANNELS,
        "when": messages.when_local, "saved": saved, "error": error,
        "phone_ready": bool(user.phone) and user.phone_verified,
    }, status_code=status)


@router.get(PAGE, response_class=HTMLResponse)
async def notifications_page(request: Request, cursor: str | None = None, saved: bool = False,
                             user: User = Depends(require_page_user), session: AsyncSession = Session):
    return await _render(request, session, user, cursor=cursor, saved=saved)


@router.post(PAGE + "/read-all", dependencies=CSRF)
async def read_all(user: User = Depends(require_page_user), session: AsyncSession = Session):
    await service.mark_all_read(session, user_id=user.id)
    return RedirectResponse(PAGE, status_code=303)


@router.post(PAGE + "/{notification_id}/read", dependencies=CSRF)
async def read_one(notification_id: uuid.UUID, user: User = Depends(require_page_user),
                   session: AsyncSession = Session):
    await service.mark_read(session, user_id=user.id, notification_id=notification_id)
    return RedirectResponse(f"{PAGE}#n-{notification_id}", status_code=303)


@router.post("/me/notification-preferences", dependencies=CSRF)
async def save_preferences(request: Request, user: User = Depends(require_page_user),
                           session: AsyncSession = Session):
    # Checkboxes: a ticked box arrives as "<type>.<channel>=on", an unticked one not at all,
    # so every type and channel shown on the form is set from what arrived.
    form = await request.form()
    items = [{"type": t.value, **{c: f"{t.value}.{c}" in form for c in preferences.CHANNELS}}
             for t in NotificationType]
    await preferences.set_preferences(session, user=user, items=items)
    return RedirectResponse(f"{PAGE}?saved=1#preferences", status_code=303)
