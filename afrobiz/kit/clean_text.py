"""What every text input must be: UTF-8 without NUL. The rules, without the web around them.

PostgreSQL refuses a NUL character in any text value, and a lone UTF-16 surrogate
(U+D800-U+DFFF) cannot be encoded as UTF-8 at all, so either one reaching SQL was a 500.
Both can arrive spelt many ways: %00 or %ED%A0%80 in a URL or a form, \\u0000 or \\ud800 in a
JSON string or key, the raw bytes ED A0 80 in a JSON body (Python's JSON reader decodes them
to U+D800). Each function below answers None when its input is clean, else names the first
field that is not, as the API's problem `errors` name fields.
"""
from __future__ import annotations

import json
import re
from urllib.parse import unquote_to_bytes

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

NOT_ALLOWED = "Contains characters that are not allowed."

# Decoded text: NUL, or a surrogate code point (a JSON pair such as \ud83d\ude00 is decoded to
# one character beyond U+FFFF, so any surrogate left over was unpaired).
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


def clean_bytes(raw: bytes) -> bool:
    """Valid UTF-8 without NUL (UTF-8 has no encoding of a surrogate: ED A0 80 is invalid)."""
    if b"\x00" in raw:
        return False
    if raw.isascii():
        return True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def clean_str(text: str) -> bool:
    return _BAD_TEXT.search(text) is None


def path_problem(raw_path: bytes) -> bool:
    """Is the %-decoded path not clean text?"""
    return not clean_bytes(unquote_to_bytes(raw_path) if b"%" in raw_path else raw_path)


def urlencoded_problem(raw: bytes, whole: str) -> str | None:
    """A query string or an application/x-www-form-urlencoded body: the name of the first
    parameter whose name or value is not clean text (`whole` when the name itself is not)."""
    if raw.isascii() and b"%" not in raw and b"\x00" not in raw:
        return None   # the common case: nothing could decode to a bad character
    for pair in raw.split(b"&"):
        name, _, value = pair.partition(b"=")
        name = unquote_to_bytes(name.replace(b"+", b" "))
        if not clean_bytes(name):
            return whole
        if not clean_bytes(unquote_to_bytes(value.replace(b"+", b" "))):
            return name.decode() or whole
    return None


def json_problem(body: bytes) -> str | None:
    """A JSON body: the dotted path ("keywords.1", "settings.note"; "body" at the top) of the
    first string or object key that decodes to NUL or a lone surrogate."""
    if b"\\u" not in body and clean_bytes(body):
        return None   # no escape to decode and clean bytes: no string can hold a bad character
    try:
        data = json.loads(body)   # as Starlette reads it (bytes: UTF-8/16/32, surrogates passed)
    except (ValueError, RecursionError):
        return None   # not JSON: the route refuses it in its own words
    stack: list[tuple[object, tuple]] = [(data, ())]
    while stack:   # no recursion: a deeply nested body must not overflow our stack
        value, path = stack.pop()
        if isinstance(value, str):
            if not clean_str(value):
                return ".".join(path) or "body"
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                if not clean_str(key):
                    return ".".join(path) or "body"
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, str(i))) for i, item in reversed(list(enumerate(value))))
    return None


def multipart_problem(body: bytes, content_type: bytes) -> str | None:
    """A multipart/form-data body: the name of the first part whose name, file name or (for
    a field, not a file) value is not clean text. File contents are bytes: never checked."""
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        return None   # not a form Starlette can read: the route refuses it
    found: list[str] = []
    part = {"header": b"", "value": b"", "disposition": b"", "is_file": False, "data": bytearray()}

    def on_part_begin() -> None:
        part.update(disposition=b"", is_file=False, data=bytearray())

    def on_header_field(data: bytes, start: int, end: int) -> None:
        part["header"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        part["value"] += data[start:end]

    def on_header_end() -> None:
        if part["header"].lower() == b"content-disposition":
            part["disposition"] = part["value"]
        part.update(header=b"", value=b"")

    def on_headers_finished() -> None:
        part["is_file"] = b"filename" in parse_options_header(part["disposition"])[1]

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if not part["is_file"]:
            part["data"] += data[start:end]

    def on_part_end() -> None:
        _, params = parse_options_header(part["disposition"])
        name = params.get(b"name", b"")
        if not clean_bytes(name):
            found.append("form")
        elif not clean_bytes(params.get(b"filename", b"")) or not clean_bytes(bytes(part["data"])):
            found.append(name.decode() or "form")

    parser = MultipartParser(boundary, {
        "on_part_begin": on_part_begin, "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end, "on_headers_finished": on_headers_finished, "on_part_data": on_part_data,
        "on_part_end": on_part_end})
    try:
        parser.write(body)
        parser.finalize()
    except FormParserError:
        pass   # malformed: the route refuses it; report what was found before the fault
    return found[0] if found else None
