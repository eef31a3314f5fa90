"""An iCalendar (RFC 5545) file for one booking, so it lands in any phone's calendar."""
from __future__ import annotations

from datetime import UTC, datetime


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    # Lines longer than 75 octets are folded with CRLF + space (RFC 5545 3.1).
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts, start = [], 0
    while start < len(raw):
        end = min(start + (75 if not parts else 74), len(raw))
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:  # never split a UTF-8 character
            end -= 1
        parts.append(raw[start:end].decode())
        start = end
    return "\r\n ".join(parts)


def _utc(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def booking_ics(*, uid: str, number: str, title: str, starts_at: datetime, ends_at: datetime, location: str,
                description: str, status: str, url: str | None = None, now: datetime | None = None) -> str:
    """A one-event calendar; times in UTC (Z), which every calendar converts correctly."""
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//AfroBiz Connect//Bookings//EN", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", "BEGIN:VEVENT",
        f"UID:{uid}@afrobiz.na", f"DTSTAMP:{_utc(now or datetime.now(UTC))}",
        f"DTSTART:{_utc(starts_at)}", f"DTEND:{_utc(ends_at)}",
        f"SUMMARY:{_escape(title)}", f"LOCATION:{_escape(location)}",
        f"DESCRIPTION:{_escape(description)}",
        f"STATUS:{'CANCELLED' if status in ('cancelled', 'no_show') else 'CONFIRMED' if status != 'pending' else 'TENTATIVE'}",
    ]
    if url:
        lines.append(f"URL:{url}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def for_view(view, *, base_url: str) -> str:
    """The .ics of a BookingView (queries.BookingView)."""
    b, biz = view.booking, view.business
    place = ", ".join(p for p in (biz.name, biz.street_address, biz.city) if p)
    return booking_ics(
        uid=str(b.id), number=b.booking_number, title=f"{view.service_name or 'Booking'} at {biz.name}",
        starts_at=view.starts_at, ends_at=view.ends_at, location=place,
        description=f"Booking {b.booking_number} ({b.status.value}). Total {b.currency} {b.total_amount:.2f}.",
        status=b.status.value, url=f"{base_url.rstrip('/')}/bookings/{b.booking_number}")
