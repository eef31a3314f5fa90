"""Alembic environment: runs as the connecting (owning) user, never as afrobiz_app."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from afrobiz.db.urls import async_url

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, transactional_ddl=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    # Same driver as the app (psycopg 3), used synchronously here.
    engine = create_engine(async_url(config.get_main_option("sqlalchemy.url")), poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, transactional_ddl=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported")
run_migrations_online()
