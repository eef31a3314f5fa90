"""Which stored files rows still point at.

File names are content hashes, so rows of different tables can share one file: the same
picture uploaded as a listing's photo and as a customer's review photo is one file. A file
is deleted only when no row anywhere points at it, checked past Row Level Security (a
review still waiting for moderation is invisible to the business owner deleting a photo).

Uploads and deletions of the same key are serialized with a transaction-scoped advisory
lock: an upload holds its keys (shared) from writing the file until its row commits, and a
deletion holds them (exclusive) while it checks and deletes, so a deletion never removes a
file whose new row is about to commit.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.db.session import acting_as_system
from afrobiz.storage.stores import FileStore

# Every column that can hold a stored file's name (in a /media/<key> URL, or JSON naming
# keys), as table -> columns. tests/storage checks that no other column holds one.
MEDIA_COLUMNS: dict[str, tuple[str, ...]] = {
    "users": ("profile_image_url",),
    "categories": ("image_url",),
    "businesses": ("logo_url", "cover_image_url"),
    "business_images": ("image_url", "variants"),
    "review_images": ("image_url",),
}


def _used(table: str, columns: tuple[str, ...]) -> str:
    # A key is a hash of 16-64 hex digits and the extension: it cannot appear in a URL or
    # in JSON by chance, so finding it in the text is exact.
    found = " OR ".join(f"strpos({c}::text, k.key) > 0" for c in columns)
    return f"EXISTS (SELECT 1 FROM {table} WHERE {found})"


_UNUSED = text(
    "SELECT k.key FROM unnest(CAST(:keys AS text[])) AS k(key) WHERE NOT ("
    + " OR ".join(_used(t, cs) for t, cs in MEDIA_COLUMNS.items()) + ")")
_LOCK = {"shared": text("SELECT pg_advisory_xact_lock_shared(hashtextextended(k, 0))"
                        " FROM unnest(CAST(:keys AS text[])) AS k ORDER BY k"),
         "exclusive": text("SELECT pg_advisory_xact_lock(hashtextextended(k, 0))"
                           " FROM unnest(CAST(:keys AS text[])) AS k ORDER BY k")}


async def _lock(session: AsyncSession, keys: Iterable[str], mode: str) -> list[str]:
    ordered = sorted(set(keys))        # one order everywhere: two lockers never deadlock
    if ordered:
        await session.execute(_LOCK[mode], {"keys": ordered})
    return ordered


async def hold(session: AsyncSession, keys: Iterable[str]) -> None:
    """Call before writing files a new row will point at: a deletion of the same content
    waits until this transaction ends (and sees the new row if it commits)."""
    await _lock(session, keys, "shared")


async def unreferenced(session: AsyncSession, keys: Iterable[str]) -> set[str]:
    """The keys no row of any table points at (as seen by this transaction)."""
    keys = sorted(set(keys))
    if not keys:
        return set()
    async with acting_as_system(session):    # every row counts, whoever may read it
        return set((await session.scalars(_UNUSED, {"keys": keys})).all())


async def delete_unreferenced(session: AsyncSession, store: FileStore, keys: Iterable[str]) -> set[str]:
    """Delete the files of `keys` that no row points at any more (call after deleting or
    changing the rows that did, in the same transaction); returns the keys deleted."""
    keys = await _lock(session, keys, "exclusive")
    gone = await unreferenced(session, keys)
    for key in sorted(gone):
        await store.delete(key)
    return gone
