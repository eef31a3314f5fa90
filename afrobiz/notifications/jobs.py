"""The notifications domain's jobs: deliveries, retried with back-off on transient failures.
Jobs take ids (or, for a guest, who has no row here, the rendered message), re-read their
data and are safe to run twice (DESIGN 4.7)."""
from __future__ import annotations

import uuid
from typing import Any

from afrobiz.notifications import channels, delivery
from afrobiz.worker.app import DELIVERY_RETRY, app, job_session, runtime


@app.task(name="notifications.send_email", retry=DELIVERY_RETRY, queue="notifications")
async def send_email(notification_id: str) -> bool:
    async with job_session() as session:
        return await delivery.deliver_email(session, notification_id=notification_id, settings=runtime().settings)


@app.task(name="notifications.send_text", retry=DELIVERY_RETRY, queue="notifications")
async def send_text(notification_id: str, channel: str) -> bool:
    async with job_session() as session:
        return await delivery.deliver_text(session, notification_id=notification_id, channel=channel,
                                           settings=runtime().settings)


@app.task(name="notifications.send_guest", retry=DELIVERY_RETRY, queue="notifications", pass_context=True)
async def send_guest(context, channel: str, to: str, title: str, message: str, link: str, name: str | None = None,
                     key: str | None = None, calendar: dict[str, Any] | None = None) -> bool:
    """A message to a guest's e-mail or phone. `key` names the message (notify_guest gives
    one); a job queued without one falls back to its own id, which a retry keeps. (Jobs
    queued with a booking_id instead of the rendered message were rewritten by migration 0026.)"""
    if not key:
        job_id = context.job.id if context and context.job else None
        key = f"job-{job_id}" if job_id is not None else uuid.uuid4().hex   # never shared by two messages
    async with job_session() as session:
        return await delivery.deliver_to_guest(session, channel=channel, to=to, name=name, link=link, title=title,
                                               message=message, calendar=calendar, key=key,
                                               settings=runtime().settings)


@app.task(name="notifications.send_sms_reply", retry=DELIVERY_RETRY, queue="notifications")
async def send_sms_reply(inbound_id: str) -> bool:
    """The answer to an inbound text (two-way SMS), sent once."""
    async with job_session() as session:
        return await delivery.deliver_sms_reply(session, inbound_id=inbound_id, settings=runtime().settings)


@app.task(name="notifications.send_account_email", retry=DELIVERY_RETRY, queue="notifications", pass_context=True)
async def send_account_email(context, to: str, subject: str, body: str) -> bool:
    """An account e-mail queued by the accounts domain. A Message-ID fixed per job lets a mail
    server drop the copy a retry might send after a delivery whose completion was lost."""
    job_id = context.job.id if context and context.job else None
    async with job_session() as session:       # the outbox, when no SMTP server is configured
        await channels.send_plain_email(session, runtime().settings, to=to, subject=subject, body=body,
                                        message_id=f"<account-mail-{job_id}@afrobiz.na>" if job_id else None,
                                        recipient_kind="account holder")
    return True
