"""Shared pieces every domain uses: bearer identity, notify(), the audit log, acting as system."""
from __future__ import annotations

import pytest
from fastapi import APIRouter, Depends
from sqlalchemy import func, select, text

from afrobiz.accounts.sessions import end_all_sessions, end_session, resolve_session, start_session
from afrobiz.admin.audit import record
from afrobiz.admin.models import AuditLog
from afrobiz.api.deps import current_user, require_role
from afrobiz.db.session import acting_as_system, set_identity
from afrobiz.notifications.models import Notification
from afrobiz.notifications.service import notify
from factories.accounts import create_user


@pytest.fixture
async def probe_client(app, client):
    router = APIRouter()

    @router.get("/api/v1/_probe/me")
    async def me(user=Depends(current_user)):
        return {"id": str(user.id)}

    @router.get("/api/v1/_probe/admin")
    async def admin_only(user=Depends(require_role("admin"))):
        return {"ok": True}

    app.include_router(router)
    return client


async def test_bearer_token_identifies_the_user(probe_client, db, login):
    user = await create_user(db)
    r = await probe_client.get("/api/v1/_probe/me", headers=await login(user))
    assert r.status_code == 200 and r.json()["id"] == str(user.id)


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer " + "x" * 300])
async def test_missing_or_bad_token_is_401_problem(probe_client, header):
    r = await probe_client.get("/api/v1/_probe/me", headers={"Authorization": header} if header else {})
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["www-authenticate"] == "Bearer"


async def test_wrong_role_is_403(probe_client, db, login):
    customer = await create_user(db)
    r = await probe_client.get("/api/v1/_probe/admin", headers=await login(customer))
    assert r.status_code == 403
    admin = await create_user(db, role="admin")
    assert (await probe_client.get("/api/v1/_probe/admin", headers=await login(admin))).status_code == 200


async def test_revoked_suspended_and_logged_out_everywhere_tokens_stop_working(db):
    user = await create_user(db)
    t1, t2, t3 = [await start_session(db, user=user) for _ in range(3)]
    assert len({t1, t2, t3}) == 3 and len(t1) >= 43          # 256 bits, url-safe base64
    await end_session(db, t1)
    assert await resolve_session(db, t1) is None
    assert (await resolve_session(db, t2)).id == user.id
    await end_all_sessions(db, user.id)
    assert await resolve_session(db, t2) is None and await resolve_session(db, t3) is None
    t4 = await start_session(db, user=user)
    user.is_suspended = True
    await db.flush()
    assert await resolve_session(db, t4) is None


async def test_notify_records_for_another_user_despite_rls(db):
    owner, customer = await create_user(db, role="business_owner"), await create_user(db)
    await set_identity(db, customer.id, "customer")          # a customer's action notifies the owner
    await notify(db, user_id=owner.id, type="booking_confirmed", title="New booking", message="Tomorrow 10:00")
    assert (await db.execute(text("SELECT app_role()"))).scalar() == "customer"   # identity restored
    # The customer cannot read the owner's notification...
    assert (await db.scalar(select(func.count()).select_from(Notification))) == 0
    # ...the owner can.
    await set_identity(db, owner.id, "business_owner")
    rows = (await db.scalars(select(Notification))).all()
    assert [n.title for n in rows] == ["New booking"]


async def test_acting_as_system_restores_identity_even_on_error(db):
    user = await create_user(db)
    await set_identity(db, user.id, "customer")
    with pytest.raises(RuntimeError):
        async with acting_as_system(db):
            assert (await db.execute(text("SELECT app_role()"))).scalar() == "system"
            raise RuntimeError("boom")
    assert (await db.execute(text("SELECT app_user_id()"))).scalar() == user.id


async def test_audit_record_keeps_who_what_old_new(db):
    admin = await create_user(db, role="admin")
    await record(db, actor_id=admin.id, action="business.suspend", table_name="businesses",
                 record_id=admin.id, old={"status": "active"}, new={"status": "suspended"}, ip="196.44.1.2")
    row = (await db.scalars(select(AuditLog).where(AuditLog.action == "business.suspend"))).one()
    assert row.user_id == admin.id and row.old_values == {"status": "active"}
    assert str(row.ip_address) == "196.44.1.2"
