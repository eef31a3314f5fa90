"""What a guest (booking without an account) may do, so no client can empty a calendar.

Forty anonymous bookings from one address and one e-mail once took every slot of four days
and sent 80 e-mails. A guest booking of a bookable slot now needs, each limit a system setting
(admin.settings):

* fewer than `bookings.guest_pending_per_contact` unconfirmed bookings of that contact at the
  business (counted under an advisory lock per business and contact, so two racing
  requests cannot both take the last place);
* room in the client address's hourly budget (`bookings.guest_per_ip_per_hour`) and in each
  contact's (`bookings.guest_per_contact_per_hour`). A contact is the e-mail's mailbox
  (kit.emails.mailbox_key: other spellings and +tags are the same contact) and the phone
  in E.164. A pick that is refused anyway (slot taken, closed) counts nowhere.

Refusals are 429 with Retry-After. Messages to the contact are capped on their own, in the
delivery (notifications.delivery: `notifications.guest_messages_per_hour`).
"""
from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import ARRAY, Text, false, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.admin.settings import get_settings   # the one typed, cached reader of system_settings
from afrobiz.booking.models import Booking, BookingStatus
from afrobiz.booking.schemas import Guest
from afrobiz.db.session import acting_as_system
from afrobiz.kit import ratelimit
from afrobiz.kit.emails import mailbox_key
from afrobiz.kit.phones import phone_key

PER_IP, PER_CONTACT, PENDING = ("bookings.guest_per_ip_per_hour", "bookings.guest_per_contact_per_hour",
                                "bookings.guest_pending_per_contact")
TOO_MANY = ("Too many bookings without an account from this address or for this e-mail or phone. "
            "Please try again later, or log in to book.")
TOO_MANY_PENDING = ("You already have bookings waiting for this business to confirm them. Please wait for its "
                    "answer before booking more.")


def contact_keys(contact: Guest) -> list[str]:
    """The contact's keys: 'email:<mailbox>' and/or 'phone:<E.164>'."""
    keys = []
    if contact.email:
        keys.append(f"email:{mailbox_key(contact.email)}")
    if contact.phone and phone_key(contact.phone):
        keys.append(f"phone:{phone_key(contact.phone)}")
    return keys


def _booking_keys(email: str | None, phone: str | None) -> set[str]:
    return set(contact_keys(Guest.model_construct(name="", email=email, phone=phone)))


async def admit(session: AsyncSession, *, contact: Guest, ip: str | None, business_id: uuid.UUID,
                now: datetime | None = None) -> None:
    """Raise Throttled (429) unless this guest may book at this business now."""
    limits = await get_settings(session, [PER_IP, PER_CONTACT, PENDING, "bookings.pending_expiry_minutes"])
    keys = contact_keys(contact)
    # The pending cap first: a booking it refuses uses up none of the hourly budgets.
    await _room_for_pending(session, keys=keys, business_id=business_id, cap=limits[PENDING],
                            expiry_minutes=limits["bookings.pending_expiry_minutes"], now=now or datetime.now(UTC))
    await ratelimit.guard([(f"guest-booking:ip:{ip or 'unknown'}", f"{limits[PER_IP]} per hour")]
                          + [(f"guest-booking:{key}", f"{limits[PER_CONTACT]} per hour") for key in keys], TOO_MANY)


async def _room_for_pending(session: AsyncSession, *, keys: list[str], business_id: uuid.UUID, cap: int,
                            expiry_minutes: int, now: datetime) -> None:
    # Guest bookings have no customer: RLS shows them to no visitor, so they are counted as system.
    async with acting_as_system(session):
        # One order everywhere (sorted), so two requests never wait on each other in a cycle;
        # a statement of its own, so the count below sees what the lock's last holder committed.
        ordered = select(func.unnest(literal(sorted(keys), ARRAY(Text))).label("key")).order_by("key").subquery()
        await session.execute(select(func.count(func.pg_advisory_xact_lock(
            func.hashtextextended(literal(f"guest-pending|{business_id}|") + ordered.c.key, 0)))))
        rows = (await session.execute(
            select(Booking.customer_email, Booking.customer_phone, Booking.created_at)
            # The status inlined, so even a generic plan matches idx_bookings_guest_pending.
            .where(Booking.business_id == business_id, Booking.customer_id.is_(None),
                   Booking.status == literal(BookingStatus.PENDING.value, literal_execute=True),
                   or_(*_maybe_same_contact(keys))))).all()
    # The SQL only narrows the rows down; the contact is compared here, with the one normalisation.
    mine = sorted(created for email, phone, created in rows if _booking_keys(email, phone) & set(keys))
    if len(mine) >= cap:
        # The oldest one is answered or expires by then at the latest.
        free_at = mine[0] + timedelta(minutes=expiry_minutes)
        raise ratelimit.Throttled(TOO_MANY_PENDING, retry_after=math.ceil((free_at - now).total_seconds()))


def _maybe_same_contact(keys: list[str]) -> list:
    """Cheap SQL tests every booking of the contact passes (others may too): the e-mail starts
    with the mailbox's local part, the phone ends with the number's last 7 digits."""
    tests = []
    for key in keys:
        kind, _, value = key.partition(":")
        if kind == "email":
            tests.append(func.starts_with(func.lower(Booking.customer_email), value.rpartition("@")[0]))
        elif kind == "phone" and len(digits := "".join(c for c in value if c.isdigit())) >= 7:
            tests.append(func.right(func.regexp_replace(Booking.customer_phone, "[^0-9]", "", "g"), 7) == digits[-7:])
        elif kind == "phone":
            tests.append(Booking.customer_phone.is_not(None))
    return tests or [false()]
