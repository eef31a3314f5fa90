"""Issue 21 item 8: a failed log-in costs the same work whether or not the address has an account.

A wrong password for an account whose hash used older, heavier argon2 parameters took 340 ms,
an unknown address 65 ms. Now a successful log-in redoes any hash made with other parameters,
and an unknown address checks a decoy hash whose parameters are drawn, per address, from the
hashes really stored (accounts/decoy.py). The tests watch which parameters each argon2 check
runs with (pwdlib's verify, spied on), never the clock."""
from __future__ import annotations

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import text

from afrobiz.accounts import decoy
from afrobiz.accounts.passwords import CURRENT_PARAMETERS, parameters_of
from afrobiz.kit.emails import email_key
from factories.accounts import STRONG, create_user

HEAVY = "m=65536,t=3,p=4"


@pytest.fixture
def checks(monkeypatch):
    """The parameters of every hash argon2 checks a password against, in order."""
    seen: list[str | None] = []
    real = Argon2Hasher.verify

    def spy(self, password, hash):
        seen.append(parameters_of(hash))
        return real(self, password, hash)

    monkeypatch.setattr(Argon2Hasher, "verify", spy)
    decoy.forget_mix()
    yield seen
    decoy.forget_mix()


def heavy_hash(password: str) -> str:
    return PasswordHash((Argon2Hasher(memory_cost=65536, time_cost=3, parallelism=4),)).hash(password)


async def test_log_in_redoes_a_heavier_old_hash_with_todays_parameters(db, api_login):
    user = await create_user(db)
    user.password_hash = old = heavy_hash(STRONG)
    await db.flush()
    assert (await api_login(user.email)).status_code == 200
    await db.refresh(user)
    assert user.password_hash != old and parameters_of(user.password_hash) == CURRENT_PARAMETERS
    assert (await api_login(user.email)).status_code == 200          # the new hash works


async def test_unknown_address_and_wrong_password_check_with_the_same_parameters(db, api_login, checks):
    user = await create_user(db, password=STRONG)
    assert (await api_login(user.email, "wrong-password-1")).status_code == 401
    assert (await api_login("nobody-at-all@example.na", "wrong-password-1")).status_code == 401
    assert checks == [CURRENT_PARAMETERS, CURRENT_PARAMETERS]


async def test_unknown_addresses_check_like_the_accounts_really_stored(db, api_login, app, checks):
    # A population where old, heavy hashes are three accounts in four (the hashes need not
    # be real: the mix is counted from their parameters).
    for parameters, count in ((HEAVY, 1500), (CURRENT_PARAMETERS, 500)):
        await db.execute(text(
            "INSERT INTO users (email, first_name, last_name, password_hash) "
            "SELECT md5(:p || n) || '@example.na', 'Old', 'Hash', '$argon2id$v=19$' || :p || '$c2FsdHNhbHQ$ZGlnZXN0' "
            "FROM generate_series(1, :count) AS n"), {"p": parameters, "count": count})
    secret = app.state.settings.secret_key
    mix = await decoy.parameter_mix(db)
    assert mix[0][0] == HEAVY and mix[-1][0] == CURRENT_PARAMETERS      # the current parameters last
    ghosts = [f"ghost{i}@example.na" for i in range(100)]
    heavy_one = next(a for a in ghosts if decoy.choose(mix, email_key(a), secret) == HEAVY)
    light_one = next(a for a in ghosts if decoy.choose(mix, email_key(a), secret) == CURRENT_PARAMETERS)

    account = await create_user(db)
    account.password_hash = heavy_hash(STRONG)
    await db.flush()
    assert (await api_login(account.email, "wrong-password-1")).status_code == 401
    assert (await api_login(heavy_one, "wrong-password-1")).status_code == 401
    assert (await api_login(heavy_one.upper(), "wrong-password-1")).status_code == 401   # same address, same draw
    assert (await api_login(light_one, "wrong-password-1")).status_code == 401
    assert checks == [HEAVY, HEAVY, HEAVY, CURRENT_PARAMETERS]


def test_the_draw_follows_the_mix_and_only_ever_moves_to_the_current_parameters():
    keys = [f"someone{i}@example.na" for i in range(4000)]
    before = (("m=65536,t=3,p=4", 1000), (CURRENT_PARAMETERS, 3000))
    after = (("m=65536,t=3,p=4", 500), (CURRENT_PARAMETERS, 3500))     # half the old hashes upgraded
    first = {k: decoy.choose(before, k, "secret") for k in keys}
    assert 800 < sum(p == HEAVY for p in first.values()) < 1200
    assert first == {k: decoy.choose(before, k, "secret") for k in keys}          # stable per address
    second = {k: decoy.choose(after, k, "secret") for k in keys}
    assert all(second[k] == CURRENT_PARAMETERS for k in keys if first[k] == CURRENT_PARAMETERS)
    assert decoy.choose((), "anyone@example.na", "secret") == CURRENT_PARAMETERS
