"""Account e-mail (verification links, reset links, security notices).

aiosmtplib when settings.smtp_url is set (smtp://user:pass@host:port, smtps:// for TLS);
otherwise the message is kept in the outbox table (notifications.channels.keep_in_outbox),
where a developer reads the link. The log never holds the text or the address: a reset
link is as good as a password.
"""
from __future__ import annotations

import logging
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.notifications.channels import keep_in_outbox

log = logging.getLogger("afrobiz.mail")
SENDER = "AfroBiz Connect <no-reply@afrobiz.na>"


async def send_account_email(settings, to: str, subject: str, body: str, *, message_id: str | None = None,
                             session: AsyncSession | None = None) -> None:
    """Send one plain-text e-mail, or with no SMTP server configured keep it in the outbox
    (in `session`'s transaction). Called by the worker's notifications.send_account_email
    job (accounts.messages.queue_email)."""
    if not settings.smtp_url:
        if session is not None:
            await keep_in_outbox(session, channel="email", recipient=to, subject=subject, body=body,
                                 recipient_kind="account holder")
        else:
            log.info("account e-mail %s to an account holder not sent: no SMTP server configured", message_id)
        return
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = SENDER, to, subject
    if message_id:
        message["Message-ID"] = message_id
    message.set_content(body)
    url = urlsplit(settings.smtp_url)
    tls = url.scheme == "smtps"
    await aiosmtplib.send(message, hostname=url.hostname or "localhost", port=url.port or (465 if tls else 25),
                          username=unquote(url.username) if url.username else None,
                          password=unquote(url.password) if url.password else None,
                          use_tls=tls, start_tls=None if not tls else False, timeout=15)
