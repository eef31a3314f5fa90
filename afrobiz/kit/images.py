"""Uploaded pictures made safe: checked by content, capped, re-encoded to WebP, metadata dropped.

The defences come in the cheap order: the uploader's rate limit, the byte count, then the
header (format and pixel count are read without decoding the pixels), and only then the
decode: a JPEG at a reduced scale, a bounded number at once per process, in a thread. Every stored
copy is a fresh WebP encoding of the pixels alone, so EXIF (GPS position, camera serial)
never survives; names are the hash of the stored bytes, so a URL never changes meaning and
can be cached for ever.
"""
from __future__ import annotations

import asyncio
import hashlib
import io
import math
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from PIL import Image, ImageOps, UnidentifiedImageError

from afrobiz.errors import DomainError, InvalidInput
from afrobiz.kit import ratelimit

T = TypeVar("T")

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000          # 8000 x 5000: more than any phone camera (a JPEG: decoded reduced)
# PNG and WebP have no reduced decoding: 16 MP (4900 x 3265) is 64 MB decoded, and more than
# enough for a stored picture of at most 1600 pixels (screenshots and exports are far smaller).
MAX_PIXELS_FULL_DECODE = 16_000_000
DECODES_AT_ONCE = 2              # per process (DecodeSlots below)
UPLOADS_PER_USER = "30 per 10 minutes"   # a whole gallery (30 pictures) at once, not a stream
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# name -> longest side in pixels; an image smaller than that is not enlarged.
VARIANTS = {"thumb": 320, "card": 800, "full": 1600}
WEBP_QUALITY = 80


class ImageTooLarge(DomainError):
    status = 413
    title = "Payload too large"


class UnsupportedImage(DomainError):
    status = 415
    title = "Unsupported media type"


class ImageTooManyPixels(InvalidInput):
    pass


@dataclass(frozen=True)
class Variant:
    name: str
    key: str          # content-hashed file name, e.g. "3f...a9.webp"
    width: int
    height: int
    data: bytes

    content_type = "image/webp"


@dataclass(frozen=True)
class ProcessedImage:
    width: int                  # of the largest stored variant
    height: int
    variants: dict[str, Variant]


def content_key(data: bytes, ext: str = "webp") -> str:
    return f"{hashlib.sha256(data).hexdigest()[:40]}.{ext}"


def _decode_box(width: int, height: int, longest: int) -> tuple[int, int]:
    """The smallest size the picture must be decoded at to give a `longest`-pixel side."""
    scale = min(1.0, longest / max(width, height))
    return max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))


def _inspect(data: bytes, max_bytes: int, max_pixels: int) -> None:
    """The checks that cost no decoding: byte count, format and pixel count (from the header)."""
    if len(data) > max_bytes:
        raise ImageTooLarge(f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
    if not data:
        raise UnsupportedImage("The file is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # formats=...: only these decoders may even look at the bytes (no SVG, no TIFF...).
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
                width, height = probe.size
                # Only JPEG can be decoded at a fraction of its size (below): PNG and WebP are
                # decoded whole, 4 bytes a pixel, for a stored picture of at most 1600 pixels.
                cap = max_pixels if probe.format == "JPEG" else min(max_pixels, MAX_PIXELS_FULL_DECODE)
                if width * height > cap:
                    raise ImageTooManyPixels(
                        f"The picture is {width}×{height} pixels; at most {cap:,} pixels are accepted"
                        + ("." if probe.format == "JPEG" else f" for {probe.format} (a JPEG may be larger)."),
                        field="file")
                probe.verify()               # structure and checksums, still without decoding
    except (ImageTooManyPixels, ImageTooLarge):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooManyPixels("The picture has too many pixels.", field="file") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UnsupportedImage("Upload a JPEG, PNG or WebP picture.") from exc


def process_image(data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS,
                  variants: dict[str, int] | None = None) -> ProcessedImage:
    """Verify an upload (JPEG/PNG/WebP by content, size and pixel caps) and re-encode it as
    WebP in each variant size, without any metadata. CPU-bound and memory-hungry: request
    code calls process_upload(), which bounds how many run at once, off the event loop."""
    _inspect(data, max_bytes, max_pixels)
    sizes = sorted((variants or VARIANTS).items(), key=lambda item: -item[1])   # largest first
    try:
        picture = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
        # A JPEG is decoded straight at the smallest DCT scale (1/2, 1/4, 1/8) that still
        # covers the largest stored size: an 8000×5000 photo becomes 2000×1250 in memory
        # (10 MB, not 160 MB). Rotation (EXIF) does not change the longest side.
        picture.draft(None, _decode_box(picture.width, picture.height, sizes[0][1]))
        picture.load()
        # Keep the way it was held, then forget EXIF (in place: no second full-size copy).
        ImageOps.exif_transpose(picture, in_place=True)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UnsupportedImage("Upload a JPEG, PNG or WebP picture.") from exc

    mode = "RGBA" if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info else "RGB"
    if picture.mode not in ("RGB", "RGBA", "L") or "transparency" in picture.info:
        picture = picture.convert(mode)   # palette, 16-bit and keyed-transparent pictures resize well only converted
    out: dict[str, Variant] = {}
    # Each size is made from the one before: one full-size picture in memory, never a copy
    # of it (a smaller size may differ by a pixel from one fitted afresh).
    for name, side in sizes:
        picture.thumbnail((side, side), Image.Resampling.LANCZOS)   # in place; never enlarges
        if picture.mode != mode:
            picture = picture.convert(mode)
        buf = io.BytesIO()
        picture.save(buf, "WEBP", quality=WEBP_QUALITY, method=4)   # no exif=/icc_profile=: none written
        encoded = buf.getvalue()
        out[name] = Variant(name, content_key(encoded), picture.width, picture.height, encoded)
    largest = max(out.values(), key=lambda v: v.width * v.height)
    return ProcessedImage(largest.width, largest.height, {name: out[name] for name in (variants or VARIANTS)})


class DecodeSlots:
    """At most `n` pictures decoding at once in this process, each in a worker thread.

    A decode holds the whole picture in memory (up to 64 MB for a PNG at the cap, plus its
    first reduction) and a core for a second or more: eight at once took 3 GB and 25 s
    each (issue 21 §5). More uploads wait their turn here, holding only their bytes."""

    def __init__(self, n: int) -> None:
        self.n = n
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def run(self, fn: Callable[..., T], /, *args, **kwargs) -> T:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:   # a semaphore belongs to one event loop (the server has one)
            self._slots, self._loop = asyncio.Semaphore(self.n), loop
        async with self._slots:
            return await asyncio.to_thread(fn, *args, **kwargs)


DECODES = DecodeSlots(DECODES_AT_ONCE)


async def process_upload(data: bytes, *, uploader_id: uuid.UUID | str,
                         variants: dict[str, int] | None = None) -> ProcessedImage:
    """The one way request code turns an uploaded file into stored pictures: the uploader's
    rate limit (429), the checks that need no decoding, then a decode slot and the decode in
    a thread (the event loop keeps answering other requests)."""
    await ratelimit.enforce(f"uploads:user:{uploader_id}", UPLOADS_PER_USER,
                            "Too many pictures uploaded in a short time. Please wait a few minutes.")
    _inspect(data, MAX_BYTES, MAX_PIXELS)   # refused at once, without waiting for a slot
    return await DECODES.run(process_image, data, variants=variants)
