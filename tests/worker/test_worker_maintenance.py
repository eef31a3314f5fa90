"""Periodic upkeep: view-log retention, partitions ahead of time, the schedule itself."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from ipaddress import ip_address

import psycopg
from sqlalchemy import select

from afrobiz.engagement.models import BusinessView
from afrobiz.worker import maintenance
from afrobiz.worker.app import app
from factories.accounts import create_user
from factories.directory import create_business

NOW = datetime(2030, 6, 14, 12, 0, tzinfo=UTC)


async def test_view_logs_forget_ips_after_30_days_and_rows_after_a_year(db):
    business = await create_business(db, owner=await create_user(db, role="business_owner"))
    ages = {"fresh": 29, "month_old": 31, "year_old": 366}
    views = {name: BusinessView(business_id=business.id, ip_address=ip_address("196.44.1.2"),
                                viewed_at=NOW - timedelta(days=days)) for name, days in ages.items()}
    db.add_all(views.values())
    await db.flush()
    counts = await maintenance.purge_view_logs(db, now=NOW)
    assert counts["ip_cleared"] >= 1 and counts["deleted"] >= 1
    left = {v.id: v.ip_address for v in await db.scalars(
        select(BusinessView).where(BusinessView.business_id == business.id).execution_options(populate_existing=True))}
    assert left == {views["fresh"].id: ip_address("196.44.1.2"), views["month_old"].id: None}


async def test_expired_sessions_and_idempotency_keys_are_forgotten(db):
    from afrobiz.accounts.models import UserSession
    from afrobiz.db.session import set_identity
    from afrobiz.payments.models import IdempotencyKey

    user = await create_user(db)
    rows = {}
    for name, hours in (("expired", -1), ("live", 1)):
        rows[name] = (
            UserSession(user_id=user.id, token_hash=name.encode().ljust(32, b"-"), expires_at=NOW + timedelta(hours=hours)),
            IdempotencyKey(key=f"key-{name}", user_id=user.id, scope="bookings.create", request_hash="0" * 64,
                           expires_at=NOW + timedelta(hours=hours)))
        db.add_all(rows[name])
    await db.flush()
    await set_identity(db, None, "system")               # as the worker's job_session
    counts = await maintenance.purge_expired(db, now=NOW)
    assert counts["user_sessions"] >= 1 and counts["idempotency_keys"] >= 1
    left_sessions = set(await db.scalars(select(UserSession.id).where(UserSession.user_id == user.id)))
    left_keys = set(await db.scalars(select(IdempotencyKey.id).where(IdempotencyKey.user_id == user.id)))
    assert left_sessions == {rows["live"][0].id} and left_keys == {rows["live"][1].id}


async def test_partitions_are_created_ahead(database_url):
    await maintenance.ensure_partitions(database_url)        # safe to run again and again
    assert await maintenance.ensure_partitions(database_url) == []
    ahead = (datetime.now(UTC).replace(day=1) + timedelta(days=62)).strftime("audit_logs_y%Ym%m")
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT to_regclass(%s)", (ahead,)).fetchone()[0] is not None


def test_the_schedule_has_every_periodic_job():
    import afrobiz.worker.periodic  # noqa: F401  (registers the schedule)

    scheduled = {p.task.name for p in app.periodic_registry.periodic_tasks.values()}
    assert scheduled == {"bookings.send_reminders", "bookings.send_follow_ups", "bookings.expire_pending",
                              "db.ensure_partitions", "engagement.purge_view_logs", "analytics.rollup",
                         "accounts.purge_expired",
                         "payments.release_unpaid", "worker.retry_stalled_jobs"}
