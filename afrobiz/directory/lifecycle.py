"""A listing's life, decided by admins: activate, suspend, close; verify; feature."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.admin.audit import record
from afrobiz.directory.models import Business, BusinessStatus
from afrobiz.errors import Conflict, InvalidInput, PermissionDenied
from afrobiz.notifications.service import notify

# from -> the states an admin may move it to
TRANSITIONS: dict[BusinessStatus, set[BusinessStatus]] = {
    BusinessStatus.PENDING: {BusinessStatus.ACTIVE, BusinessStatus.CLOSED},
    BusinessStatus.ACTIVE: {BusinessStatus.SUSPENDED, BusinessStatus.CLOSED},
    BusinessStatus.SUSPENDED: {BusinessStatus.ACTIVE, BusinessStatus.CLOSED},
    BusinessStatus.CLOSED: {BusinessStatus.ACTIVE},
}

_MESSAGES = {
    BusinessStatus.ACTIVE: ("{name} is live", "{name} is now listed on AfroBiz Connect and customers can find it."),
    BusinessStatus.SUSPENDED: ("{name} is suspended", "{name} is hidden from customers for now."),
    BusinessStatus.CLOSED: ("{name} is closed", "{name} has been closed on AfroBiz Connect."),
}


def _require_admin(actor: User) -> None:
    if str(actor.role) != "admin":
        raise PermissionDenied("Only admins may do this.")


async def change_status(session: AsyncSession, *, business: Business, actor: User, status: BusinessStatus | str,
                        reason: str | None = None, ip: str | None = None) -> Business:
    """An admin moves a listing along pending → active ⇄ suspended, any → closed (closed may
    reopen). The first activation publishes it; the owner is told every time."""
    _require_admin(actor)
    new = BusinessStatus(status)
    old = BusinessStatus(business.status)
    if new == BusinessStatus.PENDING:
        raise InvalidInput("A business cannot be sent back to pending.", field="status")
    if new not in TRANSITIONS[old]:
        raise Conflict(f"A {old.value} business cannot become {new.value}.")
    if new != BusinessStatus.ACTIVE and not (reason and reason.strip()):
        raise InvalidInput("Say why (the owner is shown the reason).", field="reason")
    business.status = new
    if new == BusinessStatus.ACTIVE and business.published_at is None:
        business.published_at = datetime.now(UTC)
    await session.flush()
    await record(session, actor_id=actor.id, action=f"business.status.{new.value}", table_name="businesses",
                 record_id=business.id, old={"status": old.value},
                 new={"status": new.value, "reason": reason}, ip=ip)
    if business.owner_id is not None:
        title, message = (t.format(name=business.name) for t in _MESSAGES[new])
        if reason:
            message += f" Reason: {reason.strip()}"
        await notify(session, user_id=business.owner_id,
                     type="business_approved" if new == BusinessStatus.ACTIVE else "system_announcement",
                     title=title, message=message,
                     data={"business_id": str(business.id), "slug": business.slug, "status": new.value})
    return business


async def set_verified(session: AsyncSession, *, business: Business, actor: User, verified: bool = True,
                       ip: str | None = None) -> Business:
    """An admin marks a listing verified (checked in person or by papers), or takes it back."""
    _require_admin(actor)
    old = {"is_verified": business.is_verified, "verification_date": business.verification_date}
    business.is_verified = verified
    business.verification_date = datetime.now(UTC) if verified else None
    await session.flush()
    await record(session, actor_id=actor.id, action="business.verify", table_name="businesses",
                 record_id=business.id, old=old,
                 new={"is_verified": verified, "verification_date": business.verification_date}, ip=ip)
    return business


async def set_featured(session: AsyncSession, *, business: Business, actor: User, until: datetime | None,
                       ip: str | None = None) -> Business:
    """An admin features a listing until a future moment (None ends it)."""
    _require_admin(actor)
    if until is not None:
        if until.tzinfo is None:
            raise InvalidInput("Give the time with its offset (e.g. 2025-12-31T23:59:00+02:00).", field="until")
        if until <= datetime.now(UTC):
            raise InvalidInput("The end of the featuring must be in the future.", field="until")
    old = {"is_featured": business.is_featured, "featured_until": business.featured_until}
    business.is_featured = until is not None
    business.featured_until = until
    await session.flush()
    await record(session, actor_id=actor.id, action="business.feature", table_name="businesses",
                 record_id=business.id, old=old, new={"is_featured": business.is_featured, "featured_until": until},
                 ip=ip)
    return business
