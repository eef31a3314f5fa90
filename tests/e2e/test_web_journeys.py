"""Whole journeys on a phone, by clicking from the home page: customer, owner, no JavaScript.

They share the demo database of the live server, so each journey makes its own booking and
finds it by its number; nothing depends on another test having run.
"""
from __future__ import annotations

import re
import uuid

import pytest

from afrobiz.demo.loader import DEMO_ACCOUNTS, DEMO_PASSWORD

pytestmark = pytest.mark.browser
NUMBER = re.compile(r"AB-[A-Z0-9]{8}")


async def log_in(page, live_server, who: str) -> None:
    await page.goto(live_server + "/")
    await page.locator(".nav-account").get_by_role("link", name="Log in").click()
    await page.get_by_label("E-mail").fill(DEMO_ACCOUNTS[who])
    await page.get_by_label("Password").fill(DEMO_PASSWORD)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Log in").click()
    assert await page.locator(".nav-account a[href='/account']").count() == 1


async def log_out(page) -> None:
    async with page.expect_navigation():
        await page.locator(".nav-account").get_by_role("button", name="Log out").click()


async def search_and_open_salon(page) -> None:
    """From any page: home (the brand link), search "braids", open the demo salon."""
    async with page.expect_navigation():
        await page.locator(".brand").click()
    await page.get_by_label("What are you looking for?").fill("braids")
    async with page.expect_navigation():
        await page.get_by_label("What are you looking for?").press("Enter")
    assert "/search?q=braids" in page.url
    async with page.expect_navigation():
        await page.locator(".search-card").get_by_role("link", name="Windhoek Braids Studio").click()
    assert await page.get_by_role("heading", level=1).inner_text() == "Windhoek Braids Studio"


async def book_first_free_slot(page, *, guest: bool) -> str:
    """On a business page: Book the first service's first free time on the last day offered (far
    enough ahead to be cancelled by the customer); returns the booking number."""
    async with page.expect_navigation():
        await page.locator(".service").first.get_by_role("link", name="Book").click()
    async with page.expect_navigation():
        await page.locator(".day-picker a").last.click()
    async with page.expect_navigation():
        await page.locator(".slot-picker a").first.click()
    if guest:
        await page.get_by_label("Your name").fill("Selma Hangula")
        await page.get_by_label("Phone").fill("081 444 5566")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Confirm booking").click()
    await page.wait_for_url(re.compile(r".*/bookings/AB-[A-Z0-9]{8}\?new=1$"))
    return NUMBER.search(page.url).group(0)


async def test_web_customer_favourites_books_and_cancels(page, live_server, tmp_path):
    await log_in(page, live_server, "customer")
    await search_and_open_salon(page)

    # Favourite: the heart toggles in place (JavaScript), and the business is in Favourites.
    heart = page.locator("form.fav button").first
    saved = lambda r: "/me/favorites/" in r.url and r.request.method == "POST"
    if await heart.get_attribute("aria-pressed") == "true":        # saved by an earlier run
        async with page.expect_response(saved):
            await heart.click()
        await page.wait_for_function("document.querySelector('form.fav button').getAttribute('aria-pressed') === 'false'")
    async with page.expect_response(saved):
        await heart.click()
    await page.wait_for_function("document.querySelector('form.fav button').getAttribute('aria-pressed') === 'true'")
    async with page.expect_navigation():
        await page.get_by_role("navigation", name="Main").get_by_role("link", name="Favourites").click()
    assert await page.locator(".favorites").get_by_role("link", name="Windhoek Braids Studio").count() == 1
    await page.screenshot(path=str(tmp_path / "favourites.png"), full_page=True)

    # Book as a logged-in customer (name and phone come from the account).
    async with page.expect_navigation():
        await page.locator(".favorites").get_by_role("link", name="Windhoek Braids Studio").click()
    number = await book_first_free_slot(page, guest=False)
    assert "Pending" in await page.locator("main").inner_text()

    # My bookings lists it; cancelling from there marks it cancelled.
    async with page.expect_navigation():
        await page.get_by_role("navigation", name="Main").get_by_role("link", name="My bookings").click()
    row = page.locator(f"li.booking-row:has(a[href='/bookings/{number}'])")
    assert await row.count() == 1
    await page.screenshot(path=str(tmp_path / "my-bookings.png"), full_page=True)
    async with page.expect_navigation():
        await row.get_by_role("button", name="Cancel").click()
    async with page.expect_navigation():
        await page.locator(f"a[href='/bookings/{number}']").first.click()
    assert "Cancelled" in await page.locator(".booking-facts").inner_text()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360


async def test_web_owner_confirms_a_booking_and_replies_to_a_review(page, live_server, tmp_path):
    # A customer books at the demo owner's salon...
    await log_in(page, live_server, "customer")
    await search_and_open_salon(page)
    number = await book_first_free_slot(page, guest=False)
    day = re.search(r"\d{2} \w{3} \d{4}", await page.locator(".booking-facts").inner_text()).group(0)
    await log_out(page)

    # ...the owner finds it in Bookings (that day, that business) and confirms it.
    await log_in(page, live_server, "owner")
    nav = page.get_by_role("navigation", name="Main")
    async with page.expect_navigation():
        await nav.get_by_role("link", name="Calendar").click()
    from datetime import datetime
    await page.get_by_label("Business").select_option(label="Windhoek Braids Studio")
    await page.get_by_label("Date").fill(datetime.strptime(day, "%d %b %Y").date().isoformat())
    async with page.expect_navigation():
        await page.get_by_role("button", name="Show").click()
    row = page.locator("li.booking-row").filter(has_text=number)
    async with page.expect_navigation():
        await row.get_by_role("button", name="Confirm").click()
    assert "Confirmed" in await page.locator("li.booking-row").filter(has_text=number).inner_text()
    await page.screenshot(path=str(tmp_path / "owner-bookings.png"), full_page=True)

    # Reviews: reply publicly to the first one.
    async with page.expect_navigation():
        await nav.get_by_role("link", name="Reviews").click()
    review = page.locator("article.review").first
    await review.locator("textarea[name=content]").fill("Thank you for visiting us! — Windhoek Braids Studio")
    async with page.expect_navigation():
        await review.get_by_role("button", name=re.compile("reply")).click()
    assert "Your reply is saved." in await page.locator("main").inner_text()
    assert "Thank you for visiting us!" in await page.locator("main").inner_text()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await page.screenshot(path=str(tmp_path / "owner-reviews.png"), full_page=True)


@pytest.fixture
async def no_js_page(browser):
    context = await browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False,
                                        locale="en-NA", timezone_id="Africa/Windhoek")
    yield await context.new_page()
    await context.close()


async def test_web_search_and_booking_work_without_javascript(no_js_page, live_server, tmp_path):
    page = no_js_page
    await page.goto(live_server + "/")
    await search_and_open_salon(page)
    number = await book_first_free_slot(page, guest=True)
    assert number in await page.locator("main").inner_text()
    await page.screenshot(path=str(tmp_path / "booked-no-js.png"), full_page=True)


async def test_web_owner_lists_a_business_admin_approves_it_and_it_is_found(page, live_server, tmp_path):
    name = f"Omaruru Tyre Centre {uuid.uuid4().hex[:6]}"
    await log_in(page, live_server, "owner")
    async with page.expect_navigation():
        await page.get_by_role("navigation", name="Main").get_by_role("link", name="My businesses").click()
    async with page.expect_navigation():
        await page.get_by_role("link", name="List a business").click()
    await page.get_by_label("Business name").fill(name)
    await page.get_by_label(re.compile(r"^Category")).select_option(label="Auto Repair")
    await page.get_by_label("Town or city").fill("Windhoek")
    await page.get_by_label("Region").select_option(label="Khomas")
    async with page.expect_navigation():
        await page.get_by_role("button", name="List my business").click()
    assert "Listed!" in await page.locator("main").inner_text()
    await log_out(page)

    await log_in(page, live_server, "admin")
    async with page.expect_navigation():
        await page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin", exact=True).click()
    async with page.expect_navigation():
        await page.get_by_role("navigation", name="Admin console").get_by_role("link", name="Businesses").click()
    item = page.locator("article.admin-item").filter(has_text=name)
    await page.screenshot(path=str(tmp_path / "admin-pending.png"), full_page=True)
    async with page.expect_navigation():
        await item.get_by_role("button", name="Approve").click()
    assert "Saved" in await page.locator("main").inner_text()

    async with page.expect_navigation():
        await page.locator(".brand").click()
    await page.get_by_label("What are you looking for?").fill(name)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Search").click()
    assert await page.locator(".search-card").get_by_role("link", name=name).count() == 1
