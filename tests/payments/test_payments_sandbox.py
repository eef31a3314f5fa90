"""Issue 21 item 10: the mobile-money sandbox is on only when asked for, says so on every page,
and is each payer's own phone.

With AFROBIZ_MOBILE_MONEY_URL=sandbox and no AFROBIZ_ENVIRONMENT, any anonymous visitor could
approve any pending payment at /sandbox/mobile-money (approving marks money received)."""
from __future__ import annotations

import re
import uuid

import pytest
from pydantic import ValidationError

from afrobiz.config import Settings, get_settings
from afrobiz.payments import guest, providers
from afrobiz.payments.providers import SANDBOX
from factories.payments import csrf, page_cookie, payment_settings

PHONE = "/sandbox/mobile-money"


async def start_mobile_money(client, db, customer, booking) -> str:
    """The customer starts paying by mobile money on the pay page; the operator's payment id."""
    h = await page_cookie(db, customer)
    page = await client.get(f"/bookings/{booking.booking_number}/pay", headers=h)
    r = await client.post(f"/bookings/{booking.booking_number}/pay", headers=h,
                          data={"csrf_token": csrf(page.text), "payment_method": "mobile_money"})
    assert r.status_code == 303, r.text
    return next(pid for pid, req in reversed(SANDBOX.requests.items()) if req["status"] == "pending")


async def answer(client, pid: str, headers: dict | None = None, pay: str | None = None, what: str = "approve"):
    phone = await client.get(PHONE, params={"pay": pay} if pay else None, headers=headers or {})
    return await client.post(f"{PHONE}/{pid}/{what}", headers=headers or {},
                             data={"csrf_token": csrf(phone.text)} | ({"pay": pay} if pay else {}))


async def test_only_the_payer_sees_and_answers_their_request(client, db, customer, stranger, owner, booking):
    pid = await start_mobile_money(client, db, customer, booking)
    # An anonymous visitor, another customer and the business's owner see nothing and approve nothing.
    anonymous = await client.get(PHONE)
    assert anonymous.status_code == 200 and pid not in anonymous.text
    assert (await answer(client, pid)).status_code == 404
    for someone in (stranger, owner):
        h = await page_cookie(db, someone)
        assert pid not in (await client.get(PHONE, headers=h)).text
        assert (await answer(client, pid, headers=h)).status_code == 404
    assert SANDBOX.requests[pid]["status"] == "pending"
    # The payer does.
    h = await page_cookie(db, customer)
    assert pid in (await client.get(PHONE, headers=h)).text
    r = await answer(client, pid, headers=h)
    assert r.status_code == 303 and r.headers["location"].endswith("done=applied"), r.text
    assert SANDBOX.requests[pid]["status"] == "completed"


async def test_a_guest_answers_through_their_payment_link(client, db, settings, service, day):
    r = await client.post("/api/v1/bookings", json={
        "service_id": str(service.id), "booking_date": day.isoformat(), "booking_time": "11:00",
        "customer_name": "Guest Visitor", "customer_phone": "+264817654321"})
    assert r.status_code == 201, r.text
    token = guest.token_for(settings, uuid.UUID(r.json()["id"]))
    page = await client.get(f"/pay/{token}")
    paid = await client.post(f"/pay/{token}", data={"csrf_token": csrf(page.text), "payment_method": "mobile_money"})
    assert paid.status_code == 303, paid.text
    page = await client.get(f"/pay/{token}")
    link = re.search(r'href="(/sandbox/mobile-money\?pay=[^"]+)"', page.text)
    assert link, page.text
    pid = next(pid for pid, req in reversed(SANDBOX.requests.items()) if req["status"] == "pending")
    assert (await answer(client, pid)).status_code == 404                    # without the link: nothing
    other = guest.token_for(settings, uuid.uuid4())
    assert (await answer(client, pid, pay=other)).status_code == 404         # another booking's link
    r = await answer(client, pid, pay=token, what="decline")
    assert r.status_code == 303 and "done=applied" in r.headers["location"], r.text
    assert SANDBOX.requests[pid]["status"] == "failed"


async def test_the_sandbox_needs_its_flag(app, client, db, login, customer, booking):
    app.state.settings.sandbox = False              # AFROBIZ_MOBILE_MONEY_URL=sandbox alone
    assert providers.mobile_money_for(app.state.settings) is None
    assert (await client.get(PHONE)).status_code == 404
    r = await client.get(f"/api/v1/bookings/{booking.id}/payments", headers=await login(customer))
    assert "mobile_money" not in r.json()["available_methods"]
    home = await client.get("/")
    assert "sandbox-banner" not in home.text


async def test_every_page_says_the_sandbox_is_on(client):
    for path in ("/", "/search", "/login", "/no-such-page"):
        page = await client.get(path)
        assert 'class="sandbox-banner"' in page.text and "no money moves" in page.text, path


def test_production_refuses_the_stand_ins(tmp_path):
    with pytest.raises(ValidationError, match="refused in production"):
        payment_settings(tmp_path, environment="production")
    with pytest.raises(ValidationError, match="refused in production"):
        Settings(database_url=None, data_dir=tmp_path, environment="production", sandbox=True)
    live = payment_settings(tmp_path, environment="test")
    live.environment = "production"                  # changed after start: still off
    assert not live.sandbox_on and providers.mobile_money_for(live) is None


def test_the_demo_turns_the_sandbox_on(monkeypatch):
    environ: dict[str, str] = {}
    for name in ("AFROBIZ_SANDBOX", "AFROBIZ_MOBILE_MONEY_URL", "AFROBIZ_MOBILE_MONEY_WEBHOOK_SECRET",
                 "AFROBIZ_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    from afrobiz.cli import use_demo_stand_ins

    get_settings.cache_clear()
    use_demo_stand_ins(environ)
    assert environ["AFROBIZ_SANDBOX"] == "true" and environ["AFROBIZ_MOBILE_MONEY_URL"] == "sandbox"
    assert environ["AFROBIZ_MOBILE_MONEY_WEBHOOK_SECRET"]
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        assert get_settings().sandbox_on and providers.mobile_money_for(get_settings()) is SANDBOX
    finally:
        get_settings.cache_clear()
