"""Structured logs: one JSON object per line, and a request id on every line of a request.

The request middleware puts a `RequestContext` in a contextvar; a filter on our handler
copies its fields onto every record, whichever logger wrote it (ours, SQLAlchemy's,
uvicorn's), so an SQL error inside a request carries that request's id. The context is a
mutable object on purpose: code running in a copied context (a dependency run in a thread,
a task group) updates the same object, e.g. the user id once the caller is known.

What is logged is fixed (FIELDS below and the message): never request bodies, query
strings, headers, tokens or passwords. The route is the template ("/b/{slug}"), not the path.
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Fields a record may carry (set via `extra=` or from the request context), in output order.
FIELDS = ("request_id", "method", "route", "status", "duration_ms", "user_id")
HANDLER_NAME = "afrobiz"
REQUEST_ID_HEADER = "x-request-id"
# A client's id is kept only if it is short and plain (no spaces, quotes or control bytes that
# could forge log lines or headers); anything else is replaced by one of ours.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

QUIET_ROUTES = ("/healthz", "/readyz", "/metrics")

access_log = logging.getLogger("afrobiz.access")
# Key in the request's state: the error an exception handler answered (and logged).
HANDLED_ERROR = "afrobiz_handled_error"


@dataclass
class RequestContext:
    request_id: str
    method: str
    scope: dict | None = None     # the ASGI scope: the router records the matched route in it
    user_id: str | None = None

    @property
    def route(self) -> str | None:
        return route_template(self.scope) if self.scope is not None else None


_current: ContextVar[RequestContext | None] = ContextVar("afrobiz_request", default=None)


def note_handled(scope: Scope, exc: BaseException) -> None:
    """An exception handler answered (and logged) this error: RequestLogMiddleware will not
    log it again when Starlette re-raises it after the answer."""
    scope.setdefault("state", {})[HANDLED_ERROR] = exc


def current() -> RequestContext | None:
    return _current.get()


def note_user(user_id) -> None:  # noqa: ANN001  (uuid.UUID or str)
    """Remember who is asking for the rest of the request's log lines."""
    ctx = _current.get()
    if ctx is not None and user_id:
        ctx.user_id = str(user_id)


def sane_request_id(value: str | None) -> str | None:
    return value if value and _SANE_ID.fullmatch(value) else None


def route_template(scope: Scope) -> str:
    """The matched route's template; one label for every unmatched path (no cardinality blow-up)."""
    # FastAPI keeps included routers nested: their route's own path lacks the prefix
    # ("/search/suggest"); the effective context it records has the full one.
    fastapi_scope = scope.get("fastapi")
    context = fastapi_scope.get("effective_route_context") if isinstance(fastapi_scope, dict) else None
    path = getattr(context, "path", None) or getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) and path else "<unmatched>"


class ContextFilter(logging.Filter):
    """Copy the request's fields onto every record (explicit `extra=` values win)."""

    def filter(self, record: logging.LogRecord) -> bool:
        ctx = _current.get()
        if ctx is not None:
            for name in ("request_id", "method", "route", "user_id"):
                if getattr(record, name, None) is None:
                    setattr(record, name, getattr(ctx, name))
        return True


# Defence in depth for the shipped (JSON) logs: a message that names an e-mail address or a
# phone number, or carries a token, is masked before it leaves the process. (Text logs, for a
# developer's terminal, keep them: the demo prints its sign-up links there.)
_REDACT = (
    (re.compile(r"(?i)\b(token|key|secret|password|code)=[^&\s\"']+"), r"\1=[redacted]"),
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"), "Bearer [redacted]"),
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"), "[email]"),
    (re.compile(r"\+\d[\d ]{7,16}\d"), "[phone]"),
)


def redact(text: str) -> str:
    for pattern, replacement in _REDACT:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                out[name] = value
        if record.exc_info:
            out["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For a person at a terminal (`afrobiz demo`): the same facts, one readable line."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        rid = getattr(record, "request_id", None)
        return f"{line} [{rid}]" if rid else line


def make_handler(fmt: str, stream=None) -> logging.Handler:  # noqa: ANN001
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    return handler


def configure_logging(fmt: str = "json", level: str = "INFO", stream=None) -> None:  # noqa: ANN001
    """Send every logger's records through one handler on the root logger (idempotent).

    uvicorn's own loggers are pointed at the root too, and its access log is silenced: the
    request middleware writes a richer access line (route template, request id, duration)."""
    if fmt not in ("json", "text"):
        raise ValueError("LOG_FORMAT must be json or text")
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == HANDLER_NAME:
            root.removeHandler(handler)
    root.addHandler(make_handler(fmt, stream))
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    access.disabled = True


class RequestLogMiddleware:
    """Outermost middleware: request id in, request id out, one access line per request.

    It is also the one place that does the rest of the per-response work, so a request
    passes one wrapper rather than three: `headers` (the security headers, added unless the
    response set them) and `observe(method, route, status, seconds)` (the metrics). Being
    outside Starlette's error middleware, even its 500 answer gets the id, headers and count."""

    def __init__(self, app: ASGIApp, *, headers: list[tuple[bytes, bytes]] = (),
                 https_headers: list[tuple[bytes, bytes]] = (), observe=None) -> None:  # noqa: ANN001
        self.app = app
        self.headers = list(headers)
        self.https_headers = list(headers) + list(https_headers)
        self.observe = observe

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = None
        for key, value in scope.get("headers", ()):
            if key == b"x-request-id":
                given = sane_request_id(value.decode("latin-1"))
                break
        # 32 hex digits, as uuid4().hex, without building a UUID object.
        ctx = RequestContext(request_id=given or os.urandom(16).hex(), method=scope["method"], scope=scope)
        token = _current.set(ctx)
        state = scope.get("state")
        if state is None:
            state = scope["state"] = {}
        state["request_id"] = ctx.request_id
        extra = self.https_headers if scope.get("scheme") == "https" else self.headers
        started = time.perf_counter()
        status, answered = 500, False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers") or ())
                present = {k.lower() for k, _ in headers}
                headers += [h for h in extra if h[0] not in present]
                headers.append((b"x-request-id", ctx.request_id.encode()))
                message["headers"] = headers
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                answered = True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            if not answered:
                raise   # the server answers 500, or closes a half-sent answer: nothing better remains
            # Starlette re-raises an error after its handler has answered it (a 500, or the 503
            # of an outage). Handed on, the server would log it again outside the request and
            # close the keep-alive connection, under the client's next request on it (a reset,
            # no answer at all). Answered is answered; only an error no handler saw (raised by
            # a background task after the response) is logged here.
            if state.get(HANDLED_ERROR) is not exc:
                logging.getLogger("afrobiz").error("error after the response to %s %s", scope["method"],
                                                   ctx.route, exc_info=exc)
        finally:
            seconds = time.perf_counter() - started
            route = ctx.route
            if self.observe is not None:
                self.observe(scope["method"], route, status, seconds)
            # Probes and scrapes arrive every few seconds: keep them out of the info stream.
            level = logging.DEBUG if route in QUIET_ROUTES else logging.INFO
            if access_log.isEnabledFor(level):
                access_log.log(level, "%s %s %s", scope["method"], route, status,
                               extra={"status": status, "duration_ms": round(seconds * 1000, 1)})
            _current.reset(token)
