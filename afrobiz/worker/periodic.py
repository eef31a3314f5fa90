"""The periodic schedule: what the worker does by the clock (cron in UTC).

procrastinate defers each periodic job once per tick however many workers run (a unique
row in procrastinate_periodic_defers), and each task is itself safe to run twice.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime

from afrobiz.booking import jobs as booking_jobs
from afrobiz.payments.flows import release_unpaid_bookings
from afrobiz.worker import maintenance
from afrobiz.worker.app import app, job_session, runtime

log = logging.getLogger("afrobiz.worker")


def _now() -> datetime:
    return datetime.now(UTC)


@app.periodic(cron="*/5 * * * *", periodic_id="reminders")
@app.task(name="bookings.send_reminders", queue="periodic")
async def send_reminders(timestamp: int) -> int:
    async with job_session() as session:
        return len(await booking_jobs.send_due_reminders(session, now=_now(), settings=runtime().settings))


@app.periodic(cron="*/15 * * * *", periodic_id="follow_ups")
@app.task(name="bookings.send_follow_ups", queue="periodic")
async def send_follow_ups(timestamp: int) -> int:
    async with job_session() as session:
        return len(await booking_jobs.send_due_follow_ups(session, now=_now(), settings=runtime().settings))


@app.periodic(cron="*/5 * * * *", periodic_id="expire_pending")
@app.task(name="bookings.expire_pending", queue="periodic")
async def expire_pending(timestamp: int) -> int:
    async with job_session() as session:
        return len(await booking_jobs.expire_pending_bookings(session, now=_now()))


@app.periodic(cron="*/5 * * * *", periodic_id="release_unpaid")
@app.task(name="payments.release_unpaid", queue="periodic")
async def release_unpaid(timestamp: int) -> int:
    """Free the slots of bookings whose required deposit was not paid in time (payments domain)."""
    async with job_session() as session:
        return len(await release_unpaid_bookings(session, _now()))


@app.periodic(cron="10 0 * * *", periodic_id="partitions")
@app.task(name="db.ensure_partitions", queue="periodic")
async def ensure_partitions(timestamp: int) -> list[str]:
    return await maintenance.ensure_partitions(runtime().database_url)


@app.periodic(cron="20 0 * * *", periodic_id="retention")
@app.task(name="engagement.purge_view_logs", queue="periodic")
async def purge_view_logs(timestamp: int) -> dict[str, int]:
    async with job_session() as session:
        return await maintenance.purge_view_logs(session, now=_now())


@app.periodic(cron="25 0 * * *", periodic_id="expired")
@app.task(name="accounts.purge_expired", queue="periodic")
async def purge_expired(timestamp: int) -> dict[str, int]:
    async with job_session() as session:
        return await maintenance.purge_expired(session, now=_now())


@app.periodic(cron="30 0 * * *", periodic_id="analytics_rollup")
@app.task(name="analytics.rollup", queue="periodic")
async def analytics_rollup(timestamp: int) -> list[str]:
    """Roll up every missed day up to yesterday (analytics.jobs.rollup); returns those days."""
    from afrobiz.analytics.jobs import rollup

    async with job_session() as session:
        return [day.isoformat() for day in await rollup(session, now=_now())]


@app.periodic(cron="* * * * *", periodic_id="retry_stalled")
@app.task(name="worker.retry_stalled_jobs", queue="periodic", queueing_lock="retry_stalled_jobs")
async def retry_stalled(timestamp: int) -> int:
    """Jobs a worker was running when it lost the database (or was killed) go back in the
    queue once its heartbeat is 30 s old; a restarting worker also does this when it starts."""
    from afrobiz.worker.run import retry_stalled_jobs

    return await retry_stalled_jobs()
