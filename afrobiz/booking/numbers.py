"""Booking numbers: `AB-` and 8 characters a phone line cannot garble.

No 0/O, 1/I/L: a number read out over the phone is not misheard. 31^8 ≈ 8.5e11 values,
so a booking number is also the guest's unguessable handle on their booking.
"""
from __future__ import annotations

import secrets

NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
NUMBER_PREFIX = "AB-"
NUMBER_LENGTH = 8


def new_booking_number() -> str:
    return NUMBER_PREFIX + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))


def read_number(typed: str) -> str | None:
    """'ab-7k2m9pqr', 'AB7K2M9PQR', '7K2M 9PQR' → 'AB-7K2M9PQR'; None if it cannot be a number."""
    code = "".join(typed.upper().split()).replace("-", "")
    if len(code) == NUMBER_LENGTH + 2 and code.startswith("AB"):
        code = code[2:]
    if len(code) != NUMBER_LENGTH or any(c not in NUMBER_ALPHABET for c in code):
        return None
    return NUMBER_PREFIX + code
