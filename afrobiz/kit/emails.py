"""One spelling of an e-mail address, for storage, look-up and every rate-limit key.

`users.email` is citext: PostgreSQL calls two addresses equal when its own lower() makes them
equal, and that case mapping is not Python's (the C library folds 'İ', U+0130, to 'i'; Python's
lower() gives 'i' plus a combining dot). With two notions of "the same address", `squat.İ@dom`
and `squat.i@dom` were two addresses to the sign-up and throttle code but one to the database:
the second sign-up got a 201 while the account stayed the first one's, and each spelling got
its own log-in and reset budget. So every address is brought to one form where the two cannot
disagree:

* NFKC first, so look-alike compatibility characters (fullwidth letters, ligatures, the Kelvin
  sign) become the plain letters they stand for;
* the part before the @ must then be plain ASCII: addresses with other characters there are
  refused (mail providers in Namibia hand out none, and SMTPUTF8 delivery is rare);
* the domain is lower-cased and written in ASCII (IDNA: münchen.de → xn--mnchen-3ya.de).

Between ASCII strings PostgreSQL's and Python's lower() agree, so the database's uniqueness,
`get_user_by_email` and every key made by `email_key` see the same addresses as equal.
Migration 0025 has PostgreSQL refuse a non-ASCII address in `users.email`, whatever writes it.
"""
from __future__ import annotations

import unicodedata

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 255


class UnusableEmail(ValueError):
    """Not an address an account can have (pydantic turns the message into a 422)."""


def canonical_email(raw: str) -> str:
    """The stored spelling: local part as typed (ASCII), domain lower-case ASCII."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text or len(text) > MAX_LENGTH:
        raise UnusableEmail("Enter a valid e-mail address.")
    try:
        found = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        if not text.partition("@")[0].isascii():
            raise UnusableEmail("Use an address with plain letters (a-z), digits and . _ - + before the @.") from None
        raise UnusableEmail(str(exc)) from None
    return found.ascii_email


def email_key(raw: str) -> str:
    """The address as one key: what sign-up, log-in, reset and their throttles compare.

    A text that is no usable address (it can match no account) still gets a stable key, so
    throttling it behaves exactly as for a real address."""
    try:
        return canonical_email(raw).lower()
    except UnusableEmail:
        return unicodedata.normalize("NFKC", raw or "").strip().casefold()


def mailbox_key(raw: str) -> str:
    """The mailbox an address reaches, for limits on messages and guest bookings: the key
    without a `+tag` (user+1@… and user+2@… land in one inbox)."""
    key = email_key(raw)
    local, at, domain = key.rpartition("@")
    if not at:
        return key
    return f"{local.split('+', 1)[0] or local}@{domain}"
