"""The date bounds of afrobiz/kit/dates.py: 1900-01-01 .. 2100-12-31 for every date input."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import BaseModel, ValidationError

from afrobiz.errors import InvalidInput
from afrobiz.kit.dates import OUT_OF_RANGE, BoundedDate, BoundedDateTime, check_moment, parse_date


class Form(BaseModel):
    day: BoundedDate
    moment: BoundedDateTime | None = None


@pytest.mark.parametrize("day, ok", [("1900-01-01", True), ("2100-12-31", True), ("2026-03-04", True),
                                     ("1899-12-31", False), ("2101-01-01", False), ("0001-01-01", False),
                                     ("9999-12-31", False)])
def test_bounded_date(day, ok):
    if ok:
        assert Form(day=day).day == date.fromisoformat(day)
    else:
        with pytest.raises(ValidationError) as caught:
            Form(day=day)
        assert caught.value.errors()[0]["msg"] == OUT_OF_RANGE


def test_bounded_datetime_takes_its_own_calendar_day():
    assert Form(day="2000-01-01", moment="2100-12-31T23:59:59-12:00").moment.tzinfo == timezone(timedelta(hours=-12))
    for far in ("9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00", "2101-01-01T00:00:00Z"):
        with pytest.raises(ValidationError):
            Form(day="2000-01-01", moment=far)


def test_parse_date_for_pages():
    assert parse_date("", "from") is None and parse_date(None, "from") is None
    assert parse_date("2030-05-06", "from") == date(2030, 5, 6)
    with pytest.raises(InvalidInput) as caught:
        parse_date("9999-12-31", "to")
    assert caught.value.errors == [{"field": "to", "message": OUT_OF_RANGE}]
    with pytest.raises(InvalidInput) as caught:
        parse_date("31/12/2030", "to", malformed="Give dates as YYYY-MM-DD.")
    assert caught.value.errors == [{"field": "to", "message": "Give dates as YYYY-MM-DD."}]


def test_check_moment():
    now = datetime.now(UTC)
    assert check_moment(now, "from") is now
    with pytest.raises(InvalidInput):
        check_moment(datetime(9999, 12, 31, tzinfo=UTC), "from")
