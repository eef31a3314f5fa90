"""Accounts in a real browser: sign up → log in → my account → log out, on a phone screen."""
from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.browser


async def test_register_login_account_logout(page, live_server, shot):
    email = f"e2e-{uuid.uuid4().hex[:8]}@example.na"
    await page.goto(live_server + "/register")
    await page.get_by_label("First name").fill("Ndapewa")
    await page.get_by_label("Last name").fill("Shilongo")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Phone (optional)").fill("081 234 5678")
    await page.get_by_label("Password").fill("kudu-sunset-etosha-42")
    await page.get_by_role("button", name="Sign up").click()
    await page.wait_for_load_state()
    assert "Check your e-mail" in await page.get_by_role("heading", level=1).inner_text()

    await page.get_by_role("link", name="Log in").first.click()
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill("kudu-sunset-etosha-42")
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(live_server + "/account")
    assert await page.get_by_role("heading", level=1).inner_text() == "My account"
    assert email.lower() in (await page.locator("main").inner_text()).lower()
    assert await page.locator(".nav-account a[href='/account']").inner_text() == "Ndapewa"
    cookies = {c["name"]: c for c in await page.context.cookies()}
    assert cookies["afrobiz_session"]["httpOnly"] and cookies["afrobiz_session"]["sameSite"] == "Lax"
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await shot(page, "accounts-my-account")

    await page.locator(".nav-account").get_by_role("button", name="Log out").click()
    await page.wait_for_url(live_server + "/")
    assert await page.locator(".nav-account a[href='/login']").count() == 1
    response = await page.goto(live_server + "/account")
    assert page.url.startswith(live_server + "/login?next=/account") and response.status == 200
