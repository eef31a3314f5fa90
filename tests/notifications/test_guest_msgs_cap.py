"""Issue 21 item 6: the platform cannot be used to flood an e-mail address or a phone.

A guest's e-mail and phone are typed by whoever books and verified by no one. However many
guest bookings name them (the booking limits raised here, as an operator could), at most
`notifications.guest_messages_per_hour` messages a recipient go out in an hour, counted in
the delivery itself: e-mail spellings and +tags of one mailbox, and one phone however typed,
count together."""
from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from afrobiz.admin.settings import set_setting
from afrobiz.notifications import delivery
from afrobiz.notifications.models import OutboundMessage
from factories.accounts import create_user
from factories.booking import create_service, set_hours
from factories.directory import create_business
from factories.notifications import jobs

BASE = "https://afrobiz.example"


async def run_guest_jobs(db, settings) -> int:
    sent = 0
    for job in await jobs(db, "notifications.send_guest"):
        sent += await delivery.deliver_to_guest(db, settings=settings, **job["args"])
        await db.execute(text("DELETE FROM procrastinate.procrastinate_jobs WHERE id = :id"), {"id": job["id"]})
    return sent


async def test_one_recipient_gets_a_few_messages_an_hour_at_most(client, db, settings, smtp):
    settings.smtp_url, settings.base_url = smtp.url, BASE
    admin = await create_user(db, role="admin")
    for key in ("bookings.guest_per_ip_per_hour", "bookings.guest_per_contact_per_hour",
                "bookings.guest_pending_per_contact"):
        await set_setting(db, actor=admin, key=key, value=100)
    business = await create_business(db, owner=await create_user(db, role="business_owner"))
    await set_hours(db, business=business)
    service = await create_service(db, business=business)
    digits = f"{random.randrange(10**6, 10**7)}"
    phones = [f"081 {digits}", f"+26481{digits}", f"+264 81 {digits}"]
    emails = ["target@example.na", "Target+1@example.na", "TARGET+2@EXAMPLE.NA"]
    day = (datetime.now(UTC) + timedelta(days=5)).date()
    for i in range(8):
        r = await client.post("/api/v1/bookings", json={
            "service_id": str(service.id), "booking_date": day.isoformat(), "booking_time": f"{8 + i:02d}:00",
            "customer_name": "Someone", "customer_email": emails[i % 3], "customer_phone": phones[i % 3]})
        assert r.status_code == 201, r.text
    assert len(await jobs(db, "notifications.send_guest")) == 16

    assert await run_guest_jobs(db, settings) == 10             # 5 e-mails + 5 texts
    mails = [m for m in smtp.inbox.messages if m["To"].lower().replace("+1", "").replace("+2", "")
             == "target@example.na"]
    assert len(mails) == 5
    texts = list(await db.scalars(select(OutboundMessage.body).where(
        OutboundMessage.channel == "sms", OutboundMessage.recipient == f"+26481{digits}")))
    assert len(texts) == 5
    # Another recipient is not held back by this one's cap.
    r = await client.post("/api/v1/bookings", json={
        "service_id": str(service.id), "booking_date": day.isoformat(), "booking_time": "16:00",
        "customer_name": "Someone else", "customer_email": "neighbour@example.na"})
    assert r.status_code == 201
    assert await run_guest_jobs(db, settings) == 1
