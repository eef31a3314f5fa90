"""Errors on pages: an HTML page in the layout, with the right status, never a trace; and the
messages of refused forms, in the reader's language.

Domain errors and the app's handlers speak English (the API's problem+json is for programs).
A page translates when it shows: ``error_page`` looks its title and detail up in the
catalogue, ``domain_errors``/``validation_errors`` turn a refusal into translated field
messages. Text the catalogue does not know (made from data) is shown as it is.
"""
from __future__ import annotations

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from afrobiz.errors import DomainError
from afrobiz.i18n import N_, gettext, request_language, translate_message
from afrobiz.web.templating import templates

# English text made outside a gettext call, listed so it reaches the catalogue: the error
# kinds' titles, the app's own error pages (afrobiz/app.py), messages built in error classes'
# constructors and the slot reasons (afrobiz/booking/errors.py). A guard test keeps the titles
# and reasons in step (tests/web/test_web_i18n_py_sweep.py).
KNOWN_MESSAGES = (
    N_("Bad request"), N_("Not authenticated"), N_("Permission denied"), N_("Not found"), N_("Conflict"),
    N_("Invalid input"), N_("Too many requests"), N_("Service unavailable"), N_("Slot unavailable"),
    N_("Status change not allowed"), N_("Cancellation deadline passed"), N_("Idempotency-Key reused"),
    N_("Payload too large"), N_("Unsupported media type"), N_("Already reviewed"),
    N_("Cannot review your own business"), N_("Already reported"), N_("Webhook rejected"),
    N_("Payment not possible"), N_("Payment method unavailable"), N_("Account suspended"), N_("Account closed"),
    N_("Page not found"), N_("Something is not right"), N_("Please check what you entered"),
    N_("We are briefly unavailable"), N_("Please try again in a minute."), N_("Something went wrong"),
    N_("It has been logged. Please try again."), N_("Not Found"), N_("Method Not Allowed"),
    N_("Your account may not open this page."),
    N_("This form has expired or did not come from this site. Please go back, reload the page and try again."),
    N_("Too many attempts. Please wait and try again."), N_("The e-mail address or password is not correct."),
    N_("The password is not correct."), N_("This link is invalid, has expired or was already used."),
    N_("That time is outside the service's hours."), N_("That time is not one of the offered slot times."),
    N_("That time is too soon: this service must be booked further ahead."),
    N_("That time is too far ahead: this service cannot be booked that early."),
    N_("The business is closed on that day."), N_("That slot has just been taken. Please pick another time."),
    N_("Write the date as YYYY-MM-DD."), N_("Contains characters that are not allowed."),
    N_("Use a date from 1900-01-01 to 2100-12-31."),   # afrobiz/kit/dates.py
    N_("an e-mail or a phone number is needed"),
)

# Pydantic's own messages by error type (its English text names types and limits).
_VALIDATION = {
    "missing": N_("Fill in this field."),
    "string_too_short": N_("This is too short: at least %(min_length)s characters."),
    "string_too_long": N_("This is too long: at most %(max_length)s characters."),
    "int_parsing": N_("Enter a whole number."), "int_from_float": N_("Enter a whole number."),
    "float_parsing": N_("Enter a number."), "decimal_parsing": N_("Enter a number."),
    "date_parsing": N_("Write the date as YYYY-MM-DD."), "date_from_datetime_parsing": N_("Write the date as YYYY-MM-DD."),
    "time_parsing": N_("Use times like 08:00 or 17:30."),
    "enum": N_("Choose one of the options."), "literal_error": N_("Choose one of the options."),
    "uuid_parsing": N_("Choose one of the options."),
    "greater_than_equal": N_("Enter %(ge)s or more."), "greater_than": N_("Enter more than %(gt)s."),
    "less_than_equal": N_("Enter %(le)s or less."), "less_than": N_("Enter less than %(lt)s."),
    "url_parsing": N_("Enter a web address like https://example.na."),
}


def message(text) -> str:  # noqa: ANN001
    """A domain message in the reader's language (see afrobiz.i18n.translate_message)."""
    return translate_message(text)


def validation_message(err: dict) -> str:
    """One pydantic error as a reader's sentence: ours from the validator, else by its type."""
    if err.get("type") == "value_error":
        return translate_message(str(err.get("msg", "")).removeprefix("Value error, "))
    known = _VALIDATION.get(str(err.get("type")))
    if known is None:
        return translate_message(str(err.get("msg", "")))
    try:
        return gettext(known) % {k: v for k, v in (err.get("ctx") or {}).items()}
    except (KeyError, TypeError, ValueError):
        return gettext(known)


def domain_errors(exc: DomainError) -> dict[str, str]:
    """A refusal as {field: message}, or {"form": detail} when it names no field; translated."""
    return {e["field"]: translate_message(e["message"]) for e in exc.errors} or {"form": translate_message(exc.detail)}


def validation_errors(exc: ValidationError, *, whole_path: bool = True) -> dict[str, str]:
    """Pydantic's errors as {field: message} (field = "a.b" path, or its first part), translated."""
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        field = (".".join(loc) if whole_path else (loc[0] if loc else "")) or "form"
        out.setdefault(field, validation_message(err))
    return out


def error_page(request: Request, status: int, title: str, detail: str,
               headers: dict[str, str] | None = None) -> Response:
    lang = request_language(request)
    return templates.TemplateResponse(request, "error.html", {
        "title": translate_message(title, lang), "detail": translate_message(detail, lang)},
        status_code=status, headers=headers)
