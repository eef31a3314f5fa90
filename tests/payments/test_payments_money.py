"""The money rules: fee split, deposits, refund split, payment state (exact Decimal, half-up)."""
from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from afrobiz.payments import money

amounts = st.decimals(min_value=D(0), max_value=D("99999999.99"), places=2)
percents = st.decimals(min_value=D(0), max_value=D(100), places=2)
fixeds = st.decimals(min_value=D(0), max_value=D(50), places=2)


@given(amounts, percents, fixeds)
def test_fee_plus_business_amount_is_always_the_amount_and_never_negative(amount, percent, fixed):
    s = money.split(amount, percent=percent, fixed=fixed)
    assert s.platform_fee + s.business_amount == s.amount == amount
    assert s.platform_fee >= 0 and s.business_amount >= 0
    assert s.platform_fee.as_tuple().exponent == -2 and s.business_amount.as_tuple().exponent == -2


def test_awkward_amounts_round_half_up_to_the_cent():
    # 3 × N$33.33 = N$99.99 at 2.5 %: 2.49975 → 2.50 (half-up), business 97.49.
    s = money.split(D("33.33") * 3, percent=D("2.5"))
    assert (s.amount, s.platform_fee, s.business_amount) == (D("99.99"), D("2.50"), D("97.49"))
    # Each 33.33 alone: 0.83325 → 0.83; three separate payments take 2.49 in fees.
    one = money.split(D("33.33"), percent=D("2.5"))
    assert (one.platform_fee, one.business_amount) == (D("0.83"), D("32.50"))
    # Exactly half a cent goes up: 5 % of 0.10 = 0.005 → 0.01.
    assert money.split(D("0.10"), percent=D(5)).platform_fee == D("0.01")
    # A fixed fee never takes more than the amount.
    assert money.split(D("1.00"), percent=D(5), fixed=D("2.00")) == money.Split(D("1.00"), D("1.00"), D("0.00"))


@pytest.mark.parametrize("kind,value,total,due", [
    ("none", None, "150.00", "0.00"),
    ("fixed", "50.00", "150.00", "50.00"),
    ("fixed", "500.00", "150.00", "150.00"),        # never more than the total
    ("percent", "50", "99.99", "50.00"),             # 49.995 → 50.00
    ("percent", "33.33", "100.00", "33.33"),
    ("full", None, "123.45", "123.45"),
])
def test_deposit_due(kind, value, total, due):
    assert money.deposit_due(D(total), kind, D(value) if value else None) == D(due)


@given(amounts.filter(lambda a: a > 0), percents, st.lists(st.integers(min_value=1, max_value=100), min_size=1,
                                                            max_size=6))
def test_refunds_never_exceed_the_payment_and_the_last_one_balances_exactly(amount, percent, weights):
    pay = money.split(amount, percent=percent)
    done = money.Split(D("0.00"), D("0.00"), D("0.00"))
    for w in weights:
        left = pay.amount - done.amount
        if left <= 0:
            break
        part = min(money.cents(amount * w / 100) or D("0.01"), left)
        r = money.refund_split(pay, refund=part, already_refunded=done)
        assert r.platform_fee + r.business_amount == r.amount and r.platform_fee >= 0 and r.business_amount >= 0
        done = money.Split(done.amount + r.amount, done.platform_fee + r.platform_fee,
                           done.business_amount + r.business_amount)
        assert done.platform_fee <= pay.platform_fee and done.business_amount <= pay.business_amount
    left = pay.amount - done.amount
    if left > 0:
        last = money.refund_split(pay, refund=left, already_refunded=done)
        done = money.Split(done.amount + last.amount, done.platform_fee + last.platform_fee,
                           done.business_amount + last.business_amount)
    assert done == pay  # fully refunded: every cent of fee and business share went back
    with pytest.raises(ValueError):
        money.refund_split(pay, refund=D("0.01"), already_refunded=done)


def test_three_refunds_of_a_third_balance_to_the_cent():
    pay = money.split(D("99.99"), percent=D("2.5"))          # fee 2.50, business 97.49
    done = money.Split(D(0), D(0), D(0))
    parts = []
    for _ in range(3):
        r = money.refund_split(pay, refund=D("33.33"), already_refunded=done)
        parts.append(r)
        done = money.Split(done.amount + r.amount, done.platform_fee + r.platform_fee,
                           done.business_amount + r.business_amount)
    assert [p.platform_fee for p in parts] == [D("0.83"), D("0.83"), D("0.84")]
    assert done == pay


@pytest.mark.parametrize("paid,refunded,state", [
    ("0", "0", "unpaid"), ("75.00", "0", "part_paid"), ("150.00", "0", "paid"),
    ("150.00", "150.00", "refunded"), ("150.00", "50.00", "part_paid")])
def test_payment_state(paid, refunded, state):
    assert money.payment_state(total=D("150.00"), paid=D(paid), refunded=D(refunded)) == state
