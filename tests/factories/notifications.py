"""Helpers for the notifications and worker tests: a real SMTP server, the job table."""
from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class SmtpServer:
    """A real SMTP server on a free local port (started and stopped by the tests)."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None


async def jobs(session: AsyncSession, task_name: str | None = None) -> list[dict]:
    """The queued jobs this transaction can see, oldest first."""
    rows = await session.execute(text(
        "SELECT id, task_name, args, status FROM procrastinate.procrastinate_jobs"
        " WHERE (CAST(:task AS text) IS NULL OR task_name = :task) ORDER BY id"), {"task": task_name})
    return [dict(r._mapping) for r in rows]


async def jobs_for(session: AsyncSession, notification_id) -> list[tuple[str, str | None]]:
    """(task_name, channel) of the delivery jobs queued for one notification."""
    rows = await session.execute(text(
        "SELECT task_name, args->>'channel' FROM procrastinate.procrastinate_jobs"
        " WHERE args->>'notification_id' = :nid ORDER BY id"), {"nid": str(notification_id)})
    return [tuple(r) for r in rows]


async def send_queued_account_mail(session: AsyncSession, settings) -> int:
    """Do, in this (test) transaction, what a worker does with the queued account e-mails:
    send each through the job's own code to settings.smtp_url, then remove the job. A worker
    proper cannot see a test's uncommitted rows; tests/worker runs a real one."""
    from afrobiz.accounts import mail

    rows = (await session.execute(text(
        "SELECT id, args FROM procrastinate.procrastinate_jobs"
        " WHERE task_name = 'notifications.send_account_email' AND status = 'todo' ORDER BY id"))).all()
    for job_id, args in rows:
        await mail.send_account_email(settings, args["to"], args["subject"], args["body"],
                                      message_id=f"<account-mail-{job_id}@afrobiz.na>")
        await session.execute(text("DELETE FROM procrastinate.procrastinate_jobs WHERE id = :id"), {"id": job_id})
    return len(rows)
