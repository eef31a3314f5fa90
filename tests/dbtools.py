"""Create and drop scratch databases on the test server."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg


def with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def create_database(server_url: str, prefix: str) -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return with_database(server_url, name)


def drop_database(server_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def scratch_database(server_url: str, prefix: str) -> Iterator[str]:
    """A scratch database migrated to head, dropped afterwards (also when migrating fails).
    For tests whose data must be committed (races, the app's own connections) and for the
    benchmarks under bench/."""
    from afrobiz.db import migrate

    url = create_database(server_url, prefix)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        drop_database(server_url, url)


def migrated_database(server_url: str, prefix: str) -> Iterator[str]:
    """A fixture body over scratch_database:

        @pytest.fixture(scope="module")
        def race_url(server_url):
            yield from migrated_database(server_url, "afrobiz_race")
    """
    with scratch_database(server_url, prefix) as url:
        yield url
