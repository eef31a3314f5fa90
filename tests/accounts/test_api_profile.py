"""GET/PATCH /me, password/e-mail/phone changes, verification links, reset, export, delete."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from afrobiz.accounts.models import User, VerificationToken
from afrobiz.admin.models import AuditLog
from afrobiz.notifications.service import notify
from factories.accounts import STRONG, bearer
from factories.accounts import create_user

NEW = "oryx-dune-sossusvlei-77"


async def test_patch_me_changes_only_profile_fields(client, db, login):
    user = await create_user(db, password=STRONG)
    r = await client.patch("/api/v1/me", headers=await login(user), json={
        "first_name": "Tangeni", "location_city": "Oshakati", "preferred_language": "af",
        "role": "admin", "email": "evil@example.na", "email_verified": True, "phone_verified": True,
        "is_suspended": False, "is_active": True, "id": str(uuid.uuid4()), "password_hash": "x"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["first_name"] == "Tangeni" and body["location_city"] == "Oshakati"
    assert body["role"] == "customer" and body["email"] == user.email and body["id"] == str(user.id)
    assert body["email_verified"] is False and body["phone_verified"] is False
    await db.refresh(user)
    assert user.role == "customer" and user.password_hash.startswith("$argon2id$")


async def test_patch_me_rejects_an_empty_name(client, db, login):
    user = await create_user(db)
    r = await client.patch("/api/v1/me", headers=await login(user), json={"first_name": ""})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "first_name"


async def test_me_needs_a_token(client):
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_change_password_needs_the_current_one_and_ends_other_sessions(client, db, api_login, inbox):
    user = await create_user(db, password=STRONG)
    old_tokens = [(await api_login(user.email)).json()["access_token"] for _ in range(2)]
    wrong = await client.post("/api/v1/me/password", headers=bearer(old_tokens[0]),
                              json={"current_password": "not-it-at-all", "new_password": NEW})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "current_password"
    weak = await client.post("/api/v1/me/password", headers=bearer(old_tokens[0]),
                             json={"current_password": STRONG, "new_password": "12345678"})
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "new_password"

    r = await client.post("/api/v1/me/password", headers=bearer(old_tokens[0]),
                          json={"current_password": STRONG, "new_password": NEW})
    assert r.status_code == 200, r.text
    for token in old_tokens:
        assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 401
    assert (await client.get("/api/v1/me", headers=bearer(r.json()["access_token"]))).status_code == 200
    assert (await api_login(user.email, STRONG)).status_code == 401
    assert (await api_login(user.email, NEW)).status_code == 200
    assert "account was changed" in inbox.body(inbox.to(user.email)[-1])
    assert await db.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "user.password_change", AuditLog.record_id == user.id)) == 1


async def test_email_verification_link_is_single_use(client, db, register, inbox):
    r = await register("verify-me@example.na")
    token = inbox.link_token("verify-me@example.na", "/verify-email")
    stored = (await db.scalars(select(VerificationToken).where(VerificationToken.user_id == uuid.UUID(r.json()["id"])))).one()
    assert token.encode() not in stored.token_hash and len(stored.token_hash) == 32      # only the hash is kept
    assert (await client.post("/api/v1/auth/verify-email", json={"token": token})).status_code == 200
    assert (await db.get(User, uuid.UUID(r.json()["id"]))).email_verified is True
    again = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "token"


async def test_expired_link_is_refused(client, db, register, inbox):
    r = await register("late@example.na")
    token = inbox.link_token("late@example.na", "/verify-email")
    link = (await db.scalars(select(VerificationToken).where(VerificationToken.user_id == uuid.UUID(r.json()["id"])))).one()
    link.expires_at = link.created_at
    await db.flush()
    assert (await client.post("/api/v1/auth/verify-email", json={"token": token})).status_code == 422


async def test_email_change_needs_password_and_happens_when_the_new_address_confirms(client, db, login, inbox):
    user = await create_user(db, password=STRONG, email_verified=True)
    headers = await login(user)
    assert (await client.post("/api/v1/me/email", headers=headers,
                              json={"email": "new@example.na", "password": "wrong-one-here"})).status_code == 422
    r = await client.post("/api/v1/me/email", headers=headers, json={"email": "new@example.na", "password": STRONG})
    assert r.status_code == 202
    await db.refresh(user)
    assert user.email != "new@example.na"            # nothing changes until the link is followed
    token = inbox.link_token("new@example.na", "/verify-email")
    assert (await client.post("/api/v1/auth/verify-email", json={"token": token})).status_code == 200
    await db.refresh(user)
    assert user.email == "new@example.na" and user.email_verified is True


async def test_email_change_to_a_taken_address_answers_the_same(client, db, login, inbox):
    other = await create_user(db, email="owner-of-it@example.na")
    user = await create_user(db, password=STRONG)
    r = await client.post("/api/v1/me/email", headers=await login(user),
                          json={"email": "owner-of-it@example.na", "password": STRONG})
    assert r.status_code == 202
    [notice] = inbox.to(other.email)
    assert "/verify-email" not in inbox.body(notice)


async def test_password_reset_same_answer_single_use_and_ends_sessions(client, db, api_login, inbox):
    user = await create_user(db, password=STRONG)
    token_before = (await api_login(user.email)).json()["access_token"]
    known = await client.post("/api/v1/auth/password-reset", json={"email": user.email})
    unknown = await client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.na"})
    assert known.status_code == unknown.status_code == 202 and known.json() == unknown.json()
    assert inbox.to("nobody@example.na") == []
    token = inbox.link_token(user.email, "/reset-password")

    weak = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": "password"})
    assert weak.status_code == 422
    r = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW})
    assert r.status_code == 204, r.text
    assert (await client.get("/api/v1/me", headers=bearer(token_before))).status_code == 401
    assert (await api_login(user.email, NEW)).status_code == 200
    reuse = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "password": NEW + "x"})
    assert reuse.status_code == 422
    actions = set(await db.scalars(select(AuditLog.action).where(AuditLog.record_id == user.id)))
    assert {"user.password_reset_request", "user.password_reset"} <= actions


async def test_password_reset_is_throttled_per_email(client):
    for _ in range(5):
        assert (await client.post("/api/v1/auth/password-reset", json={"email": "x@example.na"})).status_code == 202
    r = await client.post("/api/v1/auth/password-reset", json={"email": "x@example.na"})
    assert r.status_code == 429 and "retry-after" in r.headers


async def test_phone_verification_by_sms_code(client, db, login, texts):
    user = await create_user(db, password=STRONG)
    headers = await login(user)
    r = await client.post("/api/v1/me/phone", headers=headers, json={"phone": "081 234 5678", "password": STRONG})
    assert r.status_code == 200 and r.json()["phone"] == "+264812345678" and r.json()["phone_verified"] is False
    [(to, text)] = texts
    code = text.split("code is ")[1][:6]
    assert to == "+264812345678" and code.isdigit()
    stored = (await db.scalars(select(VerificationToken).where(VerificationToken.user_id == user.id))).one()
    assert code.encode() not in stored.token_hash
    assert (stored.expires_at - stored.created_at).total_seconds() <= 600

    wrong = "000000" if code != "000000" else "111111"
    assert (await client.post("/api/v1/me/phone/verify", headers=headers, json={"code": wrong})).status_code == 422
    r = await client.post("/api/v1/me/phone/verify", headers=headers, json={"code": code})
    assert r.status_code == 200 and r.json()["phone_verified"] is True
    assert (await client.post("/api/v1/me/phone/verify", headers=headers, json={"code": code})).status_code == 422


async def test_phone_code_guesses_are_limited(client, db, login, texts):
    user = await create_user(db, password=STRONG, phone="+264812345678")
    headers = await login(user)
    assert (await client.post("/api/v1/me/phone/verification", headers=headers)).status_code == 202
    code = texts[-1][1].split("code is ")[1][:6]
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert (await client.post("/api/v1/me/phone/verify", headers=headers, json={"code": wrong})).status_code == 422
    r = await client.post("/api/v1/me/phone/verify", headers=headers, json={"code": code})
    assert r.status_code == 429 and "retry-after" in r.headers


async def test_export_holds_everything_about_me_and_no_secrets(client, db, login):
    user = await create_user(db, password=STRONG, phone="+264812345678")
    await notify(db, user_id=user.id, type="booking_confirmed", title="Booked", message="Tomorrow at 10:00")
    headers = await login(user)
    r = await client.get("/api/v1/me/export", headers=headers)
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    data = r.json()
    assert data["user"]["email"] == user.email and data["user"]["phone"] == "+264812345678"
    assert [n["title"] for n in data["related"]["notifications"]] == ["Booked"]
    assert len(data["related"]["user_sessions"]) >= 1
    assert "argon2" not in r.text and "password_hash" not in r.text and "token_hash" not in r.text


async def test_delete_me_erases_personal_data_and_ends_sessions(client, db, login, api_login):
    user = await create_user(db, password=STRONG, phone="+264812345678", first_name="Selma")
    headers = await login(user)
    wrong = await client.request("DELETE", "/api/v1/me", headers=headers, json={"password": "not-my-password"})
    assert wrong.status_code == 422
    email = user.email
    r = await client.request("DELETE", "/api/v1/me", headers=headers, json={"password": STRONG})
    assert r.status_code == 204, r.text
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
    await db.refresh(user)
    assert user.email.endswith("@deleted.invalid") and user.first_name == "Deleted" and user.phone is None
    assert user.password_hash is None and user.is_active is False
    assert (await api_login(email, STRONG)).status_code == 401
    assert await db.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "user.delete", AuditLog.record_id == user.id)) == 1


@pytest.mark.usefixtures("store")
async def test_deleting_pseudonymises_bookings_and_keeps_reviews(client, db, login):
    from afrobiz.booking.models import Booking
    from afrobiz.reviews.models import Review
    from factories.directory import create_business
    import datetime as dt

    owner = await create_user(db, role="business_owner")
    business = await create_business(db, owner=owner)
    user = await create_user(db, password=STRONG)
    booking = Booking(booking_number=f"AB{uuid.uuid4().hex[:8].upper()}", customer_id=user.id,
                      business_id=business.id, booking_date=dt.date(2030, 1, 2), booking_time=dt.time(10),
                      total_amount=150, customer_name="Selma N", customer_email=user.email,
                      customer_phone="+264812345678")
    db.add(booking)
    review = Review(business_id=business.id, customer_id=user.id, rating=5, content="Great")
    db.add(review)
    await db.flush()
    r = await client.request("DELETE", "/api/v1/me", headers=await login(user), json={"password": STRONG})
    assert r.status_code == 204, r.text
    await db.refresh(booking)
    await db.refresh(review)
    assert booking.customer_id == user.id and booking.customer_email is None and booking.customer_phone is None
    assert booking.customer_name == "Deleted user"
    assert review.customer_id == user.id and review.content == "Great"
