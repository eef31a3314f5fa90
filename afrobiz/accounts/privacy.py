"""Privacy: export everything held about a user; delete (anonymise) an account.

The export walks every table with a column referencing users.id, so a table another domain
adds later is exported without touching this file. Secrets (hashes) are never exported.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts import sessions
from afrobiz.accounts.context import Caller
from afrobiz.accounts.models import User, UserSession, VerificationToken
from afrobiz.accounts.schemas import UserRead
from afrobiz.accounts.service import _audit, confirm_password
from afrobiz.db.base import Base
from afrobiz.db.session import acting_as_system

EXPORT_ROWS_PER_TABLE = 10_000
SECRET_COLUMNS = ("password_hash", "token_hash")
DELETED_NAME = ("Deleted", "user")


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, Decimal)):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return None
    if isinstance(value, (str, int, float, bool, type(None), list, dict)):
        return value
    return str(value)


def _user_columns():
    """(table, column) for every column that references users.id."""
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "users" and fk.column.name == "id" for fk in column.foreign_keys):
                yield table, column


async def export_user_data(session: AsyncSession, *, user: User) -> dict[str, Any]:
    """Everything the platform holds about the user, as JSON-ready data (no hashes, no tokens)."""
    profile = UserRead.model_validate(user).model_dump(mode="json") | {
        "is_active": user.is_active, "is_suspended": user.is_suspended,
        "suspension_reason": user.suspension_reason, "updated_at": user.updated_at.isoformat(),
        "metadata": user.metadata_}
    related: dict[str, list[dict[str, Any]]] = {}
    # Seeing past RLS: rows are selected strictly by their reference to this user.
    async with acting_as_system(session):
        for table, column in _user_columns():
            rows = (await session.execute(select(table).where(column == user.id)
                                          .limit(EXPORT_ROWS_PER_TABLE))).mappings().all()
            if rows:
                key = table.name if column.name in ("user_id", "customer_id", "owner_id") \
                    else f"{table.name} ({column.name})"
                related.setdefault(key, []).extend(
                    {k: _jsonable(v) for k, v in row.items() if k not in SECRET_COLUMNS} for row in rows)
    return {"format": "afrobiz-export/1", "exported_at": datetime.now().astimezone().isoformat(),
            "user": profile, "related": related}


async def delete_account(session: AsyncSession, *, user: User, password: str, caller: Caller) -> None:
    """Erase the user's personal data (password required). Bookings, payments and reviews stay
    for the businesses' records, pseudonymised; every session ends; the account cannot log in."""
    await confirm_password(user, password)
    user_id = user.id
    user.email = f"deleted-{user_id.hex}@deleted.invalid"
    user.first_name, user.last_name = DELETED_NAME
    for name in ("phone", "password_hash", "profile_image_url", "date_of_birth", "gender", "location_city",
                 "location_region", "suspension_reason"):
        setattr(user, name, None)
    user.email_verified = user.phone_verified = user.marketing_consent = False
    user.is_active = False
    user.metadata_ = {"deleted_at": datetime.now().astimezone().isoformat()}
    await session.flush()
    await sessions.end_all_sessions(session, user_id)
    await session.execute(delete(VerificationToken).where(VerificationToken.user_id == user_id))
    await session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    await _strip_personal_copies(session, user_id)
    await _audit(session, caller, "user.delete", actor=user_id, record_id=user_id)


async def _strip_personal_copies(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Contact details copied onto the user's bookings go too; their own favourites and
    notifications are of no use to anyone else and are removed."""
    from afrobiz.booking.models import Booking
    from afrobiz.engagement.models import UserFavorite
    from afrobiz.notifications.models import Notification

    # The user's own rows, which RLS lets them change; system so nothing is silently skipped.
    async with acting_as_system(session):
        await session.execute(update(Booking).where(Booking.customer_id == user_id).values(
            customer_name=" ".join(DELETED_NAME), customer_email=None, customer_phone=None))
        for model in (UserFavorite, Notification):
            await session.execute(delete(model).where(model.user_id == user_id))
