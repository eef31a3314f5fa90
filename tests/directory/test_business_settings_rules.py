"""The business settings schema (afrobiz/directory/business_settings.py), as pure rules."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from afrobiz.directory.business_settings import (
    BusinessSettings,
    bank_of,
    merged,
    repaired,
    stored,
    timezone_of,
)

BANK = {"account_name": "Meme CC", "bank": "Bank Windhoek", "account_number": "8001234567"}


@pytest.mark.parametrize("raw", [
    {"timezone": "Invalid/Zone"}, {"timezone": "../../etc/passwd"}, {"timezone": "Africa/Windhoek\x00"},
    {"timezone": ""}, {"timezone": 7}, {"payments": "x"}, {"payments": {"bank": "x"}},
    {"payments": {"bank": {"account_number": "12"}}}, {"payments": {"card": 1}}, {"colour": "red"}])
def test_the_schema_refuses_what_no_reader_understands(raw):
    with pytest.raises(ValidationError):
        BusinessSettings.model_validate(raw)


@pytest.mark.parametrize("raw", [None, "x", [], 7, {"timezone": None}, {"timezone": "Invalid/Zone"},
                                 {"payments": "x"}, {"payments": {"bank": []}}, {"colour": "red"}])
def test_reading_never_raises_and_a_bad_key_reads_as_absent(raw):
    assert timezone_of(raw) is None
    assert bank_of(raw) is None
    assert repaired(raw) == {}


def test_a_bad_key_does_not_hide_a_good_one():
    raw = {"timezone": "Africa/Lagos", "payments": "x", "colour": "red"}
    assert timezone_of(raw) == "Africa/Lagos"
    assert repaired(raw) == {"timezone": "Africa/Lagos"}
    raw = {"timezone": "Nowhere/Land", "payments": {"bank": BANK}}
    assert repaired(raw) == {"payments": {"bank": BANK}}
    assert bank_of(raw) == BANK | {"branch_code": None}
    assert stored(raw).timezone is None


def test_a_change_keeps_what_it_does_not_name_and_null_removes():
    raw = {"timezone": "Africa/Lagos", "payments": {"bank": BANK}}
    assert merged(raw, BusinessSettings.model_validate({"timezone": "Europe/Berlin"})) == {
        "timezone": "Europe/Berlin", "payments": {"bank": BANK}}
    assert merged(raw, BusinessSettings.model_validate({"payments": None})) == {"timezone": "Africa/Lagos"}
    assert merged({"junk": 1, "timezone": "Bad/Zone"}, BusinessSettings()) == {}


def test_a_bad_key_inside_a_group_keeps_its_good_neighbours():
    raw = {"payments": {"bank": BANK, "card": 1}}
    assert repaired(raw) == {"payments": {"bank": BANK}}
    assert repaired({"payments": {"bank": BANK | {"account_number": "no"}}}) == {}
