"""A booking as a calendar event (kit/icalendar.py renders it): served as a download, and
attached to the customer's e-mail about a confirmation, cancellation or move."""
from __future__ import annotations

from datetime import UTC, datetime

from afrobiz.booking.models import Booking
from afrobiz.booking.slots import business_tz, ends_at, starts_at
from afrobiz.directory.models import Business
from afrobiz.kit.icalendar import Event, render


def ics_status(booking_status: str) -> str:
    """A cancelled or missed booking leaves the calendar; a pending one is tentative."""
    if booking_status in ("cancelled", "no_show"):
        return "CANCELLED"
    return "TENTATIVE" if booking_status == "pending" else "CONFIRMED"


def event_for(booking: Booking, business: Business, service_name: str | None, *, url: str | None = None) -> Event:
    """The booking as it is now, as one event stamped now (url: the booking's page, when known)."""
    tz = business_tz(business)
    place = ", ".join(p for p in (business.name, business.street_address, business.city) if p)
    return Event(
        uid=f"{booking.id}@afrobiz.na", title=f"{service_name or 'Booking'} at {business.name}",
        starts_at=starts_at(booking, tz), ends_at=ends_at(booking, tz), location=place,
        description=f"Booking {booking.booking_number} ({booking.status.value}). "
                    f"Total {booking.currency} {booking.total_amount:.2f}.",
        status=ics_status(booking.status.value), url=url, stamp=datetime.now(UTC))


def booking_ics(*, uid: str, number: str, title: str, starts_at: datetime, ends_at: datetime, location: str,
                description: str, status: str, url: str | None = None, now: datetime | None = None) -> str:
    """The .ics of one booking given field by field (`status`: the booking's status)."""
    return render(Event(uid=f"{uid}@afrobiz.na", title=title, starts_at=starts_at, ends_at=ends_at,
                        location=location, description=description, status=ics_status(status), url=url), now=now)


def for_view(view, *, base_url: str) -> str:
    """The .ics of a BookingView (queries.BookingView), linking to the booking's page."""
    url = f"{base_url.rstrip('/')}/bookings/{view.booking.booking_number}"
    return render(event_for(view.booking, view.business, view.service_name, url=url))
