"""Messages the account rules send: collected while the request runs, sent after it commits.

A service appends to an Outbox; the API or page handler hands the outbox to a background
task that runs after the response. So a rolled-back request sends nothing, and a reply never
waits on (or is timed by) the mail server: 'reset my password' answers as fast for an unknown
e-mail as for a known one.
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
