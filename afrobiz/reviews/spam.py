"""Spam signals: pure rules that hold a new review for a moderator (never refuse it outright)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

LINK = re.compile(
    r"(https?://|www\.|\b[a-z0-9-]+\.(com|net|org|info|biz|xyz|top|ru|io|co|na|ly|click|link|shop)(/|\b))",
    re.IGNORECASE)
REPEATED_CHARS = re.compile(r"(.)\1{9,}")          # "!!!!!!!!!!", "aaaaaaaaaa"
WORD = re.compile(r"\w+", re.UNICODE)
MIN_LEN_FOR_DUPLICATE = 20                          # "Great service" twice is not spam


def normalize(text: str | None) -> str:
    """Lower case, single spaces: the form in which two texts count as 'the same'."""
    return " ".join((text or "").lower().split())


def has_link(text: str) -> bool:
    return bool(LINK.search(text))


def is_repetitive(text: str) -> bool:
    """One character or one word making up most of a text is filler, not a review."""
    if REPEATED_CHARS.search(text):
        return True
    words = [w.lower() for w in WORD.findall(text)]
    if len(words) >= 8:
        top = max(words.count(w) for w in set(words))
        return top / len(words) > 0.5
    return False


@dataclass(frozen=True)
class Context:
    """What the service measured about the author before the review was written."""
    account_age: timedelta
    account_reviews_last_hour: int
    ip_reviews_last_hour: int
    duplicate_text: bool


@dataclass(frozen=True)
class Limits:
    new_account_hours: int = 24
    max_per_account_per_hour: int = 3
    max_per_ip_per_hour: int = 5


def spam_signals(*, title: str | None, content: str | None, ctx: Context, limits: Limits) -> list[str]:
    """The names of the signals this review trips (empty: nothing suspicious)."""
    text = " ".join(t for t in (title, content) if t)
    signals = []
    if has_link(text):
        signals.append("links")
    if ctx.duplicate_text or is_repetitive(text):
        signals.append("repeated_text")
    # Counts are of the author's earlier reviews: this one makes it one more.
    if ctx.account_reviews_last_hour + 1 > limits.max_per_account_per_hour:
        signals.append("many_reviews_from_account")
    if ctx.ip_reviews_last_hour + 1 > limits.max_per_ip_per_hour:
        signals.append("many_reviews_from_ip")
    if ctx.account_age < timedelta(hours=limits.new_account_hours):
        signals.append("new_account")
    return signals


def initial_status(*, is_verified: bool, signals: list[str], auto_approve_verified: bool) -> str:
    """'approved' only for a verified, unsuspicious review when the setting allows; else 'pending'."""
    if is_verified and auto_approve_verified and not signals:
        return "approved"
    return "pending"
