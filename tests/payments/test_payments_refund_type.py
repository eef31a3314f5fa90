"""A refund is told as payment_refunded, not as a payment received (issue 21, item 16)."""
from __future__ import annotations

from factories.payments import create_payment


async def test_a_refund_reaches_the_customer_as_payment_refunded(client, login, db, owner, customer, booking):
    p = await create_payment(db, booking=booking, amount="150.00")
    r = await client.post(f"/api/v1/payments/{p.id}/refund", json={"amount": "20.00"}, headers=await login(owner))
    assert r.status_code == 200, r.text
    notes = (await client.get("/api/v1/me/notifications", headers=await login(customer))).json()["items"]
    refunds = [n for n in notes if n["data"].get("event") == "payment.refunded"]
    assert [n["type"] for n in refunds] == ["payment_refunded"]
