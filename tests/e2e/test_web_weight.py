"""The weight budget and the accessibility rules, measured in Chromium on the demo data.

Weight: a first visit (empty cache) of the home page, a search results page and the guest
booking flow each transfer under 60 KB, counting what travels over the wire (compressed bodies
plus headers) of every response except photos. Accessibility: our own checks of the rules
axe-core would flag as serious on the main pages (lang, landmarks, labels, alt texts, names of
links and buttons, unique ids, contrast AA, a visible focus ring, the skip link).
"""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser
BUDGET = 60 * 1024


class Meter:
    """Adds up the bytes of every finished response of a page, photos excluded."""

    def __init__(self, page) -> None:
        self.bytes, self.by_url = 0, {}
        page.on("requestfinished", self._on_finished)
        self.pending = []

    def _on_finished(self, request) -> None:
        if request.resource_type != "image":
            self.pending.append(request)

    async def settle(self) -> int:
        while self.pending:
            request = self.pending.pop()
            sizes = await request.sizes()
            size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            self.by_url[request.url] = self.by_url.get(request.url, 0) + size
            self.bytes += size
        return self.bytes


@pytest.fixture
async def fresh_page(browser):
    """A new phone-sized context: an empty cache, like a first visit."""
    context = await browser.new_context(viewport={"width": 390, "height": 844}, locale="en-NA",
                                        timezone_id="Africa/Windhoek")
    page = await context.new_page()
    yield page
    await context.close()


async def test_web_first_visits_stay_under_60_kb(fresh_page, browser, live_server, artifacts):
    totals = {}
    for name, path in (("home", "/"), ("search", "/search?q=braids&near=Windhoek")):
        context = await browser.new_context(viewport={"width": 390, "height": 844})
        page = await context.new_page()
        meter = Meter(page)
        response = await page.goto(live_server + path, wait_until="load")
        assert response.status == 200
        assert (await response.all_headers()).get("content-encoding") == "gzip"
        totals[name] = await meter.settle()
        await context.close()

    page = fresh_page                                   # the whole guest booking flow, one visit
    meter = Meter(page)
    await page.goto(live_server + "/b/windhoek-braids-studio", wait_until="load")
    async with page.expect_navigation():
        await page.locator(".service").first.get_by_role("link", name="Book").click()
    async with page.expect_navigation():
        await page.locator(".day-picker a").last.click()
    async with page.expect_navigation():
        await page.locator(".slot-picker a").last.click()
    await page.get_by_label("Your name").fill("Weight Test")
    await page.get_by_label("Phone").fill("081 444 5504")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Confirm booking").click()
    await page.wait_for_url(re.compile(r".*/bookings/AB-[A-Z0-9]{8}\?new=1$"))
    await page.wait_for_load_state("load")
    totals["booking"] = await meter.settle()
    static = [u for u in meter.by_url if "/static/" in u]
    assert static and all(re.search(r"\.[0-9a-f]{12}\.(css|js)$", u) for u in static)

    print("first-visit bytes:", totals)
    (artifacts / "page-weights.txt").write_text(
        "".join(f"{name}: {size} bytes ({size / 1024:.1f} KB)\n" for name, size in totals.items()))
    assert totals["booking"] > totals["home"] > 2_000          # measured something real
    for name, size in totals.items():
        assert size < BUDGET, f"{name}: {size} bytes > {BUDGET}"


# Runs in the page: returns a list of problems (empty when the page passes).
CHECKS = r"""
() => {
  const problems = [];
  const visible = el => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
    return s.visibility !== "hidden" && s.display !== "none" && (r.width > 0 || r.height > 0); };
  const name = el => (el.getAttribute("aria-label") || el.innerText || el.value || el.title ||
    [...el.querySelectorAll("img[alt]")].map(i => i.alt).join("")).trim();
  if (!document.documentElement.lang) problems.push("html has no lang");
  if (!document.title.trim()) problems.push("no title");
  for (const sel of ["header", "main", "footer", "nav"]) if (!document.querySelector(sel)) problems.push("no " + sel);
  if (document.querySelectorAll("h1").length !== 1) problems.push("h1 count " + document.querySelectorAll("h1").length);
  const first = document.querySelector("a, button, input, select, textarea");
  if (!first || first.getAttribute("href") !== "#main") problems.push("the skip link is not first");
  const ids = {};
  for (const el of document.querySelectorAll("[id]")) { if (ids[el.id]) problems.push("duplicate id " + el.id); ids[el.id] = 1; }
  for (const img of document.querySelectorAll("img")) if (!img.hasAttribute("alt")) problems.push("img without alt " + img.src);
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    const labelled = (el.labels && el.labels.length) || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    if (!labelled) problems.push("no label for " + (el.name || el.id));
  }
  for (const el of document.querySelectorAll("a[href], button")) if (visible(el) && !name(el)) problems.push("no name: " + el.outerHTML.slice(0, 80));
  // Contrast AA: 4.5:1, or 3:1 for large text, against the first opaque background behind it.
  const rgb = c => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
    if (c.length === 3 || c[3] > 0.9) return c.slice(0, 3); } return [255, 255, 255]; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el) || !visible(el) || el.closest("[aria-hidden=true], .skip-link")) continue;
    seen.add(el);
    const s = getComputedStyle(el), size = parseFloat(s.fontSize), bold = Number(s.fontWeight) >= 700;
    const a = lum(rgb(s.color).slice(0, 3)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) problems.push(`contrast ${ratio.toFixed(2)} < ${need}: "${el.textContent.trim().slice(0, 30)}"`);
  }
  return problems;
}
"""


@pytest.mark.parametrize("path", ["/", "/search?q=braids&near=Windhoek", "/b/windhoek-braids-studio",
                                  "/categories/hair-beauty", "/login", "/register"])
async def test_web_main_pages_pass_the_accessibility_checks(page, live_server, path, shot):
    response = await page.goto(live_server + path)
    assert response.status == 200
    assert await page.evaluate(CHECKS) == []
    # The keyboard: the first Tab lands on the skip link, which is then visible with a focus ring.
    await page.keyboard.press("Tab")
    focused = await page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
        return [e.getAttribute('href'), s.outlineStyle, parseFloat(s.outlineWidth), e.getBoundingClientRect().top >= 0]; }""")
    assert focused == ["#main", "solid", 3.0, True]
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    slug = path.strip("/").split("?")[0].replace("/", "-") or "home"
    await shot(page, f"e-a11y-{slug}")


@pytest.mark.parametrize("path", ["/", "/search?q=braids&near=Windhoek", "/b/windhoek-braids-studio",
                                  "/categories/hair-beauty", "/login", "/register"])
async def test_web_main_pages_fit_a_360px_screen(narrow_page, live_server, path):
    """The narrowest phones still in use: nothing sticks out sideways (no horizontal scrolling)."""
    response = await narrow_page.goto(live_server + path)
    assert response.status == 200
    assert await narrow_page.evaluate("document.documentElement.scrollWidth") <= 360
