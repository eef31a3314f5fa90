"""Phone numbers in E.164, read the way Namibians write them (region NA: 081 234 5678)."""
from __future__ import annotations

import phonenumbers

from afrobiz.errors import InvalidInput

DEFAULT_REGION = "NA"


def normalize_phone(raw: str | None, *, region: str = DEFAULT_REGION, field: str = "phone") -> str | None:
    """'081 234 5678' → '+264812345678'; empty → None; not a valid number → InvalidInput."""
    if raw is None or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException:
        raise InvalidInput("This is not a phone number.", field=field) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput("This phone number is not valid.", field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_key(raw: str | None, *, region: str = DEFAULT_REGION) -> str:
    """One key per phone however it is typed, for limits: E.164 when it reads as a valid
    number, else its digits."""
    try:
        return normalize_phone(raw, region=region) or ""
    except InvalidInput:
        return "".join(c for c in raw or "" if c.isdigit())


def mask_phone(e164: str) -> str:
    """'+264812345678' → '+264•••••678' for messages that must not show the whole number."""
    return e164[:4] + "•" * max(0, len(e164) - 7) + e164[-3:]
