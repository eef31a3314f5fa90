"""Sessions do not depend on Redis: with Redis configured but unreachable, sign-up, log-in,
authenticated calls and log-out all work (issue 12 §5: browsing and booking go on)."""
from __future__ import annotations

from sqlalchemy import func, select

from afrobiz.accounts.models import UserSession
from afrobiz.kit import ratelimit
from factories.accounts import STRONG, create_user


async def test_log_in_use_and_log_out_with_redis_unreachable(client, db, settings, api_login):
    settings.redis_url = "redis://127.0.0.1:1/0"       # nothing listens there
    user = await create_user(db, password=STRONG)
    r = await api_login(user.email)
    assert r.status_code == 200, r.text
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert ratelimit.current_url() == settings.redis_url     # the app really is configured for Redis
    me = await client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json()["id"] == str(user.id)
    assert await db.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)) == 1
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
