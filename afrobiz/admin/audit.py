"""The audit log: every state change by an owner or admin (DESIGN 4.10)."""
from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def record(session: AsyncSession, *, actor_id: uuid.UUID | None, action: str, table_name: str | None = None,
                 record_id: uuid.UUID | None = None, old: dict[str, Any] | None = None,
                 new: dict[str, Any] | None = None, ip: str | None = None, user_agent: str | None = None) -> None:
    """Append one audit row (who, what, old, new, from where).

    A plain INSERT without RETURNING: RLS lets every identity append to audit_logs but only
    staff read it, and reading the row back (the ORM would, for the server-filled created_at
    in the primary key) would need the read policy too."""
    await session.execute(_INSERT, {
        "user_id": actor_id, "action": action, "table_name": table_name, "record_id": record_id,
        "old": _json(old), "new": _json(new), "ip": ip, "agent": (user_agent or None) and user_agent[:500]})


# Plain SQL: the ORM and Core both add RETURNING for the server-filled created_at.
_INSERT = text(
    "INSERT INTO audit_logs (user_id, action, table_name, record_id, old_values, new_values, ip_address, user_agent)"
    " VALUES (:user_id, :action, :table_name, :record_id, CAST(:old AS jsonb), CAST(:new AS jsonb),"
    " CAST(:ip AS inet), :agent)")


def _json(values: dict[str, Any] | None) -> str | None:
    return None if values is None else json.dumps(_jsonable(values))


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else str(v)
            for k, v in values.items()}
