"""The JSON API at /api/v1: every domain's router, mounted once."""
from __future__ import annotations

from fastapi import APIRouter

from afrobiz.api.v1 import directory

api_router = APIRouter()
api_router.include_router(directory.router)
