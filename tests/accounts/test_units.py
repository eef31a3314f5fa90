"""Focused rules: passwords, phones, client IP, rate limits, sessions in both stores."""
from __future__ import annotations

from datetime import timedelta

import pytest
import redis.asyncio as redis
from sqlalchemy import func, select

from afrobiz.accounts import passwords, sessions
from afrobiz.accounts.models import UserSession
from afrobiz.errors import InvalidInput
from afrobiz.kit import ratelimit
from afrobiz.kit.clientip import client_ip
from afrobiz.kit.phones import normalize_phone
from factories.accounts import TEST_REDIS_URL as REDIS_URL
from factories.accounts import create_user


def test_common_password_list_is_real_and_shipped():
    common = passwords.common_passwords()
    assert len(common) >= 10_000
    assert {"123456", "password", "qwerty", "iloveyou"} <= common


@pytest.mark.parametrize("password,ok", [("1234567", False), ("kudu-8ch", True), ("x" * 128, True),
                                         ("x" * 129, False), ("Password", False), ("ILOVEYOU1", False),
                                         ("sunshine", False)])
def test_password_rules(password, ok):
    assert (passwords.password_problem(password) is None) is ok


def test_password_may_not_be_the_email():
    assert "e-mail" in passwords.password_problem("selma.n@example.na", email="Selma.N@example.na")


async def test_hash_is_argon2id_with_at_least_owasp_parameters():
    hashed = await passwords.hash_password("kudu-sunset-etosha-42")
    assert hashed.startswith("$argon2id$")
    params = dict(p.split("=") for p in hashed.split("$")[3].split(","))
    assert int(params["m"]) >= 19456 and int(params["t"]) >= 2 and int(params["p"]) >= 1
    assert await passwords.verify_password("kudu-sunset-etosha-42", hashed) == (True, None)
    assert (await passwords.verify_password("wrong", hashed))[0] is False
    assert (await passwords.verify_password("x", "not-a-hash"))[0] is False
    assert (await passwords.verify_password("x", None))[0] is False


@pytest.mark.parametrize("raw,e164", [("081 234 5678", "+264812345678"), ("+264 61 287 1111", "+264612871111"),
                                      ("0264812345678", None), ("", None), (None, None)])
def test_phone_numbers_become_e164(raw, e164):
    if raw == "0264812345678":
        with pytest.raises(InvalidInput):
            normalize_phone(raw)
    else:
        assert normalize_phone(raw) == e164


@pytest.mark.parametrize("peer,xff,trusted,expected", [
    ("203.0.113.9", "1.2.3.4", "", "203.0.113.9"),                        # no proxy trusted: header ignored
    ("10.0.0.2", "1.2.3.4", "10.0.0.0/8", "1.2.3.4"),                     # our proxy: believe it
    ("10.0.0.2", "6.6.6.6, 1.2.3.4", "10.0.0.0/8", "1.2.3.4"),            # client-forged left part ignored
    ("10.0.0.2", "1.2.3.4, 10.0.0.7", "10.0.0.0/8", "1.2.3.4"),           # two of our proxies
    ("10.0.0.2", "garbage", "10.0.0.0/8", "10.0.0.2"),
    ("198.51.100.1", "1.2.3.4", "10.0.0.0/8", "198.51.100.1"),            # not from our proxy
    ("::1", "2001:db8::5", "::1", "2001:db8::5"),
    (None, "1.2.3.4", "", None),
])
def test_client_ip(peer, xff, trusted, expected):
    assert client_ip(peer, xff, trusted) == expected


@pytest.mark.usefixtures("store")
async def test_rate_limit_hit_enforce_and_retry_after():
    assert [await ratelimit.hit("unit:k", "2 per minute") for _ in range(3)] == [True, True, False]
    with pytest.raises(ratelimit.Throttled) as caught:
        await ratelimit.enforce("unit:k", "2 per minute")
    assert caught.value.status == 429 and 1 <= caught.value.retry_after <= 60
    assert caught.value.headers == {"Retry-After": str(caught.value.retry_after)}
    await ratelimit.check("unit:other", "2 per minute")            # counts nothing
    assert await ratelimit.allowed("unit:other", "1 per minute")
    await ratelimit.clear("unit:k", "2 per minute")
    assert await ratelimit.hit("unit:k", "2 per minute")


async def test_rate_limits_live_in_redis_when_configured(store):
    await ratelimit.hit("unit:where", "5 per minute")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = [k async for k in client.scan_iter(match="*unit:where*")]
    finally:
        await client.aclose()
    assert bool(keys) is (store == "redis")


async def test_sessions_live_in_postgresql_even_with_redis_configured(store, db):
    # With Redis down, logged-in users must keep working: sessions never depend on it.
    user = await create_user(db)
    token = await sessions.start_session(db, user=user, ip="196.44.1.2", user_agent="ua")
    rows = await db.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id))
    assert rows == 1
    client = redis.Redis.from_url(REDIS_URL)
    try:
        assert [k async for k in client.scan_iter(match=f"*session*{sessions.hash_token(token).hex()}*")] == []
    finally:
        await client.aclose()
    assert (await sessions.resolve_session(db, token)).id == user.id
    assert sessions.hash_token(token) != token.encode() and len(token) >= 43


async def test_idle_and_absolute_expiry(store, db, monkeypatch):
    user = await create_user(db)
    token = await sessions.start_session(db, user=user)
    real_now = sessions._now
    start = real_now()

    def at(delta):
        monkeypatch.setattr(sessions, "_now", lambda: start + delta)

    # Used every 6 days: the idle timeout (7 days) keeps being renewed...
    for day in (6, 12, 18, 24):
        at(timedelta(days=day))
        assert await sessions.resolve_session(db, token) is not None, day
    # ...but the absolute limit (30 days) ends it whatever the activity.
    at(timedelta(days=30, minutes=1))
    assert await sessions.resolve_session(db, token) is None

    at(timedelta(0))
    idle = await sessions.start_session(db, user=user)
    at(timedelta(days=7, minutes=1))
    assert await sessions.resolve_session(db, idle) is None


async def test_end_one_and_all_sessions(store, db):
    user, other = await create_user(db), await create_user(db)
    a, b = await sessions.start_session(db, user=user), await sessions.start_session(db, user=user)
    c = await sessions.start_session(db, user=other)
    await sessions.end_session(db, a)
    assert await sessions.resolve_session(db, a) is None and await sessions.resolve_session(db, b) is not None
    await sessions.end_all_sessions(db, user.id)
    assert await sessions.resolve_session(db, b) is None
    assert (await sessions.resolve_session(db, c)).id == other.id


async def test_suspended_user_is_refused_before_sessions_end(store, db):
    user = await create_user(db)
    token = await sessions.start_session(db, user=user)
    user.is_suspended = True
    await db.flush()
    assert await sessions.resolve_session(db, token) is None


async def test_admin_create_makes_or_promotes_an_admin(db):
    from afrobiz.accounts.service import create_admin

    admin = await create_admin(db, email="boss@example.na", password="kudu-sunset-etosha-42")
    assert admin.role == "admin" and admin.password_hash.startswith("$argon2id$")
    user = await create_user(db, email="promote@example.na")
    assert (await create_admin(db, email="promote@example.na", password="kudu-sunset-etosha-42")).id == user.id
    with pytest.raises(InvalidInput):
        await create_admin(db, email="weak@example.na", password="password")


def test_admin_create_command(database_url, monkeypatch):
    import psycopg
    import typer
    from typer.testing import CliRunner

    from afrobiz.accounts.cli import admin_app
    from afrobiz.config import get_settings

    email = f"cli-admin-{__import__('uuid').uuid4().hex[:8]}@example.na"
    monkeypatch.setenv("AFROBIZ_DATABASE_URL", database_url)
    monkeypatch.setenv("AFROBIZ_ADMIN_PASSWORD", "kudu-sunset-etosha-42")
    get_settings.cache_clear()
    cli = typer.Typer()
    cli.add_typer(admin_app, name="admin")         # as afrobiz/cli.py mounts it
    try:
        result = CliRunner().invoke(cli, ["admin", "create", "--email", email])
        assert result.exit_code == 0, result.output
        with psycopg.connect(database_url, autocommit=True) as conn:
            row = conn.execute("SELECT role::text, password_hash FROM users WHERE email = %s", (email,)).fetchone()
            conn.execute("DELETE FROM users WHERE email = %s", (email,))      # committed by the CLI: clean up
        assert row[0] == "admin" and row[1].startswith("$argon2id$")
        monkeypatch.setenv("AFROBIZ_ADMIN_PASSWORD", "password")
        weak = CliRunner().invoke(cli, ["admin", "create", "--email", "x" + email])
        assert weak.exit_code == 1 and "common" in weak.output
    finally:
        get_settings.cache_clear()
