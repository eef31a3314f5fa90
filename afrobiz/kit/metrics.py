"""A few Prometheus counters kept in process (one web process = one scrape target)."""
from __future__ import annotations

import time
from collections import defaultdict

from starlette.types import ASGIApp, Message, Receive, Scope, Send

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        self.requests: dict[tuple[str, int], int] = defaultdict(int)
        self.buckets = [0] * (len(BUCKETS) + 1)
        self.duration_sum = 0.0

    def observe(self, method: str, status: int, seconds: float) -> None:
        self.requests[(method, status)] += 1
        self.duration_sum += seconds
        for i, bound in enumerate(BUCKETS):
            if seconds <= bound:
                self.buckets[i] += 1
        self.buckets[-1] += 1

    def render(self) -> str:
        lines = ["# TYPE afrobiz_http_requests_total counter"]
        for (method, status), n in sorted(self.requests.items()):
            lines.append(f'afrobiz_http_requests_total{{method="{method}",status="{status}"}} {n}')
        lines.append("# TYPE afrobiz_http_request_duration_seconds histogram")
        for bound, n in zip(BUCKETS, self.buckets):
            lines.append(f'afrobiz_http_request_duration_seconds_bucket{{le="{bound}"}} {n}')
        lines.append(f'afrobiz_http_request_duration_seconds_bucket{{le="+Inf"}} {self.buckets[-1]}')
        lines.append(f"afrobiz_http_request_duration_seconds_sum {self.duration_sum:.6f}")
        lines.append(f"afrobiz_http_request_duration_seconds_count {self.buckets[-1]}")
        return "\n".join(lines) + "\n"


METRICS = Metrics()


class MetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            METRICS.observe(scope["method"], status, time.perf_counter() - started)
