"""The words of two-way SMS about bookings (issue 8, §6): what an owner or a customer may
text, and the line that tells an owner how to answer. booking/flows.py acts on them.

* `YES <code>` / `NO <code>` from the business owner's verified phone: confirm / decline a
  pending booking;
* `C <code>` from the customer's number: cancel within the service's cancellation rules.

The code is the booking number, with or without "AB-", any case.
"""
from __future__ import annotations

from dataclasses import dataclass

from afrobiz.booking.numbers import read_number

COMMANDS = {"YES": "confirm", "Y": "confirm", "NO": "decline", "N": "decline", "C": "cancel", "CANCEL": "cancel"}

HELP = ("AfroBiz: reply YES <code> to confirm or NO <code> to decline a new booking, "
        "C <code> to cancel yours. The code is the booking number.")


@dataclass(frozen=True)
class Command:
    action: str        # confirm | decline | cancel
    number: str        # AB-XXXXXXXX


def parse_command(text: str) -> Command | None:
    """'yes ab-7k2m9pqr', 'NO AB7K2M9PQR', 'c 7K2M9PQR' → Command; anything else → None."""
    words = text.strip().upper().split()
    if len(words) < 2 or words[0] not in COMMANDS:
        return None
    number = read_number("".join(words[1:]))
    return Command(COMMANDS[words[0]], number) if number else None


def reply_hint(number: str) -> str:
    """The line the new-booking SMS to an owner ends with (when texts can be answered)."""
    code = number.replace("-", "")
    return f"Reply YES {code} to confirm, NO {code} to decline"
