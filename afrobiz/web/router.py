"""The HTML pages: every area's router, mounted once."""
from __future__ import annotations

from fastapi import APIRouter

from afrobiz.web.pages import home
from afrobiz.web.pages import booking
from afrobiz.web.pages import accounts
from afrobiz.web.pages import notifications
from afrobiz.web.pages import directory
from afrobiz.web.pages import directory_owner
from afrobiz.web.pages import search
from afrobiz.web.pages import reviews
from afrobiz.web.pages import analytics, admin
from afrobiz.web.pages import payments
from afrobiz.i18n import pages as language_pages

web_router = APIRouter(include_in_schema=False)
web_router.include_router(home.router)
web_router.include_router(directory.router)
web_router.include_router(directory_owner.router)
web_router.include_router(notifications.router)
web_router.include_router(accounts.router)
web_router.include_router(search.router)
web_router.include_router(reviews.router)
web_router.include_router(booking.router)
web_router.include_router(payments.router)
web_router.include_router(language_pages.router)
web_router.include_router(analytics.router)
web_router.include_router(admin.router)
