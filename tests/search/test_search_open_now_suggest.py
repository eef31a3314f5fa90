"""Open now at fixed clocks (checked against directory/hours.py), and GET /search/suggest."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from factories.accounts import create_user
from factories.directory import create_business
from sqlalchemy import text

from afrobiz.booking.models import BusinessClosure
from afrobiz.directory import hours as hours_rules
from afrobiz.db.raw import session_reader
from afrobiz.directory.models import BusinessHours
from afrobiz.search.params import SearchParams
from afrobiz.search.queries import search_businesses

WHK = ZoneInfo("Africa/Windhoek")
FRI, SAT = 5, 6                       # 2026-03-06 is a Friday


def at(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 3, day, hh, mm, tzinfo=WHK)


@pytest.fixture
async def bar(db):
    owner = await create_user(db, role="business_owner")
    bar = await create_business(db, owner=owner, name="Night Owl Bar")
    db.add(BusinessHours(business_id=bar.id, day_of_week=FRI, open_time=time(18), close_time=time(2)))
    db.add(BusinessHours(business_id=bar.id, day_of_week=SAT, open_time=time(18), close_time=time(2)))
    db.add(BusinessHours(business_id=bar.id, day_of_week=0, is_24_hours=True))
    await db.flush()
    return bar


async def open_now(db, moment: datetime) -> bool:
    await db.execute(text("SELECT set_config('app.role', 'anonymous', true)"))
    result = await search_businesses(await session_reader(db), params=SearchParams(q="night owl", open_now=True), secret="s", now=moment)
    await db.execute(text("SELECT set_config('app.role', 'system', true)"))
    return [i["name"] for i in result.items] == ["Night Owl Bar"]


@pytest.mark.parametrize("moment", [
    at(6, 17, 59), at(6, 18), at(6, 23, 59), at(7, 0), at(7, 1, 59), at(7, 2), at(7, 12), at(7, 19),
    at(8, 1), at(8, 2, 30), at(8, 23, 59), at(9, 0, 0), at(9, 0, 30), at(5, 12),
])
async def test_open_now_matches_the_hours_rules_across_midnight(db, bar, moment):
    rows = [hours_rules.Hours(FRI, time(18), time(2)), hours_rules.Hours(SAT, time(18), time(2)),
            hours_rules.Hours(0, is_24_hours=True)]
    assert await open_now(db, moment) == hours_rules.is_open_at(rows, moment)


async def test_closures_cancel_the_hours_that_start_that_day(db, bar):
    assert await open_now(db, at(7, 1))               # Friday night, after midnight
    db.add(BusinessClosure(business_id=bar.id, closed_on=date(2026, 3, 7)))   # Saturday closed
    await db.flush()
    assert await open_now(db, at(7, 1))               # Friday's shift still runs into Saturday
    assert not await open_now(db, at(7, 19))          # Saturday evening cancelled
    db.add(BusinessClosure(business_id=bar.id, closed_on=date(2026, 3, 6)))   # Friday closed too
    await db.flush()
    assert not await open_now(db, at(7, 1))


async def test_the_badge_uses_the_same_rule(db, bar):
    result = await search_businesses(await session_reader(db), params=SearchParams(q="night owl"), secret="s", now=at(7, 1))
    assert result.items[0]["is_open_now"] is True
    result = await search_businesses(await session_reader(db), params=SearchParams(q="night owl"), secret="s", now=at(7, 3))
    assert result.items[0]["is_open_now"] is False


async def suggest(client, q):
    r = await client.get("/api/v1/search/suggest", params={"q": q})
    assert r.status_code == 200
    return [(s["type"], s["name"]) for s in r.json()]


async def test_suggest_prefixes_words_and_typos(world, client):
    assert ("business", "Windhoek Braids Studio") in await suggest(client, "wi")
    got = await suggest(client, "bra")
    assert got[0] == ("category", "Braids") and ("business", "Windhoek Braids Studio") in got
    assert await suggest(client, "studio") == [("business", "Windhoek Braids Studio")]     # a later word
    assert await suggest(client, "luder") == [("business", "Lüderitz Seafood Grill")]       # unaccented
    assert ("business", "Swakopmund Kapana Corner") in await suggest(client, "swakopmnd")   # typo
    assert await suggest(client, "w") == []
    assert all("Pending" not in n and "Suspended" not in n for _, n in await suggest(client, "secret braids"))
    assert all("Pending" not in n and "Suspended" not in n for _, n in await suggest(client, "su"))


async def test_suggest_rejects_an_overlong_query(client):
    r = await client.get("/api/v1/search/suggest", params={"q": "x" * 101})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"


async def test_suggest_follows_renames_and_status_at_once(world, client, db):
    # search_name_words (migration 0015) is kept by triggers in the changing transaction.
    world.kapana.name = "Swakop Grill House"
    await db.flush()
    assert ("business", "Swakop Grill House") in await suggest(client, "grill")
    assert ("business", "Swakop Grill House") in await suggest(client, "swakop gri")
    assert ("business", "Swakopmund Kapana Corner") not in await suggest(client, "kapana")
    world.kapana.status = "suspended"
    await db.flush()
    assert ("business", "Swakop Grill House") not in await suggest(client, "grill")
    world.kapana.status = "active"
    await db.flush()
    assert ("business", "Swakop Grill House") in await suggest(client, "hous")


async def test_open_now_follows_changed_and_removed_hours_at_once(db, bar):
    # search_entries.open_week (migration 0015) is recomputed by triggers on business_hours.
    assert await open_now(db, at(6, 19)) and await open_now(db, at(8, 12))
    friday = (await db.execute(text("SELECT id FROM business_hours WHERE business_id = :b AND day_of_week = :d"),
                               {"b": bar.id, "d": FRI})).scalar_one()
    await db.execute(text("UPDATE business_hours SET close_time = '18:30' WHERE id = :id"), {"id": friday})
    assert not await open_now(db, at(6, 19))
    assert await open_now(db, at(6, 18, 15))
    await db.execute(text("DELETE FROM business_hours WHERE business_id = :b AND day_of_week = 0"), {"b": bar.id})
    assert not await open_now(db, at(8, 12))
