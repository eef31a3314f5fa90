"""Contact details made canonical: phone numbers in E.164 (+264 by default), wa.me links,
web addresses. (A local helper until a shared afrobiz/kit/phones.py exists.)"""
from __future__ import annotations

from urllib.parse import urlsplit

import phonenumbers

DEFAULT_REGION = "NA"


def normalize_phone(value: str, *, region: str = DEFAULT_REGION) -> str | None:
    """'081 234 5678' -> '+264812345678'; None when it is not a valid number."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def whatsapp_url(e164: str | None) -> str | None:
    """The click-to-chat link of an E.164 number (wa.me wants the digits only)."""
    return f"https://wa.me/{e164.lstrip('+')}" if e164 else None


def display_phone(e164: str | None) -> str | None:
    """'+264812345678' -> '+264 81 234 5678' for people."""
    if not e164:
        return None
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def normalize_website(value: str) -> str | None:
    """An http(s) address with a host, or None (javascript:, data:, ftp: ... are refused).
    A bare host ('salon.com.na') is taken as https."""
    value = value.strip()
    if "://" not in value and ":" not in value.split("/", 1)[0] and "." in value.split("/", 1)[0]:
        value = "https://" + value
    try:
        parts = urlsplit(value)
        _ = parts.port    # raises on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or "." not in parts.hostname:
        return None
    if any(c.isspace() for c in value):
        return None
    return value
