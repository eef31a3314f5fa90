"""The door every request passes before any route (the hot lane included) sees it.

Two ASGI layers, outermost first (afrobiz/app.py stacks them):

- BodyLimit: a request body is at most 1 MB (12 MB for a multipart form: the photo uploads).
  A declared Content-Length over the limit is refused before a byte is read; a chunked body
  is counted as it streams and refused as soon as it passes the limit. The body is then held
  (at most the limit) and handed on in one piece, so nothing downstream parses a body that
  was not wholly within bounds, and a 100 MB JSON document is never read or parsed.
- CleanInput: the path, the query string and the body hold only clean text (UTF-8 without
  NUL: afrobiz/kit/clean_text.py). JSON strings and keys, urlencoded and multipart fields
  are checked; file contents are not (they are bytes).

Each refusal is answered by the app's `answer` (problem+json for the API, a page otherwise),
before any route, dependency or SQL has run.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from afrobiz.kit import clean_text

BODY_LIMIT = 1024 * 1024            # JSON and ordinary forms
UPLOAD_LIMIT = 12 * 1024 * 1024     # multipart forms (photos: 8 MB each, plus the form around them)
TOO_LARGE = "The request body is larger than {mb} MB."


@dataclass(frozen=True)
class Refusal:
    status: int                  # 413 or 422
    detail: str
    field: str | None = None     # the problem's errors[0].field (a query parameter, "path", …)
    in_path: bool = False        # a page answers a refused path with its 404


Answer = Callable[[Scope, Receive, Send, Refusal], Awaitable[None]]


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


def replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands over the held body first, then waits on the client (disconnect)."""
    sent = False

    async def receive_again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return receive_again


class BodyLimit:
    def __init__(self, app: ASGIApp, answer: Answer, *, limit: int = BODY_LIMIT,
                 upload_limit: int = UPLOAD_LIMIT) -> None:
        self.app, self.answer = app, answer
        self.limit, self.upload_limit = limit, upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        if length is None and _header(scope, b"transfer-encoding") is None:
            await self.app(scope, receive, send)   # no body (most GETs): nothing to hold
            return
        content_type = (_header(scope, b"content-type") or b"").lower()
        limit = self.upload_limit if content_type.startswith(b"multipart/form-data") else self.limit
        refusal = Refusal(413, TOO_LARGE.format(mb=limit // (1024 * 1024)))
        if length is not None and length.isdigit() and int(length) > limit:
            await self.answer(scope, receive, send, refusal)   # refused unread
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return   # the client left: no one to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self.answer(scope, receive, send, refusal)   # the rest is never read
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, replay(b"".join(chunks), receive), send)


class CleanInput:
    def __init__(self, app: ASGIApp, answer: Answer) -> None:
        self.app, self.answer = app, answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The server decodes the path with errors="replace": the raw one shows what was sent.
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogatepass")
        if clean_text.path_problem(raw_path):
            await self.answer(scope, receive, send, Refusal(422, clean_text.NOT_ALLOWED, "path", in_path=True))
            return
        if (field := clean_text.urlencoded_problem(scope.get("query_string", b""), "query")) is not None:
            await self.answer(scope, receive, send, Refusal(422, clean_text.NOT_ALLOWED, field))
            return
        if _header(scope, b"content-length") is not None or _header(scope, b"transfer-encoding") is not None:
            body = await _whole_body(receive)   # held by BodyLimit already: one message, bounded
            if body is None:
                return   # the client left
            if (field := _body_problem(body, _header(scope, b"content-type") or b"")) is not None:
                await self.answer(scope, receive, send, Refusal(422, clean_text.NOT_ALLOWED, field))
                return
            receive = replay(body, receive)
        await self.app(scope, receive, send)


async def _whole_body(receive: Receive) -> bytes | None:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _body_problem(body: bytes, content_type: bytes) -> str | None:
    if not body:
        return None
    kind = content_type.split(b";", 1)[0].strip().lower()
    if kind == b"application/x-www-form-urlencoded":
        return clean_text.urlencoded_problem(body, "form")
    if kind == b"multipart/form-data":
        return clean_text.multipart_problem(body, content_type)
    # Anything else is read as JSON: FastAPI parses a body with no type, application/json or
    # any +json as JSON, and the webhooks parse theirs themselves.
    return clean_text.json_problem(body)
