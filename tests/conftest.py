"""Test set-up: a real PostgreSQL built by the migrations; every test rolled back.

The server is AFROBIZ_TEST_DATABASE_URL when set, else the PostgreSQL on 127.0.0.1:5432
when it answers, else an embedded one started for the run. Each run creates its own
database (so parallel runs never collide), migrates it with Alembic and drops it at the end.
"""
from __future__ import annotations

import os
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.app import create_app
from afrobiz.config import Settings
from afrobiz.db import migrate
from afrobiz.db.deps import get_session
from afrobiz.db.raw import session_reader
from afrobiz.db.session import make_engine, make_sessionmaker, set_identity
from afrobiz.db.urls import plain_url
from dbtools import create_database, drop_database


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """URL of a maintenance database on the server the tests use."""
    if url := os.environ.get("AFROBIZ_TEST_DATABASE_URL"):
        yield plain_url(url)
    elif _port_open("127.0.0.1", 5432):
        yield "postgresql://postgres@127.0.0.1:5432/postgres"
    else:
        from afrobiz.db.embedded import EmbeddedServer

        base = Path("/var/tmp") if os.geteuid() == 0 else Path(tempfile.gettempdir())
        with tempfile.TemporaryDirectory(dir=base, prefix="afrobiz-test-pg-") as tmp:
            Path(tmp).chmod(0o711)  # as root the server runs as another user, who must get through
            with EmbeddedServer(Path(tmp) / "pg") as server:
                yield server.url.rsplit("/", 1)[0] + "/postgres"


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    """A database migrated to head, shared by the run (tests roll back their changes)."""
    url = create_database(server_url, "afrobiz_test")
    migrate.upgrade(url)
    yield url
    drop_database(server_url, url)


@pytest.fixture(scope="session")
async def engine(database_url: str):
    engine = make_engine(database_url, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture
async def db(engine) -> AsyncIterator[AsyncSession]:
    """A session in a transaction that is rolled back after the test; acts as 'system'."""
    async with engine.connect() as conn:
        trans = await conn.begin()
        session = AsyncSession(bind=conn, expire_on_commit=False, autoflush=False,
                               join_transaction_mode="create_savepoint")
        await set_identity(session, None, "system")
        try:
            yield session
        finally:
            await session.close()
            await trans.rollback()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate limits count in process memory unless a test configures Redis; every test starts
    with empty counters (guest bookings from the test client's one address would otherwise
    add up across tests)."""
    from afrobiz.kit import ratelimit

    ratelimit.configure(None)
    yield
    ratelimit._limiter = None


@pytest.fixture(autouse=True)
def _fresh_system_settings_cache():
    """system_settings are cached per process (admin.settings); every test rolls back, so a
    value cached by another test must not leak in. A test that writes a setting directly
    after reading it calls afrobiz.admin.settings.invalidate() itself."""
    from afrobiz.admin.settings import invalidate

    invalidate()
    yield
    invalidate()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url=None, data_dir=tmp_path, secret_key="test-secret-key", environment="test")


@pytest.fixture
async def app(database_url: str, engine, db: AsyncSession, settings: Settings):
    """The real app, its requests running inside the test's transaction."""
    application = create_app(database_url, settings)
    application.state.engine = engine
    application.state.sessionmaker = make_sessionmaker(engine)

    async def test_session() -> AsyncIterator[AsyncSession]:
        # A savepoint per request: a failing request rolls back its own writes only.
        async with db.begin_nested():
            await set_identity(db, None, "anonymous")
            yield db
            # Only reached on success; on error the savepoint's rollback restores 'system'.
            await set_identity(db, None, "system")

    application.dependency_overrides[get_session] = test_session
    # The hot lane (api/hot.py) reads through the test's transaction too.
    application.state.hot = _SessionHot(test_session, application.state)
    application.state.impressions = _SessionImpressions(db)
    return application


class _SessionHot:
    """The hot lane's backend over the test's session: the same reads."""

    def __init__(self, session_factory, state) -> None:
        self.session = asynccontextmanager(session_factory)
        self.state = state   # a test may configure a replica (state.read_sessionmaker)

    @asynccontextmanager
    async def reader(self, *, primary: bool):
        if not primary and getattr(self.state, "read_sessionmaker", None) is not None:
            async with self.state.read_sessionmaker() as session, session.begin():
                await set_identity(session, None, "anonymous")
                yield await session_reader(session)
        else:
            async with self.session() as session:
                yield await session_reader(session)


class _SessionImpressions:
    """The search impressions log (search/impressions.py) writing each page at once, in the
    test's transaction."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def record(self, business_ids) -> None:
        if business_ids:
            from afrobiz.search.impressions import INSERT

            await (await session_reader(self.db)).conn.execute(INSERT, (datetime.now(UTC), [str(b) for b in business_ids]))


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def login(db: AsyncSession):
    """login(user) -> the Authorization header of a fresh API session for that user."""
    from afrobiz.accounts.sessions import start_session

    async def _login(user) -> dict[str, str]:
        token = await start_session(db, user=user)
        return {"Authorization": f"Bearer {token}"}

    return _login
