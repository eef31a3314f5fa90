"""Uploaded pictures made safe: checked by content, capped, re-encoded to WebP, metadata dropped.

The defences come in the cheap order: the byte count first, then the header (format and
pixel count are read without decoding the pixels), and only then the decode. Every stored
copy is a fresh WebP encoding of the pixels alone, so EXIF (GPS position, camera serial)
never survives; names are the hash of the stored bytes, so a URL never changes meaning and
can be cached for ever.
"""
from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from afrobiz.errors import DomainError, InvalidInput

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000          # 8000 x 5000: more than any phone camera
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


def process_image(data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS,
                  variants: dict[str, int] | None = None) -> ProcessedImage:
    """Verify an upload (JPEG/PNG/WebP by content, size and pixel caps) and re-encode it as
    WebP in each variant size, without any metadata."""
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
                if width * height > max_pixels:
                    raise ImageTooManyPixels(
                        f"The picture is {width}×{height} pixels; at most {max_pixels:,} pixels are accepted.",
                        field="file")
                probe.verify()               # structure and checksums, still without decoding
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as im:
                im.load()
                picture = ImageOps.exif_transpose(im)   # keep the way it was held, then forget EXIF
    except (ImageTooManyPixels, ImageTooLarge):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooManyPixels("The picture has too many pixels.", field="file") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UnsupportedImage("Upload a JPEG, PNG or WebP picture.") from exc

    mode = "RGBA" if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info else "RGB"
    picture = picture.convert(mode)
    out: dict[str, Variant] = {}
    for name, side in (variants or VARIANTS).items():
        copy = picture.copy()
        copy.thumbnail((side, side), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        copy.save(buf, "WEBP", quality=WEBP_QUALITY, method=4)   # no exif=/icc_profile=: none written
        encoded = buf.getvalue()
        out[name] = Variant(name, content_key(encoded), copy.width, copy.height, encoded)
    largest = max(out.values(), key=lambda v: v.width * v.height)
    return ProcessedImage(largest.width, largest.height, out)
