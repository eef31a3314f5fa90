"""As-you-type suggestions: categories and active businesses, in one round trip; trigram
typo correction only when that finds nothing."""
from __future__ import annotations

import re

from afrobiz.db.raw import Reader

MIN_CHARS = 2
POOL = 50   # candidates per lookup, re-ordered by popularity in Python

# Three lookups, each cheap and bounded, in one statement (src orders them):
#  1. categories whose name, or a word of it, starts with q (a few dozen rows);
#  2. names starting with q: a range scan of the name-prefix index (byte order);
#  3. names with a word starting with q's last word (3+ characters) and q's other words as
#     whole words: a range scan of search_name_words (migration 0015).
_SUGGEST = """
SELECT * FROM (
  SELECT 1 AS src, 'category' AS type, name, slug, 0 AS reviews FROM categories
   WHERE is_active AND (starts_with(lower(immutable_unaccent(name)), lower(immutable_unaccent(:q)))
                        OR position(' ' || lower(immutable_unaccent(:q)) IN lower(immutable_unaccent(name))) > 0)
   ORDER BY parent_id IS NOT NULL, sort_order, name LIMIT 3) c
UNION ALL
SELECT 2, 'business', b.name, b.slug, e.review_count
  FROM (SELECT id, review_count FROM search_entries
         WHERE lower(immutable_unaccent(name)) COLLATE "C" >= lower(immutable_unaccent(:q)) COLLATE "C"
           AND lower(immutable_unaccent(name)) COLLATE "C" < (lower(immutable_unaccent(:q)) || chr(1114111)) COLLATE "C"
         ORDER BY lower(immutable_unaccent(name)) COLLATE "C" LIMIT :pool) e
  JOIN businesses b ON b.id = e.id AND b.status = 'active'
UNION ALL
SELECT 3, 'business', b.name, b.slug, e.review_count
  FROM (SELECT nw.business_id FROM search_name_words nw
         WHERE :words
           AND nw.word >= lower(immutable_unaccent(:last)) COLLATE "C"
           AND nw.word < (lower(immutable_unaccent(:last)) || chr(1114111)) COLLATE "C"
           AND NOT EXISTS (SELECT 1 FROM unnest(CAST(:others AS text[])) o(w)
                            WHERE NOT EXISTS (SELECT 1 FROM search_name_words x
                                               WHERE x.word = lower(immutable_unaccent(o.w)) COLLATE "C"
                                                 AND x.business_id = nw.business_id))
         ORDER BY nw.word LIMIT :pool) hit
  JOIN search_entries e ON e.id = hit.business_id
  JOIN businesses b ON b.id = hit.business_id AND b.status = 'active'
"""
_WORD = re.compile(r"[^\W_]+")
_FIX_WORDS = """
    SELECT coalesce((SELECT s.word FROM search_words s WHERE s.word % w
                      ORDER BY (s.word = w) DESC, starts_with(s.word, w) DESC, similarity(s.word, w) DESC, s.word
                      LIMIT 1), w) AS w
      FROM regexp_split_to_table(lower(immutable_unaccent(:q)), '[^a-z0-9]+') WITH ORDINALITY AS t(w, i)
     WHERE w <> '' ORDER BY i"""


def _binds(q: str) -> dict:
    """q, and its last word (a prefix, 3+ characters) and other words (whole) for lookup 3."""
    words = _WORD.findall(q)
    ok = bool(words) and len(words[-1]) >= 3
    return {"q": q, "pool": POOL, "words": ok, "last": words[-1] if ok else "", "others": words[:-1]}


async def suggest(db: Reader, *, q: str, limit: int = 8) -> list[dict]:
    """Up to `limit` categories and businesses for a partly typed query (2+ characters),
    typo tolerant: name prefixes first, then words in names, then corrected words."""
    q = " ".join(q.split())
    if len(q) < MIN_CHARS:
        return []
    out: list[dict] = []
    seen: set[tuple[str, str]] = set()

    def add(rows) -> None:
        for src in (1, 2, 3):
            for r in sorted((r for r in rows if r.src == src), key=lambda r: -r.reviews):
                if (r.type, r.slug) not in seen and len(out) < limit:
                    seen.add((r.type, r.slug))
                    out.append({"type": r.type, "name": r.name, "slug": r.slug})

    add(await db.all(_SUGGEST, _binds(q)))
    if out or len(q) < 3:
        return out
    # Nothing at all: the closest listed words (pg_trgm on the small word list), then again.
    plain = q.lower().split()
    fixed = [r.w for r in await db.all(_FIX_WORDS, {"q": q})]
    if fixed != plain:
        add(await db.all(_SUGGEST, _binds(" ".join(fixed))))
    return out
