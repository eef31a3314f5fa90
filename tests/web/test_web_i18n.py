"""Languages on the pages: which one a visitor gets, the switcher, Namibian formats, catalogues."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timezone
from decimal import Decimal

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from sqlalchemy import select

from afrobiz import i18n
from afrobiz.accounts.models import User
from afrobiz.accounts.sessions import start_session
from afrobiz.i18n import catalogues, formatting
from afrobiz.web.deps import COOKIE_NAME
from factories.accounts import create_user


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)">', html).group(1)


async def test_web_accept_language_de_gives_german_navigation(client):
    html = (await client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})).text
    assert html_lang(html) == "de"
    assert ">Anmelden</a>" in html and ">Registrieren</a>" in html and ">Suchen</a>" in html
    assert "Lokale Unternehmen in Namibia finden und buchen" in html


async def test_web_lang_cookie_beats_the_browser_and_unknown_languages_fall_back(client):
    html = (await client.get("/search", headers={"Accept-Language": "de", "Cookie": "lang=af"})).text
    assert html_lang(html) == "af" and ">Teken aan</a>" in html and "Waarna soek jy?" in html
    html = (await client.get("/", headers={"Accept-Language": "fr-FR, zu;q=0.8"})).text
    assert html_lang(html) == "en" and ">Log in</a>" in html
    # Oshiwambo's catalogue is in place but not translated yet: English text, lang="ng".
    html = (await client.get("/", headers={"Cookie": "lang=ng"})).text
    assert html_lang(html) == "ng" and ">Log in</a>" in html


async def test_web_logged_in_user_reads_their_preferred_language(client, db):
    user = await create_user(db, preferred_language="de")
    token = await start_session(db, user=user)
    html = (await client.get("/", headers={"Cookie": f"{COOKIE_NAME}={token}; lang=af"})).text
    assert html_lang(html) == "de" and ">Meine Buchungen</a>" in html and ">Abmelden</button>" in html


async def test_web_language_switcher_sets_the_cookie_and_the_users_choice(client, db):
    home = (await client.get("/")).text
    assert 'action="/language"' in home and 'name="lang"' in home
    refused = await client.post("/language", data={"lang": "de", "next": "/search"})
    assert refused.status_code == 403
    r = await client.post("/language", data={"lang": "de", "next": "/search?q=braids",
                                             "csrf_token": csrf_of(home)})
    assert r.status_code == 303 and r.headers["location"] == "/search?q=braids"
    assert "lang=de" in r.headers["set-cookie"] and "httponly" in r.headers["set-cookie"].lower()
    # Another site's address in `next` is not followed.
    r = await client.post("/language", data={"lang": "xx", "next": "//evil.example/",
                                             "csrf_token": csrf_of(home)})
    assert r.headers["location"] == "/" and "lang=en" in r.headers["set-cookie"]

    user = await create_user(db)
    cookie = {"Cookie": f"{COOKIE_NAME}={await start_session(db, user=user)}"}
    page = (await client.get("/account", headers=cookie)).text
    r = await client.post("/language", headers=cookie, data={"lang": "af", "csrf_token": csrf_of(page)})
    assert r.status_code == 303
    saved = await db.scalar(select(User.preferred_language).where(User.id == user.id))
    assert saved == "af"


def test_web_accept_language_parsing():
    assert i18n.from_accept_language("en-GB;q=0.4, af-NA;q=0.9, de") == "de"
    assert i18n.from_accept_language("af-NA;q=0.9, en;q=0.8") == "af"
    assert i18n.from_accept_language("kj") == "ng"
    assert i18n.from_accept_language("de;q=0, fr") is None
    assert i18n.from_accept_language("q=;;,,") is None


def test_web_namibian_formats():
    moment = datetime(2026, 11, 25, 15, 30, tzinfo=timezone.utc)      # 17:30 in Windhoek
    assert formatting.money(Decimal("1234.5"), lang="en") == "N$\u00a01,234.50"
    assert formatting.money(Decimal("1234.5"), lang="af") == "N$\u00a01\u00a0234,50"
    assert formatting.money(Decimal("1234.5"), lang="de") == "N$\u00a01.234,50"
    assert formatting.format_clock(moment) == "17:30" and formatting.format_clock(time(9, 5)) == "09:05"
    assert formatting.format_day(date(2026, 11, 25), "long", "en") == "Wednesday, 25 November 2026"
    assert formatting.format_day(date(2026, 11, 25), "long", "de") == "Mittwoch, 25. November 2026"
    assert formatting.format_moment(moment, "medium", "en") == "25 Nov 2026 17:30"
    assert [formatting.weekday_name(d, "af") for d in (0, 1)] == ["Sondag", "Maandag"]


def _key(value):
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def test_web_compiled_catalogues_match_their_po_files():
    for lang in ("af", "de", "ng"):
        po_path = catalogues.po_path(lang)
        with po_path.open("rb") as f:
            po = {_key(m.id): _key(m.string) for m in read_po(f)
                  if m.id and any(_key(m.string)) and not m.fuzzy and _key(m.string) != _key(m.id)}
        with po_path.with_suffix(".mo").open("rb") as f:
            # (write_mo stores an untranslated plural as its English forms: not a translation)
            mo = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id and _key(m.string) != _key(m.id)}
        assert po == mo, f"{lang}: run python -m afrobiz.i18n.catalogues compile"
    # The navigation and the booking flow are translated in Afrikaans and German.
    for lang in ("af", "de"):
        for text in ("My bookings", "Log in", "Search", "1. Pick a day", "4. Confirm booking", "Cancel booking"):
            assert i18n.gettext(text, lang) != text, (lang, text)
