"""Page weight: the bytes a phone downloads on a first visit, per page and per journey.

    .venv/bin/python bench/page_weight.py [--businesses 60] [--keep]

Creates a scratch database on 127.0.0.1:5432, migrates it, loads the demo data, runs the app
in-process and walks three journeys the way a browser does on a first visit (empty cache),
asking for gzip like every browser. Counted: the HTML, the stylesheet and our scripts as they
travel (compressed bodies plus response headers); photos are not counted (they are lazy-loaded
WebP thumbnails). A file already fetched in a journey comes from the cache (a year, immutable).
Budget: each journey under 60 KB.
"""
from __future__ import annotations

import argparse
import asyncio
import gzip
import re
import sys
import uuid
from pathlib import Path
from urllib.parse import urljoin

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from afrobiz.app import create_app  # noqa: E402
from afrobiz.config import Settings  # noqa: E402
from afrobiz.db import migrate  # noqa: E402

SERVER = "postgresql://postgres@127.0.0.1:5432"
BASE = "http://127.0.0.1:8000"
BUDGET = 60 * 1024
ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="(/static/[^"]+)"')


class Journey:
    """One visit with an empty cache: pages in order, each static file fetched once."""

    def __init__(self, client: httpx.AsyncClient, name: str) -> None:
        self.client, self.name = client, name
        self.cached: set[str] = set()
        self.rows: list[tuple[str, int, int]] = []    # (page, html bytes, new asset bytes)

    async def _wire(self, method: str, url: str, **kw) -> tuple[httpx.Response, str, int]:
        async with self.client.stream(method, url, **kw) as r:
            raw = b"".join([chunk async for chunk in r.aiter_raw()])
        body = gzip.decompress(raw) if r.headers.get("content-encoding") == "gzip" else raw
        headers = sum(len(k) + len(v) + 4 for k, v in r.headers.raw) + len("HTTP/1.1 200 OK\r\n\r\n")
        return r, body.decode("utf-8", "replace"), len(raw) + headers

    async def page(self, label: str, method: str, url: str, **kw) -> str:
        r, html, size = await self._wire(method, url, **kw)
        while r.status_code in (302, 303):
            url = urljoin(url, r.headers["location"])
            r, html, more = await self._wire("GET", url)
            size += more
        if r.status_code != 200:
            raise SystemExit(f"{label}: {url} answered {r.status_code}")
        assets = 0
        for href in ASSET.findall(html):
            if href not in self.cached:
                self.cached.add(href)
                assets += (await self._wire("GET", href))[2]
        self.rows.append((label, size, assets))
        self.last_url = url
        return html

    @property
    def total(self) -> int:
        return sum(h + a for _, h, a in self.rows)


def first(pattern: str, html: str) -> str:
    found = re.search(pattern, html)
    if not found:
        raise SystemExit(f"not found on the page: {pattern}")
    return found.group(1).replace("&amp;", "&")


async def journeys(client: httpx.AsyncClient) -> list[Journey]:
    home = Journey(client, "home")
    await home.page("/", "GET", "/")

    search = Journey(client, "search")
    await search.page("/search?q=braids&near=Windhoek", "GET", "/search?q=braids&near=Windhoek")

    book = Journey(client, "booking (guest)")
    html = await book.page("business page", "GET", "/b/windhoek-braids-studio")
    service = first(r'href="(/book/[0-9a-f-]+)"', html)
    html = await book.page("pick a day", "GET", service)
    html = await book.page("pick a time", "GET", first(r'class="day[^"]*" href="([^"]+)"', html))
    html = await book.page("details", "GET", first(r'class="slot[^"]*" href="([^"#]+)', html))
    form = {m[0]: m[1] for m in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)}
    form |= {"customer_name": "Selma Hangula", "customer_phone": "081 444 5566", "customer_email": "", "notes": ""}
    await book.page("confirm → booking page", "POST", first(r'<form method="post" action="(/book/[^"]+)"', html),
                    data=form, headers={"Origin": BASE})
    return [home, search, book]


def report(done: list[Journey]) -> bool:
    ok = True
    print(f"{'journey / page':<40} {'HTML':>8} {'CSS+JS':>8}")
    for j in done:
        print(f"{j.name}")
        for label, html, assets in j.rows:
            print(f"  {label:<38} {html:>8,} {assets:>8,}")
        verdict = "within" if j.total < BUDGET else "OVER"
        ok &= j.total < BUDGET
        print(f"  {'total (' + verdict + ' the 60 KB budget)':<38} {j.total:>17,} bytes")
    return ok


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--businesses", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    from afrobiz.demo.loader import load_demo

    name = f"afrobiz_weight_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{SERVER}/{name}"
    try:
        migrate.upgrade(url)
        load_demo(url, businesses=args.businesses)
        import tempfile
        settings = Settings(database_url=url, data_dir=Path(tempfile.mkdtemp()), secret_key="weight",
                            environment="test", base_url=BASE)
        app = create_app(url, settings)
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE,
                                         headers={"Accept-Encoding": "gzip"}) as client:
                ok = report(await journeys(client))
    finally:
        if not args.keep:
            with psycopg.connect(SERVER, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
