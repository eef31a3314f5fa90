"""The clean-text rules of afrobiz/kit/clean_text.py: UTF-8 without NUL, however it is spelt."""
from __future__ import annotations

import json

import pytest

from afrobiz.kit.clean_text import (
    clean_bytes,
    json_problem,
    multipart_problem,
    path_problem,
    urlencoded_problem,
)


@pytest.mark.parametrize("raw, clean", [
    (b"plain", True), ("Lüderitz 🙂".encode(), True), (b"", True),
    (b"a\x00b", False), (b"\xed\xa0\x80", False), (b"\xed\xbf\xbf", False), (b"\xff", False),
    (b"\xc3", False),   # a cut multi-byte character
])
def test_clean_bytes(raw, clean):
    assert clean_bytes(raw) is clean


@pytest.mark.parametrize("path, bad", [
    (b"/b/salon", False), (b"/b/l%C3%BCderitz", False), (b"/b/%00", True), (b"/b/%ed%a0%80", True),
    (b"/b/%FF", True), (b"/b/100%", False),
])
def test_path_problem(path, bad):
    assert path_problem(path) is bad


@pytest.mark.parametrize("query, field", [
    (b"q=braids&city=Windhoek", None), (b"q=L%C3%BCderitz+north", None), (b"", None), (b"q", None),
    (b"q=%00", "q"), (b"a=1&q=x%ED%A0%80", "q"), (b"q=%ff", "q"), (b"%00=1", "query"),
    (b"q=%2500", None),   # "%00" written out: the text is the three characters % 0 0
    (b"=%00", "query"),   # a nameless parameter (found by the property test)
])
def test_urlencoded_problem(query, field):
    assert urlencoded_problem(query, "query") == field


@pytest.mark.parametrize("body, field", [
    ('{"name": "Café", "tags": ["a", "b"]}', None),
    ('{"name": "Caf\\u00e9 \\ud83d\\ude00"}', None),          # an escaped pair is one character
    ('{"note": "\\\\u0000"}', None),                          # an escaped backslash, then text
    ('{"note": "\\\\\\u0000"}', "note"),                      # a backslash, then a real NUL
    ('{"name": "a\\u0000"}', "name"),
    ('{"name": "a\\ud800"}', "name"), ('{"name": "\\udc00b"}', "name"),
    ('{"name": "\\ude00\\ud83d"}', "name"),                   # a pair in the wrong order
    ('{"tags": ["ok", "\\u0000"]}', "tags.1"),
    ('{"settings": {"tz": {"name": "\\u0000"}}}', "settings.tz.name"),
    ('{"settings": {"\\u0000": 1}}', "settings"), ('{"\\ud800": 1}', "body"),
    ('[{"reason": "ok"}, {"reason": "\\u0000"}]', "1.reason"),
    ('"\\u0000"', "body"),
    ('{"name": "a\\u0000"', None),                            # not JSON: the route refuses it
])
def test_json_problem(body, field):
    assert json_problem(body.encode()) == field


def test_json_problem_reads_raw_bytes_as_python_does():
    assert json_problem(b'{"name": "\xed\xa0\x80"}') == "name"              # decoded to U+D800
    assert json_problem('{"name": "\x00"}'.encode("utf-16")) is None        # raw control: not JSON
    assert json_problem(json.dumps({"name": "a\ud800"}).encode()) == "name"  # as json.dumps writes it


def test_json_problem_survives_deep_nesting():
    assert json_problem(b"[" * 900 + b'"\\u0000"' + b"]" * 900) == ".".join(["0"] * 900)


def _multipart(*parts: bytes) -> tuple[bytes, bytes]:
    body = b"".join(b"--XyZ\r\n" + p + b"\r\n" for p in parts) + b"--XyZ--\r\n"
    return body, b"multipart/form-data; boundary=XyZ"


@pytest.mark.parametrize("parts, field", [
    ([b'Content-Disposition: form-data; name="caption"\r\n\r\nfront door'], None),
    ([b'Content-Disposition: form-data; name="caption"\r\n\r\nfront\x00door'], "caption"),
    ([b'Content-Disposition: form-data; name="caption"\r\n\r\n\xed\xa0\x80'], "caption"),
    # A file's bytes are its own business; its name is text.
    ([b'Content-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x00\xff\xed\xa0'],
     None),
    ([b'Content-Disposition: form-data; name="file"; filename="a\x00.png"\r\n\r\nxx'], "file"),
    ([b'Content-Disposition: form-data; name=""\r\n\r\n\x00'], "form"),
    ([b'Content-Disposition: form-data; name="ok"\r\n\r\nfine',
      b'Content-Disposition: form-data; name="a\x00"\r\n\r\nfine'], "form"),
])
def test_multipart_problem(parts, field):
    assert multipart_problem(*_multipart(*parts)) == field
