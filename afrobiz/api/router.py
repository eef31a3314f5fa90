"""The JSON API at /api/v1: every domain's router, mounted once."""
from __future__ import annotations

from fastapi import APIRouter

from afrobiz.api.v1 import booking
from afrobiz.api.v1 import notifications
from afrobiz.api.v1 import directory
from afrobiz.api.v1 import admin_directory
from afrobiz.api.v1 import reviews, favorites, admin_reviews
from afrobiz.api.v1 import search
from afrobiz.api.v1 import accounts
from afrobiz.api.v1 import analytics, admin
from afrobiz.api.v1 import payments
from afrobiz.api.v1 import payments_reports
from afrobiz.api.v1 import sms_webhook

api_router = APIRouter()
# First (issue 5): every route before a match costs two regex tests; only /search/* is here.
api_router.include_router(search.router)
api_router.include_router(directory.router)
api_router.include_router(admin_directory.router)
api_router.include_router(booking.router)
api_router.include_router(reviews.router)
api_router.include_router(favorites.router)
api_router.include_router(admin_reviews.router)
api_router.include_router(notifications.router)
api_router.include_router(accounts.router)
api_router.include_router(payments.router)
api_router.include_router(payments_reports.router)
api_router.include_router(analytics.router)
api_router.include_router(admin.router)
api_router.include_router(sms_webhook.router)
