"""Small SQL helpers for the database tests (plain psycopg, as the app role)."""
from __future__ import annotations

import uuid

import psycopg


def as_app(conn: psycopg.Connection, user_id: uuid.UUID | None = None, role: str = "anonymous") -> None:
    """Act as the web app does: the non-owning role, with this transaction's identity."""
    conn.execute("SET ROLE afrobiz_app")
    conn.execute("SELECT set_config('app.user_id', %s, true), set_config('app.role', %s, true)",
                 (str(user_id) if user_id else "", role))


def insert(conn: psycopg.Connection, table: str, **values) -> uuid.UUID:
    cols = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    return conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks}) RETURNING id",
                        list(values.values())).fetchone()[0]


def user(conn, role: str = "customer") -> uuid.UUID:
    return insert(conn, "users", email=f"{uuid.uuid4().hex[:12]}@example.na", first_name="Test",
                  last_name="User", role=role)


def business(conn, owner_id: uuid.UUID, status: str = "active", **extra) -> uuid.UUID:
    slug = f"biz-{uuid.uuid4().hex[:10]}"
    return insert(conn, "businesses", owner_id=owner_id, name=extra.pop("name", "Test Business"), slug=slug,
                  city="Windhoek", region="Khomas", status=status, **extra)
