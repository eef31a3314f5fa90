"""Paying for a guest booking (no account) through a payment link.

The link carries a capability token bound to one booking: the booking id and an HMAC of it
under the site's secret key, so it cannot be made up from a booking id or number, and a
token only ever opens the guest booking it was issued for. The guest gets it from the
guest booking page (whose number is their handle) and from the booking API's `Link` header.
A token for a booking that has an account behind it opens nothing: customers pay through
their own log-in, where RLS decides.

Guest bookings have no customer_id, so RLS shows them to no visitor: the reads and writes
here act as system, only after the token checked out.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.booking.models import Booking
from afrobiz.config import Settings
from afrobiz.db.session import acting_as_system
from afrobiz.errors import NotFound
from afrobiz.payments import ledger as L
from afrobiz.payments.models import Payment, PaymentMethod
from afrobiz.payments.service import PaymentConflict, start_payment

_PURPOSE = b"afrobiz.guest-payment.v1|"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _mac(settings: Settings, booking_id: uuid.UUID) -> bytes:
    return hmac.new(settings.secret_key.encode(), _PURPOSE + booking_id.bytes, hashlib.sha256).digest()


def token_for(settings: Settings, booking_id: uuid.UUID) -> str:
    return f"{_b64(booking_id.bytes)}.{_b64(_mac(settings, booking_id))}"


def booking_id_of(settings: Settings, token: str) -> uuid.UUID | None:
    """The booking a genuine token was issued for, else None (constant-time comparison)."""
    head, _, mac = (token or "").partition(".")
    if len(token or "") > 200 or not head or not mac:
        return None
    try:
        booking_id = uuid.UUID(bytes=base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
        given = base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4))
    except (ValueError, binascii.Error):
        return None
    return booking_id if hmac.compare_digest(given, _mac(settings, booking_id)) else None


def pay_path(settings: Settings, booking_id: uuid.UUID) -> str:
    """The guest's payment page."""
    return f"/pay/{token_for(settings, booking_id)}"


def link_header(settings: Settings, booking_id: uuid.UUID) -> dict[str, str]:
    """The booking API's answer to a guest: where to pay (RFC 8288 Link)."""
    return {"Link": f'</api/v1/guest-payments/{token_for(settings, booking_id)}>; rel="payment"'}


async def guest_booking(session: AsyncSession, settings: Settings, token: str, *, lock: bool = False) -> Booking:
    """The guest booking a token opens (404 for a bad token or a booking with an account)."""
    booking_id = booking_id_of(settings, token)
    if booking_id is None:
        raise NotFound("This payment link is not valid.")
    q = select(Booking).where(Booking.id == booking_id, Booking.customer_id.is_(None))
    async with acting_as_system(session):  # the token is the guest's proof (module docstring)
        booking = (await session.scalars(q.with_for_update() if lock else q)).first()
    if booking is None:
        raise NotFound("This payment link is not valid.")
    return booking


async def guest_payments(session: AsyncSession, settings: Settings, token: str
                         ) -> tuple[Booking, list[Payment], L.Ledger]:
    booking = await guest_booking(session, settings, token)
    async with acting_as_system(session):
        payments = await L.payments_of(session, booking.id)
        led = L.build_ledger(booking, await L.deposit_for(session, booking), payments,
                             await L.refunds_of(session, [p.id for p in payments]))
    return booking, payments, led


async def create_guest_payment(session: AsyncSession, *, token: str, method: PaymentMethod, settings: Settings,
                               phone: str | None = None) -> Payment:
    """Start paying a guest booking through its payment link (same rules as a customer's)."""
    booking = await guest_booking(session, settings, token, lock=True)
    if booking.status not in L.PAYABLE_BOOKINGS:
        raise PaymentConflict(f"A booking that is {booking.status!s} cannot be paid.")
    async with acting_as_system(session):  # the payment row has no user: RLS would refuse it
        return await start_payment(session, booking=booking, payer_id=None, method=method, settings=settings,
                                   phone=phone or booking.customer_phone)
