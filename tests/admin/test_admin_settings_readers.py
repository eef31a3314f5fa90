"""Every reader of system_settings goes through admin.settings.get_setting: typed, cached,
and invalidated by the settings editor (issue 12, item 5)."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import text

from afrobiz.admin import settings
from afrobiz.directory.queries import setting_int
from afrobiz.booking.jobs import pending_expiry_minutes
from afrobiz.payments.ledger import fee_settings
from afrobiz.reviews.settings import get_setting as review_setting
from factories.accounts import create_admin


async def _write_behind_the_editor(db, key: str, value: str, data_type: str) -> None:
    await db.execute(text("INSERT INTO system_settings (key, value, data_type) VALUES (:k, :v, :t) "
                          "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, data_type = EXCLUDED.data_type"),
                     {"k": key, "v": value, "t": data_type})


async def test_defaults_when_nothing_is_stored(db):
    assert await review_setting(db, "reviews.flag_report_threshold") == 3
    assert await setting_int(db, "reviews.min_count_for_average", 99) == 3
    assert await pending_expiry_minutes(db) == 30
    assert await fee_settings(db) == (Decimal("5.0"), Decimal(0))


async def test_readers_share_the_cache_and_invalidate_refreshes_it(db):
    assert await pending_expiry_minutes(db) == 30                       # now cached
    await _write_behind_the_editor(db, "bookings.pending_expiry_minutes", "45", "integer")
    assert await pending_expiry_minutes(db) == 30                       # the cache holds for a few seconds
    settings.invalidate("bookings.pending_expiry_minutes")
    assert await pending_expiry_minutes(db) == 45
    await _write_behind_the_editor(db, "reviews.min_count_for_average", "5", "integer")
    await _write_behind_the_editor(db, "payments.platform_fee_percent", "2.5", "decimal")
    settings.invalidate()
    assert await setting_int(db, "reviews.min_count_for_average", 3) == 5
    assert await review_setting(db, "reviews.min_count_for_average") == 5
    assert (await fee_settings(db))[0] == Decimal("2.5")


async def test_the_editor_invalidates_what_it_writes(db):
    admin = await create_admin(db)
    assert await review_setting(db, "reviews.flag_report_threshold") == 3
    await settings.set_setting(db, actor=admin, key="reviews.flag_report_threshold", value=2)
    assert await review_setting(db, "reviews.flag_report_threshold") == 2


async def test_a_mistyped_row_falls_back_to_the_default(db):
    # A hand-edited row of the wrong type must not break reviews, listings or payments.
    await _write_behind_the_editor(db, "reviews.flag_report_threshold", "many", "string")
    await _write_behind_the_editor(db, "reviews.min_count_for_average", "{}", "json")
    await _write_behind_the_editor(db, "payments.platform_fee_percent", "abc", "decimal")
    await _write_behind_the_editor(db, "bookings.pending_expiry_minutes", "true", "boolean")
    settings.invalidate()
    assert await review_setting(db, "reviews.flag_report_threshold") == 3
    assert await setting_int(db, "reviews.min_count_for_average", 3) == 3
    assert await fee_settings(db) == (Decimal("5.0"), Decimal(0))
    assert await pending_expiry_minutes(db) == 30


async def test_the_threshold_cannot_be_set_below_one(client, db, login):
    admin = await create_admin(db)
    r = await client.put("/api/v1/admin/settings/reviews.flag_report_threshold", headers=await login(admin),
                         json={"value": 0})
    assert r.status_code == 422, r.text
