"""Open-now maths (pure): ordinary days, overnight hours, 24 hours, closures, the week ahead."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from afrobiz.directory.hours import Hours, day_of_week, describe, is_open_at, open_status, validate_week

WHK = ZoneInfo("Africa/Windhoek")
# 2025-06-06 is a Friday, 2025-06-07 a Saturday, 2025-06-08 a Sunday.
FRI, SAT, SUN = date(2025, 6, 6), date(2025, 6, 7), date(2025, 6, 8)


def at(d: date, hhmm: str) -> datetime:
    return datetime.combine(d, time.fromisoformat(hhmm), WHK)


OFFICE = [Hours(d, time(8), time(17)) for d in range(1, 6)]          # Mon-Fri 08:00-17:00
BAR = [Hours(5, time(18), time(2)), Hours(6, time(18), time(2))]     # Fri, Sat 18:00-02:00


def test_day_of_week_is_sunday_zero():
    assert day_of_week(SUN) == 0 and day_of_week(FRI) == 5 and day_of_week(SAT) == 6


@pytest.mark.parametrize(("moment", "open_"), [
    (at(FRI, "07:59"), False), (at(FRI, "08:00"), True), (at(FRI, "16:59"), True),
    (at(FRI, "17:00"), False), (at(SAT, "10:00"), False),
])
def test_ordinary_day(moment, open_):
    assert is_open_at(OFFICE, moment) is open_


def test_closes_at_and_next_opening():
    s = open_status(OFFICE, at(FRI, "12:00"))
    assert s.is_open and s.closes_at == at(FRI, "17:00")
    s = open_status(OFFICE, at(SAT, "12:00"))       # weekend: next opening is Monday 08:00
    assert not s.is_open and s.opens_at == at(SUN + timedelta(days=1), "08:00")


@pytest.mark.parametrize(("moment", "open_"), [
    (at(FRI, "17:59"), False), (at(FRI, "18:00"), True), (at(FRI, "23:59"), True),
    (at(SAT, "00:30"), True),          # Friday's shift, after midnight
    (at(SAT, "01:59"), True), (at(SAT, "02:00"), False), (at(SAT, "12:00"), False),
    (at(SUN, "01:00"), True),          # Saturday's shift into Sunday
    (at(SUN, "03:00"), False), (at(FRI, "01:00"), False),   # Thursday had no shift
])
def test_overnight_bar(moment, open_):
    assert is_open_at(BAR, moment) is open_


def test_overnight_closing_time_is_next_day():
    s = open_status(BAR, at(FRI, "22:00"))
    assert s.closes_at == at(SAT, "02:00")


def test_closure_cancels_the_day_but_not_the_night_before():
    # Saturday is a public holiday: no Saturday shift, but Friday's night still runs to 02:00.
    assert is_open_at(BAR, at(SAT, "01:00"), closures=[SAT])
    assert not is_open_at(BAR, at(SAT, "20:00"), closures=[SAT])
    assert is_open_at(BAR, at(SAT, "20:00"))
    assert not is_open_at(OFFICE, at(FRI, "12:00"), closures=[FRI])
    s = open_status(OFFICE, at(FRI, "12:00"), closures=[FRI])
    assert s.opens_at == at(date(2025, 6, 9), "08:00")


def test_24_hours_days_run_together():
    week = [Hours(d, is_24_hours=True) for d in (5, 6)]
    s = open_status(week, at(FRI, "09:00"))
    assert s.is_open and s.closes_at == at(SUN, "00:00")     # open through Friday and Saturday
    assert not is_open_at(week, at(SUN, "09:00"))


def test_closed_flag_and_missing_days():
    week = [Hours(5, is_closed=True), Hours(6, time(9), time(13))]
    assert not is_open_at(week, at(FRI, "10:00"))
    assert is_open_at(week, at(SAT, "10:00"))
    assert not is_open_at([], at(SAT, "10:00"))
    assert open_status([], at(SAT, "10:00")).opens_at is None


def test_time_zone_is_windhoek_whatever_the_input():
    utc_moment = datetime(2025, 6, 6, 6, 30, tzinfo=UTC)      # 08:30 in Windhoek (UTC+2)
    assert is_open_at(OFFICE, utc_moment)
    assert not is_open_at(OFFICE, datetime(2025, 6, 6, 5, 30, tzinfo=UTC))   # 07:30 local


@given(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(WHK)))
def test_open_247_is_always_open_and_closed_week_never(moment):
    assert is_open_at([Hours(d, is_24_hours=True) for d in range(7)], moment)
    assert not is_open_at([Hours(d, is_closed=True) for d in range(7)], moment)


def test_describe():
    assert describe(Hours(1, time(8), time(17))) == "08:00–17:00"
    assert describe(Hours(1, is_24_hours=True)) == "Open 24 hours"
    assert describe(Hours(1, is_closed=True)) == "Closed" and describe(None) == "Closed"


@pytest.mark.parametrize(("rows", "field"), [
    ([Hours(1, time(8), time(17)), Hours(1, time(9), time(10))], "1.day_of_week"),   # twice
    ([Hours(1, is_closed=True, is_24_hours=True)], "0.is_24_hours"),
    ([Hours(1, time(8), None)], "0.open_time"),
    ([Hours(1, time(8), time(8))], "0.close_time"),
    ([Hours(1, time(8), time(17), is_closed=True)], "0.open_time"),
    ([Hours(7, time(8), time(17))], "0.day_of_week"),
])
def test_invalid_weeks(rows, field):
    assert [e["field"] for e in validate_week(rows)] == [field]


def test_valid_week_incl_overnight():
    assert validate_week(BAR + [Hours(0, is_closed=True), Hours(1, is_24_hours=True)]) == []
