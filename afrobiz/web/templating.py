"""Jinja2 environment shared by every page."""
from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from afrobiz.web.static_files import StaticFiles

TEMPLATES_DIR = Path(__file__).parent / "templates"
static_files = StaticFiles()
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.globals["static"] = static_files.url
templates.env.globals["site_name"] = "AfroBiz Connect"
