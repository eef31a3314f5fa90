"""What the admin console reads: the audit log (filtered, keyset-paged), users, platform totals."""
from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.admin.models import AuditLog
from afrobiz.errors import InvalidInput
from afrobiz.kit.dates import check_moment

TZ = "Africa/Windhoek"
MAX_LIMIT = 100
WEEKS = 12


def parse_moment(raw: str | None, field: str, *, end: bool = False) -> datetime | None:
    """An ISO date-time, or a local date (a 'to' date includes that whole day)."""
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput("Use a date (2025-03-04) or a date and time with offset.", field=field) from exc
    check_moment(moment, field)   # before any arithmetic: a day either side then cannot overflow
    if len(raw) == 10:
        day = moment.date() + (timedelta(days=1) if end else timedelta(0))
        return datetime.combine(day, time(0), ZoneInfo(TZ))
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(TZ))


def encode_cursor(at: datetime, id_: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{id_}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, id_ = raw.partition("|")
        return datetime.fromisoformat(at), uuid.UUID(id_)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("This cursor is not valid.", field="cursor") from exc


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be 1 to {MAX_LIMIT}.", field="limit")
    return limit


# ---------------------------------------------------------------- audit log

@dataclass
class AuditEntry:
    id: uuid.UUID
    created_at: datetime
    user_id: uuid.UUID | None
    user_name: str | None
    user_email: str | None
    action: str
    table_name: str | None
    record_id: uuid.UUID | None
    old_values: dict[str, Any] | None
    new_values: dict[str, Any] | None
    ip_address: str | None
    user_agent: str | None

    @property
    def changed_keys(self) -> list[str]:
        """Every key in old or new, the changed ones first (for a side-by-side view)."""
        old, new = self.old_values or {}, self.new_values or {}
        keys = sorted(set(old) | set(new))
        return sorted(keys, key=lambda k: old.get(k) == new.get(k))


async def audit_log(session: AsyncSession, *, user_id: uuid.UUID | None = None, table_name: str | None = None,
                    record_id: uuid.UUID | None = None, action: str | None = None, start: datetime | None = None,
                    end: datetime | None = None, limit: int = 20,
                    cursor: str | None = None) -> tuple[list[AuditEntry], str | None]:
    """Audit rows, newest first, filtered (start inclusive, end exclusive); next cursor or None."""
    _limit(limit)
    if start and end and end <= start:
        raise InvalidInput("'to' must be after 'from'.", field="to")
    query = (select(AuditLog, User.first_name, User.last_name, User.email)
             .outerjoin(User, User.id == AuditLog.user_id))
    if user_id:
        query = query.where(AuditLog.user_id == user_id)
    if table_name:
        query = query.where(AuditLog.table_name == table_name)
    if record_id:
        query = query.where(AuditLog.record_id == record_id)
    if action:
        query = query.where(AuditLog.action.startswith(action, autoescape=True))
    if start:
        query = query.where(AuditLog.created_at >= start)
    if end:
        query = query.where(AuditLog.created_at < end)
    if cursor:
        at, id_ = decode_cursor(cursor)
        query = query.where(tuple_(AuditLog.created_at, AuditLog.id) < tuple_(at, id_))
    rows = (await session.execute(
        query.order_by(AuditLog.created_at.desc(), AuditLog.id.desc()).limit(limit + 1))).all()
    entries = [AuditEntry(a.id, a.created_at, a.user_id, f"{first} {last}" if first else None, email, a.action,
                          a.table_name, a.record_id, a.old_values, a.new_values,
                          str(a.ip_address) if a.ip_address else None, a.user_agent)
               for a, first, last, email in rows[:limit]]
    more = len(rows) > limit
    return entries, encode_cursor(entries[-1].created_at, entries[-1].id) if more else None


async def audited_tables(session: AsyncSession) -> list[str]:
    """The table names found in the audit log (for the viewer's filter)."""
    return list(await session.scalars(text(
        "SELECT DISTINCT table_name FROM audit_logs WHERE table_name IS NOT NULL ORDER BY 1 LIMIT 200")))


# ---------------------------------------------------------------- users

async def search_users(session: AsyncSession, *, q: str | None = None, role: str | None = None,
                       suspended: bool | None = None, limit: int = 20,
                       cursor: str | None = None) -> tuple[list[User], str | None]:
    """Users matching words in their name or e-mail, newest first."""
    _limit(limit)
    query = select(User)
    for word in (q or "").split()[:5]:
        pattern = f"%{word}%"
        query = query.where(or_(User.email.ilike(pattern), User.first_name.ilike(pattern),
                                User.last_name.ilike(pattern), User.phone.ilike(pattern)))
    if role:
        query = query.where(User.role == role)
    if suspended is not None:
        query = query.where(User.is_suspended.is_(suspended))
    if cursor:
        at, id_ = decode_cursor(cursor)
        query = query.where(tuple_(User.created_at, User.id) < tuple_(at, id_))
    rows = list(await session.scalars(query.order_by(User.created_at.desc(), User.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].created_at, rows[-1].id) if more else None


# ---------------------------------------------------------------- platform totals

@dataclass
class WeekRow:
    week: date
    bookings: int
    revenue: Decimal


@dataclass
class Overview:
    businesses_by_status: dict[str, int]
    businesses_by_region: list[tuple[str, int]]
    users_by_role: dict[str, int]
    reviews_by_status: dict[str, int]
    weeks: list[WeekRow]


async def _counts(session: AsyncSession, sql: str) -> list[tuple[Any, int]]:
    return [(k, int(n)) for k, n in (await session.execute(text(sql))).all()]


async def overview(session: AsyncSession, *, today: date) -> Overview:
    """Platform totals: businesses by status and region, users, reviews, bookings and revenue per week."""
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=WEEKS - 1)
    weeks = {first + timedelta(weeks=i): WeekRow(first + timedelta(weeks=i), 0, Decimal("0.00")) for i in range(WEEKS)}
    params = {"tz": TZ, "first": first}
    for week, n in (await session.execute(text(
            "SELECT date_trunc('week', created_at AT TIME ZONE :tz)::date, count(*) FROM bookings "
            "WHERE created_at >= (:first)::timestamp AT TIME ZONE :tz GROUP BY 1"), params)).all():
        if week in weeks:
            weeks[week].bookings = int(n)
    for week, total in (await session.execute(text(
            "SELECT date_trunc('week', processed_at AT TIME ZONE :tz)::date, sum(amount) FROM payments "
            "WHERE status = 'completed' AND processed_at >= (:first)::timestamp AT TIME ZONE :tz GROUP BY 1"),
            params)).all():
        if week in weeks:
            weeks[week].revenue = Decimal(total).quantize(Decimal("0.01"))
    return Overview(
        businesses_by_status=dict(await _counts(session, "SELECT status::text, count(*) FROM businesses GROUP BY 1")),
        businesses_by_region=await _counts(session, "SELECT coalesce(region, '(none)'), count(*) FROM businesses "
                                                    "GROUP BY 1 ORDER BY 2 DESC, 1"),
        users_by_role=dict(await _counts(session, "SELECT role::text, count(*) FROM users GROUP BY 1")),
        reviews_by_status=dict(await _counts(session, "SELECT status::text, count(*) FROM reviews GROUP BY 1")),
        weeks=[weeks[k] for k in sorted(weeks)])

