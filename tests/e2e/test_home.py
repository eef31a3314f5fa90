"""The home page in a real browser, on the demo data."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


async def test_home_page_shows_demo_categories_on_a_phone(page, live_server, shot):
    response = await page.goto(live_server + "/")
    assert response.status == 200
    assert await page.title() == "AfroBiz Connect"
    heading = page.get_by_role("heading", level=1)
    assert "Namibia" in await heading.inner_text()
    categories = page.locator(".categories > .category > a")
    names = await categories.all_inner_texts()
    assert "Hair & Beauty" in names and len(names) >= 8
    # The stylesheet loaded (our own, fingerprinted): the header has the accent colour.
    colour = await page.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(11, 93, 59)"
    # Nothing wider than the phone's screen.
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await shot(page, "home")
