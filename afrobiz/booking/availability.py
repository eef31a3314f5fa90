"""Pure slot maths for the booking engine (no DB, no web framework).

Conventions (the rest of the app relies on these):
* day_of_week is 0-6 with 0 = Sunday (the DB/API convention); only
  ``day_of_week()`` converts from Python's Monday = 0.
* Wall-clock rules (windows, business hours, closures) are local to the
  service's zone, default Africa/Windhoek.  Instants (now, bookings, slot
  starts/ends) are aware datetimes; slots are returned in UTC.  Offsets come
  from zoneinfo, never a constant: free_slots asks it once per day and does
  that day's wall-clock maths in integer microseconds only when one offset
  holds around the whole day; days near a change (Windhoek had winter time
  until 2017) are checked candidate by candidate as real UTC instants.
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
  An empty or reversed range occupies nothing.
"""
from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter
from typing import NamedTuple
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Africa/Windhoek"
MAX_RANGE_DAYS = 62
_MIDNIGHT = time(0, 0)
_ONE_DAY = timedelta(days=1)
_DAY_US = 86_400_000_000  # wall-clock maths is done in integer microseconds of the day
_US = timedelta(microseconds=1)


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


class Slot(NamedTuple):
    # A NamedTuple, not a frozen dataclass: free_slots builds thousands, 4x cheaper this way.
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
    _windows_by_day(windows)


def _windows_by_day(windows: Iterable[WindowLike]) -> dict[int, list[tuple[AvailabilityWindow, int, int]]]:
    """Validated windows by weekday, sorted, each with its start and end in microseconds of the day."""
    by_day: dict[int, list[tuple[AvailabilityWindow, int, int]]] = {}
    for w in map(_as_window, windows):
        if isinstance(w.day_of_week, bool) or w.day_of_week not in range(7):
            raise InvalidWindows(f"day_of_week must be 0 (Sunday) to 6, got {w.day_of_week!r}")
        if not isinstance(w.start_time, time) or not isinstance(w.end_time, time):
            raise InvalidWindows("window start_time and end_time must be datetime.time")
        start, end = _time_us(w.start_time), _end_us(w.end_time)
        if start >= end:
            raise InvalidWindows(
                f"window on day {w.day_of_week} starts at {w.start_time} "
                f"but ends at {w.end_time}: start must be before end"
            )
        by_day.setdefault(w.day_of_week, []).append((w, start, end))
    for day, ws in by_day.items():
        ws.sort(key=itemgetter(1))
        for (a, _, a_end), (b, b_start, _) in zip(ws, ws[1:]):
            if a_end > b_start:  # touching is fine
                raise InvalidWindows(
                    f"windows on day {day} overlap: {a.start_time}-{a.end_time} "
                    f"and {b.start_time}-{b.end_time}"
                )
    return by_day


def free_slots(
    rules: ServiceRules, windows: Iterable[WindowLike], hours: Iterable[BusinessHours] | None,
    closures: Iterable[date] | None, bookings: Iterable[Range] | None, now: datetime,
    from_date: date, to_date: date,
) -> list[Slot]:
    """All bookable slots whose local start date is in [from_date, to_date].

    Gives exactly the grid times is_bookable() accepts (a property test holds the two
    together), but per day instead of per candidate: on a day whose zone offset is
    fixed, windows, hours and the minimum notice are clipped once in integer
    microseconds, so only candidates that fit are walked, and the capacity check is a
    sweep over the sorted booking starts and ends.  Days near an offset change take
    the per-candidate path of is_bookable()."""
    if to_date < from_date:
        raise InvalidRange("to_date is before from_date")
    if (to_date - from_date).days > MAX_RANGE_DAYS:
        raise RangeTooLong(f"at most {MAX_RANGE_DAYS} days of slots can be requested at once")
    ctx = _Context(rules, windows, hours, closures, bookings, now)
    last_day = min(to_date, ctx.today + timedelta(days=rules.max_advance_days))  # later days are TOO_FAR
    slots: list[Slot] = []
    if not ctx.windows:
        return slots
    sweep = _Sweep(ctx)
    per_candidate = False
    d = from_date
    while d <= last_day:
        if d not in ctx.closures and day_of_week(d) in ctx.windows:
            midnight = ctx.fixed_midnight(d)
            if midnight is not None:
                sweep.day(d, midnight, slots)
            else:
                per_candidate = True
                _candidates_one_by_one(ctx, d, slots)
        d += _ONE_DAY
    if per_candidate:  # an offset change can reorder wall-clock times (clocks going back)
        slots.sort(key=_STARTS_AT)
    return slots


_STARTS_AT = itemgetter(2)


def is_bookable(
    rules: ServiceRules, windows: Iterable[WindowLike], hours: Iterable[BusinessHours] | None,
    closures: Iterable[date] | None, bookings: Iterable[Range] | None, now: datetime,
    local_date: date, local_time: time,
) -> SlotProblem | None:
    """Server-side re-check of one requested slot: None if bookable, else why not."""
    return _problem(_Context(rules, windows, hours, closures, bookings, now), local_date, local_time)


# --- internals ---------------------------------------------------------------


class _Context:
    """Inputs normalised once (index by day, bookings to UTC, zone resolved)."""

    def __init__(self, rules, windows, hours, closures, bookings, now):
        self.rules, self.z = rules, ZoneInfo(rules.tz)
        by_day = _windows_by_day(windows)  # validated first: InvalidWindows before any other error
        self.windows = {dow: [w for w, _, _ in ws] for dow, ws in by_day.items()}
        self.windows_us = {dow: [(start, end) for _, start, end in ws] for dow, ws in by_day.items()}
        self.hours: dict[int, BusinessHours] = {}
        for h in hours or ():
            if h.day_of_week in self.hours:
                raise ValueError(f"business hours given twice for day {h.day_of_week}")
            self.hours[h.day_of_week] = h
        self.closures = frozenset(closures or ())
        self.bookings: list[Range] = []
        for s, e in bookings or ():
            if s.tzinfo is not UTC:  # UTC already (the usual case): nothing to convert
                s = _aware_utc(s, "booking start")
            if e.tzinfo is not UTC:
                e = _aware_utc(e, "booking end")
            if s < e:  # an empty (or reversed) range occupies nothing
                self.bookings.append((s, e))
        self.now = _aware_utc(now, "now")
        self.today = self.now.astimezone(self.z).date()
        # Per-day results reused by every candidate of that day (free_slots checks dozens).
        self.caps_by_day: dict[date, list[tuple[datetime, datetime]] | None] = {}
        self.spans_by_day: dict[date, list[tuple[AvailabilityWindow, datetime, datetime]]] = {}
        self.offsets: dict[date, timedelta | None] = {}

    def offset(self, d: date) -> timedelta | None:
        """The zone's UTC offset at local midnight starting d (fold=0)."""
        if d not in self.offsets:
            self.offsets[d] = datetime.combine(d, _MIDNIGHT, self.z).utcoffset()
        return self.offsets[d]

    def fixed_midnight(self, d: date) -> datetime | None:
        """UTC instant of local midnight starting d, if one offset holds from midnight before
        d-1 to midnight after d+1 (all a slot of d, its window and the hours that cap it can
        touch); else None.  Equal offsets at the four midnights prove that: the tz database
        never changes a zone's offset twice within 3.9 days (shortest gap: Africa/Freetown)."""
        off = self.offset(d)
        if off is None or not (self.offset(d - _ONE_DAY) == off == self.offset(d + _ONE_DAY)
                               == self.offset(d + 2 * _ONE_DAY)):
            return None
        return datetime.combine(d, _MIDNIGHT, UTC) - off

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


class _Sweep:
    """free_slots' per-day path on days with one fixed offset: local wall-clock times are
    integer microseconds since that day's midnight, and instant = midnight + that."""

    def __init__(self, ctx: _Context):
        rules = ctx.rules
        self.ctx = ctx
        self.step = _td_us(rules.step)
        self.length = rules.duration_minutes * 60_000_000
        self.duration = rules.duration
        self.before = timedelta(minutes=rules.buffer_before_minutes)
        self.after = timedelta(minutes=rules.buffer_after_minutes)
        self.capacity = rules.capacity
        self.earliest = ctx.now + timedelta(hours=rules.min_advance_hours)
        self.windows = ctx.windows_us
        # Booking starts and ends, each sorted: a buffered slot [lo, hi) overlaps
        # (starts < hi) - (ends <= lo) of them.  Candidates only move forward in time,
        # so both counts are pointers that only move forward too.
        self.starts = sorted(s for s, _ in ctx.bookings)
        self.ends = sorted(e for _, e in ctx.bookings)
        self.n_started = self.n_ended = 0
        self.caps_cache: dict[tuple[int, bool], list[tuple[int, int]] | None] = {}

    def caps(self, d: date, dow: int) -> list[tuple[int, int]] | None:
        """Business-hours openings that can hold a slot starting on d, in microseconds from
        d's midnight (None = no hours given for d's weekday: no cap); see _business_intervals."""
        prev_day = d - _ONE_DAY
        key = (dow, prev_day in self.ctx.closures)
        if key not in self.caps_cache:
            hours = self.ctx.hours
            own = hours.get(dow)
            if own is None:
                self.caps_cache[key] = None
            else:
                spans = [_day_span_us(own, 0)]
                prev = hours.get((dow - 1) % 7)
                if prev is not None and not key[1]:
                    spans.append(_day_span_us(prev, -_DAY_US))
                merged: list[tuple[int, int]] = []
                for a, b in sorted(sp for sp in spans if sp is not None):
                    if merged and a <= merged[-1][1]:  # overlapping/touching: one continuous opening
                        merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
                    else:
                        merged.append((a, b))
                self.caps_cache[key] = merged
        return self.caps_cache[key]

    def day(self, d: date, midnight: datetime, out: list[Slot]) -> None:
        dow = day_of_week(d)
        caps = self.caps(d, dow)
        if caps is not None and not caps:
            return  # closed, and no overnight opening from the day before
        # Minimum notice as a wall-clock microsecond of this day (negative: all of it is fine).
        earliest = (self.earliest - midnight) // _US
        step, length, capacity = self.step, self.length, self.capacity
        duration, before, after = self.duration, self.before, self.after
        starts, ends, n = self.starts, self.ends, len(self.starts)
        for ws, we in self.windows[dow]:
            spans = [(ws, we)] if caps is None else [(max(ws, a), min(we, b)) for a, b in caps if a < we and b > ws]
            for lo, hi in spans:
                # The first grid time (counted from the window start) at or after lo and the
                # notice limit; the slot must end by hi (window end, or closing time).
                first = max(lo, earliest)
                t = ws + max(0, -((ws - first) // step)) * step  # ceil((first - ws) / step) steps
                while t + length <= hi:
                    wall, since_midnight = _AT.get(t) or _at(t)
                    start = midnight + since_midnight
                    end = start + duration
                    if n:
                        busy_to, busy_from = end + after, start - before
                        while self.n_started < n and starts[self.n_started] < busy_to:
                            self.n_started += 1
                        while self.n_ended < n and ends[self.n_ended] <= busy_from:
                            self.n_ended += 1
                        if self.n_started - self.n_ended >= capacity:
                            t += step
                            continue
                    out.append(Slot(d, wall, start, end))
                    t += step


# Wall-clock microsecond of the day -> (time, timedelta since midnight), shared by every call:
# the same grid times come back day after day. Bounded, in case of odd microsecond grids.
_AT: dict[int, tuple[time, timedelta]] = {}


def _at(t: int) -> tuple[time, timedelta]:
    if len(_AT) > 20_000:
        _AT.clear()
    seconds, micro = divmod(t, 1_000_000)
    _AT[t] = value = (time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro), timedelta(microseconds=t))
    return value


def _candidates_one_by_one(ctx: _Context, d: date, out: list[Slot]) -> None:
    """free_slots for a day near an offset change: every grid time through _problem()."""
    for w in ctx.windows.get(day_of_week(d), ()):
        # Candidates walk the wall clock from the window start (users expect 09:00,
        # 09:30, ...); _problem() then checks them as real instants.
        t, end = datetime.combine(d, w.start_time), _window_end(d, w)
        while t < end:
            if _problem(ctx, d, t.time()) is None:
                start = local_to_utc(d, t.time(), ctx.z)
                out.append(Slot(d, t.time(), start, start + ctx.rules.duration))
            t += ctx.rules.step


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
    return datetime.combine(d, _MIDNIGHT) + timedelta(microseconds=_end_us(w.end_time))


def _day_span_us(h: BusinessHours, shift: int) -> tuple[int, int] | None:
    """_day_span in microseconds from a midnight, the day's own midnight being at shift."""
    if h.is_closed:
        return None
    if h.is_24_hours:
        return shift, shift + _DAY_US
    if h.open_time is None or h.close_time is None:
        raise ValueError(f"business hours for day {h.day_of_week} need open_time and close_time")
    opens, closes = _time_us(h.open_time), _time_us(h.close_time)
    if closes <= opens:  # overnight, e.g. a bar 18:00-02:00
        closes += _DAY_US
    return shift + opens, shift + closes


def _time_us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _end_us(t: time) -> int:
    return _DAY_US if t == _MIDNIGHT else _time_us(t)  # 00:00 as an end = 24:00


def _td_us(td: timedelta) -> int:
    return td // _US


def _as_window(w) -> AvailabilityWindow:
    return w if isinstance(w, AvailabilityWindow) else AvailabilityWindow(*w)


def _aware_utc(dt: datetime, what: str) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime")
    return dt.astimezone(UTC)
