"""search/schema.sql: search's functions, triggers and indexes as they are today.

`python -m afrobiz.search.schema` writes the numbers marked /*scoring.NAME*/ in that file
from search/scoring.py, so the stored bound of the score (search_postings.s_key) and the
search statements read the same weights; `afrobiz db upgrade` then re-installs the file.
"""
from __future__ import annotations

import re
from pathlib import Path

from afrobiz.search import scoring

FILE = Path(__file__).with_name("schema.sql")
_MARKED = re.compile(r"('\{[^}]*\}'|[0-9.]+) /\*scoring\.(\w+)\*/")


def _value(name: str) -> str:
    return scoring.rank_weights_sql() if name == "RANK_WEIGHTS" else repr(getattr(scoring, name))


def render(sql: str) -> str:
    """The SQL with every marked number as search/scoring.py states it."""
    return _MARKED.sub(lambda m: f"{_value(m.group(2))} /*scoring.{m.group(2)}*/", sql)


def marked(sql: str) -> set[str]:
    """The scoring names the SQL marks."""
    return {m.group(2) for m in _MARKED.finditer(sql)}


if __name__ == "__main__":
    FILE.write_text(render(FILE.read_text()))
