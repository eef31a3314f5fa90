"""Backup drill: back up a database full of demo data with `afrobiz backup`'s code, restore it
into a fresh database, compare every table's count and checksum with our own query, and run
API smoke tests against the restored copy."""
from __future__ import annotations

import httpx
import psycopg
from dbtools import create_database, drop_database

from afrobiz.admin import backup
from afrobiz.app import create_app
from afrobiz.config import Settings
from afrobiz.db import migrate
from afrobiz.db.session import make_engine, make_sessionmaker
from afrobiz.demo.loader import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo

TABLES = """SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname IN ('public', 'procrastinate') AND c.relkind IN ('r', 'm') ORDER BY 1"""


def contents(url: str) -> dict[str, tuple[int, str]]:
    """Rows and an order-independent checksum per table (as the owner: RLS does not apply)."""
    out = {}
    with psycopg.connect(url) as conn:
        for (table,) in conn.execute(TABLES).fetchall():
            schema, name = table.split(".")
            out[table] = conn.execute(
                f'SELECT count(*), coalesce(md5(string_agg(md5(t::text), \'\' ORDER BY md5(t::text))), \'\')'
                f' FROM "{schema}"."{name}" t').fetchone()
    return out


async def test_backup_restore_drill(server_url, tmp_path):
    source = create_database(server_url, "afrobiz_drill_src")
    target = create_database(server_url, "afrobiz_drill_dst")
    try:
        migrate.upgrade(source)
        load_demo(source, businesses=20)
        dump = tmp_path / "drill.dump"
        backup.backup(source, dump)
        assert backup.restore(dump, target) == []           # the tool's own verification
        before, after = contents(source), contents(target)
        assert set(before) == set(after)
        differing = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
        assert not differing, differing
        rows = sum(n for n, _ in before.values())
        assert rows > 1000 and before["public.bookings"][0] > 0 and before["public.reviews"][0] > 0
        print(f"\nbackup drill: {len(before)} tables, {rows} rows compared")
        await smoke(target, tmp_path)
    finally:
        drop_database(server_url, source)
        drop_database(server_url, target)


async def smoke(url: str, tmp_path) -> None:
    """The restored copy serves: public pages of data, a log-in, the customer's own bookings."""
    engine = make_engine(url, pool_size=2)
    app = create_app(url, Settings(database_url=url, data_dir=tmp_path, secret_key="drill", environment="test"))
    app.state.engine, app.state.sessionmaker = engine, make_sessionmaker(engine)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://drill") as c:
            assert (await c.get("/readyz")).status_code == 200
            assert (await c.get("/api/v1/categories")).json()
            found = (await c.get("/api/v1/search/businesses", params={"q": "braids"})).json()["items"]
            assert found
            assert (await c.get(f"/api/v1/businesses/{found[0]['slug']}")).status_code == 200
            login = await c.post("/api/v1/auth/login", json={"email": DEMO_ACCOUNTS["customer"],
                                                            "password": DEMO_PASSWORD})
            assert login.status_code == 200, login.text
            mine = await c.get("/api/v1/me/bookings", headers={"Authorization": f"Bearer {login.json()['access_token']}"})
            assert mine.status_code == 200 and mine.json()["items"]
    finally:
        await engine.dispose()
