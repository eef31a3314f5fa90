"""The footer's language switcher in a real browser: English → Deutsch → Afrikaans, by clicking."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


async def test_web_visitor_switches_language_in_the_footer(page, live_server, shot):
    await page.goto(live_server + "/search?q=braids")
    assert await page.locator("html").get_attribute("lang") == "en"
    await page.get_by_label("Language").select_option(label="Deutsch")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Change").click()
    assert page.url.endswith("/search?q=braids")              # back on the same page
    assert await page.locator("html").get_attribute("lang") == "de"
    assert await page.locator(".nav-account").get_by_role("link", name="Anmelden").count() == 1
    assert await page.get_by_role("heading", level=1).inner_text() == "Suchen"
    await shot(page, "lang-de-search")

    await page.get_by_label("Sprache").select_option(label="Afrikaans")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Ändern").click()
    async with page.expect_navigation():
        await page.locator(".brand").click()
    assert await page.locator("html").get_attribute("lang") == "af"
    assert "Vind en bespreek plaaslike besighede in Namibië" in await page.locator("h1").inner_text()
    await shot(page, "lang-af-home")
