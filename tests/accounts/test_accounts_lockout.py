"""Issue 21 item 9: strangers cannot lock an account's owner out.

Ten wrong passwords from anywhere used to lock the account for 15 minutes. Now failures count
per address + account (10 per 15 minutes), with a looser ceiling per account from everywhere,
and a device the account logged in from before (its signed device token) still gets in."""
from __future__ import annotations

import re
import time
import uuid

import pytest

from afrobiz.accounts import devices, throttle
from factories.accounts import STRONG, bearer, create_user

pytestmark = pytest.mark.usefixtures("store")
OWNER_HOME, STRANGER = "10.20.0.7", "10.66.0.1"
NEW_PASSWORD = "oshakati-rainfall-2027"


@pytest.fixture
def from_ip(settings, api_login):
    """api_login from a given client address (the test client is the trusted proxy)."""
    settings.trusted_proxies = "127.0.0.1"

    async def _login(ip: str, email: str, password: str = STRONG, device: str | None = None):
        headers = {"X-Forwarded-For": ip} | ({"X-Device-Token": device} if device else {})
        return await api_login(email, password, headers=headers)
    return _login


async def log_in(client, email: str, password: str = STRONG):
    """The log-in form, as a browser sends it."""
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return await client.post("/login", data={"csrf_token": token, "email": email, "password": password})


@pytest.fixture
def low_ceiling(monkeypatch):
    monkeypatch.setattr(throttle, "LOGIN_FAILURES_PER_ACCOUNT", "20 per hour")


async def test_a_stranger_elsewhere_does_not_lock_the_owner_out(db, from_ip):
    user = await create_user(db, password=STRONG)
    for _ in range(10):
        assert (await from_ip(STRANGER, user.email, "wrong-password-1")).status_code == 401
    assert (await from_ip(STRANGER, user.email)).status_code == 429       # the stranger is stopped
    r = await from_ip(OWNER_HOME, user.email)
    assert r.status_code == 200, r.text


async def test_the_account_ceiling_stops_strangers_everywhere_but_not_the_owners_device(db, from_ip, low_ceiling):
    user = await create_user(db, password=STRONG)
    device = (await from_ip(OWNER_HOME, user.email)).json()["device_token"]
    other = await create_user(db, password=STRONG)
    other_device = (await from_ip(OWNER_HOME, other.email)).json()["device_token"]
    for stranger in ("10.66.0.1", "10.66.0.2"):
        for _ in range(10):
            assert (await from_ip(stranger, user.email, "wrong-password-1")).status_code == 401
    travelling = "10.30.0.9"
    assert (await from_ip(travelling, user.email)).status_code == 429                # the ceiling holds
    assert (await from_ip(travelling, user.email, device=other_device)).status_code == 429   # not this account's
    r = await from_ip(travelling, user.email, device=device)
    assert r.status_code == 200, r.text
    assert r.json()["device_token"] and r.json()["device_token"] != device


async def test_a_device_has_its_own_budget(db, from_ip, low_ceiling):
    user = await create_user(db, password=STRONG)
    device = (await from_ip(OWNER_HOME, user.email)).json()["device_token"]
    for _ in range(10):
        assert (await from_ip(OWNER_HOME, user.email, "wrong-password-1", device=device)).status_code == 401
    assert (await from_ip(OWNER_HOME, user.email, device=device)).status_code == 429
    assert (await from_ip("10.30.0.9", user.email)).status_code == 200     # counted on the device alone


async def test_a_new_password_ends_the_old_devices_standing(client, db, from_ip, low_ceiling):
    user = await create_user(db, password=STRONG)
    first = (await from_ip(OWNER_HOME, user.email)).json()
    changed = await client.post("/api/v1/me/password", json={"current_password": STRONG, "new_password": NEW_PASSWORD},
                                headers=bearer(first["access_token"]) | {"X-Device-Token": first["device_token"]})
    assert changed.status_code == 200, changed.text
    for stranger in ("10.66.0.1", "10.66.0.2"):
        for _ in range(10):
            await from_ip(stranger, user.email, "wrong-password-1")
    assert (await from_ip(OWNER_HOME, user.email, NEW_PASSWORD, device=first["device_token"])).status_code == 429
    r = await from_ip(OWNER_HOME, user.email, NEW_PASSWORD, device=changed.json()["device_token"])
    assert r.status_code == 200, r.text


async def test_the_login_page_remembers_the_device_in_a_cookie(client, db, from_ip, low_ceiling):
    user = await create_user(db, password=STRONG)
    r = await log_in(client, user.email)
    assert r.status_code == 303
    device_cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith(devices.COOKIE_NAME + "="))
    assert "HttpOnly" in device_cookie and "SameSite=lax" in device_cookie and "Max-Age=31536000" in device_cookie
    remembered = client.cookies[devices.COOKIE_NAME]
    client.cookies.clear()                       # the strangers' requests carry no cookie of ours
    for stranger in ("10.66.0.1", "10.66.0.2"):
        for _ in range(10):
            await from_ip(stranger, user.email, "wrong-password-1")
    assert (await log_in(client, user.email)).status_code == 429        # a browser that never logged in
    client.cookies.set(devices.COOKIE_NAME, remembered)
    assert (await log_in(client, user.email)).status_code == 303        # this one did


def test_device_tokens_cannot_be_forged_moved_or_kept_forever():
    account, other = uuid.uuid4(), uuid.uuid4()
    now = time.time()
    token = devices.device_token(None, account_id=account, password_hash="h1", secret="s", now=now)
    device = devices.trusted_device(token, account_id=account, password_hash="h1", secret="s", now=now)
    assert device is not None
    assert devices.trusted_device(token, account_id=other, password_hash="h1", secret="s", now=now) is None
    assert devices.trusted_device(token, account_id=account, password_hash="h2", secret="s", now=now) is None
    assert devices.trusted_device(token, account_id=account, password_hash="h1", secret="t", now=now) is None
    later = now + devices.MAX_AGE_SECONDS + 1
    assert devices.trusted_device(token, account_id=account, password_hash="h1", secret="s", now=later) is None
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert devices.trusted_device(forged, account_id=account, password_hash="h1", secret="s", now=now) is None
    # A second account on the same device keeps the first one's entry and the device id.
    both = devices.device_token(token, account_id=other, password_hash="h9", secret="s", now=now)
    assert devices.trusted_device(both, account_id=account, password_hash="h1", secret="s", now=now) == device
    assert devices.trusted_device(both, account_id=other, password_hash="h9", secret="s", now=now) == device
    many = both
    for _ in range(devices.MAX_ACCOUNTS + 2):
        many = devices.device_token(many, account_id=uuid.uuid4(), password_hash="x", secret="s", now=now)
    assert many.count("~") == devices.MAX_ACCOUNTS - 1
