"""A demo business page on a phone: name, hours with today marked, services with N$ prices."""
from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser


async def test_demo_business_page_on_a_phone(page, live_server, shot):
    response = await page.goto(live_server + "/b/windhoek-braids-studio")
    assert response.status == 200
    assert await page.get_by_role("heading", level=1).inner_text() == "Windhoek Braids Studio"
    # The week's hours, with today's row marked.
    rows = page.locator("table.hours tr")
    assert await rows.count() == 7
    assert await page.locator("table.hours tr.today").count() == 1
    # Services with Namibian-dollar prices and a Book link each.
    services = page.locator(".service")
    assert await services.count() >= 1
    first = services.first
    assert "N$" in await first.locator(".service-price").inner_text()
    assert (await first.get_by_role("link", name="Book").get_attribute("href")).startswith("/book/")
    # The structured data a search engine reads.
    ld = json.loads(await page.locator('script[type="application/ld+json"]').inner_text())
    assert ld["@type"] == "LocalBusiness" and ld["name"] == "Windhoek Braids Studio"
    # Contact buttons are reachable, nothing is wider than the phone.
    assert await page.locator(".contact a").count() >= 1
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await shot(page, "business-page")
