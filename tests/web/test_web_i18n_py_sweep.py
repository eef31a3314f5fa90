"""Python-side text of the pages goes through gettext, and domain messages are translated
where a page shows them (the API keeps them English).

The sweep reads afrobiz/web/pages/*.py (AST) and fails on text a visitor would read that
skips gettext: a literal or f-string given to a user-facing sink (``error=``, ``title=``,
``message=``, ``link=``, ``label=``; dict entries with those keys; ``errors[...] = …``;
the values of ``errors``/``labels`` dicts), and a domain message (``exc.detail``,
``e["message"]``, pydantic's ``e["msg"]``) used without the translating helpers.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from babel.messages.pofile import read_po

import afrobiz.app  # noqa: F401  (loads every router, hence every domain error class)
from afrobiz import i18n
from afrobiz.booking import errors as booking_errors
from afrobiz.errors import DomainError
from afrobiz.i18n import catalogues
from afrobiz.web import errors as web_errors

PAGES = Path(__file__).resolve().parents[2] / "afrobiz" / "web" / "pages"
SINK_NAMES = {"error", "title", "message", "detail", "notice", "label", "link", "errors", "labels"}
# Calls whose arguments are translated (or are marked for the catalogue).
WRAPPERS = {"gettext", "ngettext", "lazy_gettext", "_", "N_", "message", "translate_message", "validation_message",
            "domain_errors", "validation_errors", "_message", "format_day", "format_moment", "weekday_name"}
# Domain errors raised in pages: their literal message is extracted (catalogues.ERROR_KEYWORDS)
# and translated by the error page, so a literal is fine there; an f-string is not.
RAISES = set(catalogues.ERROR_KEYWORDS)
# (file, text) pairs that look like prose but are not shown as such.
ALLOWED = {
    ("home.py", "your location"),      # a marker the template compares, shown via _("… your location")
}


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _is_prose(text: str) -> bool:
    """Text a person reads: words with a space, a capital, or a sentence's end (not a path, a code or a key)."""
    if not re.search(r"[A-Za-z]", text) or text.startswith(("/", "#", "http", "?", "&")):
        return False
    return " " in text.strip() or text[:1].isupper() or text.rstrip().endswith((".", "!", "?", ":"))


def _unwrapped(node: ast.AST, file: str) -> list[str]:
    """Untranslated text inside an expression that reaches a visitor (stops at wrapper calls)."""
    if isinstance(node, ast.Call):
        if _name(node.func) in WRAPPERS:
            return []
        return [p for arg in [*node.args, *(k.value for k in node.keywords)] for p in _unwrapped(arg, file)] \
            if _name(node.func) in ("dict", "str") else []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if _is_prose(node.value) and (file, node.value) not in ALLOWED else []
    if isinstance(node, ast.JoinedStr):
        literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        return [f"f-string {literal!r}"] if _is_prose(literal) else []
    if isinstance(node, ast.Dict):
        return [p for v in node.values for p in _unwrapped(v, file)]
    if isinstance(node, ast.DictComp):
        return _unwrapped(node.value, file)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [p for e in node.elts for p in _unwrapped(e, file)]
    if isinstance(node, ast.IfExp):
        return _unwrapped(node.body, file) + _unwrapped(node.orelse, file)
    if isinstance(node, ast.BoolOp):
        return [p for v in node.values for p in _unwrapped(v, file)]
    if isinstance(node, ast.BinOp):
        return _unwrapped(node.left, file) + _unwrapped(node.right, file)
    return []


def _domain_text(node: ast.AST) -> bool:
    """exc.detail, exc.title, e["message"], err["msg"]: English text made by a domain."""
    if isinstance(node, ast.Attribute) and node.attr == "detail":
        return True
    if isinstance(node, ast.Attribute) and node.attr == "title" and isinstance(node.value, ast.Name) \
            and node.value.id in ("exc", "error", "err", "refusal"):
        return True
    return isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
        and node.slice.value in ("message", "msg")


def _inside_wrapper(tree: ast.AST) -> set[int]:
    """ids of every node under a translating call."""
    covered: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) in WRAPPERS:
            covered.update(id(n) for arg in [*node.args, *(k.value for k in node.keywords)] for n in ast.walk(arg))
    return covered


def sweep(path: Path) -> list[str]:
    file, tree = path.name, ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []

    def report(node: ast.AST, what: str) -> None:
        found.append(f"{file}:{node.lineno}: {what}")

    covered = _inside_wrapper(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg in SINK_NAMES:
                    for text in _unwrapped(kw.value, file):
                        report(node, f"{kw.arg}= {text!r}")
            if _name(node.func) in RAISES and node.args and isinstance(node.args[0], ast.JoinedStr):
                report(node, f"{_name(node.func)}(f-string): not extractable; use gettext(...) % {{...}}")
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value in SINK_NAMES:
                    for text in _unwrapped(value, file):
                        report(node, f"{key.value!r}: {text!r}")
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                name = _name(target.value) if isinstance(target, ast.Subscript) else _name(target)
                if name.lower() in SINK_NAMES or name.lower().endswith(("errors", "labels")):
                    value = node.value
                    if isinstance(target, ast.Name) and isinstance(value, ast.Dict) or isinstance(target, ast.Subscript):
                        for text in _unwrapped(value, file) if value is not None else []:
                            report(node, f"{name} = {text!r}")
        if _domain_text(node) and id(node) not in covered and isinstance(getattr(node, "ctx", None), ast.Load):
            report(node, f"domain text {ast.unparse(node)} shown without message()/domain_errors()")
    return found


def test_web_i18n_py_pages_send_visible_text_through_gettext():
    problems = [p for path in sorted(PAGES.glob("*.py")) for p in sweep(path)]
    assert not problems, "untranslated text in page code:\n" + "\n".join(problems)


def test_web_i18n_py_sweep_catches_what_it_should(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        'def f(exc, e, name):\n'
        '    errors = {}\n'
        '    errors["q"] = "Enter a number."\n'
        '    render(error="Choose how you want to pay.", title=gettext("Fine"))\n'
        '    ctx = {"message": exc.detail, "link": ("/login", "Log in"), "code": "amount"}\n'
        '    bar_chart([], title="Revenue per day")\n'
        '    raise InvalidInput(f"Write {name} like 09:00.", field="x")\n'
        '    ok = {e["field"]: message(e["message"]) for e in exc.errors}\n'
        '    fine = gettext("Hello %(n)s") % {"n": name}\n')
    problems = sweep(sample)
    text = "\n".join(problems)
    for caught in ("Enter a number.", "Choose how you want to pay.", "exc.detail", "Log in", "Revenue per day",
                   "f-string"):
        assert caught in text, caught
    assert "Fine" not in text and "amount" not in text and "Hello" not in text and len(problems) == 6


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_web_i18n_py_every_domain_error_is_extracted_and_titled():
    """A new error class must join catalogues.ERROR_KEYWORDS (its messages reach the catalogue)
    and its title must be in web/errors.KNOWN_MESSAGES (error pages translate it)."""
    classes = {c for c in _all_subclasses(DomainError) if c.__module__.startswith("afrobiz.")}
    missing = sorted(c.__name__ for c in classes if c.__name__ not in catalogues.ERROR_KEYWORDS)
    assert not missing, f"add to afrobiz/i18n/catalogues.py ERROR_KEYWORDS: {missing}"
    titles = {c.title for c in classes | {DomainError}}
    assert not titles - set(web_errors.KNOWN_MESSAGES), titles - set(web_errors.KNOWN_MESSAGES)
    reasons = set(booking_errors._REASONS.values())
    assert not reasons - set(web_errors.KNOWN_MESSAGES), reasons - set(web_errors.KNOWN_MESSAGES)


def test_web_i18n_py_catalogue_holds_page_and_domain_messages():
    with catalogues.TEMPLATE.open("rb") as f:
        ids = {m.id for m in read_po(f) if m.id}
    for text in ("Choose how you want to pay.", "Enter a number.", "Revenue per week", "Mobile money (e-wallet)",
                 "There is no such category.", "No booking with that number.", "Page not found",
                 "That slot has just been taken. Please pick another time.", *web_errors.KNOWN_MESSAGES):
        assert text in ids, text


def test_web_i18n_py_translate_message_falls_back_and_keeps_codes():
    assert i18n.translate_message("Enter a number.", "de") == "Geben Sie eine Zahl ein."
    assert i18n.translate_message("Made from data: 42", "de") == "Made from data: 42"
    assert i18n.translate_message("", "de") == "" and i18n.translate_message(None, "de") == ""
    assert i18n.translate_message("That slot has just been taken. Please pick another time. (full)", "de") == \
        "Dieser Termin wurde gerade vergeben. Bitte wählen Sie eine andere Zeit. (full)"
    assert i18n.translate_message("Enter a number.", "en") == "Enter a number."


async def test_web_i18n_py_form_error_is_in_the_visitors_language(client):
    r = await client.get("/search", params={"near": "Atlantis"}, headers={"Accept-Language": "de"})
    assert r.status_code == 422 and "Wählen Sie einen Ort aus der Liste oder verwenden Sie Ihren Standort." in r.text
    r = await client.get("/search", params={"near": "Atlantis"}, headers={"Cookie": "lang=af"})
    assert "Kies &#39;n dorp uit die lys, of gebruik jou ligging." in r.text or \
        "Kies 'n dorp uit die lys, of gebruik jou ligging." in r.text
    r = await client.get("/search", params={"near": "Atlantis"})
    assert "Choose a town from the list, or use your location." in r.text


async def test_web_i18n_py_domain_error_page_is_translated_but_the_api_stays_english(client):
    page = await client.get("/categories/no-such-category", headers={"Accept-Language": "de"})
    assert page.status_code == 404 and "<h1>Nicht gefunden</h1>" in page.text
    api = await client.get("/api/v1/categories/no-such-category", headers={"Accept-Language": "de"})
    if api.status_code == 404 and api.headers["content-type"].startswith("application/problem+json"):
        assert api.json()["title"] == "Not found"


async def test_web_i18n_py_login_refusal_in_german(client):
    form = (await client.get("/login", headers={"Accept-Language": "de"})).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    r = await client.post("/login", data={"email": "nobody@example.na", "password": "wrong-password-1",
                                          "csrf_token": token}, headers={"Accept-Language": "de"})
    assert r.status_code in (401, 422, 429)
    assert "Die E-Mail-Adresse oder das Passwort ist nicht korrekt." in r.text or r.status_code == 429
