"""Keyset pagination for the review and favourite lists: opaque cursors over sort keys.

A cursor is the sort key of the last row shown, so the next page starts right after it
however many rows were added meanwhile (no OFFSET, no duplicates, no skipped rows).
"""
from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement

from afrobiz.errors import InvalidInput

T = TypeVar("T")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def clamp_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if limit < 1 or limit > MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}.", field="limit")
    return limit


def encode_cursor(values: list[Any]) -> str:
    raw = [v.isoformat() if isinstance(v, datetime) else str(v) if isinstance(v, uuid.UUID) else v
           for v in values]
    return base64.urlsafe_b64encode(json.dumps(raw, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: list[type]) -> list[Any]:
    """The cursor's values converted to kinds (datetime, uuid.UUID, int); a bad cursor is a 422."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(kinds):
            raise ValueError("wrong shape")
        out = []
        for kind, value in zip(kinds, raw, strict=True):
            if kind is datetime:
                out.append(datetime.fromisoformat(value))
            elif kind is uuid.UUID:
                out.append(uuid.UUID(value))
            elif kind is int:
                if not isinstance(value, int) or isinstance(value, bool):
                    raise ValueError("not an int")
                out.append(value)
            else:
                raise ValueError("unknown kind")
        return out
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput("The cursor is not valid; start again from the first page.", field="cursor") from exc


def after(keys: list[tuple[ColumnElement, bool]], values: list[Any]) -> ColumnElement[bool]:
    """Rows strictly after `values` in the order given by keys [(column, descending), ...]."""
    clauses = []
    for i, (column, descending) in enumerate(keys):
        equal = [keys[j][0] == values[j] for j in range(i)]
        step = column < values[i] if descending else column > values[i]
        clauses.append(and_(*equal, step))
    return or_(*clauses)


def order_by(keys: list[tuple[ColumnElement, bool]]) -> list[ColumnElement]:
    return [column.desc() if descending else column.asc() for column, descending in keys]
