"""Fingerprinted static files: /static/app.<hash>.css, cached for a year, never stale."""
from __future__ import annotations

import hashlib
import mimetypes
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

STATIC_DIR = Path(__file__).parent / "static"
_FINGERPRINT = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})(?P<ext>\.[a-z0-9]+)$")


class StaticFiles:
    """Reads every static file once at start-up; serves it by fingerprinted name."""

    def __init__(self, directory: Path = STATIC_DIR) -> None:
        self.by_url: dict[str, tuple[bytes, str]] = {}
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
            self.by_url[fingerprinted] = (data, media)
            self.url_of[name] = f"/static/{fingerprinted}"

    def url(self, name: str) -> str:
        return self.url_of[name]

    async def endpoint(self, request: Request) -> Response:
        found = self.by_url.get(request.path_params["path"])
        if found is None:
            return Response("Not found", status_code=404, media_type="text/plain")
        data, media = found
        return Response(data, media_type=media,
                        headers={"Cache-Control": "public, max-age=31536000, immutable"})
