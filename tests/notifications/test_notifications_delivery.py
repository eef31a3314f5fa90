"""Delivery on each channel: real SMTP (aiosmtpd), the SMS stand-in, exactly once per channel."""
from __future__ import annotations

import aiosmtplib
import pytest
from sqlalchemy import select

from afrobiz.config import Settings
from afrobiz.notifications import delivery, messages
from afrobiz.notifications.channels import e164
from afrobiz.notifications.models import OutboundMessage
from afrobiz.notifications.service import notify
from factories.accounts import create_user
from factories.notifications import free_port


def _settings(tmp_path, smtp_url=None) -> Settings:
    return Settings(database_url=None, data_dir=tmp_path, smtp_url=smtp_url, base_url="https://afrobiz.example",
                    environment="test")


async def test_email_reaches_the_smtp_server_once_with_text_and_html(db, smtp, tmp_path):
    user = await create_user(db, first_name="Ndapewa", email="ndapewa@example.na")
    n = await notify(db, user_id=user.id, type="booking_confirmed", title="Booking AB7K2M confirmed",
                     message="Haircut at Salon Meme, Sat 14 Jun at 10:00. Total N$150.00.",
                     data={"url": "/bookings/AB7K2M"})
    settings = _settings(tmp_path, smtp.url)
    assert await delivery.deliver_email(db, notification_id=n.id, settings=settings) is True
    assert await delivery.deliver_email(db, notification_id=n.id, settings=settings) is False   # a twin job
    assert len(smtp.inbox.messages) == 1
    mail = smtp.inbox.messages[0]
    assert mail["To"] == "ndapewa@example.na" and mail["Subject"] == "Booking AB7K2M confirmed"
    plain = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "Hello Ndapewa," in plain and "N$150.00" in plain
    assert "https://afrobiz.example/bookings/AB7K2M" in plain and 'href="https://afrobiz.example/bookings/AB7K2M"' in html
    assert "List-Unsubscribe" not in mail
    await db.refresh(n)
    assert n.email_sent and n.is_sent and n.sent_at is not None and not n.sms_sent


async def test_marketing_email_carries_an_opt_out(db, smtp, tmp_path):
    user = await create_user(db, marketing_consent=True)
    n = await notify(db, user_id=user.id, type="marketing", title="Winter specials", message="20% off at Katutura salons.")
    await delivery.deliver_email(db, notification_id=n.id, settings=_settings(tmp_path, smtp.url))
    mail = smtp.inbox.messages[0]
    assert mail["List-Unsubscribe"] == "<https://afrobiz.example/me/notifications#preferences>"
    assert "To stop them, switch off 'Marketing'" in mail.get_body(("plain",)).get_content()


async def test_smtp_outage_raises_a_retryable_error_and_marks_nothing(db, tmp_path):
    user = await create_user(db)
    n = await notify(db, user_id=user.id, type="booking_confirmed", title="t", message="m")
    with pytest.raises((OSError, aiosmtplib.SMTPException)):
        await delivery.deliver_email(db, notification_id=n.id,
                                     settings=_settings(tmp_path, f"smtp://127.0.0.1:{free_port()}"))
    await db.refresh(n)
    assert not n.email_sent and n.sent_at is None


async def test_without_smtp_the_email_is_kept_in_the_outbox(db, tmp_path):
    user = await create_user(db)
    n = await notify(db, user_id=user.id, type="review_received", title="New review", message="5 stars for you.")
    assert await delivery.deliver_email(db, notification_id=n.id, settings=_settings(tmp_path))
    row = await db.scalar(select(OutboundMessage).where(OutboundMessage.notification_id == n.id))
    assert (row.channel, row.recipient, row.subject) == ("email", user.email, "New review")
    assert "5 stars for you." in row.body


async def test_sms_goes_once_short_and_gsm7_safe_through_the_stand_in(db, tmp_path):
    user = await create_user(db, phone="081 123 4567", phone_verified=True)
    long = "Your booking at Café Ōmaruru — “Ngoma” braai & kapana — is confirmed for Sat 14 Jun at 10:00. " * 3
    n = await notify(db, user_id=user.id, type="booking_confirmed", title="Booking confirmed", message=long)
    settings = _settings(tmp_path)
    assert await delivery.deliver_text(db, notification_id=n.id, channel="sms", settings=settings)
    assert not await delivery.deliver_text(db, notification_id=n.id, channel="sms", settings=settings)
    rows = (await db.scalars(select(OutboundMessage).where(OutboundMessage.notification_id == n.id))).all()
    assert len(rows) == 1 and rows[0].recipient == "+264811234567"
    assert len(rows[0].body) <= 160 and rows[0].body.endswith("...")
    assert all(ch in messages.GSM7 for ch in rows[0].body)
    assert "Omaruru" in rows[0].body and '"Ngoma"' in rows[0].body
    await db.refresh(n)
    assert n.sms_sent and not n.email_sent


async def test_whatsapp_is_recorded_apart_from_sms(db, tmp_path):
    user = await create_user(db, phone="+264811234567", phone_verified=True)
    n = await notify(db, user_id=user.id, type="booking_confirmed", title="t", message="m")
    settings = _settings(tmp_path)
    assert await delivery.deliver_text(db, notification_id=n.id, channel="whatsapp", settings=settings)
    assert await delivery.deliver_text(db, notification_id=n.id, channel="sms", settings=settings)
    channels = sorted((await db.scalars(select(OutboundMessage.channel).where(
        OutboundMessage.notification_id == n.id))).all())
    assert channels == ["sms", "whatsapp"]


@pytest.mark.parametrize(("typed", "expected"), [
    ("0811234567", "+264811234567"), ("081 123 4567", "+264811234567"), ("061 207 1111", "+264612071111"),
    ("12", None), ("", None), (None, None), ("not a phone", None)])
def test_namibian_numbers_become_e164(typed, expected):
    assert e164(typed) == expected


def test_money_and_times_read_the_namibian_way():
    from datetime import UTC, datetime

    assert messages.money("1250.5") == "N$1,250.50"
    assert messages.when_local(datetime(2025, 6, 14, 8, 0, tzinfo=UTC)) == "Sat 14 Jun at 10:00"


async def test_http_sms_provider_posts_the_message_and_sorts_failures():
    import httpx

    from afrobiz.notifications.channels import HttpGateway, PermanentDeliveryError
    from afrobiz.worker.app import TransientDeliveryError

    seen = []

    def answer(status):
        def handler(request: httpx.Request) -> httpx.Response:
            seen.append((request.headers.get("authorization"), request.read()))
            return httpx.Response(status)
        return httpx.MockTransport(handler)

    gateway = HttpGateway("https://sms.example/send", token="k3y", sender="AfroBiz", transport=answer(202))
    await gateway.send("+264811234567", "Booking AB7K2M confirmed")
    assert seen == [("Bearer k3y", b'{"to":"+264811234567","from":"AfroBiz","text":"Booking AB7K2M confirmed"}')]
    with pytest.raises(TransientDeliveryError):
        await HttpGateway("https://sms.example/send", token=None, sender=None, transport=answer(503)).send("+2648", "x")
    with pytest.raises(PermanentDeliveryError):
        await HttpGateway("https://sms.example/send", token=None, sender=None, transport=answer(400)).send("+2648", "x")
