"""Account e-mail (verification links, reset links, security notices).

aiosmtplib when settings.smtp_url is set (smtp://user:pass@host:port, smtps:// for TLS);
otherwise the message is logged, which is all a developer's machine needs. The notifications
domain may take this over later behind the same function.
"""
from __future__ import annotations

import logging
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib

log = logging.getLogger("afrobiz.mail")
SENDER = "AfroBiz Connect <no-reply@afrobiz.na>"


async def send_account_email(settings, to: str, subject: str, body: str, *, message_id: str | None = None) -> None:
    """Send one plain-text e-mail (or log it when no SMTP server is configured). Called by the
    worker's notifications.send_account_email job (accounts.messages.queue_email)."""
    if not settings.smtp_url:
        log.info("e-mail (no SMTP configured) to=%s subject=%s\n%s", to, subject, body)
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
