"""Whole journeys on a 390×844 phone, by clicking from the home page (the only typed address):

(a) a guest searches "braids" near Windhoek, opens a salon and books (the no-JavaScript test
    does it without scripts too); (b) a customer signs up, books, reschedules and cancels;
(c) an owner lists a business, an admin approves it, it appears in search; (d) the owner
confirms and completes a booking, the customer reviews it, the owner replies. Plus a
customer's favourites. Key pages are saved as screenshots (conftest's ``shot``).

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
    # The demo accounts are given a random preferred language; these journeys read English, so
    # switch with the footer's language form when needed (it saves the choice on the account).
    if await page.locator("html").get_attribute("lang") != "en":
        await page.locator("#lang-select").select_option("en")
        async with page.expect_navigation():
            await page.locator(".language-form button").click()
        assert await page.locator("html").get_attribute("lang") == "en"


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


async def book_first_free_slot(page, *, guest: bool, phone: str = "081 444 5566") -> str:
    """On a business page: Book the first service's first free time on the last day offered (far
    enough ahead to be cancelled by the customer); returns the booking number. Each journey's
    guest is another person (a phone holds only a few pending bookings per business)."""
    async with page.expect_navigation():
        await page.locator(".service").first.get_by_role("link", name="Book").click()
    async with page.expect_navigation():
        await page.locator(".day-picker a").last.click()
    async with page.expect_navigation():
        await page.locator(".slot-picker a").first.click()
    if guest:
        await page.get_by_label("Your name").fill("Selma Hangula")
        await page.get_by_label("Phone").fill(phone)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Confirm booking").click()
    await page.wait_for_url(re.compile(r".*/bookings/AB-[A-Z0-9]{8}\?new=1$"))
    return NUMBER.search(page.url).group(0)


async def test_web_guest_searches_braids_near_windhoek_and_books(page, live_server, shot):
    """Journey (a): no account; search from the home page, narrow to Windhoek, book as a guest."""
    await page.goto(live_server + "/")
    await page.get_by_label("What are you looking for?").fill("braids")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Search").click()
    await page.get_by_label("Where?").fill("Windhoek")
    async with page.expect_navigation():
        await page.locator("main").get_by_role("button", name="Search").click()
    assert "q=braids" in page.url and "near=Windhoek" in page.url
    await shot(page, "a-01-search-braids-windhoek")
    async with page.expect_navigation():
        await page.locator(".search-card").get_by_role("link", name="Windhoek Braids Studio").click()
    await shot(page, "a-02-salon")
    number = await book_first_free_slot(page, guest=True, phone="081 444 5501")
    assert number in await page.locator(".notice").inner_text()
    assert "Pending" in await page.locator(".booking-facts").inner_text()
    await shot(page, "a-03-guest-booked")


async def test_web_customer_favourites_books_and_cancels(page, live_server, shot):
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
    await shot(page, "fav-01-favourites")

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
    await shot(page, "fav-02-my-bookings")
    async with page.expect_navigation():
        await row.get_by_role("button", name="Cancel").click()
    async with page.expect_navigation():
        await page.locator(f"a[href='/bookings/{number}']").first.click()
    assert "Cancelled" in await page.locator(".booking-facts").inner_text()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390


async def test_web_customer_signs_up_books_reschedules_and_cancels(page, live_server, shot):
    """Journey (b), a brand-new customer, from the home page by clicking only."""
    email = f"e2e-b-{uuid.uuid4().hex[:8]}@example.na"
    await page.goto(live_server + "/")
    async with page.expect_navigation():
        await page.locator(".nav-account").get_by_role("link", name="Sign up").click()
    await page.get_by_label("First name").fill("Ndapewa")
    await page.get_by_label("Last name").fill("Shilongo")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Phone (optional)").fill("081 234 5678")
    await page.get_by_label("Password").fill("kudu-sunset-etosha-42")
    await shot(page, "b-01-sign-up")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Sign up").click()
    assert "Check your e-mail" in await page.get_by_role("heading", level=1).inner_text()
    async with page.expect_navigation():
        await page.locator("main").get_by_role("link", name="Log in").click()
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill("kudu-sunset-etosha-42")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Log in").click()
    assert await page.locator(".nav-account a[href='/account']").inner_text() == "Ndapewa"

    # Book: search, open the salon, first service, a day two weeks out, its first time.
    await search_and_open_salon(page)
    number = await book_first_free_slot(page, guest=False)
    facts = page.locator(".booking-facts")
    booked_when = await facts.locator("dd").nth(3).inner_text()
    await shot(page, "b-02-booked")

    # Reschedule from the booking page: another day, its first free time, confirm.
    async with page.expect_navigation():
        await page.get_by_role("link", name="Change date or time").click()
    assert await page.get_by_role("heading", level=1).inner_text() == "Change the date or time"
    async with page.expect_navigation():
        await page.locator(".day-picker a").nth(-2).click()
    async with page.expect_navigation():
        await page.locator(".slot-picker a").first.click()
    await shot(page, "b-03-reschedule")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Move my booking").click()
    assert page.url.endswith(f"/bookings/{number}?moved=1")
    assert "Your booking is moved" in await page.locator("main").inner_text()
    moved_when = await facts.locator("dd").nth(3).inner_text()
    assert moved_when != booked_when
    assert "Rescheduled from" in await page.locator(".history").inner_text()
    await shot(page, "b-04-rescheduled")

    # Cancel it from the same page.
    await page.get_by_label("Reason (optional)").fill("Plans changed")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Cancel booking").click()
    assert "Cancelled" in await facts.inner_text()
    assert await page.get_by_role("link", name="Change date or time").count() == 0
    async with page.expect_navigation():
        await page.get_by_role("navigation", name="Main").get_by_role("link", name="My bookings").click()
    assert "Cancelled" in await page.locator(f"li.booking-row:has(a[href='/bookings/{number}'])").inner_text()
    await shot(page, "b-05-cancelled")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390


async def test_web_owner_confirms_completes_customer_reviews_owner_replies(page, live_server, shot):
    # A customer books at the demo owner's salon...
    await log_in(page, live_server, "customer")
    await search_and_open_salon(page)
    number = await book_first_free_slot(page, guest=False)
    day = re.search(r"\d{1,2} \w{3} \d{4}", await page.locator(".booking-facts").inner_text()).group(0)
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
    await shot(page, "d-01-owner-confirmed")
    async with page.expect_navigation():
        await page.locator("li.booking-row").filter(has_text=number).get_by_role("button", name="Complete").click()
    assert "Completed" in await page.locator("li.booking-row").filter(has_text=number).inner_text()
    await shot(page, "d-02-owner-completed")
    await log_out(page)

    # The customer reviews that visit (the form offers the completed booking: "Verified").
    words = f"Neat knotless braids, on time. Visit {number}."
    await log_in(page, live_server, "customer")
    await search_and_open_salon(page)
    async with page.expect_navigation():
        await page.get_by_role("link", name="Write a review").click()
    await page.locator("input[name=rating][value='5']").check()
    visit = await page.locator("#f-booking_id option", has_text=number).get_attribute("value")
    await page.get_by_label("Your visit").select_option(visit)
    await page.get_by_label("Your review").fill(words)
    await shot(page, "d-03-customer-review")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Post review").click()
    notice = await page.locator(".notice").inner_text()
    await log_out(page)
    if "once our team has checked it" in notice:      # held for moderation: the admin approves it
        await log_in(page, live_server, "admin")
        async with page.expect_navigation():
            await page.get_by_role("navigation", name="Main").get_by_role("link", name="Moderate reviews").click()
        held = page.locator("article.review").filter(has_text=words)
        async with page.expect_navigation():
            await held.get_by_role("button", name="Approve").click()
        await log_out(page)

    # The owner replies publicly to that review.
    await log_in(page, live_server, "owner")
    async with page.expect_navigation():
        await page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    review = page.locator("article.review").filter(has_text=words)
    assert "Verified booking" in await review.inner_text()
    await review.locator("textarea[name=content]").fill("Thank you for visiting us! — Windhoek Braids Studio")
    async with page.expect_navigation():
        await review.get_by_role("button", name=re.compile("reply")).click()
    assert "Your reply is saved." in await page.locator("main").inner_text()
    assert "Thank you for visiting us!" in await page.locator("article.review").filter(has_text=words).inner_text()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await shot(page, "d-04-owner-replied")


@pytest.fixture
async def no_js_page(browser):
    context = await browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False,
                                        locale="en-NA", timezone_id="Africa/Windhoek")
    yield await context.new_page()
    await context.close()


async def test_web_search_and_booking_work_without_javascript(no_js_page, live_server, shot):
    page = no_js_page
    await page.goto(live_server + "/")
    await search_and_open_salon(page)
    number = await book_first_free_slot(page, guest=True, phone="081 444 5502")
    assert number in await page.locator("main").inner_text()
    await shot(page, "a-nojs-guest-booked")


async def test_web_owner_lists_a_business_admin_approves_it_and_it_is_found(page, live_server, shot):
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
    await shot(page, "c-01-owner-listed")
    await log_out(page)

    await log_in(page, live_server, "admin")
    async with page.expect_navigation():
        await page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin", exact=True).click()
    async with page.expect_navigation():
        await page.get_by_role("navigation", name="Admin console").get_by_role("link", name="Businesses").click()
    item = page.locator("article.admin-item").filter(has_text=name)
    await shot(page, "c-02-admin-pending")
    async with page.expect_navigation():
        await item.get_by_role("button", name="Approve").click()
    assert "Saved" in await page.locator("main").inner_text()

    async with page.expect_navigation():
        await page.locator(".brand").click()
    await page.get_by_label("What are you looking for?").fill(name)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Search").click()
    assert await page.locator(".search-card").get_by_role("link", name=name).count() == 1
    await shot(page, "c-03-found-in-search")
