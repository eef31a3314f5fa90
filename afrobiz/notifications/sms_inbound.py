"""Two-way SMS: an owner with a basic phone answers a new booking by text, and a customer
cancels by text (issue 8, §6).

The SMS provider forwards each inbound text to POST /api/v1/sms/inbound as JSON
`{"id": provider message id, "from": "+264…", "text": "YES AB7K2M9PQR"}`, signed like our
other webhooks (`X-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">` with
`sms_webhook_secret`, 5-minute window). Commands:

* `YES <code>` / `NO <code>` from the business owner's verified phone: confirm / decline a
  pending booking (through booking.status.change_status, acting as that owner);
* `C <code>` from the customer's number (the registered customer's verified phone, or the
  phone a guest gave on the booking): cancel within the service's cancellation rules.

The code is the booking number, with or without "AB-", any case. Every stored message is kept
once per provider id, so a replay changes nothing. The answer to a sender never depends on
whether a booking they have no right to exists (no enumeration); unclear texts get a short
help reply; each sender is rate-limited.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.admin.audit import record
from afrobiz.config import Settings
from afrobiz.db.session import acting_as_system, set_identity
from afrobiz.errors import DomainError, InvalidInput, NotFound
from afrobiz.kit import ratelimit
from afrobiz.kit.phones import normalize_phone
from afrobiz.kit.webhook_signature import WebhookRejected, sign, verify  # noqa: F401 (sign: used by tests)
from afrobiz.notifications import messages
from afrobiz.notifications.models import SmsInbound

SIGNATURE_HEADER = "x-signature"
SENDER_RATE = "20 per hour"
NUMBER_PREFIX = "AB-"
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"   # booking.service's booking numbers
NUMBER_LENGTH = 8
COMMANDS = {"YES": "confirm", "Y": "confirm", "NO": "decline", "N": "decline", "C": "cancel", "CANCEL": "cancel"}

HELP = ("AfroBiz: reply YES <code> to confirm or NO <code> to decline a new booking, "
        "C <code> to cancel yours. The code is the booking number.")


@dataclass(frozen=True)
class Command:
    action: str        # confirm | decline | cancel
    number: str        # AB-XXXXXXXX


def parse_command(text: str) -> Command | None:
    """'yes ab-7k2m9pqr', 'NO AB7K2M9PQR', 'c 7K2M9PQR' → Command; anything else → None."""
    words = text.strip().upper().split()
    if len(words) < 2 or words[0] not in COMMANDS:
        return None
    code = "".join(words[1:]).replace("-", "")
    if len(code) == NUMBER_LENGTH + 2 and code.startswith("AB"):
        code = code[2:]
    if len(code) != NUMBER_LENGTH or any(c not in NUMBER_ALPHABET for c in code):
        return None
    return Command(COMMANDS[words[0]], NUMBER_PREFIX + code)


def reply_hint(number: str) -> str:
    """The line the new-booking SMS to an owner ends with."""
    code = number.replace("-", "")
    return f"Reply YES {code} to confirm, NO {code} to decline"


def _phone(raw: str | None) -> str | None:
    try:
        return normalize_phone(raw)
    except InvalidInput:
        return None


def _event(body: bytes) -> tuple[str, str, str]:
    try:
        event = json.loads(body)
        message_id, sender, text = event["id"], event["from"], event["text"]
    except (ValueError, KeyError, TypeError):
        raise WebhookRejected("The body is not an inbound SMS: expected JSON with id, from and text.") from None
    if not all(isinstance(v, str) for v in (message_id, sender, text)) or not message_id.strip():
        raise WebhookRejected("id, from and text must be strings.")
    return message_id.strip()[:255], sender.strip()[:32], text[:1600]


async def handle(session: AsyncSession, *, body: bytes, headers: dict[str, str], settings: Settings,
                 now: datetime | None = None) -> dict[str, str]:
    """Verify, store once and act on one inbound text; returns {"status": "accepted" | "duplicate"}.
    The outcome itself is not in the answer: the provider does not need it."""
    secret = getattr(settings, "sms_webhook_secret", None)
    if not secret:
        raise NotFound("Two-way SMS is not configured.")
    verify(secret, headers.get(SIGNATURE_HEADER), body)
    message_id, sender, text = _event(body)
    # The provider has no user: read and write as system for this message only.
    async with acting_as_system(session):
        stored = await session.scalar(
            insert(SmsInbound).values(provider_message_id=message_id, from_phone=sender, body=text,
                                      outcome="received")
            .on_conflict_do_nothing(index_elements=["provider_message_id"]).returning(SmsInbound.id))
        if stored is None:
            return {"status": "duplicate"}
        row = await session.get(SmsInbound, stored)
        await _act(session, row, now=now or datetime.now(UTC))
        await session.flush()
        if row.reply:
            from afrobiz.notifications import jobs
            from afrobiz.worker.app import defer_in_transaction

            await defer_in_transaction(session, jobs.send_sms_reply, inbound_id=str(row.id))
    return {"status": "accepted"}


async def _act(session: AsyncSession, row: SmsInbound, *, now: datetime) -> None:
    phone = _phone(row.from_phone)
    if phone is None:
        row.outcome = "bad_sender"
        return
    row.from_phone = phone
    if not await ratelimit.hit(f"sms-inbound:from:{phone}", SENDER_RATE):
        row.outcome = "rate_limited"          # no reply either: a flood must not cost us texts
        return
    command = parse_command(row.body)
    if command is None:
        row.outcome, row.reply = "help", HELP
        return
    row.command = command.action
    from afrobiz.booking.models import Booking

    # Locked and read afresh: two texts about one booking are answered one after the other.
    booking = (await session.scalars(select(Booking).where(Booking.booking_number == command.number)
                                     .with_for_update().execution_options(populate_existing=True))).first()
    actor = await _authorised_actor(session, booking, command, phone) if booking else None
    if booking is None or actor is None:
        # The same answer whether the booking exists or not: nothing to learn by guessing.
        row.outcome = "no_match"
        row.reply = f"AfroBiz: no booking {command.number} for this phone. Check the code and try again."
        return
    row.booking_id, row.user_id = booking.id, actor.id if isinstance(actor, User) else None
    await _apply(session, row, booking, command, actor, now)


async def _authorised_actor(session: AsyncSession, booking, command: Command, phone: str) -> User | str | None:
    """The user (or "guest") this sender is for this booking and command, or None."""
    from afrobiz.directory.models import Business

    if command.action in ("confirm", "decline"):
        business = await session.get(Business, booking.business_id)
        owner = await session.get(User, business.owner_id) if business and business.owner_id else None
        return owner if owner is not None and _verified(owner, phone) else None
    if booking.customer_id is not None:
        customer = await session.get(User, booking.customer_id)
        return customer if customer is not None and _verified(customer, phone) else None
    return "guest" if _phone(booking.customer_phone) == phone else None


def _verified(user: User, phone: str) -> bool:
    return (user.phone_verified and user.is_active and not user.is_suspended
            and _phone(user.phone) == phone)


async def _apply(session: AsyncSession, row: SmsInbound, booking, command: Command, actor: User | str,
                 now: datetime) -> None:
    from afrobiz.booking.models import BookingStatus as S

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
                from afrobiz.booking.status import cancel_as_guest

                await cancel_as_guest(session, booking=booking, reason=reason, now=now)
    except DomainError as exc:
        await session.refresh(booking)
        row.outcome = "refused"
        from afrobiz.booking.errors import CancellationDeadlinePassed

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


async def _change_as(session: AsyncSession, user: User, booking_id: uuid.UUID, target, reason: str | None,
                     now: datetime) -> None:
    """The booking rules' own status change, as that user (RLS, role checks and the history's
    changed_by all see the sender's account); the system identity is restored afterwards."""
    from afrobiz.booking.status import change_status

    await set_identity(session, user.id, str(user.role))
    try:
        await change_status(session, booking_id=booking_id, user=user, new_status=target, reason=reason, now=now)
    finally:
        await set_identity(session, None, "system")


async def send_reply(session: AsyncSession, *, inbound_id: uuid.UUID | str, settings: Settings) -> bool:
    """Text the stored reply back once (a retried job finds reply_sent_at and skips)."""
    from sqlalchemy import func

    from afrobiz.notifications import channels

    row = await session.scalar(select(SmsInbound).where(SmsInbound.id == uuid.UUID(str(inbound_id)))
                               .with_for_update())
    if row is None or not row.reply or row.reply_sent_at is not None:
        return False
    await channels.gateway_for("sms", session, settings, recipient_kind="sender of a text").send(
        row.from_phone, messages.sms_text("", row.reply))
    row.reply_sent_at = func.now()
    await session.flush()
    return True
