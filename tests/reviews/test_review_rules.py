"""The pure rules: spam signals, the initial status, input checks, how reviewers are named."""
from __future__ import annotations

from datetime import timedelta

import pytest

from afrobiz.errors import InvalidInput
from afrobiz.reviews import spam
from afrobiz.reviews.queries import display_name
from afrobiz.reviews.service import clean_text, validate_review

CALM = spam.Context(account_age=timedelta(days=90), account_reviews_last_hour=0, ip_reviews_last_hour=0,
                    duplicate_text=False)
LIMITS = spam.Limits()


def signals(title=None, content=None, **ctx):
    return spam.spam_signals(title=title, content=content, ctx=spam.Context(**(CALM.__dict__ | ctx)), limits=LIMITS)


def test_an_ordinary_review_trips_nothing():
    assert signals("Lovely braai", "The kapana was fresh and the staff friendly. We will come back.") == []


@pytest.mark.parametrize("content", ["Cheap deals at https://spam.example", "see www.deals.com now",
                                     "visit bestprices.xyz today", "Order on shop.co/deals"])
def test_links_are_a_signal(content):
    assert "links" in signals(content=content)


def test_a_dotted_abbreviation_is_not_a_link():
    assert signals(content="Open Mon.-Fri. at 8 a.m., e.g. for breakfast.") == []


@pytest.mark.parametrize("content", ["Great!!!!!!!!!!!!", "good good good good good good good good nice",
                                     "aaaaaaaaaaaaaaaaaaaa"])
def test_repetitive_text_is_a_signal(content):
    assert "repeated_text" in signals(content=content)


def test_copied_text_is_a_signal():
    assert "repeated_text" in signals(content="anything", duplicate_text=True)


def test_bursts_from_one_account_or_address_are_signals():
    assert "many_reviews_from_account" not in signals(account_reviews_last_hour=2)     # this is the 3rd
    assert "many_reviews_from_account" in signals(account_reviews_last_hour=3)         # the 4th
    assert "many_reviews_from_ip" not in signals(ip_reviews_last_hour=4)
    assert "many_reviews_from_ip" in signals(ip_reviews_last_hour=5)


def test_a_brand_new_account_is_a_signal():
    assert signals(account_age=timedelta(hours=2)) == ["new_account"]
    assert signals(account_age=timedelta(hours=25)) == []


@pytest.mark.parametrize(("verified", "sigs", "auto", "expected"), [
    (True, [], True, "approved"),
    (True, ["links"], True, "pending"),          # spam holds even a verified review
    (True, [], False, "pending"),                # the setting is off
    (False, [], True, "pending"),                # unverified reviews are always moderated
])
def test_initial_status(verified, sigs, auto, expected):
    assert spam.initial_status(is_verified=verified, signals=sigs, auto_approve_verified=auto) == expected


def test_validation_names_every_bad_field():
    with pytest.raises(InvalidInput) as exc:
        validate_review(rating=6, title="x" * 151, content="y" * 5001, details={"value_rating": 0})
    assert {e["field"] for e in exc.value.errors} == {"rating", "title", "content", "value_rating"}
    with pytest.raises(InvalidInput):
        validate_review(rating=None, title=None, content=None, details={})
    with pytest.raises(InvalidInput):
        validate_review(rating=True, title=None, content=None, details={})


def test_validation_cleans_without_rendering_html():
    out = validate_review(rating=5, title="  <b>Great</b>\x00 ", content="  ", details={"service_rating": 4})
    assert out["title"] == "<b>Great</b>" and out["content"] is None and out["service_rating"] == 4
    assert clean_text("a\x07b\nc") == "ab\nc"


def test_reviewers_are_named_by_first_name_and_initial():
    assert display_name("Johanna", "nghipandulwa") == "Johanna N."
    assert display_name("Johanna", "") == "Johanna"
    assert display_name(None, None) == "Former customer"
