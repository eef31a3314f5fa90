"""system_settings, typed: a value is stored as text and read by its data_type; the settings
the code relies on are listed here with their type, bounds and default, so the editor
cannot store a platform fee of "abc" or turn a number into a yes/no."""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.admin.audit import record
from afrobiz.admin.models import SystemSetting
from afrobiz.errors import InvalidInput, NotFound
from afrobiz.reviews.settings import DEFAULTS as REVIEW_DEFAULTS

DATA_TYPES = ("string", "integer", "decimal", "boolean", "json")
KEY_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
CACHE_SECONDS = 30.0
TRUE, FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


@dataclass(frozen=True)
class Spec:
    data_type: str
    default: Any
    description: str
    is_public: bool = False
    minimum: Decimal | None = None
    maximum: Decimal | None = None


KNOWN: dict[str, Spec] = {
    "payments.platform_fee_percent": Spec("decimal", Decimal("5.0"),
                                          "Platform fee taken from each card or mobile payment (percent).",
                                          minimum=Decimal(0), maximum=Decimal(50)),
    "bookings.pending_expiry_minutes": Spec("integer", 30, "A pending booking not confirmed within this many "
                                            "minutes is cancelled.", minimum=Decimal(5), maximum=Decimal(10080)),
    # Guests book without an account (issue 21): what one client or one contact may do.
    "bookings.guest_per_ip_per_hour": Spec("integer", 20, "Guest bookings one client address may make in an hour "
                                           "(mobile carriers put many people behind one address).",
                                           minimum=Decimal(1), maximum=Decimal(100000)),
    "bookings.guest_per_contact_per_hour": Spec("integer", 5, "Guest bookings one e-mail address or phone number "
                                                "may make in an hour.", minimum=Decimal(1), maximum=Decimal(10000)),
    "bookings.guest_pending_per_contact": Spec("integer", 3, "Pending (unconfirmed) guest bookings one e-mail "
                                               "address or phone number may hold at one business.",
                                               minimum=Decimal(1), maximum=Decimal(1000)),
    "notifications.guest_messages_per_hour": Spec("integer", 5, "Messages sent to one guest e-mail address or "
                                                  "phone number (not verified by anyone) in an hour; more are "
                                                  "dropped.", minimum=Decimal(1), maximum=Decimal(1000)),
    "site.default_currency": Spec("string", "NAD", "Currency of new businesses and services.", is_public=True),
    **{key: Spec("boolean" if isinstance(default, bool) else "integer", default, description,
                 is_public=key == "reviews.min_count_for_average",
                 # Zero reports must not flag every review.
                 minimum=None if isinstance(default, bool)
                 else Decimal(1 if key == "reviews.flag_report_threshold" else 0))
       for key, (default, description) in REVIEW_DEFAULTS.items()},
}


@dataclass
class SettingView:
    key: str
    value: Any
    data_type: str
    description: str | None
    is_public: bool
    is_default: bool
    updated_at: datetime | None


def parse(raw: str | None, data_type: str) -> Any:
    """The stored text as its type (InvalidInput when it does not read as that type)."""
    if raw is None:
        return None
    try:
        if data_type == "integer":
            return int(raw.strip())
        if data_type == "decimal":
            value = Decimal(raw.strip())
            if not value.is_finite():
                raise ValueError(raw)
            return value
        if data_type == "boolean":
            word = raw.strip().lower()
            if word not in TRUE + FALSE:
                raise ValueError(raw)
            return word in TRUE
        if data_type == "json":
            return json.loads(raw)
        return raw
    except (ValueError, InvalidOperation, json.JSONDecodeError) as exc:
        raise InvalidInput(f"Not a valid {data_type} value.", field="value") from exc


def encode(value: Any, data_type: str) -> str:
    """A value sent by the editor (JSON or form text) as the text to store, checked against its type."""
    if data_type not in DATA_TYPES:
        raise InvalidInput(f"data_type must be one of {', '.join(DATA_TYPES)}.", field="data_type")
    if data_type == "json":
        if isinstance(value, str):
            parse(value, "json")
            return value
        return json.dumps(value)
    if value is None or isinstance(value, (dict, list)):
        raise InvalidInput(f"Not a valid {data_type} value.", field="value")
    if data_type == "integer" and isinstance(value, (bool, float)):
        raise InvalidInput("Not a valid integer value.", field="value")
    if data_type == "boolean" and not isinstance(value, (bool, str)):
        raise InvalidInput("Not a valid boolean value.", field="value")
    if data_type in ("integer", "decimal") and isinstance(value, bool):
        raise InvalidInput(f"Not a valid {data_type} value.", field="value")
    text = str(value).lower() if isinstance(value, bool) else str(value)
    typed = parse(text, data_type)
    if data_type == "boolean":
        return "true" if typed else "false"
    return str(typed) if data_type in ("integer", "decimal") else text


def _check_bounds(key: str, value: Any) -> None:
    spec = KNOWN.get(key)
    if spec is None or spec.data_type not in ("integer", "decimal"):
        return
    if spec.minimum is not None and value < spec.minimum:
        raise InvalidInput(f"Must be at least {spec.minimum}.", field="value")
    if spec.maximum is not None and value > spec.maximum:
        raise InvalidInput(f"Must be at most {spec.maximum}.", field="value")


# ---------------------------------------------------------------- reading (cached)

# Every reader of system_settings goes through get_setting()/get_settings(): one typed
# reading, cached CACHE_SECONDS per process. The editor invalidates what it writes at once
# in its own process; other processes see a change within CACHE_SECONDS.
_cache: dict[str, tuple[float, Any]] = {}
_UNSET = object()


def invalidate(key: str | None = None) -> None:
    """Forget the cached value of `key` (all keys when None): after writing system_settings
    by any other way than set_setting() (a migration, the demo loader, a test)."""
    if key is None:
        _cache.clear()
    else:
        _cache.pop(key, None)


clear_cache = invalidate


def _view(key: str, row: SystemSetting | None) -> SettingView:
    spec = KNOWN.get(key)
    if row is None:
        assert spec is not None
        return SettingView(key, spec.default, spec.data_type, spec.description, spec.is_public, True, None)
    # A known setting is read as its own type whatever the row says (the editor cannot change
    # it, a hand-edited row can): a boolean 'true' must not become a 1-minute expiry.
    data_type = spec.data_type if spec else row.data_type
    try:
        value = parse(row.value, data_type)
    except InvalidInput:          # a hand-edited row that does not read: show the default
        value = spec.default if spec else row.value
    return SettingView(key, value, data_type, row.description or (spec.description if spec else None),
                       row.is_public, False, row.updated_at)


async def list_settings(session: AsyncSession, *, public_only: bool = False) -> list[SettingView]:
    """Every stored setting plus the known ones still at their default, by key."""
    rows = {r.key: r for r in await session.scalars(select(SystemSetting))}
    views = [_view(k, rows.get(k)) for k in sorted(set(rows) | set(KNOWN))]
    return [v for v in views if v.is_public] if public_only else views


async def get_setting(session: AsyncSession, key: str, default: Any = None) -> Any:
    """A setting's typed value (its known default when unset, else `default`), cached for a
    few seconds."""
    return (await get_settings(session, [key], default))[key]


async def get_settings(session: AsyncSession, keys: list[str] | tuple[str, ...], default: Any = None
                       ) -> dict[str, Any]:
    """Several settings' typed values, the uncached ones read in one query."""
    now, written = time.monotonic(), session.info.get("settings_written")
    values: dict[str, Any] = {}
    for key in keys:
        hit = _cache.get(key)
        if hit is not None and hit[0] > now and not written:
            values[key] = hit[1]
    missing = [k for k in keys if k not in values]
    if missing:
        rows = {r.key: r for r in await session.scalars(select(SystemSetting).where(SystemSetting.key.in_(missing)))}
        for key in missing:
            row = rows.get(key)
            values[key] = _UNSET if row is None and key not in KNOWN else _view(key, row).value
            if not written:        # never cache a value that may yet roll back
                _cache[key] = (now + CACHE_SECONDS, values[key])
    # An unknown key without a row takes this caller's default (cached as _UNSET, not as it).
    return {k: default if v is _UNSET else v for k, v in values.items()}


# ---------------------------------------------------------------- writing

async def set_setting(session: AsyncSession, *, actor: User, key: str, value: Any, data_type: str | None = None,
                      description: str | None = None, is_public: bool | None = None,
                      ip: str | None = None) -> SettingView:
    """Store a setting after checking its value against its type (and a known setting's bounds);
    a known setting's type cannot change. Audited."""
    if not KEY_PATTERN.match(key) or len(key) > 255:
        raise InvalidInput("Use lower-case words joined by dots, e.g. reviews.min_count.", field="key")
    row = await session.scalar(select(SystemSetting).where(SystemSetting.key == key))
    spec = KNOWN.get(key)
    fixed_type = spec.data_type if spec else (row.data_type if row else None)
    data_type = data_type or fixed_type
    if data_type is None:
        raise InvalidInput("Say what type a new setting is.", field="data_type")
    if data_type not in DATA_TYPES:
        raise InvalidInput(f"data_type must be one of {', '.join(DATA_TYPES)}.", field="data_type")
    if fixed_type is not None and data_type != fixed_type:
        raise InvalidInput(f"{key} is a {fixed_type} setting.", field="data_type")
    stored = encode(value, data_type)
    _check_bounds(key, parse(stored, data_type))
    old = None if row is None else {"value": row.value, "data_type": row.data_type, "is_public": row.is_public}
    if row is None:
        row = SystemSetting(key=key, data_type=data_type,
                            description=description or (spec.description if spec else None),
                            is_public=is_public if is_public is not None else (spec.is_public if spec else False))
        session.add(row)
    elif description is not None:
        row.description = description
    if is_public is not None:
        row.is_public = is_public
    row.value = stored
    await session.flush()
    await session.refresh(row)
    session.info["settings_written"] = True
    invalidate(key)
    await record(session, actor_id=actor.id, action="setting.update", table_name="system_settings", record_id=row.id,
                 old=old, new={"value": row.value, "data_type": row.data_type, "is_public": row.is_public}, ip=ip)
    return _view(key, row)


async def require_setting(session: AsyncSession, key: str) -> SettingView:
    row = await session.scalar(select(SystemSetting).where(SystemSetting.key == key))
    if row is None and key not in KNOWN:
        raise NotFound("No such setting.")
    return _view(key, row)
