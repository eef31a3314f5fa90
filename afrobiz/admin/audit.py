"""The audit log: every state change by an owner or admin (DESIGN 4.10)."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.admin.models import AuditLog


async def record(session: AsyncSession, *, actor_id: uuid.UUID | None, action: str, table_name: str | None = None,
                 record_id: uuid.UUID | None = None, old: dict[str, Any] | None = None,
                 new: dict[str, Any] | None = None, ip: str | None = None, user_agent: str | None = None) -> None:
    """Append one audit row (who, what, old, new, from where)."""
    session.add(AuditLog(user_id=actor_id, action=action, table_name=table_name, record_id=record_id,
                         old_values=_jsonable(old), new_values=_jsonable(new), ip_address=ip,
                         user_agent=(user_agent or None) and user_agent[:500]))
    await session.flush()


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else str(v)
            for k, v in values.items()}
