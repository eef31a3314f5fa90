"""Unit tests of the booking rules: the status machine per role, pricing, numbers, the .ics file."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from afrobiz.booking.ics import booking_ics
from afrobiz.booking.models import BookingStatus as S, Service
from afrobiz.booking.numbers import NUMBER_ALPHABET, new_booking_number
from afrobiz.booking.service import price_booking
from afrobiz.booking.status import Actor, TRANSITIONS, can_transition, cancellation_deadline

EXPECTED = {  # (old, new): roles that may make the move
    # The platform itself: a deposit paid confirms; expiry and an unpaid deposit cancel.
    (S.PENDING, S.CONFIRMED): {Actor.OWNER, Actor.ADMIN, Actor.SYSTEM},
    (S.PENDING, S.CANCELLED): {Actor.CUSTOMER, Actor.OWNER, Actor.ADMIN, Actor.SYSTEM},
    (S.CONFIRMED, S.IN_PROGRESS): {Actor.OWNER, Actor.ADMIN},
    (S.CONFIRMED, S.CANCELLED): {Actor.CUSTOMER, Actor.OWNER, Actor.ADMIN, Actor.SYSTEM},
    (S.CONFIRMED, S.NO_SHOW): {Actor.OWNER, Actor.ADMIN},
    (S.CONFIRMED, S.COMPLETED): {Actor.OWNER, Actor.ADMIN},
    (S.IN_PROGRESS, S.COMPLETED): {Actor.OWNER, Actor.ADMIN},
}


@pytest.mark.parametrize("old", list(S))
@pytest.mark.parametrize("new", list(S))
def test_every_transition_for_every_role(old, new):
    for actor in Actor:
        assert can_transition(actor, old, new) == (actor in EXPECTED.get((old, new), set())), (actor, old, new)


def test_final_states_have_no_way_out():
    assert all(not TRANSITIONS[s] for s in (S.COMPLETED, S.CANCELLED, S.NO_SHOW))


def test_cancellation_deadline():
    start = datetime(2030, 3, 1, 8, tzinfo=UTC)
    assert cancellation_deadline(start, 24) == datetime(2030, 2, 28, 8, tzinfo=UTC)
    assert cancellation_deadline(start, 0) == start


def _svc(price, per_person=False):
    return Service(price=price, price_per_person=per_person)


@pytest.mark.parametrize("price,per_person,guests,total", [
    (Decimal("150"), False, 1, "150.00"),
    (Decimal("150"), False, 4, "150.00"),      # per booking: guests do not multiply
    (Decimal("120.50"), True, 3, "361.50"),    # per person
    (None, False, 2, "0.00"),                  # price on request
    (Decimal("0.10"), True, 3, "0.30"),        # no float drift
])
def test_pricing(price, per_person, guests, total):
    p = price_booking(_svc(price, per_person), guests)
    assert str(p.total_amount) == total and p.total_amount == p.service_price


def test_fees_and_discount_never_go_below_zero():
    p = price_booking(_svc(Decimal("100")), 1, fees=Decimal("10"), discount=Decimal("500"))
    assert p.total_amount == Decimal("0.00") and p.additional_fees == Decimal("10.00")


def test_booking_numbers_are_short_unambiguous_and_distinct():
    numbers = {new_booking_number() for _ in range(5000)}
    assert len(numbers) == 5000
    assert all(re.fullmatch(r"AB-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}", n) for n in numbers)
    assert not set("01OIL") & set(NUMBER_ALPHABET)


def test_ics_is_valid_utc_and_folded():
    text = booking_ics(uid="u1", number="AB-2345ABCD", title="Knotless braids, long; " + "x" * 100,
                       starts_at=datetime(2030, 3, 1, 8, tzinfo=UTC), ends_at=datetime(2030, 3, 1, 12, tzinfo=UTC),
                       location="Studio, Windhoek", description="line1\nline2", status="confirmed",
                       now=datetime(2030, 1, 1, tzinfo=UTC))
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "DTSTART:20300301T080000Z" in lines and "DTEND:20300301T120000Z" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "SUMMARY:Knotless braids\\, long\\; " in text and "DESCRIPTION:line1\\nline2" in lines
