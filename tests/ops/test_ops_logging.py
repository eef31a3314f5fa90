"""Structured logs: JSON lines, each line of a request carrying its request id."""
from __future__ import annotations

import io
import json
import logging

import httpx
import pytest
from fastapi import BackgroundTasks
from sqlalchemy import text

from afrobiz.api.deps import Session
from afrobiz.kit.logging import HANDLER_NAME, configure_logging, make_handler
from factories.accounts import DEFAULT_PASSWORD, create_user


@pytest.fixture
def json_lines():
    """Capture every log record as the production JSON handler writes it."""
    stream = io.StringIO()
    handler = make_handler("json", stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


async def test_a_sane_client_request_id_is_kept_and_returned(client, json_lines):
    r = await client.get("/api/v1/categories", headers={"X-Request-ID": "edge-7f3a.42:1"})
    assert r.headers["x-request-id"] == "edge-7f3a.42:1"
    access = [line for line in json_lines() if line["logger"] == "afrobiz.access"]
    assert len(access) == 1
    line = access[0]
    assert line["request_id"] == "edge-7f3a.42:1" and line["level"] == "info"
    assert line["method"] == "GET" and line["route"] == "/api/v1/categories" and line["status"] == 200
    assert isinstance(line["duration_ms"], float) and "time" in line and line["message"]


@pytest.mark.parametrize("given", ["has spaces", "x" * 129, "quote\"d", "new\nline", "", "-leading-dash"])
async def test_an_odd_request_id_is_replaced(client, json_lines, given):
    r = await client.get("/healthz", headers={"X-Request-ID": given} if "\n" not in given else {})
    rid = r.headers["x-request-id"]
    assert rid != given and len(rid) == 32 and rid.isalnum()


async def test_every_line_of_a_request_carries_its_id_including_sql_errors(app, client, json_lines):
    async def broken(session=Session):
        await session.execute(text("SELECT * FROM no_such_table"))

    app.add_api_route("/api/v1/ops-test-broken", broken)
    r = await client.get("/api/v1/ops-test-broken", headers={"X-Request-ID": "req-broken-1"})
    assert r.status_code == 500 and r.headers["x-request-id"] == "req-broken-1"
    mine = [line for line in json_lines() if line.get("request_id") == "req-broken-1"]
    error = next(line for line in mine if line["level"] == "error")
    assert "no_such_table" in error["exception"] and error["route"] == "/api/v1/ops-test-broken"
    assert any(line["logger"] == "afrobiz.access" and line["status"] == 500 for line in mine)
    # Another request's lines carry another id.
    await client.get("/api/v1/categories")
    assert {line.get("request_id") for line in json_lines()} - {"req-broken-1", None}


async def test_an_answered_error_stays_answered_and_is_logged_once(app, json_lines):
    # Starlette re-raises an error after its handler's answer; handed on to the server, uvicorn
    # logged it again and closed the keep-alive connection, so the client's NEXT request on it
    # got a reset and no answer (issue 21 §15). raise_app_exceptions=True is the server here.
    async def redis_gone():
        raise ConnectionError("redis went away")

    app.add_api_route("/api/v1/ops-test-outage", redis_gone)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        r = await client.get("/api/v1/ops-test-outage", headers={"X-Request-ID": "req-outage-1"})
    assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json"
    mine = [line for line in json_lines() if line.get("request_id") == "req-outage-1"]
    assert [line["level"] for line in mine if line["logger"] != "afrobiz.access"] == ["warning"]


async def test_an_error_after_the_response_is_logged_not_handed_to_the_server(app, json_lines):
    def fails_later():
        raise RuntimeError("the after-response work broke")

    async def answer_then_fail(background: BackgroundTasks):
        background.add_task(fails_later)
        return {"ok": True}

    app.add_api_route("/api/v1/ops-test-later", answer_then_fail)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        r = await client.get("/api/v1/ops-test-later", headers={"X-Request-ID": "req-later-1"})
    assert r.status_code == 200 and r.json() == {"ok": True}
    errors = [line for line in json_lines() if line.get("request_id") == "req-later-1" and line["level"] == "error"]
    assert len(errors) == 1 and "the after-response work broke" in errors[0]["exception"]


async def test_the_caller_is_named_by_id_and_secrets_never_logged(client, db, login, json_lines):
    user = await create_user(db, password=DEFAULT_PASSWORD)
    headers = await login(user)
    await client.get("/api/v1/me", headers=headers)
    await client.post("/api/v1/auth/login", json={"email": user.email, "password": DEFAULT_PASSWORD})
    await client.get("/api/v1/search/businesses", params={"q": "private words"})
    lines = json_lines()
    me = next(line for line in lines if line.get("route") == "/api/v1/me" and line["logger"] == "afrobiz.access")
    assert me["user_id"] == str(user.id)
    everything = json.dumps(lines)
    token = headers["Authorization"].split()[1]
    for secret in (DEFAULT_PASSWORD, token, user.email, "private words"):
        assert secret not in everything


def test_configure_logging_installs_one_handler_and_quiets_uvicorn_access(capsys):
    root = logging.getLogger()
    before = list(root.handlers), root.level
    try:
        configure_logging("json", "INFO")
        configure_logging("text", "WARNING")          # again: replaces, never stacks
        ours = [h for h in root.handlers if h.get_name() == HANDLER_NAME]
        assert len(ours) == 1 and root.level == logging.WARNING
        assert logging.getLogger("uvicorn.access").disabled
        with pytest.raises(ValueError):
            configure_logging("xml")
    finally:
        for h in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
            root.removeHandler(h)
        root.setLevel(before[1])
        logging.getLogger("uvicorn.access").disabled = False


def test_text_format_names_the_request(json_lines):
    from afrobiz.kit.logging import TextFormatter

    record = logging.LogRecord("afrobiz", logging.INFO, __file__, 1, "hello", None, None)
    record.request_id = "abc123"
    assert TextFormatter().format(record).endswith("hello [abc123]")


def test_json_logs_mask_addresses_numbers_and_tokens(json_lines):
    log = logging.getLogger("afrobiz.ops-test")
    log.info("e-mail (no SMTP configured) to=%s subject=%s\n%s", "Selma.N@example.na", "Reset",
             "https://afrobiz.example/reset-password?token=abc.DEF-123_x&next=/")
    log.info("SMS to %s not sent", "+264 81 234 5678")
    log.info("header was Bearer eyJhbGciOi.payload.sig")
    text = json.dumps(json_lines())
    for secret in ("Selma.N@example.na", "abc.DEF-123_x", "81 234 5678", "eyJhbGciOi"):
        assert secret not in text
    assert "[email]" in text and "token=[redacted]" in text and "[phone]" in text
