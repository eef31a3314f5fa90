"""free_slots' per-day sweep against the per-candidate rule check (is_bookable), on the edges
the sweep's integer wall-clock maths could get wrong: month and year ends, midnight, overnight
hours, capacity > 1 with buffers, windows a slot does not fit, minimum notice mid-window, and
zones whose offset changes inside the range."""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from afrobiz.booking.availability import (
    BusinessHours,
    ServiceRules,
    Slot,
    day_of_week,
    free_slots,
    is_bookable,
    local_to_utc,
    occupied_range,
)

T = time
WHK = "Africa/Windhoek"


def grid_reference(rules, windows, hours, closures, bookings, now, frm, to):
    """Every grid time of every window, kept when is_bookable says so: the specification."""
    step = rules.slot_step_minutes or rules.duration_minutes
    found = []
    d = frm
    while d <= to:
        for dow, a, b in windows:
            if dow != day_of_week(d):
                continue
            end = b.hour * 60 + b.minute or 24 * 60
            for m in range(a.hour * 60 + a.minute, end, step):
                t = T(m // 60, m % 60)
                if is_bookable(rules, windows, hours, closures, bookings, now, d, t) is None:
                    start = local_to_utc(d, t, rules.tz)
                    found.append(Slot(d, t, start, start + timedelta(minutes=rules.duration_minutes)))
        d += timedelta(days=1)
    return sorted(found, key=lambda s: s.starts_at)


def both(rules, windows, hours=(), closures=(), bookings=(), now=None, frm=None, to=None):
    now = now or datetime.combine(frm - timedelta(days=1), T(0), UTC)
    args = (rules, list(windows), list(hours), set(closures), list(bookings), now, frm, to or frm)
    got = free_slots(*args)
    assert got == grid_reference(*args)
    return got


def at(d, h, m=0, tz=WHK):
    return local_to_utc(d, T(h, m), tz)


def test_busy_sixty_days_match_the_rule_check():
    rules = ServiceRules(duration_minutes=15, buffer_before_minutes=5, buffer_after_minutes=5, capacity=2,
                         max_advance_days=90, min_advance_hours=3)
    windows = [(d, T(8), T(13)) for d in range(7)] + [(d, T(14), T(18)) for d in range(1, 6)]
    hours = [BusinessHours(d, T(7, 40), T(17, 20)) for d in range(7)]
    frm = date(2031, 3, 3)
    bookings = []
    for day in range(60):
        for m in range(0, 10 * 60, 45 if day % 2 else 25):
            bookings.append(occupied_range(rules, at(frm + timedelta(days=day), 8) + timedelta(minutes=m)))
    got = both(rules, windows, hours, {frm + timedelta(days=9)}, bookings,
               now=at(frm, 9, 7), frm=frm, to=frm + timedelta(days=59))
    assert len(got) > 500
    assert got[0].date == frm and got[0].time >= T(12, 7)  # three hours' notice from 09:07


def test_month_and_leap_year_ends_with_overnight_hours():
    rules = ServiceRules(duration_minutes=60, slot_step_minutes=30, max_advance_days=400)
    windows = [(d, T(20), T(0)) for d in range(7)] + [(d, T(0), T(3)) for d in range(7)]
    hours = [BusinessHours(d, T(21), T(2)) for d in range(7)]
    frm = date(2027, 12, 30)  # year end, then 2028-02-29 (leap day) and the start of March
    closures = {date(2028, 2, 29), date(2028, 1, 31)}
    got = both(rules, windows, hours, closures, frm=frm, to=frm + timedelta(days=62))
    days = {s.date for s in got}
    assert date(2028, 1, 1) in days and date(2028, 3, 1) in days and date(2028, 2, 29) not in days
    # 1 March's early hours: the closed 29 February never opened, so nothing spills into them.
    assert [s.time for s in got if s.date == date(2028, 3, 1) and s.time < T(12)] == []
    assert [s.time for s in got if s.date == date(2028, 1, 1) and s.time < T(12)] == [T(0), T(0, 30), T(1)]
    assert [s.time for s in got if s.date == date(2028, 1, 1) and s.time > T(12)] == [
        T(21), T(21, 30), T(22), T(22, 30), T(23)]  # 23:00-24:00 is the last that fits the window


def test_booking_across_midnight_blocks_both_days_with_buffers():
    rules = ServiceRules(duration_minutes=60, buffer_before_minutes=15, buffer_after_minutes=15)
    fri, sat = date(2025, 3, 7), date(2025, 3, 8)
    windows = [(5, T(20), T(0)), (6, T(0), T(4))]
    booked = [occupied_range(rules, at(fri, 23, 30))]  # 23:15-00:45 with its buffers
    got = both(rules, windows, bookings=booked, frm=fri, to=sat)
    # 22:00 (21:45-23:15 buffered) and Saturday 01:00 (00:45-02:15) only touch it; 23:00
    # and Saturday 00:00 overlap it.
    assert [(s.date, s.time) for s in got] == [(fri, T(20)), (fri, T(21)), (fri, T(22)),
                                               (sat, T(1)), (sat, T(2)), (sat, T(3))]


def test_capacity_two_with_buffers_counts_overlaps_not_bookings_in_the_day():
    rules = ServiceRules(duration_minutes=30, buffer_after_minutes=10, capacity=2)
    mon = date(2025, 3, 3)
    booked = [occupied_range(rules, at(mon, 9)), occupied_range(rules, at(mon, 9, 30)),
              occupied_range(rules, at(mon, 11)), occupied_range(rules, at(mon, 11))]
    got = both(rules, [(1, T(9), T(12, 30))], bookings=booked, frm=mon)
    # 09:00 (buffered 09:00-09:40) meets the 09:00 and 09:30 bookings: full; 09:30 too.
    # 10:00 meets only 09:30's buffer (to 10:10): one of two places left. 10:30 (to 11:10),
    # 11:00 and 11:30 meet both 11:00 bookings: full. 12:00 is clear.
    assert [s.time for s in got] == [T(10), T(12)]


def test_windows_a_slot_does_not_fit_and_hours_opening_off_the_grid():
    mon = date(2025, 3, 3)
    rules = ServiceRules(duration_minutes=60, slot_step_minutes=30)
    assert both(rules, [(1, T(9), T(9, 45))], frm=mon) == []
    assert [s.time for s in both(rules, [(1, T(10), T(11, 10))], frm=mon)] == [T(10)]
    # Open at 08:10: the grid still counts from the window start, so 08:30 comes first.
    got = both(rules, [(1, T(8), T(12))], [BusinessHours(1, T(8, 10), T(11, 50))], frm=mon)
    assert [s.time for s in got] == [T(8, 30), T(9), T(9, 30), T(10), T(10, 30)]


def test_minimum_notice_mid_window_keeps_the_window_grid():
    mon = date(2025, 3, 3)
    rules = ServiceRules(duration_minutes=20, slot_step_minutes=20, min_advance_hours=1)
    got = both(rules, [(1, T(9), T(12))], now=at(mon, 9, 7), frm=mon)
    assert [s.time for s in got][:2] == [T(10, 20), T(10, 40)]  # 10:07 rounded up to the 20-minute grid


def test_aware_non_utc_and_empty_booking_ranges():
    mon = date(2025, 3, 3)
    z = ZoneInfo(WHK)
    rules = ServiceRules(duration_minutes=60)
    local = (datetime(2025, 3, 3, 10, tzinfo=z), datetime(2025, 3, 3, 11, tzinfo=z))
    empty = (at(mon, 12), at(mon, 12))
    got = both(rules, [(1, T(9), T(14))], bookings=[local, empty], frm=mon)
    assert [s.time for s in got] == [T(9), T(11), T(12), T(13)]


def test_zones_with_summer_time_across_the_change():
    # Berlin moves its clocks at 02:00/03:00; Santiago at midnight (00:00 does not exist on the
    # spring day); Lord Howe by 30 minutes. 60 days around each change, every day compared.
    cases = [("Europe/Berlin", date(2025, 3, 1)), ("Europe/Berlin", date(2025, 10, 1)),
             ("America/Santiago", date(2025, 8, 20)), ("America/Santiago", date(2025, 3, 20)),
             ("Australia/Lord_Howe", date(2025, 9, 10)), (WHK, date(2016, 8, 20))]
    for tz, frm in cases:
        rules = ServiceRules(duration_minutes=60, slot_step_minutes=30, tz=tz, max_advance_days=100)
        windows = [(d, T(0), T(4)) for d in range(7)] + [(d, T(22), T(0)) for d in range(7)]
        hours = [BusinessHours(d, T(21), T(3)) for d in range(7)]
        bookings = [occupied_range(rules, local_to_utc(frm + timedelta(days=k), T(1), tz) or
                                   local_to_utc(frm + timedelta(days=k), T(2), tz)) for k in range(0, 60, 3)]
        got = both(rules, windows, hours, bookings=bookings, frm=frm, to=frm + timedelta(days=59))
        assert got, tz


ZONES = ["Africa/Windhoek", "Europe/Berlin", "America/Santiago", "Australia/Lord_Howe", "Asia/Kathmandu"]
MARKS = list(range(0, 24 * 60 + 1, 20))


def mtime(m):
    return T(0) if m == 24 * 60 else T(m // 60, m % 60)


@st.composite
def long_scenarios(draw):
    tz = draw(st.sampled_from(ZONES))
    rules = ServiceRules(duration_minutes=draw(st.sampled_from([20, 40, 60, 100])),
                         buffer_before_minutes=draw(st.sampled_from([0, 10, 20])),
                         buffer_after_minutes=draw(st.sampled_from([0, 10, 20])),
                         capacity=draw(st.integers(1, 3)), min_advance_hours=draw(st.integers(0, 30)),
                         max_advance_days=draw(st.integers(5, 40)),
                         slot_step_minutes=draw(st.sampled_from([None, 20, 60])), tz=tz)
    windows = []
    for dow in range(7):
        marks = sorted(draw(st.lists(st.sampled_from(MARKS), unique=True, max_size=4)))
        windows += [(dow, mtime(a), mtime(b)) for a, b in zip(marks[::2], marks[1::2])]
    quarter = st.sampled_from(MARKS[:-1]).map(mtime)
    hours = [h for dow in range(7) if (h := draw(st.one_of(
        st.none(), st.just(BusinessHours(dow, is_closed=True)), st.just(BusinessHours(dow, is_24_hours=True)),
        st.builds(BusinessHours, st.just(dow), quarter, quarter)))) is not None]
    frm = draw(st.dates(date(2015, 1, 1), date(2030, 12, 31)))
    to = frm + timedelta(days=draw(st.integers(0, 20)))
    closures = set(draw(st.lists(st.sampled_from([frm + timedelta(days=i) for i in range(-1, 21)]), max_size=3)))
    base = datetime.combine(frm, T(0), UTC)
    now = base + timedelta(minutes=20 * draw(st.integers(-72, 72 * 5)))
    bookings = []
    for _ in range(draw(st.integers(0, 40))):
        s = base + timedelta(minutes=10 * draw(st.integers(-144, 144 * 21)))
        bookings.append((s, s + timedelta(minutes=10 * draw(st.integers(1, 18)))))
    return rules, windows, hours, closures, bookings, now, frm, to


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(long_scenarios())
def test_sweep_equals_rule_check_in_any_zone(sc):
    assert free_slots(*sc) == grid_reference(*sc)
