"""Booking e-mails to the customer carry the booking's .ics; e-mail wording goes through gettext."""
from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from afrobiz.booking.models import BookingStatus
from afrobiz.booking.status import change_status, reschedule_booking
from afrobiz.config import Settings
from afrobiz.db.session import set_identity
from afrobiz.notifications import delivery, messages
from afrobiz.notifications.models import Notification
from factories.accounts import create_user
from factories.booking import create_booking, create_service
from factories.directory import create_business


def _settings(tmp_path, smtp_url) -> Settings:
    return Settings(database_url=None, data_dir=tmp_path, smtp_url=smtp_url, base_url="https://afrobiz.example",
                    environment="test")


async def _mail_of(db, user, settings, smtp):
    notes = list(await db.scalars(select(Notification).where(Notification.user_id == user.id)
                                  .order_by(Notification.created_at)))
    for n in notes:
        await delivery.deliver_email(db, notification_id=n.id, settings=settings)
    return notes


def _ics(mail) -> str | None:
    for part in mail.iter_attachments():
        if part.get_content_type() == "text/calendar":
            assert part.get_filename() == "booking.ics"
            return part.get_content() if isinstance(part.get_content(), str) else part.get_content().decode()
    return None


async def test_confirmation_cancellation_and_move_carry_the_ics_only_for_the_customer(db, smtp, tmp_path):
    owner = await create_user(db, role="business_owner")
    customer = await create_user(db, email="ndapewa@example.na", first_name="Ndapewa")
    business = await create_business(db, owner=owner, name="Salon Meme")
    service = await create_service(db, business=business, name="Braids")
    day = (datetime.now(UTC) + timedelta(days=6)).date()
    booking = await create_booking(db, service=service, day=day, at=time(10), customer=customer)
    settings = _settings(tmp_path, smtp.url)

    # Each e-mail goes out after its change.
    for change in (
            lambda: change_status(db, booking_id=booking.id, user=owner, new_status=BookingStatus.CONFIRMED),
            lambda: reschedule_booking(db, booking_id=booking.id, user=owner, booking_date=day, booking_time=time(13)),
            lambda: change_status(db, booking_id=booking.id, user=owner, new_status=BookingStatus.CANCELLED,
                                  reason="Power cut")):
        await set_identity(db, owner.id, "business_owner")
        await change()
        await set_identity(db, None, "system")
        await _mail_of(db, customer, settings, smtp)

    confirmed, moved, cancelled = smtp.inbox.messages
    assert [m["To"] for m in smtp.inbox.messages] == ["ndapewa@example.na"] * 3
    for mail in (confirmed, moved, cancelled):
        ics = _ics(mail)
        assert ics and ics.startswith("BEGIN:VCALENDAR") and f"UID:{booking.id}@afrobiz.na" in ics
    for mail, note in ((confirmed, "adds the booking to"), (moved, "adds the booking to"),
                       (cancelled, "marks the booking as cancelled in")):
        assert f"booking.ics {note} your calendar" in mail.get_body(("plain",)).get_content()
        assert f"/bookings/{booking.booking_number}" in mail.get_body(("plain",)).get_content()
    assert "DTSTART:" + f"{day:%Y%m%d}T080000Z" in _ics(confirmed)          # 10:00 in Windhoek
    assert "DTSTART:" + f"{day:%Y%m%d}T110000Z" in _ics(moved)              # moved to 13:00
    assert "STATUS:CANCELLED" in _ics(cancelled) and "STATUS:CONFIRMED" in _ics(confirmed)
    assert [m["Subject"] for m in smtp.inbox.messages] == [
        f"Booking {booking.booking_number} confirmed", f"Booking {booking.booking_number} moved",
        f"Booking {booking.booking_number} cancelled"]


async def test_the_owners_copy_and_other_mails_have_no_attachment(db, smtp, tmp_path):
    owner = await create_user(db, role="business_owner")
    customer = await create_user(db)
    business = await create_business(db, owner=owner)
    service = await create_service(db, business=business)
    booking = await create_booking(db, service=service, day=(datetime.now(UTC) + timedelta(days=6)).date(),
                                   at=time(10), customer=customer, status="confirmed")
    await set_identity(db, customer.id, "customer")
    await change_status(db, booking_id=booking.id, user=customer, new_status=BookingStatus.CANCELLED)
    await set_identity(db, None, "system")
    await _mail_of(db, owner, _settings(tmp_path, smtp.url), smtp)
    (to_owner,) = smtp.inbox.messages
    assert to_owner["To"] == owner.email and _ics(to_owner) is None


def test_email_wording_goes_through_the_readers_language():
    # Whatever catalogue exists, a language without a translation reads the English original,
    # and the HTML says which language it is in.
    plain, page = messages.email_bodies(first_name="Ndapewa", title="t", message="m", link=None,
                                        settings_link="https://x/", opt_out=False, lang="zz")
    assert plain.startswith("Hello Ndapewa,") and '<html lang="zz">' in page
    assert messages.translator("en")("Kind regards,") == "Kind regards,"


async def test_a_customer_who_cancels_gets_it_in_writing_with_the_cancelled_ics(db, smtp, tmp_path):
    owner = await create_user(db, role="business_owner")
    customer = await create_user(db, email="selma@example.na")
    business = await create_business(db, owner=owner, name="Oshakati Auto Fix")
    service = await create_service(db, business=business)
    booking = await create_booking(db, service=service, day=(datetime.now(UTC) + timedelta(days=6)).date(),
                                   at=time(10), customer=customer, status="confirmed")
    await set_identity(db, customer.id, "customer")
    await change_status(db, booking_id=booking.id, user=customer, new_status=BookingStatus.CANCELLED,
                        reason="Car fixed")
    await set_identity(db, None, "system")
    (note,) = await _mail_of(db, customer, _settings(tmp_path, smtp.url), smtp)
    assert note.type == "booking_cancelled" and note.data["booking_id"] == str(booking.id)
    assert note.message.startswith("You cancelled your booking at Oshakati Auto Fix on ")
    (mail,) = smtp.inbox.messages
    assert mail["To"] == "selma@example.na" and mail["Subject"] == f"Booking {booking.booking_number} cancelled"
    ics = _ics(mail)
    assert ics and "STATUS:CANCELLED" in ics and f"UID:{booking.id}@afrobiz.na" in ics


async def test_a_late_mail_carries_the_booking_as_its_message_tells_it(db, smtp, tmp_path):
    """The .ics is made with the message (by the booking domain, which hands it over), not
    when the e-mail goes: a confirmation still waiting for its e-mail when the booking is
    cancelled goes out as the confirmation it is, stamped older than the cancellation."""
    owner = await create_user(db, role="business_owner")
    customer = await create_user(db, email="late@example.na")
    business = await create_business(db, owner=owner)
    service = await create_service(db, business=business)
    booking = await create_booking(db, service=service, day=(datetime.now(UTC) + timedelta(days=6)).date(),
                                   at=time(10), customer=customer)
    await set_identity(db, owner.id, "business_owner")
    await change_status(db, booking_id=booking.id, user=owner, new_status=BookingStatus.CONFIRMED)
    await change_status(db, booking_id=booking.id, user=owner, new_status=BookingStatus.CANCELLED, reason="Flooded")
    await set_identity(db, None, "system")
    await _mail_of(db, customer, _settings(tmp_path, smtp.url), smtp)        # both only now
    mails = {m["Subject"].rsplit(" ", 1)[-1]: m for m in smtp.inbox.messages}
    confirmed, cancelled = _ics(mails["confirmed"]), _ics(mails["cancelled"])
    assert "STATUS:CONFIRMED" in confirmed and "STATUS:CANCELLED" in cancelled
    assert "booking.ics adds the booking to your calendar" in mails["confirmed"].get_body(("plain",)).get_content()

    def stamp(ics: str) -> str:
        return re.search(r"DTSTAMP:(\S+)", ics).group(1)

    assert stamp(confirmed) <= stamp(cancelled)
