"""POST/GET /bookings/{id}/payments, mark-received, refund: amounts, rules, authorization."""
from __future__ import annotations

from decimal import Decimal as D

from factories.payments import create_payment, set_deposit
from sqlalchemy import select

from afrobiz.admin.models import AuditLog, SystemSetting
from afrobiz.booking.models import Booking
from afrobiz.notifications.models import Notification
from afrobiz.payments import providers


def url(booking):
    return f"/api/v1/bookings/{booking.id}/payments"


async def test_bank_transfer_gives_details_a_unique_reference_and_an_exact_split(client, login, customer, booking):
    r = await client.post(url(booking), json={"payment_method": "bank_transfer"}, headers=await login(customer))
    assert r.status_code == 201, r.text
    p = r.json()
    assert (p["status"], p["amount"], p["platform_fee"], p["business_amount"], p["currency"]) == (
        "pending", "150.00", "7.50", "142.50", "NAD")
    step = p["next_step"]
    assert step["action"] == "bank_transfer" and step["reference"] == p["reference"]
    assert p["reference"].startswith("PAY-") and step["bank"]["account_number"] == "8001234567"


async def test_fee_comes_from_system_settings(client, login, db, customer, booking):
    db.add(SystemSetting(key="payments.platform_fee_percent", value="2.5", data_type="decimal"))
    booking.total_amount = D("99.99")
    await db.flush()
    r = await client.post(url(booking), json={"payment_method": "cash"}, headers=await login(customer))
    assert (r.json()["platform_fee"], r.json()["business_amount"]) == ("2.50", "97.49")


async def test_a_second_payment_while_one_is_pending_is_409_and_nothing_owed_is_409(client, login, db, customer,
                                                                                    booking):
    h = await login(customer)
    assert (await client.post(url(booking), json={"payment_method": "cash"}, headers=h)).status_code == 201
    again = await client.post(url(booking), json={"payment_method": "bank_transfer"}, headers=h)
    assert again.status_code == 409 and again.headers["content-type"] == "application/problem+json"
    listed = (await client.get(url(booking), headers=h)).json()["items"]
    assert [p["payment_method"] for p in listed] == ["cash"]


async def test_nothing_owed_is_409(client, login, db, customer, booking):
    await create_payment(db, booking=booking, amount="150.00", status="completed")
    r = await client.post(url(booking), json={"payment_method": "bank_transfer"}, headers=await login(customer))
    assert r.status_code == 409 and "Nothing is owed" in r.json()["detail"]


async def test_unconfigured_methods_are_hidden_and_refused(client, login, db, app, customer, booking, business):
    app.state.settings.stripe_secret_key = None
    app.state.settings.mobile_money_url = None
    business.settings = {}
    await db.flush()
    h = await login(customer)
    listed = await client.get(url(booking), headers=h)
    assert listed.json()["available_methods"] == ["cash"]
    for method in ("card", "mobile_money", "bank_transfer"):
        r = await client.post(url(booking), json={"payment_method": method}, headers=h)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "payment_method", method


async def test_a_deposit_service_asks_the_deposit_first_and_hides_cash(client, login, db, customer, booking, service):
    await set_deposit(db, service, "percent", D(50))
    h = await login(customer)
    listed = await client.get(url(booking), headers=h)
    assert "cash" not in listed.json()["available_methods"]
    assert listed.json()["ledger"]["deposit_required"] == "75.00" and listed.json()["ledger"]["state"] == "unpaid"
    r = await client.post(url(booking), json={"payment_method": "bank_transfer"}, headers=h)
    assert r.json()["amount"] == "75.00"


async def test_authorization_matrix(client, login, db, customer, stranger, owner, admin, booking):
    body = {"payment_method": "bank_transfer"}
    assert (await client.post(url(booking), json=body)).status_code == 401
    assert (await client.post(url(booking), json=body, headers=await login(stranger))).status_code == 404
    assert (await client.get(url(booking), headers=await login(stranger))).status_code == 404
    assert (await client.post(url(booking), json=body, headers=await login(owner))).status_code == 403
    created = await client.post(url(booking), json=body, headers=await login(customer))
    pid = created.json()["id"]
    # The owner and an admin see it, without the payer's next step.
    for who in (owner, admin):
        seen = await client.get(url(booking), headers=await login(who))
        assert seen.status_code == 200 and seen.json()["items"][0]["id"] == pid
        assert seen.json()["items"][0]["next_step"] is None
    # Only the business's owner or an admin may mark received or refund.
    mark = f"/api/v1/payments/{pid}/mark-received"
    assert (await client.post(mark, json={"amount_received": "150.00"},
                              headers=await login(customer))).status_code == 403
    other_owner = await _other_owner(db)
    assert (await client.post(mark, json={"amount_received": "150.00"},
                              headers=await login(other_owner))).status_code == 404


async def _other_owner(db):
    from factories.accounts import create_user

    return await create_user(db, role="business_owner")


async def test_owner_marks_a_transfer_received_confirms_nothing_without_deposit_and_notifies(
        client, login, db, customer, owner, booking):
    created = await client.post(url(booking), json={"payment_method": "bank_transfer"}, headers=await login(customer))
    pid = created.json()["id"]
    too_much = await client.post(f"/api/v1/payments/{pid}/mark-received", json={"amount_received": "150.01"},
                                 headers=await login(owner))
    assert too_much.status_code == 422 and too_much.json()["errors"][0]["field"] == "amount_received"
    r = await client.post(f"/api/v1/payments/{pid}/mark-received", json={"amount_received": "100.00"},
                          headers=await login(owner))
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["amount"], r.json()["platform_fee"]) == ("completed", "100.00", "5.00")
    ledger = (await client.get(url(booking), headers=await login(customer))).json()["ledger"]
    assert ledger["state"] == "part_paid" and ledger["balance_due"] == "50.00"
    assert D(ledger["platform_fee"]) + D(ledger["business_amount"]) == D(ledger["net"])
    kinds = (await db.scalars(select(Notification.type).where(Notification.user_id.in_([owner.id, customer.id])))).all()
    assert kinds.count("payment_received") == 2
    audit = (await db.scalars(select(AuditLog).where(AuditLog.record_id == booking.id.__class__(pid)))).all()
    assert [a.action for a in audit] == ["payment.mark_received"] and audit[0].user_id == owner.id
    assert (await db.get(Booking, booking.id)).status == "pending"  # no deposit asked: the owner decides


async def test_paying_the_deposit_confirms_a_pending_booking(client, login, db, customer, owner, booking, service):
    await set_deposit(db, service, "fixed", D("40.00"))
    created = await client.post(url(booking), json={"payment_method": "bank_transfer"}, headers=await login(customer))
    assert created.json()["amount"] == "40.00"
    r = await client.post(f"/api/v1/payments/{created.json()['id']}/mark-received", json={"amount_received": "40.00"},
                          headers=await login(owner))
    assert r.status_code == 200
    await db.refresh(booking)
    assert booking.status == "confirmed" and booking.confirmed_at is not None
    # The balance may now be paid.
    rest = await client.post(url(booking), json={"payment_method": "bank_transfer"}, headers=await login(customer))
    assert rest.status_code == 201 and rest.json()["amount"] == "110.00"


async def test_refunds_partial_then_full_never_more_than_paid(client, login, db, owner, admin, customer, booking):
    p = await create_payment(db, booking=booking, amount="99.99", percent=D("2.5"))
    h = await login(owner)
    refund = f"/api/v1/payments/{p.id}/refund"
    r = await client.post(refund, json={"amount": "33.33", "reason": "Shorter session"}, headers=h)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["refund_state"], r.json()["refunded_amount"]) == (
        "completed", "partial", "33.33")
    over = await client.post(refund, json={"amount": "66.67"}, headers=h)
    assert over.status_code == 422 and "66.66" in over.json()["detail"]
    assert (await client.post(refund, json={"amount": "33.33"}, headers=await login(admin))).status_code == 200
    full = await client.post(refund, json={}, headers=h)
    assert (full.json()["status"], full.json()["refund_state"], full.json()["refunded_amount"]) == (
        "refunded", "full", "99.99")
    assert sum(D(x["platform_fee"]) for x in full.json()["refunds"]) == D("2.50")
    assert (await client.post(refund, json={"amount": "0.01"}, headers=h)).status_code == 409
    ledger = (await client.get(url(booking), headers=h)).json()["ledger"]
    assert (ledger["state"], ledger["net"], ledger["platform_fee"], ledger["business_amount"]) == (
        "refunded", "0.00", "0.00", "0.00")
    assert (await client.post(refund, json={}, headers=await login(customer))).status_code == 403


async def test_card_payment_creates_a_payment_intent_and_shows_the_secret_only_to_the_payer(
        client, login, monkeypatch, owner, customer, booking):
    calls = []

    def fake_intent(api_key, amount_cents, currency, payment_id, booking_id):
        calls.append((api_key, amount_cents, currency))
        return "pi_test_123", "pi_test_123_secret_abc"

    monkeypatch.setattr(providers, "_stripe_create_intent", fake_intent)
    r = await client.post(url(booking), json={"payment_method": "card"}, headers=await login(customer))
    assert r.status_code == 201, r.text
    assert calls == [("sk_test_afrobiz", 15000, "NAD")]
    assert r.json()["next_step"]["client_secret"] == "pi_test_123_secret_abc"
    seen = await client.get(url(booking), headers=await login(owner))
    assert "secret" not in str(seen.json())
