"""As-you-type suggestions: categories and active businesses, cheapest lookup first."""
from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

MIN_CHARS = 2
POOL = 50   # candidates per lookup, re-ordered by popularity in Python

_CATEGORIES = text("""
    SELECT 'category' AS type, name, slug, 0 AS reviews FROM categories
     WHERE is_active AND (starts_with(lower(immutable_unaccent(name)), lower(immutable_unaccent(:q)))
                          OR position(' ' || lower(immutable_unaccent(:q)) IN lower(immutable_unaccent(name))) > 0)
     ORDER BY parent_id IS NOT NULL, sort_order, name LIMIT 3""")
# A range scan of the name-prefix index (byte order): every name starting with q.
_NAME_PREFIX = text("""
    SELECT 'business' AS type, b.name, b.slug, e.review_count AS reviews
      FROM (SELECT id, review_count FROM search_entries
             WHERE lower(immutable_unaccent(name)) COLLATE "C" >= lower(immutable_unaccent(:q)) COLLATE "C"
               AND lower(immutable_unaccent(name)) COLLATE "C" < (lower(immutable_unaccent(:q)) || chr(1114111)) COLLATE "C"
             ORDER BY lower(immutable_unaccent(name)) COLLATE "C" LIMIT :pool) e
      JOIN businesses b ON b.id = e.id AND b.status = 'active'""")
# A word anywhere in the name (weight A of the search document), the last one as a prefix.
_NAME_WORDS = text("""
    SELECT 'business' AS type, b.name, b.slug, e.review_count AS reviews
      FROM (SELECT id, review_count FROM search_entries
             WHERE search_document @@ to_tsquery('english', :expr) LIMIT :pool) e
      JOIN businesses b ON b.id = e.id AND b.status = 'active'""")
_FIX_WORDS = text("""
    SELECT coalesce((SELECT s.word FROM search_words s WHERE s.word % w
                      ORDER BY (s.word = w) DESC, starts_with(s.word, w) DESC, similarity(s.word, w) DESC, s.word
                      LIMIT 1), w) AS w
      FROM regexp_split_to_table(lower(immutable_unaccent(:q)), '[^a-z0-9]+') WITH ORDINALITY AS t(w, i)
     WHERE w <> '' ORDER BY i""")


def _words_expr(words: list[str]) -> str | None:
    words = [w for w in words if re.fullmatch(r"[a-z0-9]+", w)]
    if not words or len(words[-1]) < 3:
        return None
    return " & ".join(f"{w}:A" for w in words[:-1]) + (" & " if len(words) > 1 else "") + f"{words[-1]}:*A"


async def suggest(session: AsyncSession, *, q: str, limit: int = 8) -> list[dict]:
    """Up to `limit` categories and businesses for a partly typed query (2+ characters),
    typo tolerant: name prefixes first, then words in names, then corrected words."""
    q = " ".join(q.split())
    if len(q) < MIN_CHARS:
        return []
    out: list[dict] = []
    seen: set[tuple[str, str]] = set()

    def add(rows) -> None:
        for r in sorted(rows, key=lambda r: -r.reviews):
            if (r.type, r.slug) not in seen and len(out) < limit:
                seen.add((r.type, r.slug))
                out.append({"type": r.type, "name": r.name, "slug": r.slug})

    add((await session.execute(_CATEGORIES, {"q": q})).all())
    add((await session.execute(_NAME_PREFIX, {"q": q, "pool": POOL})).all())
    if len(out) >= limit or len(q) < 3:
        return out
    plain = (await session.execute(
        text("SELECT w FROM regexp_split_to_table(lower(immutable_unaccent(:q)), '[^a-z0-9]+') w WHERE w <> ''"),
        {"q": q})).scalars().all()
    if expr := _words_expr(list(plain)):
        add((await session.execute(_NAME_WORDS, {"expr": expr, "pool": POOL})).all())
    if out:
        return out
    # Nothing at all: the closest listed words (pg_trgm on the small word list), then again.
    fixed = list((await session.execute(_FIX_WORDS, {"q": q})).scalars().all())
    if fixed != list(plain):
        fixed_q = " ".join(fixed)
        add((await session.execute(_CATEGORIES, {"q": fixed_q})).all())
        if expr := _words_expr(fixed):
            add((await session.execute(_NAME_WORDS, {"expr": expr, "pool": POOL})).all())
    return out
