"""Dates, times and money as Namibians read them, in the visitor's language (Babel).

One place for every format, installed as Jinja filters by afrobiz/web/templating.py:
``{{ amount|money }}`` → "N$ 1,250.00" (Afrikaans "N$ 1 250,00"), ``{{ day|date }}`` →
"Wed, 25 Nov", ``{{ moment|time }}`` → "17:30" (always 24-hour), ``{{ moment|datetime }}``.
Aware datetimes are shown in Africa/Windhoek time.
"""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal

from afrobiz.i18n import current_language

TIMEZONE = ZoneInfo("Africa/Windhoek")
# The Babel locale whose number and date rules we use per language. Babel has no data for
# Oshiwambo; Namibian English is what its readers see in print, so it borrows en_NA.
FORMAT_LOCALES = {"en": "en_NA", "af": "af_NA", "de": "de", "ng": "en_NA"}
# Named date styles → CLDR skeletons (Babel orders the parts as each language does).
DATE_STYLES = {
    "short": "MMMEd",          # Wed, 25 Nov
    "medium": "yMMMd",         # 25 Nov 2026
    "medium_weekday": "yMMMEd",  # Wed, 25 Nov 2026
    "long": None,              # Wednesday, 25 November 2026 (CLDR's "full" date)
    "day": "MMMMEd",           # Wed, 25 November
    "daymonth": "MMMd",        # 25 Nov
    "month": "yMMM",           # Nov 2026
    "monthname": "MMM",        # Nov
    "weekday": "EEE",          # Wed
}


@lru_cache(maxsize=None)
def babel_locale(lang: str | None = None) -> Locale:
    return Locale.parse(FORMAT_LOCALES.get(lang or current_language(), "en_NA"))


def _local(value):
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(TIMEZONE)
    return value


def money(amount: Decimal | int | float | None, currency: str = "NAD", lang: str | None = None) -> str:
    """N$ and two decimals: Babel's en_NA would write "$", which Namibians read as US dollars."""
    if amount is None:
        return ""
    number = format_decimal(amount, format="#,##0.00", locale=babel_locale(lang))
    symbol = "N$" if (currency or "NAD") == "NAD" else currency
    return f"{symbol}\u00a0{number}"


def format_day(value: date | datetime | None, style: str = "short", lang: str | None = None) -> str:
    if value is None:
        return ""
    value = _local(value)
    if isinstance(value, datetime):
        value = value.date()
    skeleton = DATE_STYLES.get(style, style)
    if skeleton is None:
        return format_date(value, "full", locale=babel_locale(lang))
    return format_skeleton(skeleton, value, locale=babel_locale(lang))


def format_clock(value: time | datetime | None, lang: str | None = None) -> str:
    """Always 24-hour ("17:30"), as timetables and bookings in Namibia are written."""
    if value is None:
        return ""
    value = _local(value)
    return f"{value.hour:02d}:{value.minute:02d}"


def format_moment(value: datetime | None, style: str = "medium", lang: str | None = None) -> str:
    if value is None:
        return ""
    return f"{format_day(value, style, lang)} {format_clock(value, lang)}"


def weekday_name(day: int, lang: str | None = None, width: str = "wide") -> str:
    """The day's name for 0 = Sunday … 6 = Saturday (PostgreSQL's and our tables' numbering);
    ``width="abbreviated"`` for "Mon", "Di." (chart labels)."""
    return babel_locale(lang).days["format"][width][(day + 6) % 7].capitalize()
