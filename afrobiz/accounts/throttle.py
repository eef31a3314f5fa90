"""How often each account action may be tried (moving windows, per IP and per account).

Counted per e-mail address whether or not an account has it, so a 429 reveals nothing. The
address is keyed by kit.emails.email_key, the same spelling the database compares.
"""
from __future__ import annotations

from afrobiz.kit import ratelimit
from afrobiz.kit.emails import email_key

LOGIN_FAILURES_PER_ACCOUNT_AND_IP = "10 per 15 minutes"
LOGIN_FAILURES_PER_IP = "30 per 15 minutes"       # mobile carriers put many people behind one IP
# The ceiling for an account from everywhere together: looser, since strangers can fill it;
# the owner's own devices still get in (accounts/devices.py).
LOGIN_FAILURES_PER_ACCOUNT = "100 per hour"
LOGIN_FAILURES_PER_DEVICE = "10 per 15 minutes"   # a device the account logged in from before
REGISTER_PER_IP = "10 per hour"
REGISTER_PER_EMAIL = "5 per hour"
RESET_PER_IP = "10 per hour"
RESET_PER_EMAIL = "5 per hour"
TOKEN_PER_IP = "30 per hour"                      # trying reset/verification links
CODE_SENDS_PER_USER = "5 per hour"
CODE_FAILURES_PER_USER = "5 per 10 minutes"       # a 6-digit code: 5 guesses in its lifetime
PASSWORD_CHECKS_PER_USER = "10 per 15 minutes"    # re-entering the password (change, delete)


def ip_key(ip: str | None) -> str:
    return ip or "unknown"


guard = ratelimit.guard


__all__ = ["ratelimit", "guard", "email_key", "ip_key"]
