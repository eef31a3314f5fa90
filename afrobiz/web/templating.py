"""Jinja2 environment shared by every page."""
from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup, escape

from afrobiz import i18n
from afrobiz.i18n import formatting
from afrobiz.web.static_files import StaticFiles

TEMPLATES_DIR = Path(__file__).parent / "templates"
static_files = StaticFiles()
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.add_extension("jinja2.ext.i18n")


# Every user-facing string in a template goes through gettext: {{ _("Book now") }},
# {{ _("%(n)s reviews", n=count) }}, {{ ngettext("%(num)d review", "%(num)d reviews", n) }}.
# The environment is shared by concurrent requests, so the language is not installed on it:
# these functions read the language of the request being rendered (see afrobiz/i18n).
def _lang(context) -> str:
    return i18n.request_language(context.get("request"))


@pass_context
def _gettext(context, message: str) -> str:
    return i18n.gettext(message, _lang(context))


@pass_context
def _ngettext(context, singular: str, plural: str, n: int) -> str:
    return i18n.ngettext(singular, plural, n, _lang(context))


@pass_context
def _pgettext(context, _ctx: str, message: str) -> str:
    return i18n.gettext(message, _lang(context))


@pass_context
def _npgettext(context, _ctx: str, singular: str, plural: str, n: int) -> str:
    return i18n.ngettext(singular, plural, n, _lang(context))


templates.env.install_gettext_callables(_gettext, _ngettext, newstyle=True,
                                        pgettext=_pgettext, npgettext=_npgettext)


# Dates, times and N$ amounts for Namibia in the reader's language (afrobiz/i18n/formatting).
@pass_context
def _money(context, amount, currency: str = "NAD") -> str:
    # &nbsp; keeps "N$" and the figure on one line (Markup: the entity stays as written).
    return Markup(str(escape(formatting.money(amount, currency, _lang(context)))).replace("\u00a0", "&nbsp;"))


@pass_context
def _date(context, value, style: str = "short") -> str:
    return formatting.format_day(value, style, _lang(context))


@pass_context
def _time(context, value) -> str:
    return formatting.format_clock(value, _lang(context))


@pass_context
def _datetime(context, value, style: str = "medium") -> str:
    return formatting.format_moment(value, style, _lang(context))


@pass_context
def _weekday_name(context, day: int) -> str:
    return formatting.weekday_name(day, _lang(context))


@pass_context
def _current_lang(context) -> str:
    return _lang(context)


templates.env.filters.update(money=_money, date=_date, time=_time, datetime=_datetime, weekday_name=_weekday_name)
templates.env.globals["current_lang"] = _current_lang
templates.env.globals["languages"] = i18n.LANGUAGES
templates.env.globals["static"] = static_files.url
templates.env.globals["site_name"] = "AfroBiz Connect"
