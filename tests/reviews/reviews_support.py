"""Helpers for the review tests (a unique module name: conftest.py is not importable by name
when several test folders have one)."""
from __future__ import annotations

from sqlalchemy import text


async def totals(db, business_id):
    """(stored average, stored count) next to a fresh AVG/COUNT over approved reviews."""
    stored = (await db.execute(text("SELECT average_rating, review_count FROM businesses WHERE id = :b"),
                               {"b": business_id})).one()
    fresh = (await db.execute(text(
        "SELECT COALESCE(ROUND(AVG(rating), 2), 0), COUNT(*) FROM reviews "
        "WHERE business_id = :b AND status = 'approved'"), {"b": business_id})).one()
    return tuple(stored), tuple(fresh)


async def cookie(db, user) -> dict:
    """Headers of a logged-in browser (the pages' session cookie) for user."""
    from afrobiz.accounts.sessions import start_session
    from afrobiz.web.deps import COOKIE_NAME

    return {"Cookie": f"{COOKIE_NAME}={await start_session(db, user=user)}"}


def csrf(html: str) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
