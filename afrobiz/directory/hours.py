"""Opening hours maths, pure (no database): is a business open at a moment, when does it
close, when does it next open. Day 0 is Sunday (as in business_hours.day_of_week).

A day's hours belong to the day they start on: Friday 18:00-02:00 means open from Friday
18:00 to Saturday 02:00. A closure date (holiday, one-off) cancels the hours that start on
that date; a Friday-night shift running past midnight into a closed Saturday still runs.
Rows are anything with day_of_week, open_time, close_time, is_closed, is_24_hours.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Africa/Windhoek"
DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


class DayHours(Protocol):
    day_of_week: int
    open_time: time | None
    close_time: time | None
    is_closed: bool
    is_24_hours: bool


@dataclass(frozen=True)
class Hours:
    """A plain DayHours (for tests, and for callers holding dicts)."""
    day_of_week: int
    open_time: time | None = None
    close_time: time | None = None
    is_closed: bool = False
    is_24_hours: bool = False


@dataclass(frozen=True)
class OpenStatus:
    is_open: bool
    closes_at: datetime | None = None   # when open: the end of the current opening
    opens_at: datetime | None = None    # when closed: the next opening within a week


def day_of_week(d: date) -> int:
    """0 = Sunday ... 6 = Saturday (Python's weekday() has Monday = 0)."""
    return (d.weekday() + 1) % 7


def _intervals(rows: dict[int, DayHours], first: date, days: int, closures: frozenset[date],
               tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    out = []
    for offset in range(days):
        d = first + timedelta(days=offset)
        row = rows.get(day_of_week(d))
        if row is None or row.is_closed or d in closures:
            continue
        if row.is_24_hours:
            start, end = datetime.combine(d, time(0), tz), datetime.combine(d + timedelta(days=1), time(0), tz)
        elif row.open_time is None or row.close_time is None:
            continue
        else:
            start = datetime.combine(d, row.open_time, tz)
            end_day = d if row.close_time > row.open_time else d + timedelta(days=1)   # overnight
            end = datetime.combine(end_day, row.close_time, tz)
        out.append((start, end))
    return out


def open_status(hours: Iterable[DayHours], at: datetime, *, closures: Iterable[date] = (),
                tz: str = DEFAULT_TZ) -> OpenStatus:
    """Open or closed at `at` (an aware datetime), with the closing or next opening time, in tz."""
    zone = ZoneInfo(tz)
    local = at.astimezone(zone)
    rows = {h.day_of_week: h for h in hours}
    # From yesterday (its overnight hours may still run) to a week ahead (the next opening).
    spans = _intervals(rows, local.date() - timedelta(days=1), 9, frozenset(closures), zone)
    current = [s for s in spans if s[0] <= local < s[1]]
    if current:
        end = max(e for _, e in current)
        extended = True
        while extended:            # 24 h Monday then Tuesday from 00:00: open without a break
            extended = False
            for s, e in spans:
                if s <= end < e:
                    end, extended = e, True
        return OpenStatus(True, closes_at=end)
    upcoming = [s for s, _ in spans if s > local]
    return OpenStatus(False, opens_at=min(upcoming) if upcoming else None)


def is_open_at(hours: Iterable[DayHours], at: datetime, *, closures: Iterable[date] = (),
               tz: str = DEFAULT_TZ) -> bool:
    """True when the business is open at `at` (overnight hours and closure dates honoured)."""
    return open_status(hours, at, closures=closures, tz=tz).is_open


def describe(row: DayHours | None) -> str:
    """One day's hours for people: "08:00–17:00", "Open 24 hours", "Closed"."""
    if row is None or row.is_closed:
        return "Closed"
    if row.is_24_hours:
        return "Open 24 hours"
    if row.open_time is None or row.close_time is None:
        return "Closed"
    return f"{row.open_time:%H:%M}–{row.close_time:%H:%M}"


def validate_week(rows: Iterable[DayHours]) -> list[dict]:
    """Field errors for a week of hours (empty list = fine): one row per day at most; a
    closed or 24-hour day has no times; an open day has both, and they differ."""
    errors: list[dict] = []
    seen: set[int] = set()
    for i, row in enumerate(rows):
        where = f"{i}"
        if not 0 <= row.day_of_week <= 6:
            errors.append({"field": f"{where}.day_of_week", "message": "Use 0 (Sunday) to 6 (Saturday)."})
            continue
        if row.day_of_week in seen:
            errors.append({"field": f"{where}.day_of_week", "message": f"{DAY_NAMES[row.day_of_week]} is given twice."})
        seen.add(row.day_of_week)
        if row.is_closed and row.is_24_hours:
            errors.append({"field": f"{where}.is_24_hours", "message": "A day cannot be closed and open 24 hours."})
        elif row.is_closed or row.is_24_hours:
            if row.open_time is not None or row.close_time is not None:
                errors.append({"field": f"{where}.open_time",
                               "message": "Leave the times empty on a closed or 24-hour day."})
        elif row.open_time is None or row.close_time is None:
            errors.append({"field": f"{where}.open_time", "message": "Give both opening and closing times."})
        elif row.open_time == row.close_time:
            errors.append({"field": f"{where}.close_time",
                           "message": "Opening and closing times are the same; mark the day as 24 hours."})
    return errors
