"""Browser tests: the real app served by uvicorn on a free port, driven in Chromium.

These use their own committed database (demo data, loaded once per run), not the
rolled-back test transaction, because the server runs in another thread.
"""
from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from afrobiz.app import create_app
from afrobiz.config import Settings
from afrobiz.db import migrate
from dbtools import create_database, drop_database


def chromium_path() -> str | None:
    for candidate in (os.environ.get("AFROBIZ_BROWSER"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def e2e_database_url(server_url):
    from afrobiz.demo.loader import load_demo

    url = create_database(server_url, "afrobiz_e2e")
    migrate.upgrade(url)
    load_demo(url, businesses=60)
    yield url
    drop_database(server_url, url)


@pytest.fixture(scope="session")
def live_server(e2e_database_url, tmp_path_factory):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(database_url=e2e_database_url, data_dir=tmp_path_factory.mktemp("e2e"),
                        secret_key="e2e-secret", environment="test", base_url=f"http://127.0.0.1:{port}")
    server = uvicorn.Server(uvicorn.Config(create_app(e2e_database_url, settings), host="127.0.0.1",
                                           port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
async def browser():
    from playwright.async_api import async_playwright

    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required for browser tests in CI (apt-get install chromium)")
        pytest.skip("no Chromium here: apt-get install chromium, or set AFROBIZ_BROWSER")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        await browser.close()


# The phone: journeys are tried at 390×844 (a common Android size); the narrowest
# phones (360 px) get their own no-sideways-scrolling check (test_web_weight.py).
PHONE = {"width": 390, "height": 844}
NARROW_PHONE = {"width": 360, "height": 740}


@pytest.fixture
async def page(browser):
    context = await browser.new_context(viewport=PHONE, locale="en-NA", timezone_id="Africa/Windhoek")
    page = await context.new_page()
    yield page
    await context.close()


@pytest.fixture
async def narrow_page(browser):
    context = await browser.new_context(viewport=NARROW_PHONE, locale="en-NA", timezone_id="Africa/Windhoek")
    page = await context.new_page()
    yield page
    await context.close()


def artifacts_dir() -> Path:
    """Where screenshots go: $AFROBIZ_ARTIFACTS, else test-artifacts/e2e (git-ignored)."""
    default = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
    folder = Path(os.environ.get("AFROBIZ_ARTIFACTS") or default)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def artifacts() -> Path:
    return artifacts_dir()


@pytest.fixture
def shot():
    """``await shot(page, "b-02-booked")``: a full-page screenshot of a journey's key page, kept
    as a test artifact; index.txt beside them lists every screenshot (rewritten each time,
    so parallel workers cannot lose each other's lines)."""
    folder = artifacts_dir()

    async def take(page, name: str) -> Path:
        path = folder / f"{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        names = sorted(p.name for p in folder.glob("*.png"))
        (folder / "index.txt").write_text("".join(f"{n}\n" for n in names))
        return path

    return take
