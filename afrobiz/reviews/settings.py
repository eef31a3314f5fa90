"""The review rules operators can tune in system_settings, with their defaults.

Read through afrobiz.admin.settings (typed, cached for a few seconds), like every setting;
this module only says which rules exist and what a review needs from them.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

# key -> (default, description). A missing row means the default (the demo data and the admin
# console write rows; no migration does, so an operator's value is never overwritten).
DEFAULTS: dict[str, tuple[bool | int, str]] = {
    "reviews.auto_approve_verified": (False, "Publish reviews tied to a completed booking without moderation "
                                             "(unless a spam signal holds them)"),
    "reviews.min_count_for_average": (3, "Below this many approved reviews a business shows 'new' "
                                           "instead of an average"),
    # One report hid a review: a single rival could take down any review. Three distinct
    # reporters send it back to moderation; admins can change the number in the settings.
    "reviews.flag_report_threshold": (3, "Reports from this many different users take a published review "
                                         "back to moderation"),
    "reviews.new_account_hours": (24, "Reviews from accounts younger than this are held for moderation"),
    "reviews.max_per_account_per_hour": (3, "More reviews than this from one account in an hour are held"),
    "reviews.max_per_ip_per_hour": (5, "More reviews than this from one address in an hour are held"),
}
TRUE = ("true", "1", "yes", "on")


def _parse(value: Any, default: bool | int) -> bool | int:
    """The value as the rule's type; a mistyped setting must not break writing reviews."""
    if value is None:
        return default
    if isinstance(default, bool):
        return value if isinstance(value, bool) else str(value).strip().lower() in TRUE
    if isinstance(value, bool):
        return default
    try:
        return int(str(value).strip())
    except ValueError:
        return default


async def get_setting(session: AsyncSession, key: str) -> bool | int:
    """The setting's value, or its default when the row is missing or unreadable."""
    return (await get_settings(session, [key]))[key]


async def get_settings(session: AsyncSession, keys: list[str] | None = None) -> dict[str, bool | int]:
    from afrobiz.admin import settings as admin_settings   # admin.settings imports DEFAULTS from here

    keys = list(keys or DEFAULTS)
    values = await admin_settings.get_settings(session, keys)
    return {key: _parse(values.get(key), DEFAULTS[key][0]) for key in keys}
