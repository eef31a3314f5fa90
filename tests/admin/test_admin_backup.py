"""Backup → restore round trip on scratch databases: counts, checksums and schema match."""
from __future__ import annotations

import json

import psycopg
import pytest
from typer.testing import CliRunner

from afrobiz.admin import backup as ops
from afrobiz.db import migrate
from dbtools import create_database, drop_database


@pytest.fixture
def scratch(server_url):
    made = []

    def make(migrated: bool = False) -> str:
        url = create_database(server_url, "afrobiz_backup")
        made.append(url)
        if migrated:
            migrate.upgrade(url)
        return url

    yield make
    for url in made:
        drop_database(server_url, url)


def fill(url: str) -> None:
    with psycopg.connect(url) as conn:
        owner = conn.execute("INSERT INTO users (email, first_name, last_name, role) "
                             "VALUES ('owner@example.na', 'Meme', 'Ndapewa', 'business_owner') RETURNING id").fetchone()[0]
        for i in range(3):
            conn.execute("INSERT INTO businesses (owner_id, name, slug, city, region, status) "
                         "VALUES (%s, %s, %s, 'Windhoek', 'Khomas', 'active')", (owner, f"Shop {i}", f"shop-{i}"))
        conn.execute("INSERT INTO audit_logs (action, table_name, new_values) VALUES ('test', 'users', '{\"a\": 1}')")
        conn.execute("INSERT INTO system_settings (key, value, data_type) VALUES ('site.x', '1', 'integer')")


def test_backup_then_restore_matches_counts_checksums_and_schema(scratch, tmp_path):
    source = scratch(migrated=True)
    fill(source)
    file = tmp_path / "afrobiz.dump"
    fp = ops.backup(source, file)
    assert file.stat().st_size > 0 and file.read_bytes()[:5] == b"PGDMP"       # custom format
    assert fp.tables["public.businesses"]["rows"] == 3 and fp.tables["public.users"]["rows"] == 1
    assert fp.structure["policies"] > 10 and "pg_trgm" in fp.extensions and "btree_gist" in fp.extensions
    manifest = json.loads(ops.manifest_path(file).read_text())
    assert manifest["tables"]["public.businesses"]["rows"] == 3

    target = scratch()
    assert ops.restore(file, target) == []
    with psycopg.connect(target) as conn:
        restored = ops.fingerprint(conn)
        assert conn.execute("SELECT count(*) FROM businesses").fetchone()[0] == 3
    assert ops.differences(fp, restored) == []
    # The checksum notices a changed value even when the counts are equal.
    with psycopg.connect(target) as conn:
        conn.execute("UPDATE system_settings SET value = '2' WHERE key = 'site.x'")
        changed = ops.fingerprint(conn)
    problems = ops.differences(fp, changed)
    assert len(problems) == 1 and problems[0].startswith("public.system_settings")


def test_restore_refuses_a_database_that_is_not_empty(scratch, tmp_path):
    source = scratch(migrated=True)
    file = tmp_path / "b.dump"
    ops.backup(source, file)
    with pytest.raises(ops.BackupError, match="not empty"):
        ops.restore(file, source)


def test_tools_match_the_server_version(server_url):
    with psycopg.connect(server_url) as conn:
        major = conn.info.server_version // 10000
    tool = ops.find_tool("pg_dump", major)
    assert ops._major(tool) >= major


def test_cli_backup_and_restore(scratch, tmp_path, monkeypatch):
    from afrobiz.cli import app
    from afrobiz.config import get_settings

    source = scratch(migrated=True)
    fill(source)
    monkeypatch.setenv("AFROBIZ_DATABASE_URL", source)
    get_settings.cache_clear()
    try:
        out = tmp_path / "cli.dump"
        r = CliRunner().invoke(app, ["backup", "--output", str(out)])
        assert r.exit_code == 0, r.output
        assert "Backed up" in r.output and out.exists()
        target = scratch()
        r = CliRunner().invoke(app, ["restore", str(out), "--target", target])
        assert r.exit_code == 0 and "verified" in r.output, r.output
        r = CliRunner().invoke(app, ["restore", str(out), "--target", target])
        assert r.exit_code == 1 and "not empty" in r.output
    finally:
        get_settings.cache_clear()
