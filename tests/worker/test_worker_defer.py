"""defer_in_transaction: the job shares the request's fate (DESIGN 2)."""
from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.db.session import set_identity
from afrobiz.notifications import jobs
from afrobiz.worker.app import defer_in_transaction


async def _job_exists(engine, job_id: int) -> bool:
    # Asked on another connection: only committed work is visible there.
    async with engine.connect() as conn:
        found = await conn.scalar(text("SELECT count(*) FROM procrastinate.procrastinate_jobs WHERE id = :id"),
                                  {"id": job_id})
    return found == 1


async def _defer(engine, *, commit: bool) -> int:
    async with AsyncSession(engine) as session, session.begin() as trans:
        await set_identity(session, None, "anonymous")   # as a request would, through the app's role
        job_id = await defer_in_transaction(session, jobs.send_email, notification_id="00000000-0000-0000-0000-000000000000")
        assert not await _job_exists(engine, job_id)     # not visible before the transaction ends
        if not commit:
            await trans.rollback()
    return job_id


async def test_job_deferred_in_a_rolled_back_transaction_vanishes(engine):
    job_id = await _defer(engine, commit=False)
    assert not await _job_exists(engine, job_id)


async def test_job_deferred_in_a_committed_transaction_exists(engine):
    job_id = await _defer(engine, commit=True)
    try:
        assert await _job_exists(engine, job_id)
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM procrastinate.procrastinate_jobs WHERE id = :id"), {"id": job_id})


async def test_deferring_leaves_the_apps_names_resolving_in_public(db):
    await defer_in_transaction(db, jobs.send_email, notification_id="00000000-0000-0000-0000-000000000000")
    assert (await db.scalar(text("SELECT (current_schemas(false))[1]"))) == "public"
