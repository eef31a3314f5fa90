"""A read whose pooled database connection turned out dead is run once more, on a fresh one.

When PostgreSQL ends backends (a restart, a fail-over, pg_terminate_backend, a proxy
dropping idle connections), every request then holding or next taking one of them fails
on its first statement. The pool has no pre-ping (a round trip on every checkout, i.e. on
every request: db/session.make_engine); instead SQLAlchemy discards the dead connection and
every one opened before it, so the same request run again gets a fresh connection. That is
safe for reads only (GET/HEAD: nothing they write commits before their answer is ready), and
only before any answer has started. Writes keep their 503 problem: the client retries them
with its Idempotency-Key, the one thing that knows whether a retry is wanted.

ASGI middleware inside Starlette's error middleware: it sees the error itself, before the
handler turns it into a 503 (kit/outage.is_lost_connection decides).
"""
from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from afrobiz.kit.outage import is_lost_connection

log = logging.getLogger("afrobiz")

READS = ("GET", "HEAD")
ATTEMPTS = 2        # the first, and one on a fresh connection; a second loss is an outage (503)


class RetryReadsOnLostConnection:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in READS:
            await self.app(scope, receive, send)
            return
        received: list[Message] = []     # replayed to the second run (a GET's body is empty, but read)
        state = scope.setdefault("state", {})
        state_before = dict(state)           # what the first run noted (db_wrote, user...) is forgotten
        started = False

        async def noting_send(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        for attempt in range(1, ATTEMPTS + 1):
            replay = list(received)

            async def receive_again() -> Message:
                if replay:
                    return replay.pop(0)
                message = await receive()
                received.append(message)
                return message

            try:
                await self.app(scope, receive_again, noting_send)
                return
            except Exception as exc:
                if started or attempt == ATTEMPTS or not is_lost_connection(exc):
                    raise
                log.warning("%s %s: the database connection was lost; reading again on a fresh one",
                            scope["method"], scope.get("path"))
                state.clear()
                state.update(state_before)
