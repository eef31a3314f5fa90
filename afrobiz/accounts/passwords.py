"""Passwords: the rules a new password must meet, and argon2id hashing (pwdlib).

Parameters are OWASP's minimum for argon2id (m=19 MiB, t=2, p=1); raise them here and every
user's hash is upgraded at their next log-in. The common-password list is Django's 20,000
most common passwords by Royce Williams (see common-passwords.README), shipped as package data.
"""
from __future__ import annotations

import asyncio
import re
from functools import lru_cache
from pathlib import Path

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from afrobiz.errors import InvalidInput

MIN_LENGTH = 8
MAX_LENGTH = 128          # long passphrases welcome; a cap stops multi-megabyte hashing work
MEMORY_COST_KIB = 19456
TIME_COST = 2
PARALLELISM = 1
COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt")

hasher = PasswordHash((Argon2Hasher(memory_cost=MEMORY_COST_KIB, time_cost=TIME_COST, parallelism=PARALLELISM),))


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    return frozenset(line.strip() for line in COMMON_PASSWORDS.read_text().splitlines() if line.strip())


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """Why this password may not be used, or None when it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    if lowered in common_passwords():
        return "This password is too common; choose one that is harder to guess."
    if email and lowered in (email.lower(), email.split("@")[0].lower()):
        return "The password must not be your e-mail address."
    return None


def check_password_rules(password: str, *, email: str | None = None, field: str = "password") -> None:
    """Raise InvalidInput (422 with the field) when the password breaks a rule."""
    problem = password_problem(password, email=email)
    if problem:
        raise InvalidInput(problem, field=field)


# Hashing takes ~25 ms of CPU on purpose: it runs in a thread (argon2 releases the GIL) so the
# event loop keeps serving other requests meanwhile.

async def hash_password(password: str) -> str:
    return await asyncio.to_thread(hasher.hash, password)


# ---------------------------------------------------------------- the cost of a check

CURRENT_PARAMETERS = f"m={MEMORY_COST_KIB},t={TIME_COST},p={PARALLELISM}"
_PARAMETERS = re.compile(r"m=(\d+),t=(\d+),p=(\d+)")
# A decoy never costs more than this, whatever a stored hash says (256 MiB, 16 passes, 16 lanes).
_DECOY_LIMITS = (262144, 16, 16)


def parameters_of(password_hash: str | None) -> str | None:
    """'m=…,t=…,p=…' of an argon2id hash (what its check costs), else None."""
    parts = (password_hash or "").split("$")   # '', 'argon2id', 'v=19', 'm=…,t=…,p=…', salt, digest
    if len(parts) == 6 and parts[1] == "argon2id" and _PARAMETERS.fullmatch(parts[3]):
        return parts[3]
    return None


@lru_cache(maxsize=16)
def _decoy(parameters: str) -> tuple[Argon2Hasher, str]:
    """A hasher with these parameters and a hash of nothing anyone types, made once."""
    found = _PARAMETERS.fullmatch(parameters)
    values = tuple(int(v) for v in found.groups()) if found else ()
    if not values or any(not 1 <= v <= limit for v, limit in zip(values, _DECOY_LIMITS)):
        return _decoy(CURRENT_PARAMETERS)
    memory, time, lanes = values
    decoy = Argon2Hasher(memory_cost=memory, time_cost=time, parallelism=lanes)
    return decoy, decoy.hash("not-a-real-password-but-the-same-cost")


def _verify(password: str, password_hash: str | None, decoy_parameters: str) -> tuple[bool, str | None]:
    if not password_hash:
        decoy, decoy_hash = _decoy(decoy_parameters)      # the same work for an address without an account
        decoy.verify(password, decoy_hash)
        return False, None
    try:
        return hasher.verify_and_update(password, password_hash)
    except Exception:          # a malformed stored hash never lets anyone in
        return False, None


async def verify_password(password: str, password_hash: str | None, *,
                          decoy_parameters: str = CURRENT_PARAMETERS) -> tuple[bool, str | None]:
    """(matches, new hash when the stored one was made with other parameters and must be replaced).
    With no hash to check, a decoy hash with `decoy_parameters` is checked instead, so the
    answer takes as long as a real check (accounts/decoy.py chooses the parameters)."""
    return await asyncio.to_thread(_verify, password, password_hash, decoy_parameters)
