"""The authorization matrix, run: every API route of the app × six actors × own/other object.

Expected outcomes live in authorization_matrix.EXPECTED; every response body is also scanned
for secrets and other users' personal data.
"""
from __future__ import annotations

import pytest
from authorization_matrix import (
    EXPECTED,
    SKIPPED_PATHS,
    fill,
    in_scope,
    matches,
    parse,
    request_kwargs,
    role_of,
)
from fastapi.routing import iter_route_contexts
from reliability_helpers import ACTORS, build_world, leaks, pretty, visible_people

from afrobiz.app import create_app
from afrobiz.config import Settings
from afrobiz.kit import ratelimit

TOKEN_ROUTES = {"POST /api/v1/auth/login", "POST /api/v1/me/password"}   # they hand the caller its own token
DOCUMENTS = {"GET /api/v1/openapi.json", "GET /api/v1/docs"}   # describe fields such as "password"; hold no data


def app_routes() -> list[str]:
    """Every API route of the real app as 'METHOD /path/{template}'."""
    app = create_app("postgresql://unused@127.0.0.1/unused",
                     Settings(database_url=None, secret_key="x", environment="test"))
    keys = set()
    for rc in iter_route_contexts(app.routes):
        path = getattr(rc, "path_format", None) or rc.path   # {id:uuid} is listed as {id}, as in OpenAPI
        if path and in_scope(path) and path not in SKIPPED_PATHS:
            keys |= {f"{m} {path}" for m in (rc.methods or ()) if m != "HEAD"}
    return sorted(keys)


ROUTES = app_routes()


def test_every_route_is_in_the_matrix():
    missing = [k for k in ROUTES if k not in EXPECTED]
    stale = [k for k in EXPECTED if k not in ROUTES]
    assert not missing, f"routes with no row in authorization_matrix.EXPECTED: {missing}"
    assert not stale, f"rows for routes the app no longer has: {stale}"
    assert len(ROUTES) >= 75


async def call(db, client, world, key: str, actor: str, target: str):
    method, path = key.split(" ", 1)
    person = world.person(actor)
    kwargs = request_kwargs(world, key, actor, target)
    headers = (person.headers if person else {}) | kwargs.pop("headers", {})
    await ratelimit.reset_all()   # throttling has its own tests; here it would hide the real answer
    # Each call in its own savepoint, rolled back: no call sees another's effects.
    async with db.begin_nested() as savepoint:
        response = await client.request(method, fill(world, actor, target, path), headers=headers, **kwargs)
        await savepoint.rollback()
    db.expunge_all()
    return response


@pytest.mark.parametrize("key", ROUTES)
async def test_route_matrix(db, client, key):
    assert key in EXPECTED, f"{key} has no row in authorization_matrix.EXPECTED"
    expected = parse(EXPECTED[key])
    world = await build_world(db)
    wrong, leaked = [], []
    for actor in ACTORS:
        for index, target in enumerate(("own", "other")):
            outcome = expected[role_of(actor)][index]
            response = await call(db, client, world, key, actor, target)
            if not matches(response.status_code, outcome):
                wrong.append(f"{actor}/{target}: expected {outcome}, got {response.status_code} "
                             f"{pretty(response.text, 200)}")
            if response.status_code >= 500:
                continue
            may_see = visible_people(world, actor)
            if key == "POST /api/v1/auth/login" and actor == "anonymous":
                may_see = {world.a.customer.id}   # the visitor logged in as customer A: A's own profile
            found = [] if key in DOCUMENTS else leaks(world, actor, response.text,
                                                      allow_access_token=key in TOKEN_ROUTES, may_see=may_see)
            if found:
                leaked.append(f"{actor}/{target}: {found}")
    assert not wrong, f"{key}:\n" + "\n".join(wrong)
    assert not leaked, f"{key} leaks:\n" + "\n".join(leaked)
