"""The /me/notifications page: inbox, mark read, and the preferences form (no JavaScript needed)."""
from __future__ import annotations

import re

from sqlalchemy import select

from afrobiz.accounts.sessions import start_session
from afrobiz.notifications.models import Notification
from afrobiz.notifications.service import notify
from factories.accounts import create_user

PAGE = "/me/notifications"


async def _visit_as(client, db, user):
    client.cookies.set("afrobiz_session", await start_session(db, user=user))
    r = await client.get(PAGE)
    assert r.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
    return r, token


async def test_anonymous_visitor_is_sent_to_log_in(client):
    r = await client.get(PAGE)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/me/notifications")


async def test_inbox_shows_mine_and_marks_read(client, db):
    user, other = await create_user(db), await create_user(db)
    mine = await notify(db, user_id=user.id, type="booking_confirmed", title="Booking AB7K2M confirmed",
                        message="Braids at Salon Meme <Fri>", data={"url": "/bookings/AB7K2M"})
    await notify(db, user_id=user.id, type="review_response", title="Salon Meme replied", message="Thank you!")
    await notify(db, user_id=other.id, type="booking_confirmed", title="Not yours", message="secret")
    r, token = await _visit_as(client, db, user)
    assert "Booking AB7K2M confirmed" in r.text and "Salon Meme replied" in r.text and "Not yours" not in r.text
    assert "&lt;Fri&gt;" in r.text and '<a href="/bookings/AB7K2M">Open</a>' in r.text
    assert "<strong>2</strong> unread" in r.text

    r = await client.post(f"{PAGE}/{mine.id}/read", data={"csrf_token": token})
    assert r.status_code == 303
    await db.refresh(mine)
    assert mine.is_read and mine.read_at is not None
    r = await client.post(f"{PAGE}/read-all", data={"csrf_token": token})
    assert r.status_code == 303 and "All read" in (await client.get(PAGE)).text


async def test_posts_without_csrf_are_refused(client, db):
    user = await create_user(db)
    n = await notify(db, user_id=user.id, type="booking_confirmed", title="t", message="m")
    await _visit_as(client, db, user)
    r = await client.post(f"{PAGE}/{n.id}/read", data={})
    assert r.status_code in (400, 403)
    assert (await db.scalar(select(Notification.is_read).where(Notification.id == n.id))) is False


async def test_another_users_notification_cannot_be_marked(client, db):
    user, other = await create_user(db), await create_user(db)
    theirs = await notify(db, user_id=other.id, type="booking_confirmed", title="t", message="m")
    _, token = await _visit_as(client, db, user)
    assert (await client.post(f"{PAGE}/{theirs.id}/read", data={"csrf_token": token})).status_code == 404


async def test_preferences_form_saves_ticked_boxes(client, db):
    user = await create_user(db, phone="0811234567", phone_verified=True)
    r, token = await _visit_as(client, db, user)
    assert 'name="booking_reminder.sms" aria-label="Booking reminders and follow-ups: sms" checked' in r.text
    # Only e-mail ticked for reminders; everything else unticked.
    r = await client.post("/me/notification-preferences",
                          data={"csrf_token": token, "booking_reminder.email": "on", "booking_reminder.in_app": "on"})
    assert r.status_code == 303 and r.headers["location"] == f"{PAGE}?saved=1#preferences"
    page = (await client.get(r.headers["location"])).text
    assert "Your choices are saved." in page
    assert 'name="booking_reminder.email" aria-label="Booking reminders and follow-ups: email" checked' in page
    assert 'name="booking_reminder.sms" aria-label="Booking reminders and follow-ups: sms">' in page
