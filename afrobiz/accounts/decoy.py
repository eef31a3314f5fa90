"""What a log-in for an address without an account (or without a password) checks instead.

A check costs what the hash's argon2 parameters say. Accounts whose hash predates a change of
parameters keep the old ones until their owner next logs in (then the hash is redone with the
current ones, accounts.passwords), so a wrong password for such an account took 340 ms where an
unknown address took 65 ms: the timing told who has an account. A decoy check with the
current parameters is not enough while old hashes remain, so each unknown address checks a
decoy with parameters drawn from the hashes really stored, in their proportions, and always
the same ones for the same address (an HMAC of it under the site's secret picks them): timed
once or a hundred times, an unknown address looks like some account. The mix orders the
current parameters last, so as old hashes are upgraded an address only ever moves to the
current ones, as a real account does.

The mix is counted from `users` at most every MIX_SECONDS per process.
"""
from __future__ import annotations

import hashlib
import hmac
import time

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.passwords import CURRENT_PARAMETERS

MIX_SECONDS = 600.0
_MIX_SQL = text("SELECT split_part(password_hash, '$', 4) AS parameters, count(*) FROM users "
                "WHERE password_hash LIKE '$argon2id$%' GROUP BY 1")
_cached: tuple[float, tuple[tuple[str, int], ...]] | None = None


def forget_mix() -> None:
    """Count the stored parameters again at the next use (tests; after a bulk change)."""
    global _cached
    _cached = None


async def parameter_mix(session: AsyncSession) -> tuple[tuple[str, int], ...]:
    """(parameters, how many hashes use them), the current parameters last."""
    global _cached
    now = time.monotonic()
    if _cached is None or _cached[0] <= now:
        rows = (await session.execute(_MIX_SQL)).all()
        mix = tuple(sorted(((p, n) for p, n in rows if p), key=lambda row: (row[0] == CURRENT_PARAMETERS, row[0])))
        _cached = (now + MIX_SECONDS, mix)
    return _cached[1]


def choose(mix: tuple[tuple[str, int], ...], key: str, secret: str) -> str:
    """The parameters for this address: a fixed point in [0, 1) from the address, placed on
    the mix's cumulative counts."""
    total = sum(n for _, n in mix)
    if total == 0:
        return CURRENT_PARAMETERS
    digest = hmac.new(secret.encode(), f"login-decoy|{key}".encode(), hashlib.sha256).digest()
    point = int.from_bytes(digest[:8], "big") * total >> 64
    for parameters, count in mix:
        if point < count:
            return parameters
        point -= count
    return CURRENT_PARAMETERS


async def decoy_parameters(session: AsyncSession, key: str, secret: str) -> str:
    return choose(await parameter_mix(session), key, secret)
