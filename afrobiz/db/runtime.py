"""The database a running process uses: the configured server, or the embedded one."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

from afrobiz.config import Settings


@contextlib.contextmanager
def database_url(settings: Settings) -> Iterator[str]:
    """Yield the URL to use; start (and finally stop) the embedded server when none is set."""
    if settings.database_url:
        yield settings.database_url
        return
    from afrobiz.db.embedded import EmbeddedServer

    with EmbeddedServer(settings.data_dir / "postgres") as server:
        yield server.url
