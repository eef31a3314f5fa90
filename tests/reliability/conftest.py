"""Fixtures of the reliability suite: fresh in-memory sessions and rate limits per test."""
from __future__ import annotations

import pytest

from afrobiz.accounts import sessions
from afrobiz.kit import ratelimit


@pytest.fixture(autouse=True)
def fresh_stores():
    """Sessions in PostgreSQL and empty in-memory rate limits, whatever ran before."""
    sessions.configure(None)
    ratelimit.configure(None)
    yield
    sessions._store = None
    ratelimit._limiter = None
