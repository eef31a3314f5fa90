"""Delivery channels: e-mail over SMTP, and SMS/WhatsApp behind one gateway interface.

With nothing configured, every channel falls back to the outbox table (a local stand-in
that keeps the message, so nothing is silently dropped and a developer can read it).
A real SMS/WhatsApp provider plugs in by configuration: `AFROBIZ_SMS_URL` (or
`AFROBIZ_WHATSAPP_URL`), `…_TOKEN` and `…_SENDER`, read with getattr so the settings
class can gain them without this module changing.
"""
from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
import httpx
import phonenumbers
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.config import Settings
from afrobiz.notifications.models import OutboundMessage
from afrobiz.worker.app import TransientDeliveryError

log = logging.getLogger("afrobiz.notifications")
DEFAULT_SENDER = ("AfroBiz Connect", "no-reply@afrobiz.na")


class PermanentDeliveryError(Exception):
    """The provider refused the message for good (bad number, rejected): do not retry."""


def e164(phone: str | None) -> str | None:
    """+264811234567 from what users type in Namibia ('081 123 4567'); None if not a number."""
    if not phone:
        return None
    try:
        parsed = phonenumbers.parse(phone, "NA")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


# ---------------------------------------------------------------- e-mail


def build_email(*, to: str, subject: str, plain: str, html_body: str | None = None,
                sender: tuple[str, str] = DEFAULT_SENDER, message_id: str | None = None,
                ics: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr(sender)
    msg["To"] = to
    msg["Subject"] = subject
    # A stable Message-ID per notification lets mail servers drop a duplicate delivery.
    msg["Message-ID"] = message_id or make_msgid(domain=sender[1].split("@")[-1])
    msg.set_content(plain)
    if html_body is not None:
        msg.add_alternative(html_body, subtype="html")
    if ics:
        # The booking as a calendar file: phones offer "add to calendar" on it.
        msg.add_attachment(ics.encode(), maintype="text", subtype="calendar", filename="booking.ics",
                           params={"method": "PUBLISH"})
    return msg


def smtp_sender(settings: Settings) -> tuple[str, str]:
    """`?from=` on the SMTP URL overrides the sender address."""
    if settings.smtp_url:
        query = parse_qs(urlsplit(settings.smtp_url).query)
        if query.get("from"):
            return (DEFAULT_SENDER[0], query["from"][0])
    return DEFAULT_SENDER


async def send_email(session: AsyncSession | None, settings: Settings, msg: EmailMessage, *,
                     notification_id=None, recipient_kind: str | None = None) -> None:
    """Hand the message to the SMTP server (smtp:// with STARTTLS when offered, smtps://
    for TLS), or keep it in the outbox when no server is configured (with no session to
    keep it in, only its kind of recipient is logged)."""
    if not settings.smtp_url:
        if session is None:
            log.info("e-mail %s not sent (no SMTP server configured), recipient: %s", msg["Message-ID"],
                     recipient_kind or "unnamed")
            return
        body = msg.get_body(preferencelist=("plain",))
        await keep_in_outbox(session, notification_id=notification_id, channel="email", recipient=msg["To"],
                             recipient_kind=recipient_kind, subject=msg["Subject"],
                             body=body.get_content() if body else "")
        return
    url = urlsplit(settings.smtp_url)
    tls = url.scheme == "smtps"
    await aiosmtplib.send(
        msg, hostname=url.hostname or "localhost", port=url.port or (465 if tls else 25),
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        use_tls=tls, start_tls=None if not tls else False, timeout=30,
    )


async def send_plain_email(session: AsyncSession | None, settings: Settings, *, to: str, subject: str, body: str,
                           message_id: str | None = None, recipient_kind: str | None = None) -> None:
    """One plain-text e-mail (an account's verification or reset link, a security notice)."""
    msg = build_email(to=to, subject=subject, plain=body, sender=smtp_sender(settings), message_id=message_id)
    await send_email(session, settings, msg, recipient_kind=recipient_kind)


# ---------------------------------------------------------------- SMS and WhatsApp


class SmsGateway(Protocol):
    """One provider for short text messages (SMS, or WhatsApp through the same shape)."""

    async def send(self, to_e164: str, text: str) -> None: ...


class OutboxGateway:
    """The local stand-in: keeps the message in the outbox table (keep_in_outbox)."""

    def __init__(self, session: AsyncSession, *, channel: str, notification_id=None,
                 recipient_kind: str | None = None):
        self.session, self.channel, self.notification_id = session, channel, notification_id
        self.recipient_kind = recipient_kind

    async def send(self, to_e164: str, text: str) -> None:
        await keep_in_outbox(self.session, notification_id=self.notification_id, channel=self.channel,
                             recipient=to_e164, recipient_kind=self.recipient_kind, subject=None, body=text)


class HttpGateway:
    """A provider reached over HTTPS: POST {to, from, text} with a bearer token.
    5xx and timeouts are transient (retried); other refusals are permanent."""

    def __init__(self, url: str, *, token: str | None, sender: str | None, timeout: float = 15,
                 transport: httpx.AsyncBaseTransport | None = None):
        self.url, self.token, self.sender, self.timeout = url, token, sender, timeout
        self.transport = transport

    async def send(self, to_e164: str, text: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            async with httpx.AsyncClient(timeout=self.timeout, transport=self.transport) as client:
                r = await client.post(self.url, json={"to": to_e164, "from": self.sender, "text": text},
                                      headers=headers)
        except httpx.TransportError as exc:
            raise TransientDeliveryError(f"provider unreachable: {exc}") from exc
        if r.status_code >= 500 or r.status_code == 429:
            raise TransientDeliveryError(f"provider answered {r.status_code}")
        if r.status_code >= 400:
            raise PermanentDeliveryError(f"provider refused the message: {r.status_code} {r.text[:200]}")


def gateway_for(channel: str, session: AsyncSession, settings: Settings, *, notification_id=None,
                recipient_kind: str | None = None) -> SmsGateway:
    url = getattr(settings, f"{channel}_url", None)
    if url:
        return HttpGateway(url, token=getattr(settings, f"{channel}_token", None),
                           sender=getattr(settings, f"{channel}_sender", None))
    return OutboxGateway(session, channel=channel, notification_id=notification_id, recipient_kind=recipient_kind)


async def keep_in_outbox(session: AsyncSession, *, channel: str, recipient: str, body: str,
                         subject: str | None = None, notification_id=None,
                         recipient_kind: str | None = None) -> OutboundMessage:
    """The stand-in for every channel with no provider configured: the message is kept in
    the outbound_messages table, where a developer reads it. The log names the message and
    the kind of recipient only, never the text or the address, in every environment: a
    message may hold a sign-in code or a password-reset link."""
    row = OutboundMessage(notification_id=notification_id, channel=channel, recipient=recipient,
                          subject=subject, body=body)
    session.add(row)
    await session.flush()
    log.info("%s kept in the outbox (no provider configured): message %s to a %s", channel, row.id,
             recipient_kind or ("user" if notification_id else "guest"))
    return row
