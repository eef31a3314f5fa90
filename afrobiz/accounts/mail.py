"""Account e-mail (verification links, reset links, security notices).

Sent on the notifications e-mail channel: aiosmtplib when settings.smtp_url is set
(smtp://user:pass@host:port, smtps:// for TLS); otherwise the message is kept in the outbox
table (notifications.channels.keep_in_outbox), where a developer reads the link. The log
never holds the text or the address: a reset link is as good as a password.
"""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.notifications.channels import send_plain_email


async def send_account_email(settings, to: str, subject: str, body: str, *, message_id: str | None = None,
                             session: AsyncSession | None = None) -> None:
    """Send one plain-text e-mail, or with no SMTP server configured keep it in the outbox
    (in `session`'s transaction). The worker's notifications.send_account_email job sends
    what accounts.messages.queue_email queued."""
    await send_plain_email(session, settings, to=to, subject=subject, body=body, message_id=message_id,
                           recipient_kind="account holder")
