"""Factories for the directory: small, one row each, overrides by keyword; and picture bytes."""
from __future__ import annotations

import io
import struct
import uuid
import zlib

from PIL import Image

from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.directory.models import Business, Category


async def create_category(session: AsyncSession, **overrides) -> Category:
    suffix = uuid.uuid4().hex[:8]
    values = {"name": f"Category {suffix}", "slug": f"category-{suffix}"} | overrides
    category = Category(**values)
    session.add(category)
    await session.flush()
    return category


async def create_business(session: AsyncSession, *, owner, **overrides) -> Business:
    suffix = uuid.uuid4().hex[:8]
    values = {"name": f"Business {suffix}", "slug": f"business-{suffix}", "owner_id": owner.id,
              "city": "Windhoek", "region": "Khomas", "status": "active"} | overrides
    business = Business(**values)
    session.add(business)
    await session.flush()
    return business


async def create_category_tree(session: AsyncSession, *, children: int = 2):
    """A main category with `children` subcategories: (parent, [children])."""
    parent = await create_category(session)
    kids = [await create_category(session, parent_id=parent.id) for _ in range(children)]
    return parent, kids


async def set_week(session: AsyncSession, business, rows) -> list:
    """Weekly hours rows for a business: rows are dicts or (day, "HH:MM", "HH:MM")."""
    from datetime import time

    from afrobiz.directory.models import BusinessHours

    out = []
    for row in rows:
        if isinstance(row, tuple):
            day, o, c = row
            row = {"day_of_week": day, "open_time": time.fromisoformat(o), "close_time": time.fromisoformat(c)}
        h = BusinessHours(business_id=business.id, **row)
        session.add(h)
        out.append(h)
    await session.flush()
    return out


# ---------------------------------------------------------------- picture bytes


def jpeg_with_gps(size=(1200, 900)) -> bytes:
    im = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"                        # Make
    exif[0x8825] = {1: "S", 2: (22.0, 34.0, 0.0), 3: "E", 4: (17.0, 5.0, 0.0)}   # GPS: Windhoek
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def png(size=(10, 10), mode="RGBA") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size).save(buf, "PNG")
    return buf.getvalue()


def huge_png_header(width=20_000, height=20_000) -> bytes:
    """A tiny file that claims 20,000 × 20,000 pixels (a decompression bomb's header)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100))
            + chunk(b"IEND", b""))
