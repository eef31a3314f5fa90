"""Devices an account has logged in from: they may still log in while strangers hold it locked.

Failed log-ins are throttled per address + account and per account overall (accounts.service),
so anyone could keep an account's owner out by typing wrong passwords. As the big providers
do, a successful log-in leaves a signed device token behind (the `afrobiz_device` cookie on
pages; `device_token` in the API's answer, sent back as `X-Device-Token` or the cookie). A
log-in that brings a valid token for the account skips those throttles and is counted against
the device alone.

A token holds one entry per account (at most MAX_ACCOUNTS) that logged in on the device:
account id, the device's random id, when, and an HMAC over those and the account's password
hash under the site's secret. It cannot be made up or moved to another account, and a new
password (a reset after a break-in) ends every device's standing. It proves a password was
known on this device once; it is not a session and lets no one in without the password.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
import uuid

COOKIE_NAME = "afrobiz_device"
HEADER_NAME = "x-device-token"
MAX_AGE_SECONDS = 365 * 24 * 3600
MAX_ACCOUNTS = 5
MAX_TOKEN_LENGTH = 1024
_DEVICE_ID = re.compile(r"[A-Za-z0-9_-]{22}")


def _signature(secret: str, account_id: str, device_id: str, issued: str, password_hash: str | None) -> str:
    mac = hmac.new(secret.encode(), f"afrobiz-device|{account_id}|{device_id}|{issued}|{password_hash or ''}".encode(),
                   hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode()


def _entries(token: str | None) -> list[list[str]]:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return []
    return [parts for parts in (entry.split(".") for entry in token.split("~")) if len(parts) == 4]


def trusted_device(token: str | None, *, account_id: uuid.UUID, password_hash: str | None, secret: str,
                   now: float | None = None) -> str | None:
    """The device id when `token` carries a valid entry for this account, else None."""
    now = time.time() if now is None else now
    for account, device_id, issued, signature in _entries(token):
        if account != account_id.hex or not issued.isdigit():
            continue
        if not 0 <= now - int(issued) <= MAX_AGE_SECONDS:
            continue
        if hmac.compare_digest(signature, _signature(secret, account, device_id, issued, password_hash)):
            return device_id
    return None


def device_token(previous: str | None, *, account_id: uuid.UUID, password_hash: str | None, secret: str,
                 now: float | None = None) -> str:
    """The token to keep after this account logged in: its fresh entry first, then the other
    accounts' entries of the previous token (they are checked when used), on one device id."""
    now = time.time() if now is None else now
    others = [e for e in _entries(previous) if e[0] != account_id.hex]
    device_id = others[0][1] if others and _DEVICE_ID.fullmatch(others[0][1]) else secrets.token_urlsafe(16)
    issued = str(int(now))
    entry = [account_id.hex, device_id, issued, _signature(secret, account_id.hex, device_id, issued, password_hash)]
    return "~".join(".".join(e) for e in [entry, *others][:MAX_ACCOUNTS])
