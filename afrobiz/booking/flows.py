"""Booking's flows across domains: two-way SMS about bookings (issue 8, §6).

An inbound text is verified and kept once by the SMS channel (notifications.sms_inbound);
its words (booking/sms.py) are read here and acted on through the booking rules:

* `YES <code>` / `NO <code>` from the business owner's verified phone: confirm / decline a
  pending booking (status.change_status, acting as that owner);
* `C <code>` from the customer's number (the registered customer's verified phone, or the
  phone a guest gave on the booking): cancel within the service's cancellation rules.

The answer to a sender never depends on whether a booking they have no right to exists (no
enumeration); unclear texts get a short help reply.
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.admin.audit import record
from afrobiz.booking import status
from afrobiz.booking.errors import CancellationDeadlinePassed
from afrobiz.booking.models import Booking, BookingStatus as S
from afrobiz.booking.sms import HELP, Command, parse_command
from afrobiz.config import Settings
from afrobiz.db.session import acting_as_system, set_identity
from afrobiz.directory.models import Business
from afrobiz.errors import DomainError
from afrobiz.notifications import sms_inbound
from afrobiz.notifications.models import SmsInbound


async def answer_sms(session: AsyncSession, *, body: bytes, headers: dict[str, str], settings: Settings,
                     now: datetime | None = None) -> dict[str, str]:
    """Verify, store once and act on one inbound text; returns {"status": "accepted" | "duplicate"}.
    The outcome itself is not in the answer: the provider does not need it."""
    # The provider has no user: read and write as system for this message only.
    async with acting_as_system(session):
        row = await sms_inbound.receive(session, body=body, headers=headers, settings=settings)
        if row is None:
            return {"status": "duplicate"}
        if row.outcome == sms_inbound.RECEIVED:
            await _act(session, row, now=now or datetime.now(UTC))
        await sms_inbound.answer(session, row)
    return {"status": "accepted"}


async def _act(session: AsyncSession, row: SmsInbound, *, now: datetime) -> None:
    command = parse_command(row.body)
    if command is None:
        row.outcome, row.reply = "help", HELP
        return
    row.command = command.action
    # Locked and read afresh: two texts about one booking are answered one after the other.
    booking = (await session.scalars(select(Booking).where(Booking.booking_number == command.number)
                                     .with_for_update().execution_options(populate_existing=True))).first()
    actor = await _authorised_actor(session, booking, command, row.from_phone) if booking else None
    if booking is None or actor is None:
        # The same answer whether the booking exists or not: nothing to learn by guessing.
        row.outcome = "no_match"
        row.reply = f"AfroBiz: no booking {command.number} for this phone. Check the code and try again."
        return
    row.booking_id, row.user_id = booking.id, actor.id if isinstance(actor, User) else None
    await _apply(session, row, booking, command, actor, now)


async def _authorised_actor(session: AsyncSession, booking: Booking, command: Command, phone: str
                            ) -> User | str | None:
    """The user (or "guest") this sender is for this booking and command, or None."""
    if command.action in ("confirm", "decline"):
        business = await session.get(Business, booking.business_id)
        owner = await session.get(User, business.owner_id) if business and business.owner_id else None
        return owner if owner is not None and _verified(owner, phone) else None
    if booking.customer_id is not None:
        customer = await session.get(User, booking.customer_id)
        return customer if customer is not None and _verified(customer, phone) else None
    return "guest" if sms_inbound.phone(booking.customer_phone) == phone else None


def _verified(user: User, phone: str) -> bool:
    return (user.phone_verified and user.is_active and not user.is_suspended
            and sms_inbound.phone(user.phone) == phone)


async def _apply(session: AsyncSession, row: SmsInbound, booking: Booking, command: Command, actor: User | str,
                 now: datetime) -> None:
    number = booking.booking_number
    target = S.CONFIRMED if command.action == "confirm" else S.CANCELLED
    reason = {"decline": "Declined by the business (SMS reply)",
              "cancel": "Cancelled by the customer (SMS)"}.get(command.action)
    old = S(booking.status).value
    # Written now, as system: the change below runs as the sender, who may not write this row.
    await session.flush()
    try:
        async with session.begin_nested():
            if isinstance(actor, User):
                await _change_as(session, actor, booking.id, target, reason, now)
            else:
                await status.cancel_as_guest(session, booking=booking, reason=reason, now=now)
    except DomainError as exc:
        await session.refresh(booking)
        row.outcome = "refused"
        if isinstance(exc, CancellationDeadlinePassed):
            row.reply = f"AfroBiz: it is too late to cancel booking {number} by SMS. Please call the business."
        else:
            row.reply = f"AfroBiz: booking {number} is {S(booking.status).value} and cannot be changed by SMS."
        return
    row.outcome = {"confirm": "confirmed", "decline": "declined", "cancel": "cancelled"}[command.action]
    row.reply = {"confirm": f"AfroBiz: booking {number} is confirmed. We have told the customer.",
                 "decline": f"AfroBiz: booking {number} is declined. We have told the customer.",
                 "cancel": f"AfroBiz: booking {number} is cancelled. We have told the business."}[command.action]
    await record(session, actor_id=actor.id if isinstance(actor, User) else None, action=f"booking.sms_{command.action}",
                 table_name="bookings", record_id=booking.id,
                 old={"status": old}, new={"status": target.value, "sms_inbound_id": str(row.id), "via": "sms"})


async def _change_as(session: AsyncSession, user: User, booking_id: uuid.UUID, target: S, reason: str | None,
                     now: datetime) -> None:
    """The booking rules' own status change, as that user (RLS, role checks and the history's
    changed_by all see the sender's account); the system identity is restored afterwards."""
    await set_identity(session, user.id, str(user.role))
    try:
        await status.change_status(session, booking_id=booking_id, user=user, new_status=target, reason=reason,
                                   now=now)
    finally:
        await set_identity(session, None, "system")
