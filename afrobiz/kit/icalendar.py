"""One calendar event as an iCalendar (RFC 5545) file, so it lands in any phone's calendar.

The event is plain data (`Event`, storable as JSON): the booking domain says what the event
is, and whoever sends or serves it (an e-mail attachment, a download) renders it here.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

STATUSES = ("TENTATIVE", "CONFIRMED", "CANCELLED")
_MOMENTS = ("starts_at", "ends_at", "stamp")


@dataclass(frozen=True)
class Event:
    uid: str               # unique worldwide, e.g. "<booking id>@afrobiz.na"
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str
    description: str
    status: str            # one of STATUSES
    url: str | None = None
    # When the event was in this state (DTSTAMP): a calendar that gets an older copy of the
    # event after a newer one can tell which is newer, however late a message arrives.
    stamp: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), **{k: getattr(self, k).isoformat() for k in _MOMENTS if getattr(self, k)}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        return cls(**{**data, **{k: datetime.fromisoformat(data[k]) for k in _MOMENTS if data.get(k)}})

    def with_url(self, url: str | None) -> Event:
        return replace(self, url=url)


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


def render(event: Event, *, now: datetime | None = None) -> str:
    """A one-event calendar; times in UTC (Z), which every calendar converts correctly.
    DTSTAMP: `now` if given, else the event's stamp, else the clock."""
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//AfroBiz Connect//Bookings//EN", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", "BEGIN:VEVENT",
        f"UID:{event.uid}", f"DTSTAMP:{_utc(now or event.stamp or datetime.now(UTC))}",
        f"DTSTART:{_utc(event.starts_at)}", f"DTEND:{_utc(event.ends_at)}",
        f"SUMMARY:{_escape(event.title)}", f"LOCATION:{_escape(event.location)}",
        f"DESCRIPTION:{_escape(event.description)}", f"STATUS:{event.status}",
    ]
    if event.url:
        lines.append(f"URL:{event.url}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
