"""Request bodies are bounded before anything parses them (afrobiz/kit/request_gate.py):
1 MB, 12 MB for a multipart form (the photo uploads); declared or chunked, a larger body is a
413 problem (a page: a 413 page) and is not read any further.

Before the gate a 100 MB JSON body to POST /api/v1/auth/login was read and parsed whole.
"""
from __future__ import annotations

import io
import os

from PIL import Image
from reliability_helpers import build_world

MB = 1024 * 1024
CHUNK = 64 * 1024


def _login_json(size: int) -> bytes:
    """A login body of exactly `size` bytes."""
    head, tail = b'{"email": "a@example.na", "password": "x", "pad": "', b'"}'
    body = head + b"a" * (size - len(head) - len(tail)) + tail
    assert len(body) == size
    return body


class Stream:
    """A chunked request body (no Content-Length) that counts how much of it was read."""

    def __init__(self, total: int, first: bytes = b'{"pad": "') -> None:
        self.total, self.first, self.sent = total, first, 0

    async def __aiter__(self):
        yield self.first
        self.sent = len(self.first)
        while self.sent < self.total:
            self.sent += CHUNK
            yield b"a" * CHUNK


def assert_too_large(r, mb: int) -> None:
    assert r.status_code == 413, (r.status_code, r.text[:200])
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"] == f"The request body is larger than {mb} MB."


async def test_a_json_body_over_1_mb_is_413(client):
    assert_too_large(await client.post("/api/v1/auth/login", content=_login_json(MB + 1),
                                       headers={"Content-Type": "application/json"}), 1)


async def test_a_100_mb_chunked_body_is_refused_after_about_1_mb_is_read(client):
    body = Stream(100 * MB)
    r = await client.post("/api/v1/auth/login", content=body, headers={"Content-Type": "application/json"})
    assert_too_large(r, 1)
    assert "content-length" not in r.request.headers        # it really was chunked
    assert body.sent <= MB + 2 * CHUNK                       # the other 99 MB were never read


async def test_a_body_of_1_mb_is_still_read(client):
    # Just under the limit: the route answers (a login that fails), not the gate.
    r = await client.post("/api/v1/auth/login", content=_login_json(MB),
                          headers={"Content-Type": "application/json"})
    assert r.status_code in (401, 422), r.text[:200]


def _noisy_png(side: int) -> bytes:
    buf = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buf, "PNG", compress_level=0)
    return buf.getvalue()


async def test_a_photo_upload_over_1_mb_is_still_accepted(db, client):
    world = await build_world(db)
    photo = _noisy_png(1000)                                 # ~3 MB
    assert 2 * MB < len(photo) < 8 * MB
    r = await client.post(f"/api/v1/businesses/{world.a.business}/images", headers=world.a.owner.headers,
                          files={"file": ("big.png", photo, "image/png")}, data={"image_type": "gallery"})
    assert r.status_code == 201, r.text[:300]


async def test_a_multipart_body_over_12_mb_is_413(db, client):
    world = await build_world(db)
    r = await client.post(f"/api/v1/businesses/{world.a.business}/images", headers=world.a.owner.headers,
                          files={"file": ("big.png", b"\x89PNG" + b"a" * (12 * MB), "image/png")})
    assert_too_large(r, 12)


async def test_a_page_form_over_1_mb_is_a_413_page(client):
    r = await client.post("/login", data={"email": "a@example.na", "password": "x" * (MB + 1)})
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
