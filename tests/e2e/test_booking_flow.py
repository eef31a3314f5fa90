"""A guest books a braids appointment in Windhoek on a phone, end to end, without an account."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


async def test_guest_books_a_demo_service_on_a_phone(page, live_server, shot):
    await page.goto(live_server + "/b/windhoek-braids-studio")
    await page.locator(".service").first.get_by_role("link", name="Book").click()
    await page.wait_for_url(re.compile(r".*/book/[0-9a-f-]+$"))
    assert (await page.get_by_role("heading", level=1).inner_text()).startswith("Book:")

    await page.locator(".day-picker a").first.click()            # 1. a day with free times
    await page.wait_for_url(re.compile(r".*\?date=\d{4}-\d{2}-\d{2}$"))
    slot = page.locator(".slot-picker a").first                  # 2. the first free time
    chosen_time = (await slot.inner_text()).strip()
    await slot.click()
    await page.wait_for_url(re.compile(r".*&time=\d\d:\d\d#details$"))

    await page.get_by_label("Your name").fill("Selma Hangula")   # 3. details as a guest
    await page.get_by_label("Phone").fill("081 444 5503")
    await page.get_by_role("button", name="Confirm booking").click()
    await page.wait_for_url(re.compile(r".*/bookings/AB-[A-Z0-9]{8}\?new=1$"))

    main = await page.locator("main").inner_text()
    number = re.search(r"AB-[A-Z0-9]{8}", page.url).group(0)
    assert number in main and "Pending" in main and chosen_time in main and "N$" in main
    ics = page.get_by_role("link", name=re.compile("calendar"))
    assert await ics.get_attribute("href") == f"/bookings/{number}.ics"
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await shot(page, "guest-booked")

