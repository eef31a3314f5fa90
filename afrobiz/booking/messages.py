"""What the parties of a booking are told, and how it reaches them.

Booking renders everything a message needs (its words, the link to the booking's page, the
calendar event an e-mail attaches, the SMS reply hint) and hands it to the notifications
leaf: a customer with an account through notify() (their inbox and chosen channels), a
guest through notify_guest() (the e-mail and phone on the booking). Payments tells the
parties of a booking through here too.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.booking.models import Booking
from afrobiz.kit.icalendar import Event
from afrobiz.notifications.messages import when
from afrobiz.notifications.models import NotificationType
from afrobiz.notifications.service import notify, notify_guest

GUEST_CHANNELS = ("email", "sms")


@dataclass(frozen=True)
class Words:
    title: str
    message: str
    data: dict


def booking_link(booking: Booking) -> str:
    """The booking's page: its customer's or owner's view, and a guest's way back to it (by
    booking number, the handle a guest already has: 31^8 numbers, never sequential; it opens
    only bookings without an account, and from it the guest reaches the payment link)."""
    return f"/bookings/{booking.booking_number}"


async def tell_guest(session: AsyncSession, booking: Booking, *, title: str, message: str,
                     calendar: Event | None = None, by: tuple[str, ...] = GUEST_CHANNELS) -> int:
    """A guest (a booking without an account) by the booking's e-mail and/or phone (`by`),
    each message ending with the way back to the booking; returns how many were queued."""
    if booking.customer_id is not None:
        return 0          # anyone with an account is told through notify() and their choices
    return await notify_guest(session, email=booking.customer_email if "email" in by else None,
                              phone=booking.customer_phone if "sms" in by else None, name=booking.customer_name,
                              link=booking_link(booking), title=title, message=message, calendar=calendar)


async def tell_customer(session: AsyncSession, booking: Booking, *, kind: NotificationType, title: str,
                        message: str, data: dict, calendar: Event | None = None,
                        guest_by: tuple[str, ...] = GUEST_CHANNELS, outside: bool = True) -> None:
    """The booking's customer: in their inbox and by their chosen channels (the message
    leads to data["url"] if it names one, else to the booking; outside=False: the inbox
    only), or a guest, who has no inbox, by `guest_by`."""
    if booking.customer_id:
        await notify(session, user_id=booking.customer_id, type=kind, title=title, message=message, data=data,
                     outside=outside, link=None if data.get("url") else booking_link(booking), calendar=calendar)
    elif guest_by:
        await tell_guest(session, booking, title=title, message=message, calendar=calendar, by=guest_by)


async def tell_owner(session: AsyncSession, owner_id: uuid.UUID | None, booking: Booking, *, kind: NotificationType,
                     title: str, message: str, data: dict, reply_hint: str | None = None) -> None:
    """The business's owner (a listing without one tells no one), about this booking."""
    if owner_id:
        await notify(session, user_id=owner_id, type=kind, title=title, message=message, data=data,
                     link=booking_link(booking), reply_hint=reply_hint)


# ---------------------------------------------------------------- words the clock sends


def reminder(*, number: str, business: str, service: str | None, day: date, at: time, lead_hours: int) -> Words:
    what = f"{service} at {business}" if service else business
    soon = "tomorrow" if lead_hours >= 12 else "soon"
    return Words(
        title=f"Reminder: {business} {soon}",
        message=f"Just a reminder: {what}, {when(day, at)}. Booking {number}. "
                f"Can't make it? Please cancel so someone else can take the slot.",
        data={"booking_number": number, "kind": "reminder", "lead_hours": lead_hours},
    )


def follow_up(*, number: str, business: str, review_url: str) -> Words:
    return Words(
        title=f"How was {business}?",
        message=f"Thank you for visiting {business}. Tell others how it went - it takes one minute: "
                f"{review_url}",
        data={"booking_number": number, "kind": "follow_up", "url": review_url},
    )


def expired(*, number: str, business: str, day: date, at: time, for_owner: bool) -> Words:
    if for_owner:
        return Words(
            title=f"Booking {number} lapsed",
            message=f"Booking {number} for {when(day, at)} was not confirmed in time and has been "
                    f"cancelled. Please answer new bookings quickly.",
            data={"booking_number": number, "kind": "expired"},
        )
    return Words(
        title=f"{business} did not confirm",
        message=f"Sorry, {business} did not confirm your booking {number} for {when(day, at)} in time, "
                f"so it has been cancelled. You have not been charged. Try another time or business.",
        data={"booking_number": number, "kind": "expired"},
    )
