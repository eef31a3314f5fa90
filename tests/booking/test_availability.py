"""Unit tests and properties for the pure slot maths in afrobiz.booking.availability."""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from afrobiz.booking.availability import (
    MAX_RANGE_DAYS,
    AvailabilityWindow,
    BusinessHours,
    InvalidRange,
    InvalidWindows,
    RangeTooLong,
    ServiceRules,
    SlotProblem,
    day_of_week,
    free_slots,
    is_bookable,
    local_to_utc,
    occupied_range,
    validate_windows,
)

WHK = ZoneInfo("Africa/Windhoek")
SUN, MON, TUE = date(2025, 3, 2), date(2025, 3, 3), date(2025, 3, 4)
NOW = datetime(2025, 3, 1, tzinfo=UTC)  # well before the test days
T = time  # short alias for readability


def utc(d: date, h: int, m: int = 0) -> datetime:
    """A Windhoek wall-clock time as an aware UTC datetime (via zoneinfo)."""
    return datetime.combine(d, T(h, m), WHK).astimezone(UTC)


def slots(rules=None, windows=(), hours=(), closures=(), bookings=(), now=NOW, frm=MON, to=None):
    rules = rules or ServiceRules(duration_minutes=60)
    return free_slots(rules, list(windows), list(hours), set(closures), list(bookings), now, frm, to or frm)


def times(result):
    return [s.time for s in result]


def check(local_date, local_time, rules=None, windows=(), hours=(), closures=(), bookings=(), now=NOW):
    rules = rules or ServiceRules(duration_minutes=60)
    return is_bookable(rules, list(windows), list(hours), set(closures), list(bookings), now, local_date, local_time)


# --- conversions --------------------------------------------------------------


def test_day_of_week_sunday_is_zero():
    assert day_of_week(SUN) == 0
    assert day_of_week(MON) == 1
    assert day_of_week(date(2025, 3, 8)) == 6  # Saturday


def test_sunday_window_only_offers_slots_on_sunday():
    week = slots(windows=[(0, T(9), T(10))], frm=SUN, to=SUN + timedelta(days=6))
    assert [(s.date, s.time) for s in week] == [(SUN, T(9))]


def test_local_to_utc_today_is_plus_two():
    assert local_to_utc(MON, T(9), "Africa/Windhoek") == datetime(2025, 3, 3, 7, tzinfo=UTC)


def test_local_to_utc_uses_historical_winter_time_2016():
    # Namibia used UTC+1 winter time (April-September) until 2017: a fixed +2 would be wrong.
    assert local_to_utc(date(2016, 7, 1), T(9), WHK) == datetime(2016, 7, 1, 8, tzinfo=UTC)
    assert local_to_utc(date(2016, 1, 8), T(9), WHK) == datetime(2016, 1, 8, 7, tzinfo=UTC)


def test_local_to_utc_nonexistent_time_is_none_and_ambiguous_uses_fold0():
    assert local_to_utc(date(2016, 9, 4), T(2, 30), WHK) is None  # 02:00 -> 03:00 gap
    # 01:30 happened twice on 2016-04-03; fold=0 is the first one, still at UTC+2.
    assert local_to_utc(date(2016, 4, 3), T(1, 30), WHK) == datetime(2016, 4, 2, 23, 30, tzinfo=UTC)


def test_winter_2016_slots_are_one_hour_later_in_utc():
    rules = ServiceRules(duration_minutes=60)
    winter = free_slots(rules, [(5, T(9), T(10))], [], set(), [], datetime(2016, 6, 1, tzinfo=UTC),
                        date(2016, 7, 1), date(2016, 7, 1))
    summer = free_slots(rules, [(5, T(9), T(10))], [], set(), [], datetime(2016, 1, 1, tzinfo=UTC),
                        date(2016, 1, 8), date(2016, 1, 8))
    assert winter[0].starts_at == datetime(2016, 7, 1, 8, tzinfo=UTC)
    assert summer[0].starts_at == datetime(2016, 1, 8, 7, tzinfo=UTC)


def test_dst_gap_time_is_never_offered():
    rules = ServiceRules(duration_minutes=60)
    day = date(2016, 9, 4)  # Sunday: clocks jumped 02:00 -> 03:00
    got = free_slots(rules, [(0, T(0), T(6))], [], set(), [], datetime(2016, 9, 1, tzinfo=UTC), day, day)
    assert [s.time for s in got] == [T(0), T(1), T(3), T(4), T(5)]
    assert is_bookable(rules, [(0, T(0), T(6))], [], set(), [], datetime(2016, 9, 1, tzinfo=UTC),
                       day, T(2)) is SlotProblem.OUTSIDE_HOURS
    # 01:00 (UTC+1) plus an hour ends at 03:00 (UTC+2): a real hour of service.
    assert got[1].ends_at - got[1].starts_at == timedelta(hours=1)


def test_dst_overlap_day_slots_sorted_unique():
    day = date(2016, 4, 3)  # clocks went back 02:00 -> 01:00
    got = free_slots(ServiceRules(duration_minutes=60), [(0, T(0), T(3))], [], set(), [],
                     datetime(2016, 4, 1, tzinfo=UTC), day, day)
    assert [s.time for s in got] == [T(0), T(1), T(2)]
    assert got[1].starts_at == datetime(2016, 4, 2, 23, tzinfo=UTC)  # fold=0
    assert got[2].starts_at == datetime(2016, 4, 3, 1, tzinfo=UTC)  # after the change, UTC+1


def test_occupied_range_includes_buffers():
    rules = ServiceRules(duration_minutes=45, buffer_before_minutes=10, buffer_after_minutes=15)
    start = utc(MON, 9)
    assert occupied_range(rules, start) == (start - timedelta(minutes=10), start + timedelta(minutes=60))
    with pytest.raises(ValueError):
        occupied_range(rules, datetime(2025, 3, 3, 9))  # naive


# --- windows and business hours -------------------------------------------------


def test_three_am_never_offered_when_open_eight_to_five():
    hours = [BusinessHours(1, T(8), T(17))]
    got = slots(windows=[(1, T(0), T(0))], hours=hours)  # window = whole day
    assert got and all(T(8) <= s.time and s.time <= T(16) for s in got)
    assert T(3) not in [s.time for s in got]
    assert check(MON, T(3), windows=[(1, T(0), T(0))], hours=hours) is SlotProblem.OUTSIDE_HOURS


def test_split_windows():
    windows = [(1, T(9), T(13)), (1, T(14), T(17))]
    assert times(slots(windows=windows)) == [T(9), T(10), T(11), T(12), T(14), T(15), T(16)]
    assert check(MON, T(13), windows=windows) is SlotProblem.OUTSIDE_HOURS
    # A 90-minute service starting 12:30 would straddle the lunch break.
    rules = ServiceRules(duration_minutes=90, slot_step_minutes=30)
    assert T(12, 30) not in times(slots(rules, windows=windows))
    assert T(11, 30) in times(slots(rules, windows=windows))


def test_service_must_fit_inside_window_and_step_defaults_to_duration():
    assert times(slots(windows=[(1, T(9), T(11, 30))])) == [T(9), T(10)]
    rules = ServiceRules(duration_minutes=60, slot_step_minutes=30)
    assert times(slots(rules, windows=[(1, T(9), T(11, 30))])) == [T(9), T(9, 30), T(10), T(10, 30)]
    rules15 = ServiceRules(duration_minutes=30, slot_step_minutes=15)
    assert times(slots(rules15, windows=[(1, T(9), T(10))])) == [T(9), T(9, 15), T(9, 30)]


def test_off_grid_request_is_rejected():
    rules = ServiceRules(duration_minutes=60, slot_step_minutes=30)
    assert check(MON, T(9, 15), rules, windows=[(1, T(9), T(12))]) is SlotProblem.OFF_GRID
    assert check(MON, T(9, 30), rules, windows=[(1, T(9), T(12))]) is None


def test_business_hours_cap_window():
    hours = [BusinessHours(1, T(10), T(12))]
    assert times(slots(windows=[(1, T(8), T(17))], hours=hours)) == [T(10), T(11)]


def test_missing_hours_day_means_no_cap_and_24_hours():
    assert len(slots(windows=[(1, T(0), T(0))], hours=[BusinessHours(2, T(8), T(9))])) == 24
    assert len(slots(windows=[(1, T(0), T(0))], hours=[BusinessHours(1, is_24_hours=True)])) == 24


def test_closed_business_day():
    hours = [BusinessHours(1, is_closed=True)]
    assert slots(windows=[(1, T(9), T(17))], hours=hours) == []
    assert check(MON, T(9), windows=[(1, T(9), T(17))], hours=hours) is SlotProblem.CLOSED


def test_overnight_hours_cap_window():
    fri, sat = date(2025, 3, 7), date(2025, 3, 8)
    hours = [BusinessHours(5, T(18), T(2)), BusinessHours(6, T(18), T(2))]
    windows = [(5, T(16), T(0)), (6, T(0), T(4))]  # Friday until midnight, Saturday early hours
    got = slots(windows=windows, hours=hours, frm=fri, to=sat)
    assert [(s.date, s.time) for s in got] == (
        [(fri, T(h)) for h in range(18, 24)] + [(sat, T(0)), (sat, T(1))]
    )
    assert check(sat, T(2), windows=windows, hours=hours) is SlotProblem.OUTSIDE_HOURS
    assert check(sat, T(1), windows=windows, hours=hours) is None
    # Friday closed (holiday): it never opens, so no Saturday early-hours spill.
    assert check(sat, T(1), windows=windows, hours=hours, closures={fri}) is SlotProblem.OUTSIDE_HOURS
    # Saturday closed: slots STARTING on Saturday are blocked even inside Friday's night.
    assert check(sat, T(1), windows=windows, hours=hours, closures={sat}) is SlotProblem.CLOSED


def test_open_equal_close_means_round_the_clock_from_opening():
    hours = [BusinessHours(1, T(8), T(8))]
    assert times(slots(windows=[(1, T(0), T(0))], hours=hours)) == [T(h) for h in range(8, 24)]


def test_previous_night_and_morning_hours_touching_are_one_opening():
    sat = date(2025, 3, 8)
    hours = [BusinessHours(5, T(20), T(2)), BusinessHours(6, T(2), T(6))]
    rules = ServiceRules(duration_minutes=60, slot_step_minutes=30)
    # 01:30-02:30 spans Friday's night hours and Saturday's own hours without a gap.
    assert check(sat, T(1, 30), rules, [(6, T(0), T(6))], hours) is None
    assert check(sat, T(5, 30), rules, [(6, T(0), T(6))], hours) is SlotProblem.OUTSIDE_HOURS


def test_window_validation():
    validate_windows([(1, T(9), T(13)), (1, T(13), T(17)), (2, T(22), T(0))])  # touching, midnight end ok
    validate_windows([AvailabilityWindow(0, T(9), T(10))])
    with pytest.raises(InvalidWindows, match="before end"):
        validate_windows([(1, T(13), T(9))])
    with pytest.raises(InvalidWindows, match="before end"):
        validate_windows([(1, T(9), T(9))])
    with pytest.raises(InvalidWindows, match="overlap"):
        validate_windows([(1, T(9), T(13)), (1, T(12), T(17))])
    with pytest.raises(InvalidWindows, match="day_of_week"):
        validate_windows([(7, T(9), T(13))])
    with pytest.raises(InvalidWindows):
        slots(windows=[(-1, T(9), T(13))])
    assert issubclass(InvalidWindows, ValueError)


# --- bookings, capacity, buffers --------------------------------------------------


def test_capacity_three_allows_three_overlapping_then_full():
    rules = ServiceRules(duration_minutes=60, capacity=3)
    booking = occupied_range(rules, utc(MON, 9))
    windows = [(1, T(9), T(10))]
    for n in range(3):
        assert check(MON, T(9), rules, windows, bookings=[booking] * n) is None
    assert check(MON, T(9), rules, windows, bookings=[booking] * 3) is SlotProblem.FULL
    assert slots(rules, windows, bookings=[booking] * 3) == []


def test_half_open_boundaries():
    booked = [(utc(MON, 9), utc(MON, 10))]
    windows = [(1, T(8), T(11))]
    assert times(slots(windows=windows, bookings=booked)) == [T(8), T(10)]


def test_buffers_block_neighbouring_slots():
    booked = [(utc(MON, 10), utc(MON, 11))]
    windows = [(1, T(8), T(13))]
    after = ServiceRules(duration_minutes=60, buffer_after_minutes=15)
    assert times(slots(after, windows, bookings=booked)) == [T(8), T(11), T(12)]  # 09:00+1h+15m hits 10:00
    before = ServiceRules(duration_minutes=60, buffer_before_minutes=15)
    assert times(slots(before, windows, bookings=booked)) == [T(8), T(9), T(12)]  # 11:00-15m hits 11:00


# --- advance limits, closures, range ------------------------------------------------


def test_min_advance():
    rules = ServiceRules(duration_minutes=60, min_advance_hours=2)
    now = utc(MON, 8)
    assert times(slots(rules, [(1, T(8), T(12))], now=now)) == [T(10), T(11)]  # exactly now+2h is fine
    assert check(MON, T(9), rules, [(1, T(8), T(12))], now=now) is SlotProblem.TOO_SOON


def test_max_advance_counts_local_days():
    rules = ServiceRules(duration_minutes=60, max_advance_days=1)
    now = datetime(2025, 3, 2, 22, 30, tzinfo=UTC)  # already 00:30 Monday in Windhoek
    windows = [(d, T(9), T(10)) for d in range(7)]
    got = slots(rules, windows, now=now, frm=SUN, to=SUN + timedelta(days=5))
    assert [s.date for s in got] == [MON, TUE]
    assert check(date(2025, 3, 5), T(9), rules, windows, now=now) is SlotProblem.TOO_FAR


def test_closure_dates():
    windows = [(1, T(9), T(10)), (2, T(9), T(10))]
    got = slots(windows=windows, closures={MON}, frm=MON, to=TUE)
    assert [s.date for s in got] == [TUE]
    assert check(MON, T(9), windows=windows, closures={MON}) is SlotProblem.CLOSED


def test_range_cap():
    slots(windows=[(1, T(9), T(10))], frm=MON, to=MON + timedelta(days=MAX_RANGE_DAYS))
    with pytest.raises(RangeTooLong):
        slots(windows=[(1, T(9), T(10))], frm=MON, to=MON + timedelta(days=MAX_RANGE_DAYS + 1))
    with pytest.raises(InvalidRange):
        slots(frm=TUE, to=MON)
    assert issubclass(RangeTooLong, ValueError)


def test_naive_now_rejected_and_rules_validated():
    with pytest.raises(ValueError):
        slots(windows=[(1, T(9), T(10))], now=datetime(2025, 3, 1))
    with pytest.raises(ValueError):
        ServiceRules(duration_minutes=60, capacity=0)
    with pytest.raises(Exception):
        ServiceRules(duration_minutes=60, tz="Mars/Olympus")


# --- properties ------------------------------------------------------------------

MARKS = list(range(0, 24 * 60 + 1, 15))


def mtime(m: int) -> time:
    return T(0) if m == 24 * 60 else T(m // 60, m % 60)


@st.composite
def day_windows(draw, dow):
    marks = sorted(draw(st.lists(st.sampled_from(MARKS), unique=True, max_size=6)))
    return [(dow, mtime(a), mtime(b)) for a, b in zip(marks[::2], marks[1::2])]


def hours_for(dow):
    """No hours given (no cap), closed, 24h, or open/close (close <= open = overnight)."""
    quarter = st.sampled_from(MARKS[:-1]).map(mtime)
    return st.one_of(
        st.none(),
        st.just(BusinessHours(dow, is_closed=True)),
        st.just(BusinessHours(dow, is_24_hours=True)),
        st.builds(BusinessHours, st.just(dow), quarter, quarter),
    )


start_dates = st.one_of(
    st.dates(date(2015, 1, 1), date(2027, 12, 31)),
    st.sampled_from([date(2016, 4, 1), date(2016, 9, 2), date(2017, 4, 1), date(2017, 9, 1)]),  # DST changes
)


@st.composite
def scenarios(draw, capacity=None):
    rules = ServiceRules(
        duration_minutes=draw(st.sampled_from([15, 30, 45, 60, 90, 120])),
        buffer_before_minutes=draw(st.sampled_from([0, 5, 15, 30])),
        buffer_after_minutes=draw(st.sampled_from([0, 5, 15, 30])),
        capacity=capacity or draw(st.integers(1, 3)),
        min_advance_hours=draw(st.integers(0, 48)),
        max_advance_days=draw(st.integers(0, 10)),
        slot_step_minutes=draw(st.sampled_from([None, 15, 30, 60])),
    )
    windows = [w for dow in range(7) for w in draw(day_windows(dow))]
    hours = [h for dow in range(7) if (h := draw(hours_for(dow))) is not None]
    frm = draw(start_dates)
    to = frm + timedelta(days=draw(st.integers(0, 5)))
    days = [frm + timedelta(days=i) for i in range(-1, (to - frm).days + 1)]
    closures = set(draw(st.lists(st.sampled_from(days), max_size=2)))
    base = datetime.combine(frm, T(0), UTC)
    now = base + timedelta(minutes=15 * draw(st.integers(-4 * 48, 4 * 72)))
    bookings = []
    for _ in range(draw(st.integers(0, 8))):
        s = base + timedelta(minutes=15 * draw(st.integers(-96, 96 * 6)))
        bookings.append((s, s + timedelta(minutes=15 * draw(st.integers(1, 12)))))
    return rules, windows, hours, closures, bookings, now, frm, to


PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(scenarios())
def test_every_slot_is_bookable_sorted_unique_and_consistent(sc):
    rules, windows, hours, closures, bookings, now, frm, to = sc
    got = free_slots(*sc)
    assert [s.starts_at for s in got] == sorted({s.starts_at for s in got})  # sorted + unique
    for s in got:
        assert is_bookable(rules, windows, hours, closures, bookings, now, s.date, s.time) is None
        assert frm <= s.date <= to and s.date not in closures
        local = s.starts_at.astimezone(WHK)
        assert (local.date(), local.time()) == (s.date, s.time)
        assert s.ends_at - s.starts_at == timedelta(minutes=rules.duration_minutes)
        assert s.starts_at >= now + timedelta(hours=rules.min_advance_hours)
        assert s.date <= now.astimezone(WHK).date() + timedelta(days=rules.max_advance_days)


@PROPS
@given(scenarios(capacity=1))
def test_capacity_one_never_overlaps_a_booking(sc):
    rules = sc[0]
    for s in free_slots(*sc):
        lo = s.starts_at - timedelta(minutes=rules.buffer_before_minutes)
        hi = s.ends_at + timedelta(minutes=rules.buffer_after_minutes)
        assert all(not (b < hi and e > lo) for b, e in sc[4])


def _wall(d: date, minutes: int) -> datetime:
    return (datetime.combine(d, T(0)) + timedelta(minutes=minutes)).replace(tzinfo=WHK).astimezone(UTC)


def _mins(t: time) -> int:
    return t.hour * 60 + t.minute


@PROPS
@given(scenarios())
def test_slots_lie_within_a_window_and_business_hours(sc):
    rules, windows, hours, closures, *_ = sc
    by_day = {h.day_of_week: h for h in hours}
    for s in free_slots(*sc):
        dow = (s.date.weekday() + 1) % 7  # independent Sunday=0 conversion
        assert any(
            w[0] == dow and _wall(s.date, _mins(w[1])) <= s.starts_at
            and s.ends_at <= _wall(s.date, _mins(w[2]) or 24 * 60)
            for w in windows
        )
        if dow not in by_day:
            continue  # no cap given for that day
        spans = []
        for d, h in ((s.date, by_day[dow]), (s.date - timedelta(days=1), by_day.get((dow - 1) % 7))):
            if h is None or h.is_closed or (d != s.date and d in closures):
                continue
            if h.is_24_hours:
                spans.append((_wall(d, 0), _wall(d, 24 * 60)))
            else:
                o, c = _mins(h.open_time), _mins(h.close_time)
                spans.append((_wall(d, o), _wall(d, c if c > o else c + 24 * 60)))
        spans.sort()
        merged = []  # touching openings (e.g. Friday night into Saturday 24h) are one
        for a, b in spans:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(b, merged[-1][1])
            else:
                merged.append([a, b])
        assert any(a <= s.starts_at and s.ends_at <= b for a, b in merged)


@PROPS
@given(scenarios())
def test_every_bookable_grid_time_is_offered(sc):
    rules, windows, hours, closures, bookings, now, frm, to = sc
    offered = {(s.date, s.time) for s in free_slots(*sc)}
    step = rules.slot_step_minutes or rules.duration_minutes
    d = frm
    while d <= to:
        for dow, a, b in windows:
            if dow != day_of_week(d):
                continue
            for m in range(_mins(a), _mins(b) or 24 * 60, step):
                t = mtime(m)
                ok = is_bookable(rules, windows, hours, closures, bookings, now, d, t) is None
                assert ok == ((d, t) in offered)
        d += timedelta(days=1)
