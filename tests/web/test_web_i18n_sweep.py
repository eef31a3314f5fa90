"""Every user-facing string in a template goes through gettext (issue 11 §4).

The templates are read as HTML with their Jinja parts taken out: whatever text with letters
is left (a text node, or a placeholder/title/aria-label/alt/meta description) was written
straight into the page and would stay English in every language. A new template is checked
as soon as it exists. ALLOWED lists the few texts that are the same in every language.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from afrobiz.web.templating import TEMPLATES_DIR, templates

# Text that is not prose: brand names, units and symbols read alike in every language.
ALLOWED = {"AfroBiz Connect", "N$", "km", "min", "CSV", "SVG", "NAD", "WhatsApp", "SMS",
           "E-mail", "e-mail", "ICS", ".ics",
           "business.", "site.banner_text"}     # placeholders showing a code to type
CHECKED_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if value and (name in CHECKED_ATTRIBUTES or (tag == "meta" and name == "content"
                                                         and dict(attrs).get("name") == "description")):
                self._check(f"{tag}[{name}]", value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._check("text", data)

    def _check(self, where, text):
        text = " ".join(text.split())
        if re.search(r"[A-Za-z]", text) and text not in ALLOWED:
            self.found.append(f"{where}: {text!r}")


def untranslated(source: str) -> list[str]:
    collector = _Collector()
    collector.feed(JINJA.sub("", source))
    collector.close()
    return collector.found


TEMPLATE_NAMES = sorted(str(p.relative_to(TEMPLATES_DIR)) for p in TEMPLATES_DIR.rglob("*.html"))


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_web_template_text_goes_through_gettext(name):
    source = (TEMPLATES_DIR / name).read_text()
    templates.env.parse(source)        # and it still compiles
    assert untranslated(source) == [], f"{name}: wrap these in {{{{ _(...) }}}}"


def test_web_sweep_check_catches_bare_text():
    assert untranslated('<p>Hello {{ name }}</p><input placeholder="Type here">') == [
        "text: 'Hello'", "input[placeholder]: 'Type here'"]
    assert untranslated('<p>{{ _("Hello %(n)s", n=name) }}</p><b>N$</b>') == []
