"""Pure slot maths for the booking engine (no DB, no web framework).

Conventions (the rest of the app relies on these):
* day_of_week is 0-6 with 0 = Sunday (the DB/API convention); only
  ``day_of_week()`` converts from Python's Monday = 0.
* Wall-clock rules (windows, business hours, closures) are local to the
  service's zone, default Africa/Windhoek.  Instants (now, bookings, slot
  starts/ends) are aware datetimes; slots are returned in UTC.  All interval
  maths is done on UTC instants, so historical DST days (Windhoek had winter
  time until 2017) are handled by zoneinfo, never by a fixed offset.
* Every range is half-open [start, end): touching ranges do not clash.
* A slot must fit inside ONE window (touching windows are not merged: a
  09-13 / 13-17 split is treated as an intended break point).
* A window ``end_time`` of 00:00 means midnight at the END of the day (24:00).
* Business hours: close <= open means closing on the next day (18:00-02:00);
  a day_of_week missing from the hours list means "no cap given" (open).
* A closure date blocks every slot that STARTS on it, and also cancels that
  day's business hours, so a closed day's overnight spill (e.g. 18:00-02:00)
  does not open the early hours of the following day.
* Existing bookings are occupied ranges INCLUDING their buffers (what the DB
  stores as a tstzrange, see ``occupied_range``).  A slot is full when the
  number of occupied ranges overlapping its own buffered range >= capacity.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Africa/Windhoek"
MAX_RANGE_DAYS = 62
_MIDNIGHT = time(0, 0)


class InvalidWindows(ValueError):
    """Weekly availability windows are malformed or overlap."""


class InvalidRange(ValueError):
    """The requested date range is unusable (e.g. to_date before from_date)."""


class RangeTooLong(InvalidRange):
    """More than MAX_RANGE_DAYS days of slots were requested."""


class SlotProblem(enum.StrEnum):
    """Why a requested slot cannot be booked (None from is_bookable = fine)."""

    OUTSIDE_HOURS = "outside_hours"  # not inside a window/business hours, or nonexistent local time
    OFF_GRID = "off_grid"  # inside a window but not on the slot_step grid
    TOO_SOON = "too_soon"  # earlier than now + min_advance_hours
    TOO_FAR = "too_far"  # later than today + max_advance_days
    CLOSED = "closed"  # closure date, or business hours say closed that day
    FULL = "full"  # capacity already reached


@dataclass(frozen=True)
class ServiceRules:
    duration_minutes: int
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    capacity: int = 1
    min_advance_hours: float = 0
    max_advance_days: int = 60
    slot_step_minutes: int | None = None  # None = same as duration
    tz: str = DEFAULT_TZ

    def __post_init__(self) -> None:
        if self.duration_minutes <= 0:
            raise ValueError("duration_minutes must be > 0")
        if self.buffer_before_minutes < 0 or self.buffer_after_minutes < 0:
            raise ValueError("buffers must be >= 0")
        if self.capacity < 1:
            raise ValueError("capacity must be >= 1")
        if self.min_advance_hours < 0 or self.max_advance_days < 0:
            raise ValueError("advance limits must be >= 0")
        if self.slot_step_minutes is not None and self.slot_step_minutes <= 0:
            raise ValueError("slot_step_minutes must be > 0")
        ZoneInfo(self.tz)  # fail early on an unknown zone name

    @property
    def step(self) -> timedelta:
        return timedelta(minutes=self.slot_step_minutes or self.duration_minutes)

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class AvailabilityWindow:
    day_of_week: int  # 0 = Sunday
    start_time: time
    end_time: time  # 00:00 = midnight at the end of the day


@dataclass(frozen=True)
class BusinessHours:
    day_of_week: int  # 0 = Sunday
    open_time: time | None = None
    close_time: time | None = None  # <= open_time: closes next day
    is_closed: bool = False
    is_24_hours: bool = False


@dataclass(frozen=True)
class Slot:
    date: date  # local date
    time: time  # local wall-clock start
    starts_at: datetime  # UTC, service only (no buffers)
    ends_at: datetime  # UTC, service only (no buffers)


Range = tuple[datetime, datetime]  # aware, half-open, buffers included
WindowLike = AvailabilityWindow | tuple[int, time, time]


def day_of_week(d: date) -> int:
    """0 = Sunday ... 6 = Saturday (isoweekday is Monday=1 ... Sunday=7)."""
    return d.isoweekday() % 7


def local_to_utc(d: date, t: time, tz: str | ZoneInfo = DEFAULT_TZ) -> datetime | None:
    """Aware UTC instant for a local wall-clock time, or None if it does not exist.

    Ambiguous times (clocks going back) use fold=0, the first occurrence.
    Nonexistent times (in a spring-forward gap) return None so they are never
    offered, instead of being silently shifted.
    """
    z = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    naive = datetime.combine(d, t.replace(tzinfo=None))
    utc = naive.replace(tzinfo=z, fold=0).astimezone(UTC)
    if utc.astimezone(z).replace(tzinfo=None) != naive:
        return None
    return utc


def occupied_range(rules: ServiceRules, starts_at: datetime) -> tuple[datetime, datetime]:
    """The buffered [start, end) range to store for a booking starting at starts_at."""
    start = _aware_utc(starts_at, "starts_at")
    return (
        start - timedelta(minutes=rules.buffer_before_minutes),
        start + rules.duration + timedelta(minutes=rules.buffer_after_minutes),
    )


def validate_windows(windows: Iterable[WindowLike]) -> None:
    """Raise InvalidWindows unless every window is sane and none overlap per day."""
    by_day: dict[int, list[AvailabilityWindow]] = {}
    for w in map(_as_window, windows):
        if isinstance(w.day_of_week, bool) or w.day_of_week not in range(7):
            raise InvalidWindows(f"day_of_week must be 0 (Sunday) to 6, got {w.day_of_week!r}")
        if not isinstance(w.start_time, time) or not isinstance(w.end_time, time):
            raise InvalidWindows("window start_time and end_time must be datetime.time")
        if _minutes(w.start_time) >= _end_minutes(w.end_time):
            raise InvalidWindows(
                f"window on day {w.day_of_week} starts at {w.start_time} "
                f"but ends at {w.end_time}: start must be before end"
            )
        by_day.setdefault(w.day_of_week, []).append(w)
    for day, ws in by_day.items():
        ws.sort(key=lambda w: _minutes(w.start_time))
        for a, b in zip(ws, ws[1:]):
            if _end_minutes(a.end_time) > _minutes(b.start_time):  # touching is fine
                raise InvalidWindows(
                    f"windows on day {day} overlap: {a.start_time}-{a.end_time} "
                    f"and {b.start_time}-{b.end_time}"
                )


def free_slots(
    rules: ServiceRules, windows: Iterable[WindowLike], hours: Iterable[BusinessHours] | None,
    closures: Iterable[date] | None, bookings: Iterable[Range] | None, now: datetime,
    from_date: date, to_date: date,
) -> list[Slot]:
    """All bookable slots whose local start date is in [from_date, to_date]."""
    if to_date < from_date:
        raise InvalidRange("to_date is before from_date")
    if (to_date - from_date).days > MAX_RANGE_DAYS:
        raise RangeTooLong(f"at most {MAX_RANGE_DAYS} days of slots can be requested at once")
    validate_windows(windows)
    ctx = _Context(rules, windows, hours, closures, bookings, now)
    all_bookings = ctx.bookings
    before = timedelta(minutes=rules.buffer_before_minutes)
    after = timedelta(minutes=rules.buffer_after_minutes)
    last_day = min(to_date, ctx.today + timedelta(days=rules.max_advance_days))  # later days are TOO_FAR
    slots: list[Slot] = []
    d = from_date
    while d <= last_day:
        # Only bookings near day d can clash: filter once per day, not per
        # candidate (a day of slack covers any zone offset, plus the buffers).
        lo = datetime.combine(d - timedelta(days=1), _MIDNIGHT, UTC) - before
        hi = datetime.combine(d + timedelta(days=2), _MIDNIGHT, UTC) + rules.duration + after
        ctx.bookings = [(s, e) for s, e in all_bookings if s < hi and e > lo]
        for w in ctx.windows.get(day_of_week(d), ()):
            # Candidates walk the wall clock from the window start (users expect
            # 09:00, 09:30, ...); _problem() then checks them as real instants.
            t, end = datetime.combine(d, w.start_time), _window_end(d, w)
            while t < end:
                if _problem(ctx, d, t.time()) is None:
                    start = local_to_utc(d, t.time(), ctx.z)
                    slots.append(Slot(d, t.time(), start, start + rules.duration))
                t += rules.step
        d += timedelta(days=1)
    slots.sort(key=lambda s: s.starts_at)
    return slots


def is_bookable(
    rules: ServiceRules, windows: Iterable[WindowLike], hours: Iterable[BusinessHours] | None,
    closures: Iterable[date] | None, bookings: Iterable[Range] | None, now: datetime,
    local_date: date, local_time: time,
) -> SlotProblem | None:
    """Server-side re-check of one requested slot: None if bookable, else why not."""
    validate_windows(windows)
    return _problem(_Context(rules, windows, hours, closures, bookings, now), local_date, local_time)


# --- internals ---------------------------------------------------------------


class _Context:
    """Inputs normalised once (index by day, bookings to UTC, zone resolved)."""

    def __init__(self, rules, windows, hours, closures, bookings, now):
        self.rules, self.z = rules, ZoneInfo(rules.tz)
        self.windows: dict[int, list[AvailabilityWindow]] = {}
        for w in sorted(map(_as_window, windows), key=lambda w: _minutes(w.start_time)):
            self.windows.setdefault(w.day_of_week, []).append(w)
        self.hours: dict[int, BusinessHours] = {}
        for h in hours or ():
            if h.day_of_week in self.hours:
                raise ValueError(f"business hours given twice for day {h.day_of_week}")
            self.hours[h.day_of_week] = h
        self.closures = frozenset(closures or ())
        self.bookings = [
            (_aware_utc(s, "booking start"), _aware_utc(e, "booking end")) for s, e in bookings or ()
        ]
        self.now = _aware_utc(now, "now")
        self.today = self.now.astimezone(self.z).date()
        # Per-day results reused by every candidate of that day (free_slots checks dozens).
        self.caps_by_day: dict[date, list[tuple[datetime, datetime]] | None] = {}
        self.spans_by_day: dict[date, list[tuple[AvailabilityWindow, datetime, datetime]]] = {}

    def caps(self, d: date) -> list[tuple[datetime, datetime]] | None:
        if d not in self.caps_by_day:
            self.caps_by_day[d] = _business_intervals(self, d)
        return self.caps_by_day[d]

    def window_spans(self, d: date) -> list[tuple[AvailabilityWindow, datetime, datetime]]:
        if d not in self.spans_by_day:
            self.spans_by_day[d] = [
                (w, _boundary(datetime.combine(d, w.start_time), self.z), _boundary(_window_end(d, w), self.z))
                for w in self.windows.get(day_of_week(d), ())]
        return self.spans_by_day[d]


def _problem(ctx: _Context, d: date, t: time) -> SlotProblem | None:
    """The single rule check shared by free_slots and is_bookable."""
    rules, t = ctx.rules, t.replace(tzinfo=None)
    if d in ctx.closures:
        return SlotProblem.CLOSED
    start = local_to_utc(d, t, ctx.z)
    if start is None:  # inside a DST gap: the time never happened
        return SlotProblem.OUTSIDE_HOURS
    end = start + rules.duration

    caps = ctx.caps(d)
    if caps is not None and not any(a <= start and end <= b for a, b in caps):
        own = ctx.hours.get(day_of_week(d))
        return SlotProblem.CLOSED if own is not None and own.is_closed else SlotProblem.OUTSIDE_HOURS

    containing = [w for w, w_start, w_end in ctx.window_spans(d) if w_start <= start and end <= w_end]
    if not containing:
        return SlotProblem.OUTSIDE_HOURS
    # The grid is measured on the wall clock, matching free_slots' candidates.
    if all((datetime.combine(d, t) - datetime.combine(d, w.start_time)) % rules.step for w in containing):
        return SlotProblem.OFF_GRID

    if start < ctx.now + timedelta(hours=rules.min_advance_hours):
        return SlotProblem.TOO_SOON
    if d > ctx.today + timedelta(days=rules.max_advance_days):
        return SlotProblem.TOO_FAR
    buffered_start = start - timedelta(minutes=rules.buffer_before_minutes)
    buffered_end = end + timedelta(minutes=rules.buffer_after_minutes)
    clashes = sum(1 for s, e in ctx.bookings if s < buffered_end and e > buffered_start)
    if clashes >= rules.capacity:
        return SlotProblem.FULL
    return None


def _business_intervals(ctx: _Context, d: date) -> list[tuple[datetime, datetime]] | None:
    """UTC intervals the business is open that can hold a slot starting on d.

    None means no hours were given for d's weekday (no cap).  The previous
    day's overnight hours spill past midnight into d, so they are included.
    """
    own = ctx.hours.get(day_of_week(d))
    if own is None:
        return None
    spans = [_day_span(own, d, ctx.z)]
    prev_day = d - timedelta(days=1)
    prev = ctx.hours.get(day_of_week(prev_day))
    if prev is not None and prev_day not in ctx.closures:
        spans.append(_day_span(prev, prev_day, ctx.z))
    merged: list[tuple[datetime, datetime]] = []
    for a, b in sorted(s for s in spans if s is not None):
        if merged and a <= merged[-1][1]:  # overlapping/touching: one continuous opening
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def _day_span(h: BusinessHours, d: date, z: ZoneInfo) -> tuple[datetime, datetime] | None:
    if h.is_closed:
        return None
    if h.is_24_hours:
        opens, closes = datetime.combine(d, _MIDNIGHT), datetime.combine(d + timedelta(days=1), _MIDNIGHT)
    else:
        if h.open_time is None or h.close_time is None:
            raise ValueError(f"business hours for day {h.day_of_week} need open_time and close_time")
        opens, closes = datetime.combine(d, h.open_time), datetime.combine(d, h.close_time)
        if closes <= opens:  # overnight, e.g. a bar 18:00-02:00
            closes += timedelta(days=1)
    return _boundary(opens, z), _boundary(closes, z)


def _boundary(naive: datetime, z: ZoneInfo) -> datetime:
    """UTC instant of a wall-clock boundary.  Unlike slot starts, a boundary in a
    DST gap must still map somewhere; PEP 495 fold=0 keeps the pre-transition
    offset, which keeps the elapsed length of the opening intact."""
    return naive.replace(tzinfo=z, fold=0).astimezone(UTC)


def _window_end(d: date, w: AvailabilityWindow) -> datetime:
    return datetime.combine(d, _MIDNIGHT) + timedelta(minutes=_end_minutes(w.end_time))


def _minutes(t: time) -> float:
    return t.hour * 60 + t.minute + t.second / 60 + t.microsecond / 60e6


def _end_minutes(t: time) -> float:
    return 24 * 60 if t == _MIDNIGHT else _minutes(t)  # 00:00 as an end = 24:00


def _as_window(w) -> AvailabilityWindow:
    return w if isinstance(w, AvailabilityWindow) else AvailabilityWindow(*w)


def _aware_utc(dt: datetime, what: str) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime")
    return dt.astimezone(UTC)
