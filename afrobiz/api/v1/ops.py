"""Operations endpoints at the root: liveness, readiness, metrics.

* /healthz: the process answers (no dependencies: a liveness probe must not restart a web
  process because the database is down).
* /readyz: the database, the replica and Redis (each only if configured) answer within a
  short timeout; otherwise 503 problem+json naming what failed (a load balancer stops
  sending traffic here until they are back).
* /metrics: Prometheus text. Not public: with AFROBIZ_METRICS_TOKEN set, it takes
  `Authorization: Bearer <token>` and nothing else; without a token, it answers only requests
  from loopback or private addresses that did not come through a proxy we do not trust (a
  reverse proxy on the same host makes every visitor look like 127.0.0.1, and adds
  X-Forwarded-For: such requests are refused unless the proxy is in AFROBIZ_TRUSTED_PROXIES
  and the real client is itself private).
"""
from __future__ import annotations

import asyncio
import hmac
import ipaddress

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy import text

from afrobiz.api.problems import PROBLEM_JSON, problem
from afrobiz.kit.clientip import client_ip, trusted_networks
from afrobiz.kit.metrics import METRICS
from afrobiz.kit.outage import is_lost_connection

router = APIRouter(tags=["operations"])
CHECK_TIMEOUT = 2.0          # seconds per dependency
FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict:
    return {"status": "ok"}


async def _check_database(engine) -> None:  # noqa: ANN001
    async with asyncio.timeout(CHECK_TIMEOUT):
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:
            if not is_lost_connection(exc):
                raise
            # A pooled connection had died (the pool has dropped it and its elders): that says
            # nothing about the database now, which a fresh connection tells (kit/read_retry.py).
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))


async def _check_redis(url: str) -> None:
    import redis.asyncio as redis

    client = redis.Redis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT, socket_timeout=CHECK_TIMEOUT)
    try:
        async with asyncio.timeout(CHECK_TIMEOUT):
            await client.ping()
    finally:
        await client.aclose()


@router.get("/readyz", summary="The database (and replica and Redis, if configured) answer",
            responses={503: {"description": "A dependency is unreachable", "content": {"application/problem+json": {}}}})
async def readyz(request: Request):
    state, settings = request.app.state, request.app.state.settings
    checks = {"database": _check_database(state.engine)}
    if getattr(state, "replica_engine", None) is not None:
        checks["replica"] = _check_database(state.replica_engine)
    if settings.redis_url:
        checks["redis"] = _check_redis(settings.redis_url)
    results = await asyncio.gather(*checks.values(), return_exceptions=True)
    status = {name: "ok" if not isinstance(r, BaseException) else "unreachable"
              for name, r in zip(checks, results)}
    failed = [name for name, s in status.items() if s != "ok"]
    if failed:
        # RFC 9457 allows extension members: which check failed, for the operator's probe.
        return JSONResponse({"type": "about:blank", "title": "Service unavailable", "status": 503,
                             "detail": f"Not ready: {', '.join(failed)} unreachable.", "checks": status},
                            status_code=503, media_type=PROBLEM_JSON, headers={"Retry-After": "5"})
    return {"status": "ready", "checks": status}


def _in_networks(address: str | None, networks: str) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in net for net in trusted_networks(networks) if ip.version == net.version)


# Loopback and the private ranges (RFC 1918, IPv6 unique-local); explicit because Python's
# is_private also counts documentation and other special-purpose ranges.
LOCAL_NETWORKS = "127.0.0.0/8, ::1/128, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7"


def _private(address: str | None) -> bool:
    return _in_networks(address, LOCAL_NETWORKS)


def metrics_refusal(request: Request) -> Response | None:
    """None when this caller may read /metrics, else the refusal (401 or 403 problem+json)."""
    settings = request.app.state.settings
    if settings.metrics_token:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), settings.metrics_token.encode()):
            return None
        return problem(401, "Metrics need the metrics bearer token.", headers={"WWW-Authenticate": "Bearer"})
    peer = request.client.host if request.client else None
    forwarded = any(h in request.headers for h in FORWARDING_HEADERS)
    peer_is_proxy = _in_networks(peer, settings.trusted_proxies)
    if forwarded and not peer_is_proxy:
        # Came through a proxy we were not told about: the real client is unknown.
        return problem(403, "Metrics are served to the local network only (set AFROBIZ_METRICS_TOKEN "
                            "to scrape through a proxy).")
    if not _private(client_ip(peer, request.headers.get("x-forwarded-for"), settings.trusted_proxies)):
        return problem(403, "Metrics are served to the local network only.")
    return None


@router.get("/metrics", response_class=PlainTextResponse, summary="Prometheus metrics (token or local network)",
            responses={401: {"description": "Token missing or wrong", "content": {"application/problem+json": {}}},
                       403: {"description": "Not from the local network", "content": {"application/problem+json": {}}}})
async def metrics(request: Request):
    refusal = metrics_refusal(request)
    if refusal is not None:
        return refusal
    state = request.app.state
    engines = {"primary": state.engine}
    if getattr(state, "replica_engine", None) is not None:
        engines["replica"] = state.replica_engine
    body = await METRICS.render(engines)
    return PlainTextResponse(body, media_type="text/plain; version=0.0.4; charset=utf-8")
