"""Messages the account rules send.

E-mails (verification and reset links, security notices) are queued with `queue_email` as
jobs in the request's transaction (notifications.send_account_email, run by the worker): a
rolled-back request sends nothing, a committed one cannot lose its e-mail to a crash, and a
reply never waits on (or is timed by) the mail server: 'reset my password' answers as fast
for an unknown e-mail as for a known one.

SMS codes still go through an Outbox handed to a background task after the response: the
person is waiting for the code and can ask for another, and a code is better not stored.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from afrobiz.accounts import mail

log = logging.getLogger("afrobiz.accounts")


@dataclass(frozen=True)
class Message:
    channel: str            # "email" | "sms"
    to: str
    subject: str
    body: str


async def queue_email(session, to: str, subject: str, body: str) -> None:
    """Queue one account e-mail in the session's transaction (sent by the worker)."""
    from afrobiz.notifications.service import queue_account_email

    await queue_account_email(session, to=to, subject=subject, body=body)


class Outbox(list[Message]):
    def email(self, to: str, subject: str, body: str) -> None:
        self.append(Message("email", to, subject, body))

    def sms(self, to: str, body: str) -> None:
        self.append(Message("sms", to, "", body))


async def send_account_sms(settings, to: str, body: str) -> None:
    """The SMS channel's stand-in until a provider is configured: it logs the message
    (the text itself only outside production, since it may hold a code)."""
    if settings.environment == "production":
        log.warning("SMS to %s not sent: no SMS provider configured", to)
    else:
        log.info("SMS (no provider configured) to=%s: %s", to, body)


async def deliver(settings, outbox: Outbox) -> None:
    """Send every message; one failure is logged and does not stop the others."""
    for message in outbox:
        try:
            if message.channel == "email":
                await mail.send_account_email(settings, message.to, message.subject, message.body)
            else:
                await send_account_sms(settings, message.to, message.body)
        except Exception:
            log.exception("could not send %s to %s", message.channel, message.to)
