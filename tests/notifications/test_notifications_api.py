"""The inbox and preferences API: /me/notifications and /me/notification-preferences."""
from __future__ import annotations

import uuid

from afrobiz.notifications.service import notify
from factories.accounts import create_user

API = "/api/v1"


async def _some(db, user, n=3, type="booking_confirmed"):
    return [await notify(db, user_id=user.id, type=type, title=f"Note {i}", message=f"Message {i}") for i in range(n)]


async def test_list_newest_first_with_unread_count_and_cursor(client, db, login):
    user, other = await create_user(db), await create_user(db)
    await _some(db, user, 3)
    await _some(db, other, 2)
    headers = await login(user)
    r = await client.get(f"{API}/me/notifications", params={"limit": 2}, headers=headers)
    assert r.status_code == 200
    body = r.json()
    assert body["unread_count"] == 3 and len(body["items"]) == 2 and body["next_cursor"]
    item = body["items"][0]
    assert set(item) == {"id", "type", "title", "message", "data", "is_read", "created_at", "read_at"}
    r2 = await client.get(f"{API}/me/notifications", params={"limit": 2, "cursor": body["next_cursor"]},
                          headers=headers)
    rest = r2.json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    ids = [i["id"] for i in body["items"] + rest["items"]]
    assert len(set(ids)) == 3                                             # only mine, none twice


async def test_mark_one_read_then_all(client, db, login):
    user = await create_user(db)
    first, *_ = await _some(db, user, 3)
    headers = await login(user)
    r = await client.post(f"{API}/me/notifications/{first.id}/read", headers=headers)
    assert r.status_code == 204 and r.content == b""
    assert (await client.get(f"{API}/me/notifications", headers=headers)).json()["unread_count"] == 2
    assert (await client.post(f"{API}/me/notifications/{first.id}/read", headers=headers)).status_code == 204
    r = await client.post(f"{API}/me/notifications/read-all", headers=headers)
    assert r.status_code == 200 and r.json() == {"marked_read": 2}
    body = (await client.get(f"{API}/me/notifications", params={"unread": True}, headers=headers)).json()
    assert body["unread_count"] == 0 and body["items"] == []


async def test_another_users_notification_is_not_found(client, db, login):
    user, other = await create_user(db), await create_user(db)
    (theirs,) = await _some(db, other, 1)
    r = await client.post(f"{API}/me/notifications/{theirs.id}/read", headers=await login(user))
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    r = await client.post(f"{API}/me/notifications/{uuid.uuid4()}/read", headers=await login(user))
    assert r.status_code == 404
    other_view = (await client.get(f"{API}/me/notifications", headers=await login(other))).json()
    assert other_view["unread_count"] == 1


async def test_anonymous_is_401_and_bad_input_is_422(client, db, login):
    assert (await client.get(f"{API}/me/notifications")).status_code == 401
    assert (await client.get(f"{API}/me/notification-preferences")).status_code == 401
    headers = await login(await create_user(db))
    assert (await client.get(f"{API}/me/notifications", params={"limit": 500}, headers=headers)).status_code == 422
    r = await client.get(f"{API}/me/notifications", params={"cursor": "rubbish"}, headers=headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cursor"
    r = await client.post(f"{API}/me/notifications/not-a-uuid/read", headers=headers)
    assert r.status_code == 422


async def test_preferences_show_defaults_and_store_choices(client, db, login):
    user = await create_user(db, phone="0811234567", phone_verified=True, marketing_consent=False)
    headers = await login(user)
    items = {i["type"]: i for i in (await client.get(f"{API}/me/notification-preferences", headers=headers)).json()["items"]}
    assert len(items) == 12          # the seed's 9 and migration 0022's 3
    reminder = items["booking_reminder"]
    assert (reminder["in_app"], reminder["email"], reminder["sms"], reminder["custom"]) == (True, True, True, False)
    assert items["review_received"]["sms"] is False
    assert not any(items["marketing"][c] for c in ("in_app", "email", "sms", "whatsapp"))
    r = await client.put(f"{API}/me/notification-preferences", headers=headers, json={"items": [
        {"type": "booking_reminder", "email": False, "whatsapp": True},
        {"type": "marketing", "email": True}]})
    assert r.status_code == 200
    items = {i["type"]: i for i in r.json()["items"]}
    assert (items["booking_reminder"]["email"], items["booking_reminder"]["sms"], items["booking_reminder"]["whatsapp"],
            items["booking_reminder"]["custom"]) == (False, True, True, True)
    assert items["marketing"]["email"] is False                          # no consent, no marketing
    again = {i["type"]: i for i in (await client.get(f"{API}/me/notification-preferences", headers=headers)).json()["items"]}
    assert again["booking_reminder"] == items["booking_reminder"]


async def test_preferences_refuse_unknown_types_and_fields(client, db, login):
    headers = await login(await create_user(db))
    r = await client.put(f"{API}/me/notification-preferences", headers=headers,
                         json={"items": [{"type": "gossip", "email": True}]})
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    r = await client.put(f"{API}/me/notification-preferences", headers=headers,
                         json={"items": [{"type": "marketing", "pigeon": True}]})
    assert r.status_code == 422
    r = await client.put(f"{API}/me/notification-preferences", headers=headers,
                         json={"items": [{"type": "marketing", "email": False}, {"type": "marketing", "sms": False}]})
    assert r.status_code == 422
