"""The hot lane: the three public reads that carry most of the traffic (free slots, search,
suggest), answered before FastAPI's stack when the request is an ordinary anonymous GET.

Why: for these reads the web framework cost more than the database. Routing through every
route, dependency injection, a SQLAlchemy session, response-model validation and the
middleware chain came to 1.5-4 ms of CPU a request, against 0.5-1.3 ms in PostgreSQL
(bench/booking_slots.py, bench/search.py). Here a request is matched by one regular
expression, its query string is parsed against the same limits the OpenAPI document states,
and the SAME domain functions (booking.slots, search.queries, search.suggest) run over a
plain psycopg connection (db/raw.py).

Anything unusual takes the ordinary FastAPI route instead, which gives the answer the API
document promises: a bearer token (so a bad one is still a 401), a value outside what this
parser accepts (FastAPI writes the 422 problem), a domain error (NotFound, InvalidInput:
FastAPI writes the problem), the database away (FastAPI answers 503). So this lane only ever
answers 200, with the same JSON as the route (tests/ops/test_ops_hot_lane.py compares them).
The routes stay declared in FastAPI: they document the API and serve the fall-backs.

The outer RequestLogMiddleware still wraps this lane (request id, access line, metrics,
security headers); the route template is recorded for the metrics as FastAPI would.
"""
from __future__ import annotations

import asyncio
import gzip
import json
import logging
import re
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Protocol
from urllib.parse import parse_qsl

import psycopg

from afrobiz.api.v1.booking import slots_json
from afrobiz.booking import slots
from afrobiz.db import deps
from afrobiz.db.raw import make_pool, reader
from afrobiz.errors import DomainError
from afrobiz.kit.dates import within
from afrobiz.search import queries
from afrobiz.search import suggest as suggestions
from afrobiz.search.params import (
    DEFAULT_LIMIT,
    MAX_CURSOR,
    MAX_FILTER_TEXT,
    MAX_LIMIT,
    MAX_PRICE_TEXT,
    MAX_Q,
    MAX_RADIUS_KM,
    SORTS,
    SUGGEST_LIMIT,
    SUGGEST_MAX_LIMIT,
    SUGGEST_MAX_Q,
    SearchParams,
)

log = logging.getLogger("afrobiz.hot")

SESSION_COOKIE = deps.SESSION_COOKIE.encode()   # as db/deps.replica_allowed reads it
GZIP_MIN = 500   # as app.py's GZipMiddleware
JSON_TYPE = b"application/json"


class Backend(Protocol):
    """Where the hot lane reads and what it records (production: HotPools; tests: the test's session)."""

    def reader(self, *, primary: bool) -> AbstractAsyncContextManager: ...

    async def record_impressions(self, business_ids: list[str]) -> None: ...


# ---------------------------------------------------------------- query strings

class Decline(Exception):
    """This request is not for the hot lane: FastAPI's route answers it."""


_FLOAT = re.compile(r"-?(?:\d{1,12}(?:\.\d{0,15})?|\.\d{1,15})")
_INT = re.compile(r"\d{1,6}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TRUE, _FALSE = ("true", "1"), ("false", "0")


def parse_query(raw: bytes) -> dict[str, str]:
    """As Starlette reads a query string (latin-1, blanks kept); a repeated or blank
    parameter declines (FastAPI decides what those mean)."""
    out: dict[str, str] = {}
    for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if key in out or value == "":
            raise Decline
        out[key] = value
    return out


def text_param(params: dict, name: str, max_length: int, default: str | None = None) -> str | None:
    value = params.get(name, default)
    if value is not None and len(value) > max_length:
        raise Decline
    return value


def float_param(params: dict, name: str, lo: float, hi: float, *, lo_open: bool = False) -> float | None:
    value = params.get(name)
    if value is None:
        return None
    if not _FLOAT.fullmatch(value):
        raise Decline
    number = float(value)
    if number > hi or number < lo or (lo_open and number == lo):
        raise Decline
    return number


def int_param(params: dict, name: str, default: int, lo: int, hi: int) -> int:
    value = params.get(name)
    if value is None:
        return default
    if not _INT.fullmatch(value) or not lo <= int(value) <= hi:
        raise Decline
    return int(value)


def bool_param(params: dict, name: str) -> bool:
    value = params.get(name)
    if value is None or value in _FALSE:
        return False
    if value in _TRUE:
        return True
    raise Decline


def date_param(params: dict, name: str) -> date | None:
    value = params.get(name)
    if value is None:
        return None
    if not _DATE.fullmatch(value):
        raise Decline
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Decline from None
    if not within(day):
        raise Decline   # outside the bounds every date input has (kit/dates.py): the route's 422
    return day


def dumps(value) -> bytes:  # noqa: ANN001
    """As FastAPI's JSONResponse writes JSON."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


# ---------------------------------------------------------------- the three reads

async def free_slots(backend: Backend, params: dict, match: re.Match, cookie: bool) -> bytes:
    try:
        service_id = uuid.UUID(match.group(1))
    except ValueError:
        raise Decline from None
    first = date_param(params, "from")
    if first is None:
        raise Decline
    last = date_param(params, "to") or first
    # Slots are never served from a replica: a customer who just booked must see the slot go.
    async with backend.reader(primary=True) as db:
        tz, found = await slots.public_free_slots(db, service_id=service_id, from_date=first, to_date=last,
                                                  anonymous=True)
    return slots_json(tz, found)   # the route's own writer: one JSON shape


def _hit(item: dict) -> dict:
    """A result in SearchHit's field order and types (api/v1/search.py)."""
    category = item.get("category")
    distance = item.get("distance_km")
    return {
        "id": item["id"], "slug": item["slug"], "name": item["name"],
        "category": None if category is None else
        {"id": category["id"], "name": category["name"], "slug": category["slug"]},
        "city": item.get("city"), "region": item.get("region"),
        "average_rating": float(item["average_rating"]), "review_count": int(item["review_count"]),
        "price_range": item.get("price_range"),
        "distance_km": None if distance is None else float(distance),
        "is_open_now": bool(item["is_open_now"]), "is_featured": bool(item["is_featured"]),
        "is_verified": bool(item["is_verified"]), "thumbnail_url": item.get("thumbnail_url"),
    }


async def search(backend: Backend, params: dict, _match: re.Match, cookie: bool, secret: str) -> bytes:
    sort = params.get("sort", "relevance")
    if sort not in SORTS:
        raise Decline
    p = SearchParams(
        q=text_param(params, "q", MAX_Q), category=text_param(params, "category", MAX_FILTER_TEXT),
        region=text_param(params, "region", MAX_FILTER_TEXT), city=text_param(params, "city", MAX_FILTER_TEXT),
        lat=float_param(params, "lat", -90, 90), lon=float_param(params, "lon", -180, 180),
        radius_km=float_param(params, "radius_km", 0, MAX_RADIUS_KM, lo_open=True),
        min_rating=float_param(params, "min_rating", 0, 5),
        price_range=tuple((text_param(params, "price_range", MAX_PRICE_TEXT) or "").split(",")),
        open_now=bool_param(params, "open_now"), verified=bool_param(params, "verified"),
        bookable=bool_param(params, "bookable"), sort=sort, limit=int_param(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
        cursor=text_param(params, "cursor", MAX_CURSOR))
    # A signed-in visitor (session cookie) reads the primary: they see what they just wrote.
    async with backend.reader(primary=cookie) as db:
        result = await queries.search_businesses(db, params=p, secret=secret)
    items = [_hit(item) for item in result.items]
    # Analytics: which businesses this page showed (search appearances, click-through rate).
    await backend.record_impressions([item["id"] for item in items])
    return dumps({"items": items, "next_cursor": result.next_cursor, "facets": result.facets,
                  "total": result.total, "did_you_mean": result.did_you_mean})


async def suggest(backend: Backend, params: dict, _match: re.Match, cookie: bool) -> bytes:
    q = text_param(params, "q", SUGGEST_MAX_Q, "")
    limit = int_param(params, "limit", SUGGEST_LIMIT, 1, SUGGEST_MAX_LIMIT)
    async with backend.reader(primary=cookie) as db:
        found = await suggestions.suggest(db, q=q, limit=limit)
    return dumps([{"type": s["type"], "name": s["name"], "slug": s["slug"]} for s in found])


# ---------------------------------------------------------------- the ASGI layer

_ROUTES = (
    (re.compile(r"/api/v1/services/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/slots"), "/api/v1/services/{service_id}/slots", "slots"),
    (re.compile(r"/api/v1/search/businesses"), "/api/v1/search/businesses", "search"),
    (re.compile(r"/api/v1/search/suggest"), "/api/v1/search/suggest", "suggest"),
)


class HotLane:
    """ASGI: answer the hot reads here when possible, hand everything else to `app`."""

    def __init__(self, app, state, secret: str) -> None:  # noqa: ANN001
        self.app = app
        self.state = state          # the app's state: `hot` is set by the lifespan (or a test)
        self.secret = secret

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"].startswith("/api/v1/s"):
            backend = getattr(self.state, "hot", None)
            if backend is not None and await self._answer(backend, scope, send):
                return
        await self.app(scope, receive, send)

    async def _answer(self, backend: Backend, scope, send) -> bool:  # noqa: ANN001
        path = scope["path"]
        for pattern, template, kind in _ROUTES:
            match = pattern.fullmatch(path)
            if match is not None:
                break
        else:
            return False
        gzip_ok = cookie = False
        for key, value in scope["headers"]:
            if key == b"authorization":
                return False
            if key == b"cookie" and SESSION_COOKIE in value:
                cookie = True
            elif key == b"accept-encoding" and b"gzip" in value:
                gzip_ok = True
        try:
            params = parse_query(scope["query_string"])
            if kind == "slots":
                body = await free_slots(backend, params, match, cookie)
            elif kind == "search":
                body = await search(backend, params, match, cookie, self.secret)
            else:
                body = await suggest(backend, params, match, cookie)
        except (Decline, DomainError):
            return False
        except (psycopg.OperationalError, TimeoutError, asyncio.TimeoutError) as exc:
            # The database (or the pool) is unavailable: the ordinary route answers 503.
            log.warning("hot lane: database unavailable on %s: %s", template, exc)
            return False
        except Exception:
            # A bug here must not cost the caller an answer: log it loudly and let the route answer.
            log.exception("hot lane failed on %s; answered by the route instead", template)
            return False
        scope["route"] = SimpleNamespace(path=template)   # the metrics' and access log's label
        headers = [(b"content-type", JSON_TYPE)]
        if gzip_ok and len(body) >= GZIP_MIN:
            body = gzip.compress(body, compresslevel=6, mtime=0)
            headers += [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return True


# ---------------------------------------------------------------- production backend

class HotPools:
    """The production backend: psycopg pools on the primary (and the replica when configured),
    and search impressions written in batches (one INSERT a second, not one per search)."""

    FLUSH_SECONDS = 1.0
    MAX_PENDING = 20_000   # impressions kept while the database is away; older ones are dropped

    def __init__(self, primary_url: str, replica_url: str | None, *, size: int) -> None:
        self.primary = make_pool(primary_url, size=size)
        self.replica = make_pool(replica_url, size=size) if replica_url else None
        self.pending: list[tuple[datetime, list[str]]] = []
        self._flusher: asyncio.Task | None = None

    async def open(self) -> None:
        await self.primary.open(wait=False)
        if self.replica is not None:
            await self.replica.open(wait=False)
        self._flusher = asyncio.create_task(self._flush_every())

    async def close(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
        try:
            await self.flush()
        except Exception as exc:  # noqa: BLE001  (shutting down: say so, do not block it)
            log.warning("search impressions not written at shutdown: %s", exc)
        await self.primary.close()
        if self.replica is not None:
            await self.replica.close()

    def reader(self, *, primary: bool) -> AbstractAsyncContextManager:
        pool = self.primary if primary or self.replica is None else self.replica
        return reader(pool)

    async def record_impressions(self, business_ids: list[str]) -> None:
        if business_ids:
            self.pending.append((datetime.now(UTC), business_ids))
            if len(self.pending) > self.MAX_PENDING:
                del self.pending[: len(self.pending) - self.MAX_PENDING]

    async def flush(self) -> int:
        """Write the pending impressions in one transaction; the number written."""
        batch, self.pending = self.pending, []
        if not batch:
            return 0
        try:
            async with self.primary.connection() as conn, conn.transaction(), conn.cursor() as cur:
                await cur.executemany("INSERT INTO search_impressions (shown_at, business_ids)"
                                      " VALUES (%s, CAST(%s AS uuid[]))", batch)
        except Exception:
            self.pending[:0] = batch   # try again next time
            raise
        return len(batch)

    async def _flush_every(self) -> None:
        while True:
            await asyncio.sleep(self.FLUSH_SECONDS)
            try:
                await self.flush()
            except Exception as exc:  # noqa: BLE001  (the database is away: keep them for later)
                log.warning("search impressions not written yet: %s", exc)


def install(app, build_stack: Callable[[], object]) -> Callable[[], object]:  # noqa: ANN001
    """The app's middleware stack with the hot lane in front of it."""
    return lambda: HotLane(build_stack(), app.state, app.state.settings.secret_key)


