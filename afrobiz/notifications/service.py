"""notify(): the one entry point every domain uses to tell a user something.

For now it records the in-app notification; the notifications issue adds e-mail/SMS
channels, preferences and delivery jobs behind this same signature.
"""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.db.session import acting_as_system
from afrobiz.notifications.models import Notification, NotificationType


async def notify(session: AsyncSession, *, user_id: uuid.UUID, type: NotificationType | str, title: str,
                 message: str, data: dict[str, Any] | None = None) -> Notification:
    """Record a notification for user_id (whoever triggers it: RLS would refuse a row for
    another user, and telling another user is exactly what notify is for)."""
    notification = Notification(user_id=user_id, type=NotificationType(type), title=title[:255],
                                message=message, data=data or {})
    async with acting_as_system(session):
        session.add(notification)
        await session.flush()
    return notification
