"""Prometheus metrics, kept in process (each web process is its own set of counters).

Requests are labelled by method, route TEMPLATE ("/b/{slug}", never the raw path: one series
per route, not per business) and status class ("2xx"). Gauges read at scrape time: the
database pools (primary and replica), the job queue (procrastinate) and this process.
"""
from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import json
import os
import platform
import resource
import time
from collections import defaultdict
from pathlib import Path

from sqlalchemy import text

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
STARTED_AT = time.time()
try:
    VERSION = importlib.metadata.version("afrobiz")
except importlib.metadata.PackageNotFoundError:   # running from a source tree
    VERSION = "unknown"
# The queue query runs at most this often per process, however often /metrics is scraped.
JOBS_CACHE_SECONDS = 15.0

Key = tuple[str, str, str]   # method, route template, status class


def status_class(status: int) -> str:
    return f"{status // 100}xx" if 100 <= status < 600 else "other"


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{_label(str(v))}"' for k, v in labels.items()) + "}"


class Metrics:
    def __init__(self) -> None:
        self.requests: dict[Key, int] = defaultdict(int)
        self.buckets: dict[Key, list[int]] = {}
        self.sums: dict[Key, float] = defaultdict(float)
        self.jobs_cache: tuple[float, list[tuple[str, str, int]]] | None = None
        # `afrobiz serve --workers N`: N processes behind one port, and a scrape reaches any
        # one of them. Each then saves its request counters in a shared directory every few
        # seconds and a scrape adds up those of the live processes (see share()).
        self.shared_dir: Path | None = None

    # ------------------------------------------------------------ sharing between workers

    def share(self, directory: Path) -> None:
        """Save to and add up from `directory` (one per server: named by its supervisor's pid)."""
        directory.mkdir(parents=True, exist_ok=True)
        self.shared_dir = directory
        for old in directory.parent.iterdir():   # servers that have stopped
            if old != directory and old.name.isdigit() and not _alive(int(old.name)):
                for path in old.glob("*"):
                    path.unlink(missing_ok=True)
                with contextlib.suppress(OSError):
                    old.rmdir()

    def save(self) -> None:
        if self.shared_dir is None:
            return
        data = {"pid": os.getpid(),
                "series": [[*key, self.requests[key], self.sums[key], self.buckets[key]] for key in self.requests]}
        tmp = self.shared_dir / f".{os.getpid()}.tmp"
        tmp.write_text(json.dumps(data))
        os.replace(tmp, self.shared_dir / f"{os.getpid()}.json")   # readers never see half a file

    async def save_every(self, seconds: float = 5.0) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                self.save()
            except OSError:
                pass   # a full disk must not stop the web process; the scrape shows this process only

    def combined(self) -> Metrics:
        """This process's counters plus the other live workers' saved ones."""
        if self.shared_dir is None:
            return self
        total = Metrics()
        total._add(self.requests, self.sums, self.buckets)
        for path in self.shared_dir.glob("*.json"):
            try:
                data = json.loads(path.read_text())
                pid = int(data["pid"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if pid == os.getpid():
                continue
            if not _alive(pid):            # a stopped worker's counts leave with it
                path.unlink(missing_ok=True)
                continue
            for method, route, klass, n, total_seconds, counts in data["series"]:
                key = (method, route, klass)
                total._add({key: n}, {key: total_seconds}, {key: counts})
        return total

    def _add(self, requests, sums, buckets) -> None:  # noqa: ANN001
        for key, n in requests.items():
            self.requests[key] += n
            self.sums[key] += sums[key]
            mine = self.buckets.setdefault(key, [0] * (len(BUCKETS) + 1))
            for i, c in enumerate(buckets[key]):
                mine[i] += c

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method if method in METHODS else "OTHER", route, status_class(status))
        self.requests[key] += 1
        self.sums[key] += seconds
        counts = self.buckets.setdefault(key, [0] * (len(BUCKETS) + 1))
        for i, bound in enumerate(BUCKETS):
            if seconds <= bound:
                counts[i] += 1
        counts[-1] += 1

    def render_requests(self) -> list[str]:
        lines = ["# HELP afrobiz_http_requests_total HTTP requests answered, by route template.",
                 "# TYPE afrobiz_http_requests_total counter"]
        for (method, route, klass), n in sorted(self.requests.items()):
            lines.append(f"afrobiz_http_requests_total{_labels(method=method, route=route, status=klass)} {n}")
        lines += ["# HELP afrobiz_http_request_duration_seconds Time to answer, by route template.",
                  "# TYPE afrobiz_http_request_duration_seconds histogram"]
        for (method, route, klass), counts in sorted(self.buckets.items()):
            base = dict(method=method, route=route, status=klass)
            for bound, n in zip((*map(str, BUCKETS), "+Inf"), counts):
                lines.append(f"afrobiz_http_request_duration_seconds_bucket{_labels(**base, le=bound)} {n}")
            lines.append(f"afrobiz_http_request_duration_seconds_sum{_labels(**base)} "
                         f"{self.sums[(method, route, klass)]:.6f}")
            lines.append(f"afrobiz_http_request_duration_seconds_count{_labels(**base)} {counts[-1]}")
        return lines

    async def job_counts(self, engine) -> list[tuple[str, str, int]] | None:  # noqa: ANN001
        """Jobs not yet succeeded, by status and task; cached briefly; None if the query failed."""
        now = time.monotonic()
        if self.jobs_cache and now - self.jobs_cache[0] < JOBS_CACHE_SECONDS:
            return self.jobs_cache[1]
        try:
            async with asyncio.timeout(2), engine.connect() as conn:
                await conn.execute(text("SET LOCAL statement_timeout = '1s'"))
                # Succeeded jobs are the bulk of the table and of no interest here.
                rows = (await conn.execute(text(
                    "SELECT status::text, task_name, count(*) FROM procrastinate.procrastinate_jobs"
                    " WHERE status <> 'succeeded' GROUP BY 1, 2"))).all()
        except Exception:   # a scrape must not fail because the queue could not be counted
            return None
        result = [(r[0], r[1], int(r[2])) for r in rows]
        self.jobs_cache = (now, result)
        return result

    async def render(self, engines: dict[str, object]) -> str:
        lines = self.combined().render_requests()
        lines += ["# HELP afrobiz_db_pool_connections Database pool connections by state.",
                  "# TYPE afrobiz_db_pool_connections gauge"]
        for name, engine in engines.items():
            pool = engine.pool
            for state, value in (("size", pool.size()), ("checked_out", pool.checkedout()),
                                 ("checked_in", pool.checkedin()), ("overflow", max(pool.overflow(), 0))):
                lines.append(f"afrobiz_db_pool_connections{_labels(pool=name, state=state)} {value}")
        jobs = await self.job_counts(engines["primary"])
        lines += ["# HELP afrobiz_jobs Background jobs not yet succeeded, by status (todo, doing, failed, ...).",
                  "# TYPE afrobiz_jobs gauge"]
        by_status: dict[str, int] = defaultdict(int, {s: 0 for s in ("todo", "doing", "failed")})
        for status, _task, n in jobs or ():
            by_status[status] += n
        lines += [f"afrobiz_jobs{_labels(status=s)} {n}" for s, n in sorted(by_status.items())]
        lines += ["# HELP afrobiz_jobs_failed Jobs that failed for good (see `afrobiz worker --failed`), by task.",
                  "# TYPE afrobiz_jobs_failed gauge"]
        lines += [f"afrobiz_jobs_failed{_labels(task=t)} {n}" for s, t, n in sorted(jobs or ()) if s == "failed"]
        lines += ["# HELP afrobiz_jobs_scrape_ok 1 if the job queue could be counted.",
                  "# TYPE afrobiz_jobs_scrape_ok gauge", f"afrobiz_jobs_scrape_ok {0 if jobs is None else 1}"]
        lines += process_lines()
        return "\n".join(lines) + "\n"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:        # exists, but not ours to signal
        return True
    return True


def process_lines() -> list[str]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    lines = [
        "# TYPE process_cpu_seconds_total counter", f"process_cpu_seconds_total {usage.ru_utime + usage.ru_stime:.2f}",
        "# TYPE process_start_time_seconds gauge", f"process_start_time_seconds {STARTED_AT:.0f}",
    ]
    try:   # Linux: current (not peak) memory and open files
        with open("/proc/self/statm") as f:
            rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        lines += ["# TYPE process_resident_memory_bytes gauge", f"process_resident_memory_bytes {rss}",
                  "# TYPE process_open_fds gauge", f"process_open_fds {len(os.listdir('/proc/self/fd'))}"]
    except OSError:
        pass
    lines += ["# TYPE afrobiz_info gauge",
              f"afrobiz_info{_labels(version=VERSION, python=platform.python_version(), pid=str(os.getpid()))} 1"]
    return lines


METRICS = Metrics()
# Requests are observed by the app's outer layer (afrobiz.kit.logging.RequestLogMiddleware,
# observe=METRICS.observe): one wrapper per request does the id, log, metrics and headers.
