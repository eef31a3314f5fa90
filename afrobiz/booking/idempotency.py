"""Idempotency-Key: a retried POST gets the first answer; the same key with another body is refused.

Only successful answers are stored (they commit with the booking); a failed attempt
leaves nothing behind, so the client may retry it with the same key.

RLS lets a user see only their own keys. A guest's key has no user, so no identity owns it:
those reads and writes act as system (the key, scope and body are the guest's proof).
"""
from __future__ import annotations

import hashlib
import json
import uuid
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.booking.errors import IdempotencyMismatch
from afrobiz.db.session import acting_as_system
from afrobiz.errors import InvalidInput
from afrobiz.payments.models import IdempotencyKey


@dataclass
class Replay:
    status: int
    body: Any


def request_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


async def claim(session: AsyncSession, *, scope: str, user_id: uuid.UUID | None, key: str, body: Any
                ) -> Replay | IdempotencyKey:
    """The stored first answer for this key (Replay), or a fresh claim to finish() later.
    Same key, other body → 422. A concurrent first attempt with the key makes this one
    wait on the unique index until that one commits or rolls back."""
    if not key or len(key) > 255:
        raise InvalidInput("Idempotency-Key must be 1 to 255 characters.", field="Idempotency-Key")
    await session.flush()        # the request's own writes in the caller's identity, not as system
    async with _guest_rights(session, user_id):
        return await _claim(session, scope=scope, user_id=user_id, key=key, body=body)


def _guest_rights(session: AsyncSession, user_id: uuid.UUID | None):
    return acting_as_system(session) if user_id is None else nullcontext()


async def _claim(session: AsyncSession, *, scope: str, user_id: uuid.UUID | None, key: str, body: Any
                 ) -> Replay | IdempotencyKey:
    digest = request_hash(body)
    where = (IdempotencyKey.scope == scope, IdempotencyKey.key == key,
             IdempotencyKey.user_id.is_(None) if user_id is None else IdempotencyKey.user_id == user_id)
    await session.execute(delete(IdempotencyKey).where(*where, IdempotencyKey.expires_at < datetime.now(UTC)))
    for _ in range(2):
        existing = (await session.scalars(select(IdempotencyKey).where(*where))).first()
        if existing is not None:
            if existing.request_hash != digest:
                raise IdempotencyMismatch("This Idempotency-Key was used with a different request body.",
                                          field="Idempotency-Key")
            return Replay(existing.response_status or 200, existing.response_body)
        row = IdempotencyKey(scope=scope, user_id=user_id, key=key, request_hash=digest)
        try:
            async with session.begin_nested():
                session.add(row)
                await session.flush()
            return row
        except IntegrityError:
            continue  # the concurrent first attempt committed: read its answer
    raise InvalidInput("This Idempotency-Key is in use by a request still running.", field="Idempotency-Key")


async def finish(session: AsyncSession, claim_row: IdempotencyKey, *, status: int, body: Any) -> None:
    """Store the answer to replay for the claimed key."""
    await session.flush()        # the request's own writes in the caller's identity, not as system
    async with _guest_rights(session, claim_row.user_id):
        claim_row.response_status, claim_row.response_body = status, body
        await session.flush()
