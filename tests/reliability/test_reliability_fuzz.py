"""API fuzzing: schemathesis over /api/v1/openapi.json, against the real app on a committed
scratch database with demo data, as anonymous, customer, owner and admin.

Every check schemathesis has by default runs (no 5xx, status codes, content types, headers
and bodies as documented, negative data rejected...). AFROBIZ_FUZZ_EXAMPLES sets the number
of examples per operation (default 25, so CI stays within a few minutes; the issue's 100+
is a run with AFROBIZ_FUZZ_EXAMPLES=100). The roles take turns example by example.

test_api_fuzz_unstorable_text walks every operation again with NUL or a lone surrogate put
into one of the example's strings (a path or query parameter, a JSON string or object key,
a form field): always a 422, never a 5xx (issue 21). AFROBIZ_FUZZ_TEXT_EXAMPLES sets its
examples per operation (default 5; the issue's run is 50).
"""
from __future__ import annotations

import json
import os
from urllib.parse import quote

import pytest
import schemathesis
from dbtools import create_database, drop_database
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from starlette.testclient import TestClient

from afrobiz.app import create_app
from afrobiz.config import Settings
from afrobiz.db import migrate
from afrobiz.demo.loader import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo
from afrobiz.kit import ratelimit

EXAMPLES = int(os.environ.get("AFROBIZ_FUZZ_EXAMPLES", "25"))
TEXT_EXAMPLES = int(os.environ.get("AFROBIZ_FUZZ_TEXT_EXAMPLES", "5"))
# Calls that end the caller's own session or account: fuzzed anonymously only, or the
# roles' tokens would die half-way through the run.
SESSION_ENDERS = {("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/auth/logout-all"),
                  ("POST", "/api/v1/me/password"), ("DELETE", "/api/v1/me")}
STATS = {"calls": 0, "by_status": {}}
TEXT_STATS = {"calls": 0, "by_status": {}, "by_place": {}}


@pytest.fixture(scope="module")
def fuzz_database(server_url):
    url = create_database(server_url, "afrobiz_fuzz")
    try:
        migrate.upgrade(url)
        load_demo(url, businesses=20)
        yield url
    finally:
        drop_database(server_url, url)


@pytest.fixture(scope="module")
def fuzz_app(fuzz_database, tmp_path_factory):
    app = create_app(fuzz_database, Settings(database_url=fuzz_database, data_dir=tmp_path_factory.mktemp("fuzz"),
                                             secret_key="fuzz-secret", environment="test"))
    ratelimit.configure(None)
    tokens = {}
    with TestClient(app) as client:       # once per role: the login is rate limited
        for role, email in DEMO_ACCOUNTS.items():
            r = client.post("/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD})
            assert r.status_code == 200, r.text
            tokens[role] = r.json()["access_token"]
    app.state.fuzz_headers = {"anonymous": {}} | {role: {"Authorization": f"Bearer {t}"} for role, t in tokens.items()}
    return app


def _document() -> dict:
    # The document needs no database: build it from an app that never starts. The app that
    # answers is passed to each call (schemathesis' lazy fixture loader does not
    # work with this pytest).
    app = create_app("postgresql://unused@127.0.0.1/unused",
                     Settings(database_url=None, secret_key="x", environment="test"))
    return app.openapi()


# Schema-valid data may still break a rule JSON Schema cannot state (an opaque cursor, a
# token, a date in the past, a phone number): a clean 400/422 problem is the right answer.
CONFIG = SchemathesisConfig.from_str("""
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "400", "401", "403", "404", "409", "422", "429"]
""")
DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)
if only := os.environ.get("AFROBIZ_FUZZ_PATHS"):     # a regex, to fuzz a few routes while fixing them
    schema = schema.include(path_regex=only)

# No two path templates match the same URL (GET and PATCH /businesses/{business_id} share
# one template; {image_id} and {booking_id} are uuids in the routes themselves, so
# images/order and {booking_id}.ics never reach them): every check runs on every operation.


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_fuzz(case, fuzz_app):
    # The roles take turns, example by example: every operation is fuzzed as each of them,
    # in a quarter of the time of sending every example four times.
    roles = fuzz_app.state.fuzz_headers
    key = (case.operation.method.upper(), case.operation.path)
    role = list(roles)[STATS["calls"] % len(roles)]
    if key in SESSION_ENDERS:
        role = "anonymous"
    response = case.call_and_validate(base_url="http://localhost", headers=roles[role], app=fuzz_app)
    STATS["calls"] += 1
    STATS["by_status"][response.status_code] = STATS["by_status"].get(response.status_code, 0) + 1
    assert response.status_code < 500


# ---------------------------------------------------------------- unstorable text

# NUL (PostgreSQL refuses it in text) and lone surrogates (UTF-8 cannot encode them), alone,
# inside text, and a low-then-high pair (two lone halves, not an emoji).
UNSTORABLE = ("\x00", "Windhoek\x00", "\ud800", "braids \udbff", "\udfff", "\ude00\ud83d")


def _strings(value, path=()):
    """Where a JSON-like body holds text: ("value", path) for each string, ("key", path) for each key."""
    if isinstance(value, str):
        yield "value", path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield "key", (*path, key)
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))


def _form_text_fields() -> dict[tuple[str, str], set[str]]:
    """The multipart form fields that are text (files are bytes, no text), by operation."""
    out = {}
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            form = operation.get("requestBody", {}).get("content", {}).get("multipart/form-data")
            if form:
                ref = form["schema"]["$ref"].rsplit("/", 1)[1]
                properties = DOCUMENT["components"]["schemas"][ref]["properties"]
                out[(method.upper(), path)] = {n for n, p in properties.items() if "contentMediaType" not in p}
    return out


FORM_TEXT_FIELDS = _form_text_fields()


def text_places(case) -> list[tuple]:
    """Every place of this example that carries text; an extra query parameter always can."""
    places = [("query", "x-extra")]
    places += [("path", name) for name, value in (case.path_parameters or {}).items() if isinstance(value, str)]
    places += [("query", name) for name, value in (case.query or {}).items() if isinstance(value, str)]
    form = FORM_TEXT_FIELDS.get((case.operation.method.upper(), case.operation.path))
    if form is not None and isinstance(case.body, dict):
        # A form sends the fields it documents: a made-up field or file never reaches the server.
        places += [("body", "value", (name,)) for name, value in case.body.items()
                   if name in form and isinstance(value, str)]
    elif isinstance(case.body, (dict, list, str)):
        places += [("body", kind, where) for kind, where in _strings(case.body)]
    return places


def _replace_in(body, path, make):  # noqa: ANN001
    """The body with the item at `path` replaced by make(old)."""
    if not path:
        return make(body)
    head, *rest = path
    body[head] = _replace_in(body[head], rest, make)
    return body


def put_text(case, place: tuple, bad: str) -> dict:
    """Put `bad` into the example at `place`, spelt as a client would send it: the call's
    arguments (schemathesis itself cannot encode a lone surrogate, so those parts are sent here)."""
    kind, *where = place
    wire = quote(bad.encode("utf-8", "surrogatepass"), safe="")   # a surrogate travels as %ED%A0%80
    query, call = "", {}
    if kind == "path":                                 # path parameters go out as given
        case.path_parameters[where[0]] += wire
    elif kind == "query":
        name = where[0]
        old = (case.query or {}).get(name, "")
        case.query = {k: v for k, v in (case.query or {}).items() if k != name}
        query = f"?{quote(name)}={quote(old)}{wire}"
    elif not (case.media_type or "json").endswith("json"):   # a form field: NUL only
        case.body = _replace_in(case.body, where[1], lambda old: old + bad)
    else:                                              # JSON carries it as \u0000 or \ud800
        body = json.loads(json.dumps(case.body))       # a copy, sent as written here
        if where[0] == "value":
            body = _replace_in(body, where[1], lambda old: old + bad)
        else:                                          # an object key
            *parent, key = where[1]
            body = _replace_in(body, parent, lambda obj: {(k + bad if k == key else k): v for k, v in obj.items()})
        call = {"data": json.dumps(body).encode(), "content_type": "application/json"}
    call["url"] = f"http://localhost{case.formatted_path}{query}"
    return call


@schema.parametrize()
@schema.given(data=st.data())
@settings(max_examples=TEXT_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_fuzz_unstorable_text(case, data, fuzz_app):
    roles = fuzz_app.state.fuzz_headers
    key = (case.operation.method.upper(), case.operation.path)
    role = list(roles)[TEXT_STATS["calls"] % len(roles)]
    if key in SESSION_ENDERS:
        role = "anonymous"
    places = text_places(case)
    if case.media_type and not case.media_type.endswith("json"):
        # A form's fields are encoded as UTF-8 by the client: NUL only (surrogates: in URLs and JSON).
        unstorable = [t for t in UNSTORABLE if "\x00" in t]
    else:
        unstorable = list(UNSTORABLE)
    place = data.draw(st.sampled_from(places), label="place")
    call = put_text(case, place, data.draw(st.sampled_from(unstorable), label="text"))
    headers = roles[role] | ({"Content-Type": call.pop("content_type")} if "content_type" in call else {})
    response = case.call(base_url="http://localhost", headers=headers, app=fuzz_app, **call)
    TEXT_STATS["calls"] += 1
    TEXT_STATS["by_status"][response.status_code] = TEXT_STATS["by_status"].get(response.status_code, 0) + 1
    TEXT_STATS["by_place"][place[0]] = TEXT_STATS["by_place"].get(place[0], 0) + 1
    assert response.status_code == 422, (key, place, response.status_code, response.text[:200])
    assert response.json()["errors"][0]["message"] == "Contains characters that are not allowed.", (key, place, case.body, case.media_type, response.text[:300])


def teardown_module(module):
    # Figures for the closing note (under xdist each worker appends its own line).
    line = f"fuzz: {EXAMPLES} examples/operation, {STATS['calls']} calls, by status {sorted(STATS['by_status'].items())}"
    line += (f"; unstorable text: {TEXT_EXAMPLES} examples/operation, {TEXT_STATS['calls']} calls, by status "
             f"{sorted(TEXT_STATS['by_status'].items())}, by place {sorted(TEXT_STATS['by_place'].items())}")
    if report := os.environ.get("AFROBIZ_FUZZ_REPORT"):
        with open(report, "a") as f:
            f.write(line + "\n")
