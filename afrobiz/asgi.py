"""The ASGI app for uvicorn workers: `uvicorn afrobiz.asgi:app` with AFROBIZ_DATABASE_URL set."""
from __future__ import annotations

from afrobiz.app import create_app
from afrobiz.config import get_settings

_settings = get_settings()
if not _settings.database_url:
    raise SystemExit("AFROBIZ_DATABASE_URL is not set: start with `afrobiz serve`, which provides one")
app = create_app(_settings.database_url, _settings)
