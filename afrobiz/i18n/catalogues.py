"""Keep the translation catalogues up to date: ``python -m afrobiz.i18n.catalogues [step]``.

Steps (default ``all`` = all three, in order):

* ``extract``: collect every gettext string of the templates and the Python code into
  ``afrobiz/i18n/messages.pot`` (``pybabel extract -F afrobiz/i18n/babel.cfg -k lazy_gettext``,
  plus the domain errors' messages: see ``ERROR_KEYWORDS``);
* ``update``: merge the template into ``locales/<lang>/LC_MESSAGES/messages.po`` for every
  language in ``afrobiz.i18n.LANGUAGES`` but English (new strings arrive untranslated, and an
  untranslated string shows in English);
* ``compile``: write the ``messages.mo`` files the app reads (committed with the ``.po``).

Run it from the project's root after changing user-facing text, then give the new entries
of the ``.po`` files to the translators. It is ``pybabel`` underneath, done through Babel's
API because ``pybabel init/update`` refuse a language Babel has no data for (Oshiwambo, ng).
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from afrobiz.i18n import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES, LOCALES_DIR

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
TEMPLATE = HERE / "messages.pot"
# Domain errors keep English text at their source (the API answers programs), and pages
# translate a message when they show it (afrobiz.i18n.translate_message): so the first
# argument of every ``raise InvalidInput("…")`` and kin is collected as well. A test
# (tests/web/test_web_i18n_py_sweep.py) keeps this list in step with the error classes.
ERROR_KEYWORDS = (
    "DomainError", "NotAuthenticated", "PermissionDenied", "NotFound", "Conflict", "InvalidInput", "RateLimited",
    "ServiceUnavailable", "Throttled", "ImageTooLarge", "UnsupportedImage", "ImageTooManyPixels", "SlotUnavailable",
    "TransitionNotAllowed", "CancellationDeadlinePassed", "IdempotencyMismatch", "AlreadyReviewed", "OwnBusiness",
    "AlreadyReported", "WebhookRejected", "PaymentConflict", "MethodUnavailable", "InvalidCredentials",
    "AccountSuspended", "AccountInactive", "WrongPassword", "InvalidToken")
# Plural rules for the languages Babel has no data for.
PLURAL_FORMS = {"ng": "nplurals=2; plural=(n != 1);"}


def po_path(lang: str) -> Path:
    return LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _new_catalog(lang: str) -> Catalog:
    try:
        Locale.parse(lang)
        return Catalog(locale=lang, domain=DOMAIN, project="AfroBiz Connect")
    except UnknownLocaleError:
        return Catalog(locale=None, domain=DOMAIN, project="AfroBiz Connect")    # header fixed in _write


def _read(path: Path, lang: str) -> Catalog:
    with path.open("rb") as f:
        try:
            return read_po(f, locale=lang, domain=DOMAIN)
        except UnknownLocaleError:
            f.seek(0)
            return read_po(f, domain=DOMAIN)


def _write(path: Path, catalog: Catalog, lang: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=100, sort_output=True, ignore_obsolete=True)
    if lang in PLURAL_FORMS:    # Babel has no data for it: write its header lines ourselves
        text = path.read_text(encoding="utf-8")
        if '"Language: ' not in text:
            text = text.replace('"MIME-Version: 1.0\\n"', f'"Language: {lang}\\n"\n"Plural-Forms: '
                                f'{PLURAL_FORMS[lang]}\\n"\n"MIME-Version: 1.0\\n"', 1)
        path.write_text(text, encoding="utf-8")


def extract() -> None:
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(HERE / "babel.cfg"), "-k", "lazy_gettext",
        *(arg for name in ERROR_KEYWORDS for arg in ("-k", name)), "--sort-output",
        "--no-location", "--project", "AfroBiz Connect", "-o", str(TEMPLATE), str(ROOT)])


def update() -> None:
    with TEMPLATE.open("rb") as f:
        template = read_po(f)
    for lang in LANGUAGES:
        if lang == DEFAULT_LANGUAGE:
            continue
        path = po_path(lang)
        catalog = _read(path, lang) if path.exists() else _new_catalog(lang)
        # No fuzzy guesses: Babel pairs new strings with unrelated old ones ("Card" → "reset").
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.fuzzy = False
        _write(path, catalog, lang)


def compile_catalogues() -> None:
    for lang in LANGUAGES:
        if lang == DEFAULT_LANGUAGE:
            continue
        catalog = _read(po_path(lang), lang)
        with po_path(lang).with_suffix(".mo").open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)


def main(argv: list[str]) -> None:
    step = argv[0] if argv else "all"
    steps = {"extract": [extract], "update": [update], "compile": [compile_catalogues],
             "all": [extract, update, compile_catalogues]}
    if step not in steps:
        raise SystemExit(f"usage: python -m afrobiz.i18n.catalogues [{'|'.join(steps)}]")
    for run in steps[step]:
        run()


if __name__ == "__main__":
    main(sys.argv[1:])
