"""Telling an outage (the database or Redis unreachable, a connection lost) from a bug.

One rule, read by the web's error handlers (503 instead of 500), the read retry
(kit/read_retry.py) and the worker's supervisor (worker/run.py)."""
from __future__ import annotations


def _chain(exc: BaseException | None, limit: int = 10):
    """The error and what it was raised from or during, nearest first. A clean-up step (e.g.
    acting_as_system's) may raise its own error, such as PendingRollbackError, on top of the
    lost connection; procrastinate wraps psycopg's error in its ConnectorException."""
    seen = 0
    while exc is not None and seen < limit:
        yield exc
        exc, seen = exc.__cause__ or exc.__context__, seen + 1


def is_outage(exc: BaseException) -> bool:
    """Is this the database or Redis being unreachable (not a bug in our code)?"""
    import psycopg
    import sqlalchemy.exc
    from redis import exceptions as redis_errors

    # psycopg.OperationalError covers its pool's PoolTimeout and a backend ended under us
    # (AdminShutdown), met outside SQLAlchemy: the hot lane's pool, the job queue.
    kinds = (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, sqlalchemy.exc.TimeoutError,
             psycopg.OperationalError, psycopg.InterfaceError,
             redis_errors.ConnectionError, redis_errors.TimeoutError, ConnectionError)
    return any(isinstance(e, kinds) or isinstance(e, sqlalchemy.exc.DBAPIError) and e.connection_invalidated
               for e in _chain(exc))


def is_lost_connection(exc: BaseException) -> bool:
    """Did a pooled database connection turn out dead (the server ended its backend, a proxy
    dropped it)? SQLAlchemy then has discarded it and every connection opened before it, so
    the same work on a fresh connection may well succeed (unlike refused connections, or a
    statement that failed on its own merits)."""
    import sqlalchemy.exc

    return any(isinstance(e, sqlalchemy.exc.DBAPIError) and e.connection_invalidated for e in _chain(exc))
