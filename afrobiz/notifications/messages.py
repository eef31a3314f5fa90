"""How a message reads on each channel: short, plain, Namibian-friendly; times in
Africa/Windhoek, money as N$; one GSM-7 SMS; the e-mail around a notification's text.
What a message says is the sending domain's (e.g. booking/messages.py)."""
from __future__ import annotations

import html
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from afrobiz.i18n import gettext as i18n_gettext, normalise

WINDHOEK = ZoneInfo("Africa/Windhoek")
SMS_LIMIT = 160

# The GSM 03.38 basic alphabet: text made only of these fits 160 characters per SMS.
GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
           "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_REPLACE = {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "•": "-",
            "\u00a0": " ", "€": "EUR", "\t": " "}


def money(amount: Decimal | int | float | str | None, currency: str = "NAD") -> str:
    """N$1,250.00 for Namibian dollars; other currencies keep their code."""
    value = Decimal(str(amount or 0)).quantize(Decimal("0.01"))
    return f"N${value:,.2f}" if currency == "NAD" else f"{currency} {value:,.2f}"


def local_time(moment: datetime) -> datetime:
    return moment.astimezone(WINDHOEK)


def when(day: date, at: time) -> str:
    """'Sat 14 Jun at 10:00' (the booking's own local date and time)."""
    return f"{day:%a} {day.day} {day:%b} at {at:%H:%M}"


def when_local(moment: datetime) -> str:
    moment = local_time(moment)
    return when(moment.date(), moment.time())


def gsm7(text: str) -> str:
    """Text an ordinary phone shows as sent: accents folded, curly quotes straightened,
    anything outside the GSM-7 alphabet dropped (one SMS segment holds 160 of these)."""
    out = []
    for ch in text:
        ch = _REPLACE.get(ch, ch)
        if all(c in GSM7 for c in ch):
            out.append(ch)
            continue
        folded = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
        out.append("".join(c for c in folded if c in GSM7))
    return " ".join("".join(out).split())


def sms_text(title: str, message: str, *, suffix: str = "") -> str:
    """One GSM-7 segment: 'Title: message', shortened with '...' when it would not fit."""
    body = gsm7(f"{title}: {message}" if title else message)
    suffix = gsm7(suffix)
    room = SMS_LIMIT - (len(suffix) + 1 if suffix else 0)
    if len(body) > room:
        cut = body[: room - 3]
        # End on a whole word when one ends reasonably near the limit.
        if " " in cut[-20:]:
            cut = cut.rsplit(" ", 1)[0]
        body = cut.rstrip(" ,;:-.") + "..."
    return f"{body} {suffix}" if suffix else body


def translator(lang: str | None):
    """gettext for one recipient's language (the i18n layer's catalogues; English originals
    where there is no translation). E-mail strings are marked `_("...")` for extraction."""
    code = normalise(lang) or "en"           # a language we offer, else English
    return lambda message: i18n_gettext(message, code)


def email_bodies(*, first_name: str | None, title: str, message: str, link: str | None,
                 settings_link: str, opt_out: bool, lang: str | None = None,
                 attachment_note: str | None = None, guest: bool = False) -> tuple[str, str]:
    """(plain text, simple HTML) of one notification e-mail, in the reader's language where
    the catalogue has it (the notification's own title and message stay as written).
    guest=True: the reader has no account; settings_link is then their booking's page."""
    _ = translator(lang)
    greeting = _("Hello %(name)s,") % {"name": first_name} if first_name else _("Hello,")
    footer = _("You get this because you have an AfroBiz Connect account. "
               "Choose which messages you get here:")
    if guest:
        footer = _("You get this because this address was given for a booking on AfroBiz Connect. "
                   "Your booking:")
    elif opt_out:
        footer = _("You agreed to news and offers from AfroBiz Connect. "
                   "To stop them, switch off 'Marketing' here:")
    open_it = _("Open it here")
    regards, team = _("Kind regards,"), _("The AfroBiz Connect team")
    calendar = None            # attachment_note: the booking's .ics is attached ("booked" / "cancelled")
    if attachment_note == "cancelled":
        calendar = _("The attached booking.ics marks the booking as cancelled in your calendar.")
    elif attachment_note:
        calendar = _("The attached booking.ics adds the booking to your calendar.")
    lines = [greeting, "", message]
    if link:
        lines += ["", f"{open_it}: {link}"]
    if calendar:
        lines += ["", calendar]
    lines += ["", regards, team, "", "--", f"{footer} {settings_link}"]
    plain = "\n".join(lines) + "\n"
    e = html.escape
    parts = [f"<p>{e(greeting)}</p>", f"<p>{e(message)}</p>"]
    if link:
        parts.append(f'<p><a href="{e(link)}">{e(open_it)}</a></p>')
    if calendar:
        parts.append(f"<p>{e(calendar)}</p>")
    parts.append(f"<p>{e(regards)}<br>{e(team)}</p>")
    parts.append(f'<hr><p style="font-size:small;color:#444">{e(footer)} '
                 f'<a href="{e(settings_link)}">{e(settings_link)}</a></p>')
    page = (f'<!doctype html><html lang="{e(lang or "en")}"><head><meta charset="utf-8"><title>{e(title)}</title></head>'
            f'<body style="font-family:sans-serif;line-height:1.5">{"".join(parts)}</body></html>')
    return plain, page
