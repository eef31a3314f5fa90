"""Stored files shared by rows (afrobiz/storage/references.py): the list of columns that can
point at a file is complete, and a deletion never races an upload of the same content."""
from __future__ import annotations

import asyncio
import uuid

import psycopg
from sqlalchemy import delete, text

from afrobiz.db.session import make_sessionmaker, system_session
from afrobiz.directory.models import Category
from afrobiz.storage import LocalStore, references
from afrobiz.storage.references import MEDIA_COLUMNS

# A deletion waiting for this key's advisory lock (a bigint lock shows as classid:objid).
WAITING = text("SELECT count(*) > 0 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
               " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
               " AND ((classid::bigint << 32) | objid::bigint) = hashtextextended(:key, 0)")


def test_every_column_that_may_hold_a_file_is_checked(database_url):
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c"
            " JOIN information_schema.tables t USING (table_schema, table_name)"
            " WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'"
            " AND c.table_name NOT LIKE 'alembic%'"   # the migration tool's own bookkeeping
            " AND (c.column_name ~ '(url|image|photo|avatar|logo|picture|variants|file|media)')"
            " AND c.data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY')").fetchall()
    listed = {(t, c) for t, cs in MEDIA_COLUMNS.items() for c in cs}
    found = {(t, c) for t, c in rows}
    assert found <= listed, sorted(found - listed)
    assert listed <= found, sorted(listed - found)       # and names no column that is not there


async def test_a_deletion_waits_for_an_upload_of_the_same_file_and_keeps_it(engine, tmp_path):
    """An upload holds its file's key until its row commits; a deletion of the same content
    meanwhile waits, then sees the new row and keeps the file."""
    store, sessions = LocalStore(tmp_path), make_sessionmaker(engine)
    key = uuid.uuid4().hex + ".webp"
    await store.put(key, b"pixels", "image/webp")

    async def delete_file() -> set[str]:
        async with system_session(sessions) as s:
            return await references.delete_unreferenced(s, store, [key])

    slug = f"shared-{uuid.uuid4().hex[:8]}"
    try:
        async with system_session(sessions) as uploader:
            await references.hold(uploader, [key])             # the upload has written the file
            deletion = asyncio.create_task(delete_file())
            for _ in range(200):                                # at most 10 s for the deletion to wait
                if waiting := await uploader.scalar(WAITING, {"key": key}):
                    break
                await asyncio.sleep(0.05)
            assert waiting, "the deletion did not wait for the upload"
            uploader.add(Category(name="Shared", slug=slug, image_url=store.url(key)))
        assert await deletion == set()
        assert await store.get(key) == b"pixels"
    finally:
        async with system_session(sessions) as s:
            await s.execute(delete(Category).where(Category.slug == slug))
