"""A clone of the repository alone runs its tests and demo: nothing reads a file beside it
(../shared) or at one machine's absolute path."""
from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUTSIDE = re.compile(r"\.\./shared|/work/|parents\[3\]|/home/\w+")


def _files():
    for top in ("afrobiz", "tests", "bench", "tools"):
        for path in (REPO / top).rglob("*"):
            if path.is_file() and path.suffix in (".py", ".sql", ".toml", ".cfg", ".ini", ".txt", ".md", ".html"):
                yield path
    yield from (REPO / name for name in ("Makefile", "README.md", "pyproject.toml", ".ci/run") if (REPO / name).exists())


def test_no_file_reaches_outside_the_repository():
    me = Path(__file__).resolve()
    found = [f"{p.relative_to(REPO)}:{n}: {line.strip()}" for p in _files() if p.resolve() != me
             for n, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
             if OUTSIDE.search(line)]
    assert not found, "\n".join(found)


def test_the_seed_and_its_checker_are_inside():
    assert (REPO / "docs" / "seed" / "000_1fba837b1ef00964.txt").is_file()
    assert (REPO / "tools" / "check_schema.py").is_file()
    assert (REPO / "docs" / "DESIGN.md").is_file() and (REPO / "docs" / "API.md").is_file()
