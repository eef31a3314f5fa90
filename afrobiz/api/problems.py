"""RFC 9457 problem details for every error the API can answer (DESIGN 4.3)."""
from __future__ import annotations

import logging

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from afrobiz.errors import DomainError

log = logging.getLogger("afrobiz")
PROBLEM_JSON = "application/problem+json"
_TITLES = {400: "Bad request", 401: "Not authenticated", 403: "Permission denied", 404: "Not found",
           405: "Method not allowed", 409: "Conflict", 413: "Payload too large", 415: "Unsupported media type",
           422: "Invalid input", 429: "Too many requests", 500: "Internal server error", 503: "Service unavailable"}


def problem(status: int, detail: str, *, type_: str = "about:blank", title: str | None = None,
            errors: list[dict] | None = None, headers: dict | None = None) -> JSONResponse:
    body = {"type": type_, "title": title or _TITLES.get(status, "Error"), "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def validation_errors(exc: RequestValidationError) -> list[dict]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header", "form")]
        out.append({"field": ".".join(loc) or "body", "message": err.get("msg", "invalid")})
    return out


async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
    headers = dict(exc.headers)
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return problem(exc.status, exc.detail, type_=exc.type, title=exc.title, errors=exc.errors, headers=headers)


async def request_validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    return problem(422, "The request has invalid fields.", errors=validation_errors(exc))


async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
    return problem(exc.status_code, detail, headers=getattr(exc, "headers", None))


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # Every 5xx is a bug: log it in full, tell the client nothing about the internals.
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "Something went wrong on our side. It has been logged.")
