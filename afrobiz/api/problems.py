"""RFC 9457 problem details for every error the API can answer (DESIGN 4.3)."""
from __future__ import annotations

import logging

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from afrobiz.errors import DomainError
from afrobiz.kit.outage import is_outage

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


async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 405:
        # The router names only the first matching route's methods; RFC 9110 wants them all.
        headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path)) or headers.get("Allow", "")
    return problem(exc.status_code, detail, headers=headers or None)


def allowed_methods(app, path: str) -> list[str]:
    """Every method some route of the app answers on this path."""
    from fastapi.routing import iter_route_contexts
    from starlette.routing import compile_path

    methods: set[str] = set()
    for route in iter_route_contexts(app.routes):
        if route.path and route.methods and compile_path(route.path)[0].match(path):
            methods |= set(route.methods)
    return sorted(methods)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    if is_outage(exc):
        # A dependency is down: say so at once (503 + Retry-After) rather than a 500 the
        # client cannot tell from a bug; the pool reconnects by itself when it is back.
        log.warning("dependency unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return problem(503, "The service is briefly unavailable. Please try again in a moment.",
                       headers={"Retry-After": "5"})
    # Every 5xx is a bug: log it in full, tell the client nothing about the internals.
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "Something went wrong on our side. It has been logged.")


# ---------------------------------------------------------------- the OpenAPI document

# Every operation can answer these through the handlers above (auth, RLS-hidden objects,
# conflicts, validation, throttling, a database outage); 500 is never documented: it is a bug.
DOCUMENTED_ERRORS = (400, 401, 403, 404, 409, 413, 422, 429, 503)
PROBLEM_SCHEMA = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
    },
}


def add_problem_responses(schema: dict) -> dict:
    """List every error status an operation can return, as problem+json (replacing FastAPI's
    default 422 body, which is not what the API sends)."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "put", "post", "patch", "delete") or not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            for status in DOCUMENTED_ERRORS:
                declared = responses.get(str(status), {})
                responses[str(status)] = {"description": declared.get("description") or _TITLES[status],
                                          "content": content}
    return schema


def document_errors(app) -> None:  # a FastAPI app (imported lazily: this module stays light)
    """Make app.openapi() add the problem responses once, when the document is first built."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            add_problem_responses(build())
        return app.openapi_schema

    app.openapi = openapi
