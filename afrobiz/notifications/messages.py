"""Message wording in one place: short, plain, Namibian-friendly; times in Africa/Windhoek,
money as N$. Used by notify()'s channels and by the booking messages the worker sends."""
from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

WINDHOEK = ZoneInfo("Africa/Windhoek")
SMS_LIMIT = 160

# The GSM 03.38 basic alphabet: text made only of these fits 160 characters per SMS.
GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
           "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_REPLACE = {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "•": "-",
            "\u00a0": " ", "€": "EUR", "\t": " "}


@dataclass(frozen=True)
class Message:
    title: str
    message: str
    data: dict


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
    try:
        from afrobiz.i18n import gettext as i18n_gettext, normalise
    except ImportError:                      # no i18n layer: the English originals
        return lambda message: message
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


# ---------------------------------------------------------------- booking messages


def booking_reminder(*, number: str, business: str, service: str | None, day: date, at: time,
                     lead_hours: int) -> Message:
    what = f"{service} at {business}" if service else business
    soon = "tomorrow" if lead_hours >= 12 else "soon"
    return Message(
        title=f"Reminder: {business} {soon}",
        message=f"Just a reminder: {what}, {when(day, at)}. Booking {number}. "
                f"Can't make it? Please cancel so someone else can take the slot.",
        data={"booking_number": number, "kind": "reminder", "lead_hours": lead_hours},
    )


def booking_follow_up(*, number: str, business: str, review_url: str) -> Message:
    return Message(
        title=f"How was {business}?",
        message=f"Thank you for visiting {business}. Tell others how it went - it takes one minute: "
                f"{review_url}",
        data={"booking_number": number, "kind": "follow_up", "url": review_url},
    )


def booking_expired(*, number: str, business: str, day: date, at: time, for_owner: bool) -> Message:
    if for_owner:
        return Message(
            title=f"Booking {number} lapsed",
            message=f"Booking {number} for {when(day, at)} was not confirmed in time and has been "
                    f"cancelled. Please answer new bookings quickly.",
            data={"booking_number": number, "kind": "expired"},
        )
    return Message(
        title=f"{business} did not confirm",
        message=f"Sorry, {business} did not confirm your booking {number} for {when(day, at)} in time, "
                f"so it has been cancelled. You have not been charged. Try another time or business.",
        data={"booking_number": number, "kind": "expired"},
    )
