"""/readyz checks the database and, when configured, Redis; /healthz needs neither."""
from __future__ import annotations

import socket

from factories.accounts import TEST_REDIS_URL


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_ready_with_database_only(client):
    r = await client.get("/readyz")
    assert r.status_code == 200 and r.json() == {"status": "ready", "checks": {"database": "ok"}}


async def test_ready_with_redis(app, client):
    app.state.settings = app.state.settings.model_copy(update={"redis_url": TEST_REDIS_URL})
    r = await client.get("/readyz")
    assert r.status_code == 200 and r.json()["checks"] == {"database": "ok", "redis": "ok"}


async def test_not_ready_when_redis_is_down(app, client):
    app.state.settings = app.state.settings.model_copy(
        update={"redis_url": f"redis://127.0.0.1:{closed_port()}/0"})
    r = await client.get("/readyz")
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json" and r.headers["retry-after"] == "5"
    body = r.json()
    assert body["status"] == 503 and body["title"] == "Service unavailable"
    assert body["detail"] == "Not ready: redis unreachable."
    assert body["checks"] == {"database": "ok", "redis": "unreachable"}
    assert "127.0.0.1" not in r.text                  # no addresses or errors leak
    # Liveness stays trivial: the process is fine, only a dependency is not.
    assert (await client.get("/healthz")).status_code == 200
