"""A business's settings (the `businesses.settings` JSONB column), typed.

Every key the code reads is declared here, and nothing else may be stored:

  timezone        an IANA zone name that zoneinfo knows ("Africa/Windhoek"); the business's
                  slots, bookings and calendar files are in it (default: Namibia's)
  payments.bank   the account customers pay bank transfers into (PUT .../bank-details)

Writing goes through `BusinessSettings` (unknown keys and wrong shapes are refused: 422).
Reading goes through `stored()`, which never raises: a value that does not fit (written before
these checks, or by hand) reads as absent, key by key, so one bad key cannot take a booking
page down. Migration 0023 rewrote the stored values with `repaired()`.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, get_args
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    # The names zoneinfo can load (the system's tz database, or the tzdata package).
    return frozenset(available_timezones())


def known_zone(name: object) -> bool:
    return isinstance(name, str) and name in _zones()


class BankDetails(BaseModel):
    """The account for bank transfers (the payments domain writes and shows it)."""
    model_config = ConfigDict(extra="forbid")
    account_name: str = Field(min_length=2, max_length=100)
    bank: str = Field(min_length=2, max_length=100)
    account_number: str = Field(min_length=4, max_length=30, pattern=r"^[0-9 -]+$")
    branch_code: str | None = Field(None, max_length=20)


class PaymentSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bank: BankDetails | None = None


class BusinessSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    timezone: str | None = Field(None, max_length=64, description="IANA time zone, e.g. Africa/Windhoek")
    payments: PaymentSettings | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None and not known_zone(value):
            raise ValueError("Not a time zone this server knows: use a name like Africa/Windhoek.")
        return value

    def as_stored(self) -> dict[str, Any]:
        """The JSON kept in the column: only the keys that are set."""
        return self.model_dump(mode="json", exclude_none=True)


def _group(annotation: object) -> type[BaseModel] | None:
    """The model behind a key if it is a group of optional keys (payments), else None: a
    group is kept key by key, anything else (a bank account) whole or not at all."""
    for kind in (annotation, *get_args(annotation)):
        if isinstance(kind, type) and issubclass(kind, BaseModel) \
                and not any(f.is_required() for f in kind.model_fields.values()):
            return kind
    return None


def _fitting(model: type[BaseModel], raw: object) -> dict[str, Any]:
    """The keys of `raw` that fit `model`, each checked on its own; the others are left out."""
    if not isinstance(raw, dict):
        return {}
    kept: dict[str, Any] = {}
    for key, field in model.model_fields.items():
        if key not in raw:
            continue
        if (group := _group(field.annotation)) is not None:
            if inner := _fitting(group, raw[key]):
                kept[key] = inner
            continue
        try:
            kept.update(model.model_validate({key: raw[key]}).model_dump(mode="json", include={key}))
        except ValidationError:
            continue
    return kept


def stored(raw: object) -> BusinessSettings:
    """The settings as read from the column, whatever it holds: a key that does not fit its
    shape reads as absent (unknown keys are ignored), and the keys beside it still count."""
    return BusinessSettings.model_validate(_fitting(BusinessSettings, raw))


def repaired(raw: object) -> dict[str, Any]:
    """What a stored value becomes under today's rules (the keys that fit, nothing else)."""
    return stored(raw).as_stored()


def merged(raw: object, changes: BusinessSettings) -> dict[str, Any]:
    """A partial change of the settings: the keys sent replace the stored ones, a key sent
    as null is removed, the keys not sent stay (so changing the time zone keeps the bank)."""
    current = repaired(raw)
    for key in changes.model_fields_set:
        value = getattr(changes, key)
        if value is None:
            current.pop(key, None)
        else:
            current[key] = value.model_dump(mode="json", exclude_none=True) if isinstance(value, BaseModel) else value
    return BusinessSettings.model_validate(current).as_stored()


def timezone_of(raw: object) -> str | None:
    """The business's own time zone, if it names one zoneinfo knows (else the caller's default)."""
    zone = raw.get("timezone") if isinstance(raw, dict) else None
    return zone if known_zone(zone) else None


def bank_of(raw: object) -> dict[str, Any] | None:
    """The business's bank account for transfers, if one is set and well formed."""
    bank = stored(raw).payments
    return bank.bank.model_dump(mode="json") if bank is not None and bank.bank is not None else None
