"""Hosts hand out postgresql://…; SQLAlchemy needs the driver named."""
from __future__ import annotations


def async_url(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    raise ValueError("AFROBIZ_DATABASE_URL must be a postgresql:// URL")


def plain_url(url: str) -> str:
    """The libpq form (for psycopg.connect, pg_dump)."""
    return "postgresql://" + async_url(url)[len("postgresql+psycopg://"):]
