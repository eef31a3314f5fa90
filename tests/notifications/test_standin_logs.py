"""The mail and SMS stand-ins (no provider configured) keep each message in the outbox table
and log only its id and the kind of recipient: never the text (a reset link or a sign-in code
is as good as a password) nor the address, in any environment (issue 21, item 13)."""
from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import delete, select, text

from afrobiz.accounts import mail
from afrobiz.config import Settings
from afrobiz.db.session import system_session
from afrobiz.notifications import delivery
from afrobiz.notifications.models import OutboundMessage
from afrobiz.notifications.service import notify
from factories.accounts import create_user

EMAIL = "selma.secret@example.na"
PHONE = "+264811230987"


def logged(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("afrobiz"))


def assert_only_id_and_kind(caplog, row: OutboundMessage, kind: str, *secrets: str) -> None:
    lines = logged(caplog)
    assert f"message {row.id} to a {kind}" in lines, lines
    for secret in secrets:
        assert secret not in lines, secret


@pytest.mark.parametrize("environment", ["development", "production"])
async def test_a_password_reset_mail_is_kept_and_its_link_never_logged(client, db, app, caplog, environment):
    app.state.settings.environment, app.state.settings.smtp_url = environment, None
    await create_user(db, email=EMAIL)
    caplog.set_level(logging.DEBUG)
    r = await client.post("/api/v1/auth/password-reset", json={"email": EMAIL})
    assert r.status_code == 202
    # What the worker's notifications.send_account_email job does with the queued e-mail.
    job_id, args = (await db.execute(text(
        "SELECT id, args FROM procrastinate.procrastinate_jobs WHERE task_name = 'notifications.send_account_email'"
        " AND args->>'to' = :e"), {"e": EMAIL})).one()
    await mail.send_account_email(app.state.settings, args["to"], args["subject"], args["body"], session=db,
                                  message_id=f"<account-mail-{job_id}@afrobiz.na>")
    row = await db.scalar(select(OutboundMessage).where(OutboundMessage.recipient == EMAIL))
    link = re.search(r"https?://\S+", row.body).group(0)
    assert "token=" in link or "/reset" in link
    assert_only_id_and_kind(caplog, row, "account holder", link, EMAIL, row.body.splitlines()[0])


async def test_without_a_database_the_mail_stand_in_logs_no_text_either(caplog, tmp_path):
    settings = Settings(database_url=None, data_dir=tmp_path, smtp_url=None, environment="development")
    caplog.set_level(logging.DEBUG)
    await mail.send_account_email(settings, EMAIL, "Reset", "https://afrobiz.example/reset-password?token=abc",
                                  message_id="<account-mail-7@afrobiz.na>")
    lines = logged(caplog)
    assert "<account-mail-7@afrobiz.na>" in lines and "account holder" in lines
    assert "token=abc" not in lines and EMAIL not in lines


@pytest.mark.parametrize("environment", ["development", "production"])
async def test_a_phone_code_is_kept_and_never_logged(client, db, app, login, caplog, environment):
    app.state.settings.environment, app.state.settings.sms_url = environment, None
    user = await create_user(db, phone=PHONE)
    caplog.set_level(logging.DEBUG)
    try:
        r = await client.post("/api/v1/me/phone/verification", headers=await login(user))
        assert r.status_code == 202, r.text
        # The code goes out after the response, on its own (committed) transaction.
        row = await db.scalar(select(OutboundMessage).where(OutboundMessage.recipient == PHONE))
        code = re.search(r"\b\d{6}\b", row.body).group(0)
        assert_only_id_and_kind(caplog, row, "account holder", code, PHONE, row.body)
    finally:
        async with system_session(app.state.sessionmaker) as s:
            await s.execute(delete(OutboundMessage).where(OutboundMessage.recipient == PHONE))


async def test_notification_mail_and_text_stand_ins_log_no_text(db, caplog, tmp_path):
    user = await create_user(db, email=EMAIL, phone=PHONE, phone_verified=True)
    settings = Settings(database_url=None, data_dir=tmp_path, smtp_url=None, environment="development",
                        base_url="https://afrobiz.example")
    n = await notify(db, user_id=user.id, type="booking_confirmed", title="Booking AB7K2M confirmed",
                     message="Secret words: Haircut at Salon Meme.")
    caplog.set_level(logging.DEBUG)
    assert await delivery.deliver_email(db, notification_id=n.id, settings=settings)
    assert await delivery.deliver_text(db, notification_id=n.id, channel="sms", settings=settings)
    rows = (await db.scalars(select(OutboundMessage).where(OutboundMessage.notification_id == n.id)
                             .order_by(OutboundMessage.channel))).all()
    assert [r.channel for r in rows] == ["email", "sms"]
    for row in rows:
        assert_only_id_and_kind(caplog, row, "user", "Secret words", "AB7K2M", EMAIL, PHONE)
