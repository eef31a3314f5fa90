"""The review rules operators can tune in system_settings (key/value/data_type), with defaults."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.admin.models import SystemSetting

# key -> (default, description). A missing row means the default (the demo data and the admin
# console write rows; no migration does, so an operator's value is never overwritten).
DEFAULTS: dict[str, tuple[bool | int, str]] = {
    "reviews.auto_approve_verified": (False, "Publish reviews tied to a completed booking without moderation "
                                             "(unless a spam signal holds them)"),
    "reviews.min_count_for_average": (3, "Below this many approved reviews a business shows 'new' "
                                           "instead of an average"),
    "reviews.flag_report_threshold": (1, "Reports from this many users flag a published review for moderation"),
    "reviews.new_account_hours": (24, "Reviews from accounts younger than this are held for moderation"),
    "reviews.max_per_account_per_hour": (3, "More reviews than this from one account in an hour are held"),
    "reviews.max_per_ip_per_hour": (5, "More reviews than this from one address in an hour are held"),
}


def _parse(value: str | None, default: bool | int) -> bool | int:
    if value is None:
        return default
    if isinstance(default, bool):
        return value.strip().lower() in ("true", "1", "yes", "on")
    try:
        return int(value)
    except ValueError:
        return default  # a mistyped setting must not break writing reviews


async def get_setting(session: AsyncSession, key: str) -> bool | int:
    """The setting's value, or its default when the row is missing or unreadable."""
    default = DEFAULTS[key][0]
    value = await session.scalar(select(SystemSetting.value).where(SystemSetting.key == key))
    return _parse(value, default)


async def get_settings(session: AsyncSession) -> dict[str, bool | int]:
    rows = dict((await session.execute(
        select(SystemSetting.key, SystemSetting.value).where(SystemSetting.key.in_(DEFAULTS)))).all())
    return {key: _parse(rows.get(key), default) for key, (default, _) in DEFAULTS.items()}
