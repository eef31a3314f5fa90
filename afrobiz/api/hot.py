"""The hot lane: the three public reads that carry most of the traffic (free slots, search,
suggest), answered before FastAPI's stack when the request is an ordinary anonymous GET.

Why: for these reads the web framework cost more than the database. Routing through every
route, dependency injection, a SQLAlchemy session and the middleware chain came to 1.5-4 ms
of CPU a request, against 0.5-1.3 ms in PostgreSQL (bench/booking_slots.py, bench/search.py).

Nothing is declared twice: the routes (api/v1/search.py, api/v1/booking.py) declare each
hot read once — its path, its query model, its answer function — and the lane takes them
from the app's own routes: it matches a path with the route's pattern, checks the query
with the route's model, calls the route's answer function over a lean psycopg connection
(db/raw.py) and names the route for the access log and metrics. Only the way to the
database differs: a pooled anonymous connection instead of a request session.

Anything unusual takes the ordinary route instead, which gives the answer the API document
promises: a bearer token (so a bad one is still a 401), a parameter the model refuses
(FastAPI writes the 422 problem), a domain error (NotFound, InvalidInput: FastAPI writes the
problem), the database away (FastAPI answers 503). So this lane only ever answers 200, with
the route's own answer (tests/ops/test_ops_hot_lane.py compares them).

The app's outer middleware (request id, access line, metrics, security headers, gzip) wraps
this lane as it wraps everything else (app.py).
"""
from __future__ import annotations

import asyncio
import inspect
import logging
import re
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

import psycopg
from fastapi.routing import RouteContext, iter_route_contexts
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.datastructures import QueryParams

from afrobiz.api.v1 import booking, search
from afrobiz.booking.schemas import SlotsQuery
from afrobiz.db import deps
from afrobiz.db.raw import Reader, make_pool, reader
from afrobiz.errors import DomainError
from afrobiz.search.params import SearchParams, SuggestParams

log = logging.getLogger("afrobiz.hot")

SESSION_COOKIE = deps.SESSION_COOKIE.encode()   # as db/deps.replica_allowed reads it


@dataclass(frozen=True)
class Hot:
    """A route the lane answers: its query model and answer function (the route's own)."""

    endpoint: Callable
    params: type[BaseModel]
    answer: Callable[..., Awaitable]   # (reader, params, app state, **path parameters) -> Response
    replica: bool                      # may read a replica (free slots never: a customer who just
                                       # booked must see the slot go)


HOT = (
    Hot(booking.get_slots, SlotsQuery, booking.slots_answer, replica=False),
    Hot(search.search_businesses, SearchParams, search.businesses_answer, replica=True),
    Hot(search.suggest, SuggestParams, search.suggest_answer, replica=True),
)


class Backend(Protocol):
    """Where the lane reads (production: HotPools; tests: the test's session)."""

    def reader(self, *, primary: bool) -> AbstractAsyncContextManager[Reader]: ...


@dataclass(frozen=True)
class _Lane:
    route: RouteContext                  # the metrics' label (its template)
    pattern: re.Pattern                  # the route's own
    hot: Hot
    path_types: dict[str, TypeAdapter]   # the endpoint's own types of the path parameters


def _lanes(app) -> list[_Lane]:  # noqa: ANN001
    by_endpoint = {hot.endpoint: hot for hot in HOT}
    lanes = []
    for route in iter_route_contexts(app.routes):
        hot = by_endpoint.get(route.endpoint)
        if hot is not None:
            signature = inspect.signature(hot.endpoint, eval_str=True)
            lanes.append(_Lane(route, route.path_regex, hot, {
                name: TypeAdapter(signature.parameters[name].annotation) for name in route.param_convertors}))
    if len(lanes) != len(HOT):
        raise RuntimeError("a hot route is not mounted")
    return lanes


class HotLane:
    """ASGI: answer the hot reads here when possible, hand everything else to `app`."""

    def __init__(self, app, fastapi) -> None:  # noqa: ANN001
        self.app = app
        self.state = fastapi.state     # `hot` is set by the lifespan (or a test)
        self.lanes = _lanes(fastapi)

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"].startswith("/api/v1/s"):
            backend = getattr(self.state, "hot", None)
            if backend is not None and await self._answer(backend, scope, receive, send):
                return
        await self.app(scope, receive, send)

    async def _answer(self, backend: Backend, scope, receive, send) -> bool:  # noqa: ANN001
        for lane in self.lanes:
            match = lane.pattern.match(scope["path"])
            if match is not None:
                break
        else:
            return False
        cookie = False
        for key, value in scope["headers"]:
            if key == b"authorization":
                return False
            if key == b"cookie" and SESSION_COOKIE in value:
                cookie = True
        hot = lane.hot
        try:
            params = hot.params.model_validate(dict(QueryParams(scope["query_string"])))
            path = {name: lane.path_types[name].validate_python(value) for name, value in match.groupdict().items()}
            # A signed-in visitor (session cookie) reads the primary: they see what they just wrote.
            async with backend.reader(primary=cookie or not hot.replica) as db:
                response = await hot.answer(db, params, self.state, **path)
        except (ValidationError, DomainError):
            return False
        except (psycopg.OperationalError, TimeoutError, asyncio.TimeoutError) as exc:
            # The database (or the pool) is unavailable: the ordinary route answers 503.
            log.warning("hot lane: database unavailable on %s: %s", lane.route.path, exc)
            return False
        except Exception:
            # A bug here must not cost the caller an answer: log it loudly and let the route answer.
            log.exception("hot lane failed on %s; answered by the route instead", lane.route.path)
            return False
        scope["route"] = lane.route   # the access log's and metrics' label, as the router sets it
        await response(scope, receive, send)
        return True


class HotPools:
    """The production backend: psycopg pools on the primary (and the replica when configured)."""

    def __init__(self, primary_url: str, replica_url: str | None, *, size: int) -> None:
        self.primary = make_pool(primary_url, size=size)
        self.replica = make_pool(replica_url, size=size) if replica_url else None

    async def open(self) -> None:
        await self.primary.open(wait=False)
        if self.replica is not None:
            await self.replica.open(wait=False)

    async def close(self) -> None:
        await self.primary.close()
        if self.replica is not None:
            await self.replica.close()

    def reader(self, *, primary: bool) -> AbstractAsyncContextManager[Reader]:
        return reader(self.primary if primary or self.replica is None else self.replica)


def install(app, build_stack: Callable[[], object]) -> Callable[[], object]:  # noqa: ANN001
    """The app's middleware stack with the hot lane in front of it."""
    return lambda: HotLane(build_stack(), app)
