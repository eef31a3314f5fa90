"""Issue 21 item 7: one spelling of an e-mail address for storage, look-up and every throttle.

citext calls 'İ' (U+0130) and 'i' equal, Python's lower() does not: sign-up, the log-in
throttle and the reset throttle used to key on Python's form while the database compared its
own, so one address got fresh budgets under another spelling and could be "registered" twice."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from afrobiz.accounts.models import User
from afrobiz.kit.emails import UnusableEmail, canonical_email, email_key, mailbox_key
from factories.accounts import STRONG, create_user

DOTTED_I = "\u0130"          # İ: citext folds it to i
FULLWIDTH_I = "\uff49"       # ｉ: NFKC makes it i


@pytest.mark.parametrize("raw,canonical", [
    ("Ndapewa@Example.NA", "Ndapewa@example.na"),
    (f"squat.{FULLWIDTH_I}@dom.na", "squat.i@dom.na"),
    ("  a@M\u00fcnchen.DE ", "a@xn--mnchen-3ya.de"),
    ("\ufb00@dom.na", "ff@dom.na"),                       # the ﬀ ligature
])
def test_canonical_spelling(raw, canonical):
    assert canonical_email(raw) == canonical


@pytest.mark.parametrize("raw", [f"squat.{DOTTED_I}@dom.na", "jos\u00e9@dom.na", "no-at-sign", "a b@dom.na", ""])
def test_unusable_addresses_are_refused(raw):
    with pytest.raises(UnusableEmail):
        canonical_email(raw)


def test_one_key_for_every_spelling_that_the_database_calls_equal():
    assert email_key("Victim@Example.NA") == email_key(f"v{FULLWIDTH_I}ctim@example.na") == "victim@example.na"
    # A spelling no account can have keys apart, and can never reach the account either.
    assert email_key(f"v{DOTTED_I}ctim@example.na") != "victim@example.na"
    assert mailbox_key("Victim+promo@Example.NA") == "victim@example.na"


async def test_squatting_a_spelling_is_refused_and_every_other_spelling_is_a_plain_duplicate(db, register, inbox):
    squat = await register(f"squat.{DOTTED_I}@dom.na")
    assert squat.status_code == 422, squat.text
    assert squat.json()["errors"][0]["field"] == "email"

    real = await register("squat.i@dom.na")
    assert real.status_code == 201, real.text
    for spelling in ("SQUAT.I@DOM.NA", f"squat.{FULLWIDTH_I}@dom.na"):
        again = await register(spelling)
        assert again.status_code == 201 and set(again.json()) == set(real.json())
        assert again.json()["id"] != real.json()["id"]
    # The İ spelling is refused alike whether or not an account has the address.
    assert (await register(f"squat.{DOTTED_I}@dom.na")).status_code == 422

    count = await db.scalar(select(func.count()).select_from(User).where(User.email == "squat.i@dom.na"))
    assert count == 1
    notices = [m for m in inbox.to("squat.i@dom.na") if "already has an account" in inbox.body(m)]
    assert len(notices) == 2


async def test_another_spelling_gets_no_fresh_log_in_budget(db, api_login):
    user = await create_user(db, email="victim@example.na", password=STRONG)
    for _ in range(10):
        assert (await api_login(user.email, "wrong-password-1")).status_code == 401
    assert (await api_login(f"v{FULLWIDTH_I}ctim@EXAMPLE.na", STRONG)).status_code == 429
    # The spelling PostgreSQL alone would fold to the account reaches no account at all.
    assert (await api_login(f"v{DOTTED_I}ctim@example.na", STRONG)).status_code == 401


async def test_reset_mails_are_limited_per_address_in_every_spelling(client, db, inbox):
    user = await create_user(db, email="victim@example.na", password=STRONG)
    spellings = ["victim@example.na", "VICTIM@example.na", f"v{FULLWIDTH_I}ctim@example.na",
                 f"v{DOTTED_I}ctim@example.na", f"V{DOTTED_I}CTIM@EXAMPLE.NA"] * 4
    answers = [(await client.post("/api/v1/auth/password-reset", json={"email": s})).status_code
               for s in spellings]
    assert set(answers) == {202, 429}
    assert len(inbox.to(user.email)) == 5


async def test_the_database_refuses_a_non_ascii_address(db):
    with pytest.raises(IntegrityError):
        async with db.begin_nested():
            await create_user(db, email=f"squat.{DOTTED_I}@dom.na")
    assert await db.scalar(text("SELECT 'squat.i@dom.na'::citext = 'squat.\u0130@dom.na'::citext"))
