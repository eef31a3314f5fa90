"""The notifications domain's jobs: deliveries, retried with back-off on transient failures.
Jobs take ids, re-read their data and are safe to run twice (DESIGN 4.7)."""
from __future__ import annotations

import uuid

from afrobiz.notifications import delivery
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
async def send_guest(context, booking_id: str, channel: str, title: str, message: str, key: str | None = None,
                     type: str | None = None) -> bool:
    """A message to a guest's e-mail or phone. `key` names the message (notify_guest gives
    one); a job queued before keys existed falls back to its own id, which a retry keeps."""
    if not key:
        job_id = context.job.id if context and context.job else None
        key = f"job-{job_id}" if job_id is not None else uuid.uuid4().hex   # never shared by two messages
    async with job_session() as session:
        return await delivery.deliver_to_guest(session, booking_id=booking_id, channel=channel, title=title,
                                               message=message, settings=runtime().settings, key=key, type=type)


@app.task(name="notifications.send_sms_reply", retry=DELIVERY_RETRY, queue="notifications")
async def send_sms_reply(inbound_id: str) -> bool:
    """The answer to an inbound text (two-way SMS), sent once."""
    from afrobiz.notifications import sms_inbound

    async with job_session() as session:
        return await sms_inbound.send_reply(session, inbound_id=inbound_id, settings=runtime().settings)


@app.task(name="notifications.send_account_email", retry=DELIVERY_RETRY, queue="notifications", pass_context=True)
async def send_account_email(context, to: str, subject: str, body: str) -> bool:
    """An account e-mail queued by the accounts domain. A Message-ID fixed per job lets a mail
    server drop the copy a retry might send after a delivery whose completion was lost."""
    from afrobiz.accounts import mail

    job_id = context.job.id if context and context.job else None
    async with job_session() as session:       # the outbox, when no SMTP server is configured
        await mail.send_account_email(runtime().settings, to, subject, body, session=session,
                                      message_id=f"<account-mail-{job_id}@afrobiz.na>" if job_id else None)
    return True
