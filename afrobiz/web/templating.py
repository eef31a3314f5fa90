"""Jinja2 environment shared by every page."""
from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from afrobiz.web.static_files import StaticFiles

TEMPLATES_DIR = Path(__file__).parent / "templates"
static_files = StaticFiles()
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.add_extension("jinja2.ext.i18n")
# Every user-facing string in a template goes through gettext: {{ _("Book now") }},
# {{ _("%(n)s reviews", n=count) }}. Until a catalogue is chosen per request these are
# the English originals (the i18n layer swaps in the visitor's language).
templates.env.install_null_translations(newstyle=True)
templates.env.globals["static"] = static_files.url
templates.env.globals["site_name"] = "AfroBiz Connect"
