"""Accounts fixtures: the app with and without Redis configured (sessions stay in PostgreSQL
either way; rate limits move to Redis), fresh rate-limit counters, and a real SMTP server
(aiosmtpd) that keeps what it receives."""
from __future__ import annotations

import socket
import uuid

import pytest
import redis.asyncio as redis

from afrobiz.accounts import sessions
from afrobiz.kit import ratelimit

from factories.accounts import STRONG, TEST_REDIS_URL as REDIS_URL


async def _delete_prefixed(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture(autouse=True)
async def fresh_stores():
    """Every test starts on PostgreSQL sessions and empty in-memory rate limits."""
    sessions.configure(None)
    ratelimit.configure(None)
    yield
    # Leave nothing behind for other domains' tests in this process.
    sessions._store = None
    ratelimit._limiter = None


@pytest.fixture(params=["postgres", "redis"])
async def store(request, settings, fresh_stores):
    """Run the test once without Redis, once with Redis configured (rate limits in Redis).
    Redis keys get a per-test prefix, and only those keys are deleted afterwards."""
    if request.param == "postgres":
        yield "postgres"
        return
    prefix = f"afrobiz-test-{uuid.uuid4().hex[:10]}"
    settings.redis_url = REDIS_URL
    sessions.configure(REDIS_URL, prefix=prefix + ":")
    ratelimit.configure(REDIS_URL, prefix=prefix + "-limits")
    try:
        yield "redis"
    finally:
        await _delete_prefixed(prefix)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Inbox:
    """Messages received by the test SMTP server."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]

    def body(self, message) -> str:
        return message.get_body(("plain",)).get_content()

    def link_token(self, address: str, path: str) -> str:
        """The token of the last link to `path` e-mailed to `address`."""
        import re

        for message in reversed(self.to(address)):
            found = re.search(rf"{re.escape(path)}\?token=([A-Za-z0-9_\-%]+)", self.body(message))
            if found:
                from urllib.parse import unquote

                return unquote(found.group(1))
        raise AssertionError(f"no {path} link was sent to {address}")


@pytest.fixture
def inbox(settings, app, db):
    """A real SMTP server (aiosmtpd) on a free port; the app sends its e-mail there.
    Account e-mails are queued jobs (issue 8): after each successful request they are sent
    as a worker would, in the test's transaction (a worker cannot see uncommitted rows)."""
    from contextlib import asynccontextmanager

    from aiosmtpd.controller import Controller

    from afrobiz.db.deps import get_session
    from factories.notifications import send_queued_account_mail

    request_session = asynccontextmanager(app.dependency_overrides[get_session])

    async def session_then_mail():
        async with request_session() as session:
            yield session
        await send_queued_account_mail(db, settings)

    app.dependency_overrides[get_session] = session_then_mail
    handler = _Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.smtp_url = f"smtp://127.0.0.1:{port}"
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def texts(monkeypatch):
    """SMS messages the app sends (the logging stand-in, captured)."""
    from afrobiz.accounts import messages

    sent: list[tuple[str, str]] = []

    async def capture(settings, to, body, **_):
        sent.append((to, body))

    monkeypatch.setattr(messages, "send_account_sms", capture)
    return sent


@pytest.fixture
def register(client):
    async def _register(email: str | None = None, password: str = STRONG, **extra):
        body = {"email": email or f"{uuid.uuid4().hex[:10]}@example.na", "password": password,
                "first_name": "Ndapewa", "last_name": "Shilongo"} | extra
        return await client.post("/api/v1/auth/register", json=body)
    return _register


@pytest.fixture
def api_login(client):
    async def _login(email: str, password: str = STRONG, **kw):
        return await client.post("/api/v1/auth/login", json={"email": email, "password": password}, **kw)
    return _login
