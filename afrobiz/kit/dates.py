"""The dates the platform takes in: 1900-01-01 to 2100-12-31, for every date and moment input.

Python's dates end at the years 1 and 9999, and the domain adds days, converts time zones and
builds ranges around what it is given: 9999-12-31 plus one day, or 0001-01-01 in Windhoek
time converted to UTC, is an OverflowError (a 500). No booking, closure, report or birth date
is sensibly outside these bounds, so every input is held to them (a 422) and the domain can
do its arithmetic freely. The bounds appear in the OpenAPI document as `formatMinimum` and
`formatMaximum`.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from afrobiz.errors import InvalidInput

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
OUT_OF_RANGE = "Use a date from 1900-01-01 to 2100-12-31."


def within(day: date) -> bool:
    return EARLIEST <= day <= LATEST


def _date_in_range(value: date) -> date:
    if not within(value):
        raise PydanticCustomError("date_range", OUT_OF_RANGE)
    return value


def _moment_in_range(value: datetime) -> datetime:
    # Its own calendar day, whatever its offset: a day either side cannot overflow.
    if not within(value.date()):
        raise PydanticCustomError("date_range", OUT_OF_RANGE)
    return value


_BOUNDS = {"formatMinimum": EARLIEST.isoformat(), "formatMaximum": LATEST.isoformat()}


# Classes, not Annotated aliases: FastAPI drops an alias's validators in the common
# `day: BoundedDate = Query(...)` spelling; a type of its own cannot be dropped.
class BoundedDate(date):
    """As a field or parameter type: a date from EARLIEST to LATEST (a 422 outside).
    Pydantic hands over a plain `date`."""

    @classmethod
    def __get_pydantic_core_schema__(cls, _source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(_date_in_range, handler(date))

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict:
        return handler(schema) | _BOUNDS


class BoundedDateTime(datetime):
    """As a field or parameter type: a moment whose own date is from EARLIEST to LATEST.
    Pydantic hands over a plain `datetime`."""

    @classmethod
    def __get_pydantic_core_schema__(cls, _source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(_moment_in_range, handler(datetime))

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict:
        return handler(schema) | {"formatMinimum": f"{EARLIEST.isoformat()}T00:00:00Z",
                                  "formatMaximum": f"{LATEST.isoformat()}T23:59:59Z"}


def parse_date(text: str | None, field: str, *, malformed: str = "Write the date as YYYY-MM-DD.") -> date | None:
    """A date typed into a page or a query (YYYY-MM-DD; blank is None), else InvalidInput on `field`."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(malformed, field=field) from None
    if not within(day):
        raise InvalidInput(OUT_OF_RANGE, field=field)
    return day


def check_moment(moment: datetime, field: str) -> datetime:
    """A moment parsed by hand (e.g. an audit-log filter), held to the same bounds."""
    if not within(moment.date()):
        raise InvalidInput(OUT_OF_RANGE, field=field)
    return moment
