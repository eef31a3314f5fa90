"""Regression (issue 12 fuzzing): text PostgreSQL cannot store is a clean 422, never a 500."""
from __future__ import annotations

import pytest


# JSON-escaped: a lone surrogate cannot even be sent as UTF-8, only as \\ud833 in JSON.
@pytest.mark.parametrize("email", ["a\\u0000b@example.na", "\\ud833x@example.na", "\\u0000"])
async def test_log_in_with_unstorable_characters_is_a_422(client, email):
    body = '{"email": "%s", "password": "whatever-it-is"}' % email
    r = await client.post("/api/v1/auth/login", content=body.encode(), headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("field", ["first_name", "last_name", "phone", "preferred_language"])
async def test_register_with_a_nul_is_a_4xx(client, field):
    body = {"email": "nul-probe@example.na", "password": "kudu-sunset-etosha-42", "first_name": "Ndapewa",
            "last_name": "Shilongo", field: "ab\x00cd"}
    r = await client.post("/api/v1/auth/register", json=body)
    assert 400 <= r.status_code < 500, r.text
