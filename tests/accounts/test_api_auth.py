"""Sign-up, log-in, log-out, sessions, throttling and suspension through the API, on both
session stores (PostgreSQL and Redis)."""
from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import select

from afrobiz.accounts.models import User
from afrobiz.admin.models import AuditLog
from factories.accounts import STRONG, bearer
from factories.accounts import create_user

pytestmark = pytest.mark.usefixtures("store")


async def _audit_actions(db, user_id) -> list[str]:
    rows = await db.scalars(select(AuditLog.action).where(AuditLog.record_id == user_id).order_by(AuditLog.created_at))
    return list(rows)


async def test_register_then_login_then_me_then_logout(client, db, register, api_login):
    r = await register("Ndapewa@Example.NA", phone="081 234 5678", role="business_owner", marketing_consent=True)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["email"] == "Ndapewa@example.na" and body["role"] == "business_owner"
    assert body["phone"] == "+264812345678" and body["marketing_consent"] is True
    assert body["email_verified"] is False and "password_hash" not in body and "password" not in body

    user = await db.get(User, uuid.UUID(body["id"]))
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")

    r = await api_login("ndapewa@example.na", headers={"User-Agent": "pytest-agent"})   # case-insensitive
    assert r.status_code == 200, r.text
    login = r.json()
    assert login["token_type"] == "bearer" and len(login["access_token"]) >= 43
    assert login["user"]["id"] == body["id"] and login["user"]["last_login_at"] is not None

    me = await client.get("/api/v1/me", headers=bearer(login["access_token"]))
    assert me.status_code == 200 and me.json()["id"] == body["id"] and "password_hash" not in me.json()

    assert (await client.post("/api/v1/auth/logout", headers=bearer(login["access_token"]))).status_code == 204
    assert (await client.get("/api/v1/me", headers=bearer(login["access_token"]))).status_code == 401
    assert await _audit_actions(db, user.id) == ["user.register", "user.login"]
    row = (await db.scalars(select(AuditLog).where(AuditLog.action == "user.login",
                                                    AuditLog.record_id == user.id))).one()
    assert str(row.ip_address) == "127.0.0.1" and row.user_agent == "pytest-agent"


async def test_every_login_gets_a_new_token(db, api_login):
    user = await create_user(db, password=STRONG)
    first, second = [(await api_login(user.email)).json()["access_token"] for _ in range(2)]
    assert first != second


@pytest.mark.parametrize("role", ["admin", "superuser"])
async def test_register_cannot_make_an_admin(register, role):
    r = await register(role=role)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("password,why", [("short7!", "at least 8"), ("password123", "too common"),
                                          ("Qwertyuiop", "too common"), ("x" * 129, "at most 128")])
async def test_register_rejects_weak_passwords_with_a_field_error(register, password, why):
    r = await register(password=password)
    assert r.status_code == 422
    assert any(e["field"] == "password" and why in e["message"] for e in r.json()["errors"]), r.json()


async def test_long_passphrases_are_accepted(register):
    assert (await register(password="a long passphrase about the namib desert " * 3)).status_code == 201


async def test_bad_phone_is_a_field_error(register):
    r = await register(phone="12")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "phone"


async def test_register_existing_email_answers_like_a_success_and_mails_the_owner(db, register, inbox):
    existing = await create_user(db, email="taken@example.na", password=STRONG)
    new = await register("fresh@example.na")
    again = await register("TAKEN@example.na")
    assert new.status_code == again.status_code == 201
    assert set(new.json()) == set(again.json())
    assert again.json()["id"] != str(existing.id) and again.json()["email_verified"] is False
    assert (await db.scalar(select(User).where(User.email == "taken@example.na"))).id == existing.id
    [notice] = inbox.to("taken@example.na")
    assert "already has an account" in inbox.body(notice)
    [welcome] = inbox.to("fresh@example.na")
    assert "/verify-email?token=" in inbox.body(welcome)


async def test_login_refusal_is_identical_for_unknown_email_and_wrong_password(db, api_login):
    user = await create_user(db, password=STRONG)
    started = time.perf_counter()
    unknown = await api_login("nobody-here@example.na", "whatever-password")
    unknown_time = time.perf_counter() - started
    started = time.perf_counter()
    wrong = await api_login(user.email, "whatever-password")
    wrong_time = time.perf_counter() - started
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    assert unknown.headers["content-type"] == wrong.headers["content-type"] == "application/problem+json"
    # Both paths do one argon2 verification; only a gross difference (no hashing at all) is a bug.
    assert unknown_time > 0.3 * wrong_time
    assert "user.login_failed" in await _audit_actions(db, user.id)


async def test_eleventh_wrong_password_is_429_even_with_the_right_one(db, api_login):
    user = await create_user(db, password=STRONG)
    for _ in range(10):
        assert (await api_login(user.email, "wrong-password-1")).status_code == 401
    r = await api_login(user.email, STRONG)
    assert r.status_code == 429
    assert r.headers["content-type"] == "application/problem+json"
    assert 1 <= int(r.headers["retry-after"]) <= 15 * 60


async def test_ip_throttle_holds_across_accounts_and_forged_forwarded_for(db, api_login):
    for i in range(30):
        r = await api_login(f"someone{i}@example.na", "wrong-password-1",
                            headers={"X-Forwarded-For": f"10.9.{i}.1"})   # forged: no trusted proxy
        assert r.status_code == 401
    r = await api_login("another@example.na", "wrong-password-1", headers={"X-Forwarded-For": "10.10.10.10"})
    assert r.status_code == 429 and "retry-after" in r.headers


async def test_unknown_email_is_throttled_like_a_known_one(api_login):
    for _ in range(10):
        await api_login("ghost@example.na", "wrong-password-1")
    assert (await api_login("ghost@example.na", "wrong-password-1")).status_code == 429


async def test_register_is_throttled_per_ip(register):
    for i in range(10):
        assert (await register()).status_code == 201
    r = await register()
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


async def test_logout_everywhere_ends_every_token(client, db, api_login):
    user = await create_user(db, password=STRONG)
    tokens = [(await api_login(user.email)).json()["access_token"] for _ in range(3)]
    assert (await client.post("/api/v1/auth/logout-all", headers=bearer(tokens[0]))).status_code == 204
    for token in tokens:
        assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 401


async def test_suspension_ends_sessions_at_once_and_refuses_login(client, db, api_login, login):
    user = await create_user(db, password=STRONG)
    admin = await create_user(db, role="admin")
    token = (await api_login(user.email)).json()["access_token"]
    assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 200

    r = await client.post(f"/api/v1/admin/users/{user.id}/suspend", json={"reason": "Fake reviews"},
                          headers=await login(admin))
    assert r.status_code == 200, r.text
    assert r.json()["is_suspended"] is True and r.json()["suspension_reason"] == "Fake reviews"
    assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 401

    refused = await api_login(user.email)
    assert refused.status_code == 403 and "suspended" in refused.json()["detail"]
    assert "Fake reviews" in refused.json()["detail"]
    audit = (await db.scalars(select(AuditLog).where(AuditLog.action == "user.suspend"))).one()
    assert audit.user_id == admin.id and audit.record_id == user.id
    assert audit.new_values["is_suspended"] is True and audit.old_values["is_suspended"] is False

    r = await client.post(f"/api/v1/admin/users/{user.id}/unsuspend", headers=await login(admin))
    assert r.status_code == 200 and (await api_login(user.email)).status_code == 200


async def test_only_admins_suspend(client, db, login):
    customer, target = await create_user(db), await create_user(db)
    r = await client.post(f"/api/v1/admin/users/{target.id}/suspend", json={"reason": "spam spam"},
                          headers=await login(customer))
    assert r.status_code == 403
    admin = await create_user(db, role="admin")
    r = await client.post(f"/api/v1/admin/users/{uuid.uuid4()}/suspend", json={"reason": "spam spam"},
                          headers=await login(admin))
    assert r.status_code == 404


async def test_a_deactivated_user_is_refused(client, db, api_login):
    user = await create_user(db, password=STRONG)
    token = (await api_login(user.email)).json()["access_token"]
    user.is_active = False
    await db.flush()
    assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 401
    assert (await api_login(user.email)).status_code == 403


async def test_login_rehashes_when_parameters_rise(db, api_login):
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    weak = PasswordHash((Argon2Hasher(memory_cost=8192, time_cost=1, parallelism=1),)).hash(STRONG)
    user = await create_user(db)
    user.password_hash = weak
    await db.flush()
    assert (await api_login(user.email)).status_code == 200
    await db.refresh(user)
    assert user.password_hash != weak and user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
