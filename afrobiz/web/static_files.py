"""Fingerprinted static files: /static/app.<hash>.css, cached for a year, never stale.

Text files are gzipped once at start-up (level 9, more than the middleware spends per
request) and served compressed to every browser that accepts gzip, which is all of them.
"""
from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

STATIC_DIR = Path(__file__).parent / "static"
_FINGERPRINT = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})(?P<ext>\.[a-z0-9]+)$")
_COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
CACHE_FOREVER = "public, max-age=31536000, immutable"


class StaticFiles:
    """Reads every static file once at start-up; serves it by fingerprinted name."""

    def __init__(self, directory: Path = STATIC_DIR) -> None:
        self.by_url: dict[str, tuple[bytes, str, bytes | None]] = {}
        self.url_of: dict[str, str] = {}
        for path in sorted(directory.rglob("*")):
            if not path.is_file():
                continue
            data = path.read_bytes()
            name = path.relative_to(directory).as_posix()
            digest = hashlib.sha256(data).hexdigest()[:12]
            stem, dot, ext = name.rpartition(".")
            fingerprinted = f"{stem}.{digest}.{ext}" if dot else f"{name}.{digest}"
            media = mimetypes.guess_type(name)[0] or "application/octet-stream"
            gzipped = None
            if media.startswith(_COMPRESSIBLE):
                # mtime=0: the same bytes on every start and every machine (CDN-friendly).
                packed = gzip.compress(data, compresslevel=9, mtime=0)
                gzipped = packed if len(packed) < len(data) else None
            self.by_url[fingerprinted] = (data, media, gzipped)
            self.url_of[name] = f"/static/{fingerprinted}"

    def url(self, name: str) -> str:
        return self.url_of[name]

    async def endpoint(self, request: Request) -> Response:
        found = self.by_url.get(request.path_params["path"])
        if found is None:
            return Response("Not found", status_code=404, media_type="text/plain")
        data, media, gzipped = found
        headers = {"Cache-Control": CACHE_FOREVER}
        if gzipped is not None:
            headers["Vary"] = "Accept-Encoding"
            if "gzip" in request.headers.get("accept-encoding", "").lower():
                headers["Content-Encoding"] = "gzip"
                data = gzipped
        return Response(data, media_type=media, headers=headers)
