"""Messages the account rules send.

E-mails (verification and reset links, security notices) are queued with `queue_email` as
jobs in the request's transaction (notifications.send_account_email, run by the worker): a
rolled-back request sends nothing, a committed one cannot lose its e-mail to a crash, and a
reply never waits on (or is timed by) the mail server: 'reset my password' answers as fast
for an unknown e-mail as for a known one.

SMS codes still go through an Outbox handed to a background task after the response: the
person is waiting for the code and can ask for another, and a code is better not stored in
the job queue. They go out on the SMS channel (notifications.channels): the provider, or
with none configured the outbox table, the stand-in a developer reads codes from.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from afrobiz.accounts import mail
from afrobiz.db.session import system_session
from afrobiz.notifications import channels
from afrobiz.notifications.service import queue_account_email

log = logging.getLogger("afrobiz.accounts")


@dataclass(frozen=True)
class Message:
    channel: str            # "email" | "sms"
    to: str
    subject: str
    body: str


async def queue_email(session, to: str, subject: str, body: str) -> None:
    """Queue one account e-mail in the session's transaction (sent by the worker)."""
    await queue_account_email(session, to=to, subject=subject, body=body)


class Outbox(list[Message]):
    def email(self, to: str, subject: str, body: str) -> None:
        self.append(Message("email", to, subject, body))

    def sms(self, to: str, body: str) -> None:
        self.append(Message("sms", to, "", body))


async def send_account_sms(settings, to: str, body: str, *, sessions=None) -> None:  # noqa: ANN001
    """Text through the SMS channel: the provider when one is configured, else the outbox
    table (the stand-in a developer reads the code from). `sessions` is the app's
    sessionmaker; the code itself is never logged."""
    if sessions is None:
        log.info("SMS to an account holder not sent: no database to keep it in")
        return
    async with system_session(sessions) as session:
        gateway = channels.gateway_for("sms", session, settings, recipient_kind="account holder")
        await gateway.send(channels.e164(to) or to, body)


async def deliver(settings, outbox: Outbox, sessions=None) -> None:  # noqa: ANN001
    """Send every message; one failure is logged and does not stop the others."""
    for message in outbox:
        try:
            if message.channel == "email":
                await mail.send_account_email(settings, message.to, message.subject, message.body)
            else:
                await send_account_sms(settings, message.to, message.body, sessions=sessions)
        except Exception:
            log.exception("could not send an account %s", message.channel)
