"""Alembic environment: runs as the connecting (owning) user, never as afrobiz_app.

After the versioned migrations come the repeatable ones (Flyway's R__ scripts): each
domain's `schema.sql` (afrobiz/<domain>/schema.sql: its functions, triggers and indexes as
they are today, written to be run again: CREATE OR REPLACE, IF NOT EXISTS) is executed
whenever its text differs from the text this database last ran, in the same transaction.
They run only at the head revision, after everything they may read exists; a database left
below head forgets what it ran, so reaching head again runs them all.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from alembic import context
from sqlalchemy import Connection, create_engine, pool, text

from afrobiz.db.urls import async_url

config = context.config
REPEATABLE = sorted(Path(__file__).resolve().parents[2].glob("*/schema.sql"))
_RAN = "alembic_repeatable"   # which text of each file this database ran (sha256)


def run_repeatables(connection: Connection) -> None:
    if context.get_context().get_current_revision() != context.script.get_current_head():
        connection.execute(text(f"DROP TABLE IF EXISTS {_RAN}"))
        return
    connection.execute(text(f"CREATE TABLE IF NOT EXISTS {_RAN} (file text PRIMARY KEY, sha256 text NOT NULL)"))
    ran = dict(connection.execute(text(f"SELECT file, sha256 FROM {_RAN}")).all())
    for path in REPEATABLE:
        name = f"{path.parent.name}/{path.name}"
        sql = path.read_text()
        digest = hashlib.sha256(sql.encode()).hexdigest()
        if ran.get(name) != digest:
            connection.execute(text(sql))
            connection.execute(text(f"INSERT INTO {_RAN} VALUES (:f, :d) ON CONFLICT (file) DO UPDATE SET sha256 = :d"),
                               {"f": name, "d": digest})


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, transactional_ddl=True)
        with context.begin_transaction():
            context.run_migrations()
            run_repeatables(connection)
        return
    # Same driver as the app (psycopg 3), used synchronously here.
    engine = create_engine(async_url(config.get_main_option("sqlalchemy.url")), poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, transactional_ddl=True)
        with context.begin_transaction():
            context.run_migrations()
            run_repeatables(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported")
run_migrations_online()
