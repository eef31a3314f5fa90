"""create_app(): the one ASGI app — pages at /, JSON API at /api/v1, operations at the root."""
from __future__ import annotations

import asyncio
import logging
import os
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Route

from afrobiz.api import hot, problems
from afrobiz.api.router import api_router
from afrobiz.api.v1 import ops
from afrobiz.config import Settings, get_settings
from afrobiz.db import all_models  # noqa: F401  (every table known before the first query)
from afrobiz.db.session import make_engine, make_sessionmaker
from afrobiz.errors import DomainError
from afrobiz.kit.logging import RequestLogMiddleware, configure_logging, note_handled
from afrobiz.kit.metrics import METRICS
from afrobiz.kit.read_retry import RetryReadsOnLostConnection
from afrobiz.kit.request_gate import BodyLimit, CleanInput, Refusal
from afrobiz.kit.security_headers import HEADERS as SECURITY_HEADERS, HSTS
from afrobiz.search.impressions import ImpressionLog
from afrobiz.web.deps import install as install_page_auth
from afrobiz.web.errors import error_page
from afrobiz.web.router import web_router
from afrobiz.web.templating import static_files

log = logging.getLogger("afrobiz")


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path in ("/healthz", "/readyz", "/metrics")


def create_app(database_url: str, settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    if settings.environment != "test":   # tests capture logs their own way
        configure_logging(settings.effective_log_format, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.engine = make_engine(database_url, pool_size=settings.db_pool_size)
        app.state.sessionmaker = make_sessionmaker(app.state.engine)
        # Anonymous reads (search, public pages) may go to a replica: see afrobiz/db/deps.py.
        app.state.replica_engine = app.state.read_sessionmaker = None
        if settings.database_replica_url:
            app.state.replica_engine = make_engine(settings.database_replica_url, pool_size=settings.db_pool_size)
            app.state.read_sessionmaker = make_sessionmaker(app.state.replica_engine)
        # The hot lane's own lean pools (api/hot.py): free slots, search, suggest.
        app.state.hot = hot.HotPools(database_url, settings.database_replica_url,
                                     size=max(2, settings.db_pool_size // 2))
        await app.state.hot.open()
        app.state.impressions.start(app.state.hot.primary)
        saver = None
        if group := os.environ.get("AFROBIZ_METRICS_GROUP"):   # set by `afrobiz serve` for its workers
            METRICS.share(settings.data_dir / "metrics" / group)
            saver = asyncio.create_task(METRICS.save_every())
        try:
            yield
        finally:
            if saver is not None:
                saver.cancel()
            await app.state.impressions.stop()
            await app.state.hot.close()
            await app.state.engine.dispose()
            if app.state.replica_engine is not None:
                await app.state.replica_engine.dispose()

    app = FastAPI(
        title="AfroBiz Connect API",
        version="1.0.0",
        description="Find, review and book local businesses in Namibia.",
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    # Which businesses search pages showed: written in batches on the primary once the
    # lifespan has opened the pools (search/impressions.py).
    app.state.impressions = ImpressionLog()
    problems.document_errors(app)   # the OpenAPI document lists every problem response

    # One handler per error kind; API callers get problem+json, page visitors a page.
    async def on_domain_error(request: Request, exc: DomainError):
        if _wants_json(request):
            return await problems.domain_error(request, exc)
        return error_page(request, exc.status, exc.title, exc.detail, headers=exc.headers)

    async def on_http_error(request: Request, exc: StarletteHTTPException):
        if _wants_json(request):
            return await problems.http_error(request, exc)
        title = "Page not found" if exc.status_code == 404 else "Something is not right"
        detail = exc.detail if isinstance(exc.detail, str) else title
        return error_page(request, exc.status_code, title, detail)

    async def on_validation_error(request: Request, exc: RequestValidationError):
        if _wants_json(request):
            return await problems.request_validation_error(request, exc)
        return error_page(request, 422, "Please check what you entered", "; ".join(
            f"{e['field']}: {e['message']}" for e in problems.validation_errors(exc)))

    async def on_unexpected(request: Request, exc: Exception):
        note_handled(request.scope, exc)   # answered and logged here (kit/logging.RequestLogMiddleware)
        if _wants_json(request):
            return await problems.unexpected_error(request, exc)
        if problems.is_outage(exc):
            # The database or Redis is unreachable: not a bug, a moment to wait.
            log.warning("outage on %s %s: %s", request.method, request.url.path, exc)
            return error_page(request, 503, "We are briefly unavailable",
                              "Please try again in a minute.", headers={"Retry-After": "30"})
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_page(request, 500, "Something went wrong", "It has been logged. Please try again.")

    async def on_refusal(scope, receive, send, refusal: Refusal) -> None:  # noqa: ANN001
        # The request gate's answer (kit/request_gate.py), given before the app's own stack.
        scope.setdefault("app", app)   # the page template reaches the settings through it
        request = Request(scope, receive)
        if _wants_json(request):
            errors = [{"field": refusal.field, "message": refusal.detail}] if refusal.field else None
            response = problems.problem(refusal.status, refusal.detail, errors=errors)
        elif refusal.in_path:
            response = error_page(request, 404, "Page not found", "Not Found")
        elif refusal.status == 413:
            response = error_page(request, 413, "Payload too large", refusal.detail)
        else:
            response = error_page(request, refusal.status, "Please check what you entered", refusal.detail)
        await response(scope, receive, send)

    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)
    install_page_auth(app)

    app.include_router(ops.router)
    app.include_router(api_router, prefix="/api/v1")
    app.include_router(web_router)
    app.router.routes.append(Route("/static/{path:path}", static_files.endpoint, methods=["GET", "HEAD"]))

    # A GET whose pooled connection had died is run once more on a fresh one (kit/read_retry.py).
    app.add_middleware(RetryReadsOnLostConnection)
    # One outer layer for the request id, access log, metrics and security headers (one
    # wrapper per request, not three); outside even Starlette's error middleware, so a 500
    # answer carries them too. HSTS only when this deployment is served over HTTPS.
    https = settings.base_url.startswith("https://")
    # Inside it, the request gate (bounded body, clean text: kit/request_gate.py); inside
    # that gzip, for every answer: level 6 (zlib's default) rather than Starlette's 9, nearly
    # the same size for much less CPU. Inside both, the hot lane answers the commonest
    # anonymous reads before FastAPI's stack.
    build_stack = hot.install(app, app.build_middleware_stack)
    app.build_middleware_stack = lambda: RequestLogMiddleware(
        BodyLimit(CleanInput(GZipMiddleware(build_stack(), minimum_size=500, compresslevel=6), on_refusal),
                  on_refusal),
        headers=SECURITY_HEADERS + ([HSTS] if https else []),
        https_headers=[] if https else [HSTS], observe=METRICS.observe)
    return app
