"""Languages: which one a visitor reads, the translated strings, and Namibian formats.

* ``LANGUAGES`` are the ones we offer. English is complete; the Afrikaans, German and
  Oshiwambo (``ng``, ISO 639-1 for Oshindonga) catalogues under ``locales/`` fill in as
  translators go; an untranslated string falls back to English.
* The visitor's language is chosen once per request (``select_language``): the logged-in
  user's ``users.preferred_language``, else the ``lang`` cookie set by the footer's switcher,
  else the browser's Accept-Language, else English. It is kept on ``request.state.lang`` and in
  a context variable for the request's task, never on the shared Jinja environment, so two
  requests rendering at once never see each other's language.
* ``gettext``/``ngettext`` translate into the current language; ``lazy_gettext`` is for
  strings defined at import time (form errors, flash messages) and translates when shown.

Catalogues: see ``afrobiz/i18n/catalogues.py`` (``python -m afrobiz.i18n.catalogues``).
"""
from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache
from gettext import NullTranslations
from pathlib import Path

from babel.support import LazyProxy, Translations

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"
DEFAULT_LANGUAGE = "en"
# code → the language's own name (shown as such in the switcher: a reader looks for their own).
LANGUAGES: dict[str, str] = {"en": "English", "af": "Afrikaans", "de": "Deutsch", "ng": "Oshiwambo"}
COOKIE_NAME = "lang"

_current: ContextVar[str] = ContextVar("afrobiz_language", default=DEFAULT_LANGUAGE)


def normalise(code: str | None) -> str | None:
    """'de-DE' / 'de_NA' / 'DE' → 'de' when we offer it, else None."""
    if not code:
        return None
    base = code.strip().replace("_", "-").split("-")[0].lower()
    # Oshiwambo is written ng (Ndonga) or kj (Kwanyama); both read the one catalogue.
    base = {"kj": "ng"}.get(base, base)
    return base if base in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The best language we offer from an Accept-Language header (q-values respected)."""
    if not header:
        return None
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        code = normalise(tag)
        if code and quality > 0:
            choices.append((-quality, position, code))
    return min(choices)[2] if choices else None


def select_language(request, preferred: str | None = None) -> str:
    """The language for this request, and make it current (see the module's docstring)."""
    lang = normalise(preferred) \
        or normalise(request.cookies.get(COOKIE_NAME)) \
        or from_accept_language(request.headers.get("accept-language")) \
        or DEFAULT_LANGUAGE
    request.state.lang = lang
    _current.set(lang)
    return lang


def request_language(request) -> str:
    """The request's language, choosing it from cookie/header if no page dependency did."""
    if request is None:
        return _current.get()
    lang = getattr(request.state, "lang", None)
    return lang if lang is not None else select_language(request)


def set_language(lang: str) -> None:
    """Make ``lang`` current for this task (the worker uses it for a recipient's language)."""
    _current.set(normalise(lang) or DEFAULT_LANGUAGE)


def current_language() -> str:
    return _current.get()


@lru_cache(maxsize=None)
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue for ``lang`` (English: none needed, the originals are English)."""
    if lang == DEFAULT_LANGUAGE:
        return NullTranslations()
    return Translations.load(str(LOCALES_DIR), [lang], domain=DOMAIN)


def gettext(message: str, lang: str | None = None) -> str:
    return translations(lang or _current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int, lang: str | None = None) -> str:
    return translations(lang or _current.get()).ngettext(singular, plural, n)


def lazy_gettext(message: str) -> LazyProxy:
    """A string translated when it is shown, in the language current then."""
    return LazyProxy(gettext, message, enable_cache=False)


_ = gettext


def N_(message: str) -> str:
    """Marks a string for the catalogue without translating it (it is translated where shown)."""
    return message


def translate_message(message, lang: str | None = None) -> str:
    """A message made elsewhere (a domain error's English detail), in the reader's language.

    Domain errors stay English at their source: the API's problem+json is read by programs
    and its tests assert the English text. The catalogue still holds their messages
    (``catalogues.py`` extracts every ``raise InvalidInput("…")`` and kin), so a page looks the
    text up when it shows it; unknown text (made from data) stays as it is. A trailing machine
    code such as " (full)" is kept and the sentence before it translated.
    """
    if message is None:
        return ""
    text = str(message)
    if not text.strip():
        return text            # gettext("") would answer the catalogue's header
    catalogue = translations(lang or _current.get())
    found = catalogue.gettext(text)
    if found is text or found == text:
        head, sep, code = text.rpartition(" (")
        if sep and head and code.endswith(")") and code[:-1].replace("_", "").isalnum():
            return f"{catalogue.gettext(head)} ({code}"
    return found
