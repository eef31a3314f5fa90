"""Where uploaded files live. Keys are server-made content hashes ("<hex>.webp"), so a key
never changes meaning: the app serves every key at /media/<key> with an immutable cache header,
whatever the back end, and a CDN in front of it can keep the files for ever.

Settings: AFROBIZ_STORAGE_URL is a directory (default: <data_dir>/files) or s3://bucket[/prefix];
for S3, AFROBIZ_S3_ENDPOINT_URL names an S3-compatible endpoint (R2, MinIO; empty = AWS) and
the keys come from boto3's usual chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles).
"""
from __future__ import annotations

import asyncio
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from afrobiz.config import Settings

_KEY = re.compile(r"^[0-9a-f]{16,64}\.(webp|jpg|png)$")
MEDIA_PREFIX = "/media/"


def valid_key(key: str) -> bool:
    """Only server-made names: no slashes, no dots but the extension (no path tricks)."""
    return bool(_KEY.match(key))


def _check(key: str) -> str:
    if not valid_key(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


class FileStore(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None: ...
    async def get(self, key: str) -> bytes | None: ...
    async def delete(self, key: str) -> None: ...
    def url(self, key: str) -> str: ...


class LocalStore:
    """Files in a directory, fanned out by the first two hex digits."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / _check(key)[:2] / key

    def url(self, key: str) -> str:
        return MEDIA_PREFIX + _check(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        if path.exists():            # same content, same name: nothing to do
            return
        await asyncio.to_thread(self._write, path, data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)

    async def get(self, key: str) -> bytes | None:
        if not valid_key(key):
            return None
        path = self._path(key)
        return await asyncio.to_thread(path.read_bytes) if path.is_file() else None

    async def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Store:
    """An S3-compatible bucket through boto3 (its blocking calls run in a worker thread)."""

    def __init__(self, bucket: str, *, prefix: str = "", endpoint_url: str | None = None,
                 client=None) -> None:  # noqa: ANN001 (a boto3 client)
        import boto3

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url or None)

    def url(self, key: str) -> str:
        return MEDIA_PREFIX + _check(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self.client.put_object, Bucket=self.bucket, Key=self.prefix + _check(key),
                                Body=data, ContentType=content_type,
                                CacheControl="public, max-age=31536000, immutable")

    async def get(self, key: str) -> bytes | None:
        if not valid_key(key):
            return None
        try:
            reply = await asyncio.to_thread(self.client.get_object, Bucket=self.bucket, Key=self.prefix + key)
        except self.client.exceptions.NoSuchKey:
            return None
        return await asyncio.to_thread(reply["Body"].read)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=self.prefix + _check(key))


def get_store(settings: Settings) -> FileStore:
    """The store the settings name (one per configuration: boto3 clients are costly to build)."""
    return _store(settings.storage_url or "", str(settings.storage_dir), settings.s3_endpoint_url or "")


@lru_cache(maxsize=8)
def _store(storage_url: str, storage_dir: str, endpoint_url: str) -> FileStore:
    if storage_url.startswith("s3://"):
        bucket, _, prefix = storage_url.removeprefix("s3://").partition("/")
        return S3Store(bucket, prefix=prefix, endpoint_url=endpoint_url or None)
    return LocalStore(Path(storage_dir))


def key_from_url(url: str) -> str | None:
    """The key of one of our /media/ URLs (None for any other URL)."""
    if url.startswith(MEDIA_PREFIX) and valid_key(url[len(MEDIA_PREFIX):]):
        return url[len(MEDIA_PREFIX):]
    return None
