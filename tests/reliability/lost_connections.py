"""Ending a database's backends from outside, as a restart or fail-over does."""
from __future__ import annotations

import psycopg


def end_backends(server_url: str, database_url: str) -> int:
    """pg_terminate_backend every backend of the database at database_url; how many ended."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        return conn.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                            " WHERE datname = %s AND pid <> pg_backend_pid()",
                            (database_url.rpartition("/")[2],)).fetchone()[0]
