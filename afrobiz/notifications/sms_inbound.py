"""Two-way SMS, the channel's side: texts the SMS provider forwards to us are verified, kept
once, and answered (issue 8, §6). What a text asks for is read by the domain it is about
(booking/flows.py: owners answer new bookings, customers cancel), which calls receive() and
then answer().

The provider forwards each inbound text to POST /api/v1/sms/inbound as JSON
`{"id": provider message id, "from": "+264…", "text": "YES AB7K2M9PQR"}`, signed like our
other webhooks (`X-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">` with
`sms_webhook_secret`, 5-minute window). Every stored message is kept once per provider id,
so a replay changes nothing; each sender is rate-limited, and a flood gets no replies.
"""
from __future__ import annotations

import json

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.config import Settings
from afrobiz.errors import InvalidInput, NotFound
from afrobiz.kit import ratelimit
from afrobiz.kit.phones import normalize_phone
from afrobiz.kit.webhook_signature import WebhookRejected, sign, verify  # noqa: F401 (sign: used by tests)
from afrobiz.notifications import jobs
from afrobiz.notifications.models import SmsInbound
from afrobiz.worker.app import defer_in_transaction

SIGNATURE_HEADER = "x-signature"
SENDER_RATE = "20 per hour"
RECEIVED = "received"        # the outcome of a stored text no one has read yet


def phone(raw: str | None) -> str | None:
    """A sender's or contact's number in one spelling (E.164), or None if it is not one."""
    try:
        return normalize_phone(raw)
    except InvalidInput:
        return None


def _event(body: bytes) -> tuple[str, str, str]:
    try:
        event = json.loads(body)
        message_id, sender, text = event["id"], event["from"], event["text"]
    except (ValueError, KeyError, TypeError):
        raise WebhookRejected("The body is not an inbound SMS: expected JSON with id, from and text.") from None
    if not all(isinstance(v, str) for v in (message_id, sender, text)) or not message_id.strip():
        raise WebhookRejected("id, from and text must be strings.")
    return message_id.strip()[:255], sender.strip()[:32], text[:1600]


async def receive(session: AsyncSession, *, body: bytes, headers: dict[str, str],
                  settings: Settings) -> SmsInbound | None:
    """Verify and keep one inbound text; None for a message already kept (a replay).

    The row's outcome is RECEIVED when the text is for its domain to read; else it says why
    not (a sender that is not a phone number, or one over its rate). Run as system: the
    provider has no user, and the table is staff-only."""
    secret = getattr(settings, "sms_webhook_secret", None)
    if not secret:
        raise NotFound("Two-way SMS is not configured.")
    verify(secret, headers.get(SIGNATURE_HEADER), body)
    message_id, sender, text = _event(body)
    stored = await session.scalar(
        insert(SmsInbound).values(provider_message_id=message_id, from_phone=sender, body=text, outcome=RECEIVED)
        .on_conflict_do_nothing(index_elements=["provider_message_id"]).returning(SmsInbound.id))
    if stored is None:
        return None
    row = await session.get(SmsInbound, stored)
    number = phone(row.from_phone)
    if number is None:
        row.outcome = "bad_sender"
        return row
    row.from_phone = number
    if not await ratelimit.hit(f"sms-inbound:from:{number}", SENDER_RATE):
        row.outcome = "rate_limited"          # no reply either: a flood must not cost us texts
    return row


async def answer(session: AsyncSession, row: SmsInbound) -> None:
    """Keep what was made of the text and queue its reply, if it has one (sent once, after commit)."""
    await session.flush()
    if row.reply:
        await defer_in_transaction(session, jobs.send_sms_reply, inbound_id=str(row.id))
