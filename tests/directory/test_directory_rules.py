"""Small rules: slugs, phone numbers and WhatsApp links, web addresses, regions, coordinates."""
from __future__ import annotations

import pytest

from afrobiz.directory.contact import display_phone, normalize_phone, normalize_website, whatsapp_url
from afrobiz.directory.counting import coarse_ip, is_bot
from afrobiz.kit import namibia
from afrobiz.kit.slugs import slugify, with_suffix


@pytest.mark.parametrize(("text", "slug"), [
    ("Meme Ndapewa's Braids & Beauty", "meme-ndapewa-s-braids-and-beauty"),
    ("Café Lüderitz", "cafe-luderitz"), ("  --  ", "item"), ("ÄÖÜ 123", "aou-123"),
])
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_slugify_caps_length():
    assert len(slugify("word " * 100, max_length=80)) <= 80


def test_with_suffix():
    assert with_suffix("salon", set()) == "salon"
    assert with_suffix("salon", {"salon"}) == "salon-2"
    assert with_suffix("salon", {"salon", "salon-2", "salon-3"}) == "salon-4"


@pytest.mark.parametrize(("raw", "e164"), [
    ("081 234 5678", "+264812345678"), ("+264 81 234 5678", "+264812345678"),
    ("0612345678", "+264612345678"), ("+27 82 123 4567", "+27821234567"),
])
def test_phone_numbers_become_e164(raw, e164):
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize("raw", ["12", "not a phone", "+264 1", ""])
def test_bad_phone_numbers(raw):
    assert normalize_phone(raw) is None


def test_whatsapp_and_display():
    assert whatsapp_url("+264812345678") == "https://wa.me/264812345678"
    assert whatsapp_url(None) is None
    assert display_phone("+264812345678") == "+264 81 234 5678"


@pytest.mark.parametrize(("raw", "url"), [
    ("https://salon.com.na", "https://salon.com.na"), ("http://a.na/x?y=1", "http://a.na/x?y=1"),
    ("salon.com.na", "https://salon.com.na"),
])
def test_websites(raw, url):
    assert normalize_website(raw) == url


@pytest.mark.parametrize("raw", ["javascript:alert(1)", "ftp://files.na", "data:text/html,x", "https://",
                                 "http://localhost", "https://a b.na", "mailto:x@y.na"])
def test_bad_websites(raw):
    assert normalize_website(raw) is None


def test_regions():
    assert len(namibia.REGIONS) == 14
    assert namibia.normalize_region("khomas") == "Khomas"
    assert namibia.normalize_region("Karas") == "//Karas"
    assert namibia.normalize_region("Gauteng") is None
    # Every town of the shared list lies in one of the 14 regions and inside the box.
    assert all(t.region in namibia.REGIONS and namibia.in_namibia(t.latitude, t.longitude)
               for t in namibia.towns())
    assert not namibia.in_namibia(-33.9, 18.4)       # Cape Town
    assert not namibia.in_namibia(17.06, -22.56)     # Windhoek with lat/lon swapped


def test_views_keep_only_the_network():
    assert coarse_ip("196.44.1.77") == "196.44.1.0"
    assert coarse_ip("2c0f:f4c0:1:2:3:4:5:6") == "2c0f:f4c0:1::"
    assert coarse_ip("nonsense") is None


@pytest.mark.parametrize(("agent", "bot"), [
    (None, True), ("Googlebot/2.1", True), ("curl/8.0", True), ("python-httpx/0.27", True),
    ("Mozilla/5.0 (Linux; Android 10; SM-A105F) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36", False),
])
def test_bots(agent, bot):
    assert is_bot(agent) is bot
