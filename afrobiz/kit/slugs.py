"""URL slugs: lower-case ASCII words joined by hyphens ("Café Zoo" -> "cafe-zoo")."""
from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, *, max_length: int = 80, fallback: str = "item") -> str:
    """A slug from free text; never empty (fallback), never longer than max_length."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_WORD.sub("-", ascii_text.lower().replace("&", " and ")).strip("-")
    slug = slug[:max_length].rstrip("-")
    return slug or fallback


def with_suffix(base: str, taken: set[str], *, max_length: int = 80) -> str:
    """base itself if free, else base-2, base-3, ... (the first that is not taken)."""
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        n += 1
