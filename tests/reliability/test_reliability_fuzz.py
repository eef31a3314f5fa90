"""API fuzzing: schemathesis over /api/v1/openapi.json, against the real app on a committed
scratch database with demo data, as anonymous, customer, owner and admin.

Every check schemathesis has by default runs (no 5xx, status codes, content types, headers
and bodies as documented, negative data rejected...). AFROBIZ_FUZZ_EXAMPLES sets the number
of examples per operation (default 25, so CI stays within a few minutes; the issue's 100+
is a run with AFROBIZ_FUZZ_EXAMPLES=100). The roles take turns example by example.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from dbtools import create_database, drop_database
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from starlette.testclient import TestClient

from afrobiz.app import create_app
from afrobiz.config import Settings
from afrobiz.db import migrate
from afrobiz.demo.loader import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo
from afrobiz.kit import ratelimit

EXAMPLES = int(os.environ.get("AFROBIZ_FUZZ_EXAMPLES", "25"))
# Calls that end the caller's own session or account: fuzzed anonymously only, or the
# roles' tokens would die half-way through the run.
SESSION_ENDERS = {("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/auth/logout-all"),
                  ("POST", "/api/v1/me/password"), ("DELETE", "/api/v1/me")}
STATS = {"calls": 0, "by_status": {}}


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
schema = schemathesis.openapi.from_dict(_document(), config=CONFIG)
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


def teardown_module(module):
    # Figures for the closing note (under xdist each worker appends its own line).
    line = f"fuzz: {EXAMPLES} examples/operation, {STATS['calls']} calls, by status {sorted(STATS['by_status'].items())}"
    if report := os.environ.get("AFROBIZ_FUZZ_REPORT"):
        with open(report, "a") as f:
            f.write(line + "\n")
