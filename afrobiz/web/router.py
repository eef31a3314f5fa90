"""The HTML pages: every area's router, mounted once."""
from __future__ import annotations

from fastapi import APIRouter

from afrobiz.web.pages import home

web_router = APIRouter(include_in_schema=False)
web_router.include_router(home.router)
