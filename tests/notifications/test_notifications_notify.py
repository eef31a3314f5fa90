"""notify(): records the in-app row and queues only the deliveries preferences and consent allow."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from afrobiz.db.session import set_identity
from afrobiz.notifications.models import Notification
from afrobiz.notifications.preferences import set_preferences
from afrobiz.notifications.service import notify
from factories.accounts import create_user
from factories.notifications import jobs_for

EMAIL = ("notifications.send_email", None)
SMS = ("notifications.send_text", "sms")
WHATSAPP = ("notifications.send_text", "whatsapp")


async def _notify(db, user, type="booking_confirmed"):
    return await notify(db, user_id=user.id, type=type, title="Booking confirmed",
                        message="Hair cut at Salon Meme, Sat 14 Jun at 10:00.", data={"booking_number": "AB7K2M"})


async def test_booking_message_goes_by_email_and_sms_to_a_verified_phone(db):
    user = await create_user(db, phone="0811234567", phone_verified=True)
    n = await _notify(db, user)
    assert (n.title, n.data, n.is_read) == ("Booking confirmed", {"booking_number": "AB7K2M"}, False)
    assert await jobs_for(db, n.id) == [EMAIL, SMS]


async def test_no_sms_without_a_verified_phone_even_when_chosen(db):
    unverified = await create_user(db, phone="0811234567", phone_verified=False)
    await set_preferences(db, user=unverified, items=[{"type": "booking_confirmed", "sms": True, "whatsapp": True}])
    assert await jobs_for(db, (await _notify(db, unverified)).id) == [EMAIL]
    no_phone = await create_user(db)
    assert await jobs_for(db, (await _notify(db, no_phone)).id) == [EMAIL]


async def test_reviews_and_announcements_default_to_email_only(db):
    user = await create_user(db, phone="+264811234567", phone_verified=True)
    for type in ("review_received", "system_announcement", "business_approved"):
        assert await jobs_for(db, (await _notify(db, user, type)).id) == [EMAIL]


async def test_preferences_choose_the_channels(db):
    user = await create_user(db, phone="0811234567", phone_verified=True)
    await set_preferences(db, user=user, items=[{"type": "booking_confirmed", "email": False, "whatsapp": True}])
    assert await jobs_for(db, (await _notify(db, user)).id) == [SMS, WHATSAPP]
    # Other types keep their defaults.
    assert await jobs_for(db, (await _notify(db, user, "booking_cancelled")).id) == [EMAIL, SMS]


async def test_in_app_switched_off_keeps_the_record_but_not_as_unread(db):
    user = await create_user(db)
    await set_preferences(db, user=user, items=[{"type": "review_response", "in_app": False, "email": False}])
    n = await _notify(db, user, "review_response")
    assert n.is_read is True and await jobs_for(db, n.id) == []


async def test_marketing_skips_users_without_consent(db):
    without = await create_user(db, marketing_consent=False, phone="0811234567", phone_verified=True)
    # Even a stored choice cannot override missing consent.
    await set_preferences(db, user=without, items=[{"type": "marketing", "email": True, "sms": True}])
    n = await _notify(db, without, "marketing")
    assert await jobs_for(db, n.id) == [] and n.is_read is True
    consenting = await create_user(db, marketing_consent=True)
    assert await jobs_for(db, (await _notify(db, consenting, "marketing")).id) == [EMAIL]


async def test_suspended_users_get_nothing_outside_the_app(db):
    user = await create_user(db, is_suspended=True, phone="0811234567", phone_verified=True)
    n = await _notify(db, user)
    assert n.is_read is False and await jobs_for(db, n.id) == []


async def test_a_customer_notifying_an_owner_queues_the_owners_jobs(db):
    owner, customer = await create_user(db, role="business_owner"), await create_user(db)
    await set_identity(db, customer.id, "customer")
    n = await _notify(db, owner)
    await set_identity(db, None, "system")
    assert await jobs_for(db, n.id) == [EMAIL]
    assert (await db.scalar(select(Notification).where(Notification.id == n.id))).user_id == owner.id


async def test_rolled_back_request_leaves_no_job(db):
    user = await create_user(db)
    savepoint = await db.begin_nested()
    n = await _notify(db, user)
    assert await jobs_for(db, n.id) == [EMAIL]
    await savepoint.rollback()
    assert await jobs_for(db, n.id) == []


async def test_unknown_type_is_refused(db):
    user = await create_user(db)
    with pytest.raises(ValueError):
        await _notify(db, user, "gossip")
    assert await db.scalar(select(Notification).where(Notification.user_id == user.id)) is None
