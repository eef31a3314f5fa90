"""THE authorization matrix: every API route × role × (own object, someone else's) → outcome.

One line per route, `"METHOD /path": "role=outcome ..."`, where role is `anon`, `customer`,
`owner`, `admin` or `all`, and outcome is `own/other` (or one value for both); an outcome is a
class (`2xx`) or a status (`401`, `403`, `404`, `409`, `422`, `429`, `400`), `|` between
allowed alternatives. Customer and owner rows are each checked for both A and B actors.
"own" means the actor's side of the world (A for anonymous and admin), "other" the opposite
side (see reliability_helpers.World). A route of the app missing here fails the suite.
"""
from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, time, timedelta

from PIL import Image
from reliability_helpers import PASSWORD, World

API = "/api/v1"

EXPECTED: dict[str, str] = {
    # operations and documents
    "GET /healthz": "all=2xx",
    "GET /readyz": "all=2xx",
    # Called as a visitor through the reverse proxy (X-Forwarded-For): refused to every role,
    # admins included. Who may scrape it: tests/ops/test_ops_metrics.py.
    "GET /metrics": "all=403",
    "GET /api/v1/openapi.json": "all=2xx",
    "GET /api/v1/docs": "all=2xx",
    # accounts
    "POST /api/v1/auth/register": "all=2xx",
    "POST /api/v1/auth/login": "all=2xx/401",
    "POST /api/v1/auth/logout": "anon=401 customer=2xx owner=2xx admin=2xx",
    "POST /api/v1/auth/logout-all": "anon=401 customer=2xx owner=2xx admin=2xx",
    "POST /api/v1/auth/verify-email": "all=400|422",
    "POST /api/v1/auth/password-reset": "all=2xx",
    "POST /api/v1/auth/password-reset/confirm": "all=400|422",
    "GET /api/v1/me": "anon=401 customer=2xx owner=2xx admin=2xx",
    "PATCH /api/v1/me": "anon=401 customer=2xx owner=2xx admin=2xx",
    "DELETE /api/v1/me": "anon=401 customer=2xx owner=2xx|409 admin=2xx|409",
    "POST /api/v1/me/password": "anon=401 customer=2xx owner=2xx admin=2xx",
    "POST /api/v1/me/email": "anon=401 customer=2xx owner=2xx admin=2xx",
    "POST /api/v1/me/email/verification": "anon=401 customer=2xx owner=2xx admin=2xx",
    "POST /api/v1/me/phone": "anon=401 customer=2xx owner=2xx admin=2xx",
    "POST /api/v1/me/phone/verification": "anon=401 customer=2xx owner=2xx admin=2xx",
    "POST /api/v1/me/phone/verify": "anon=401 customer=400|422 owner=400|422 admin=400|422",
    "GET /api/v1/me/export": "anon=401 customer=2xx owner=2xx admin=2xx",
    "POST /api/v1/admin/users/{user_id}/suspend": "anon=401 customer=403 owner=403 admin=2xx",
    "POST /api/v1/admin/users/{user_id}/unsuspend": "anon=401 customer=403 owner=403 admin=2xx|409",
    # directory
    "GET /api/v1/categories": "all=2xx",
    "POST /api/v1/businesses": "anon=401 customer=403 owner=2xx admin=403",
    "GET /api/v1/businesses/{business_id}": "all=2xx",
    "PATCH /api/v1/businesses/{business_id}": "anon=401 customer=403 owner=2xx/403 admin=2xx",
    "PUT /api/v1/businesses/{business_id}/hours": "anon=401 customer=403 owner=2xx/403 admin=2xx",
    "POST /api/v1/businesses/{business_id}/images": "anon=401 customer=403 owner=2xx/403 admin=2xx",
    "PATCH /api/v1/businesses/{business_id}/images/{image_id}": "anon=401 customer=403 owner=2xx/403 admin=2xx",
    "PUT /api/v1/businesses/{business_id}/images/order": "anon=401 customer=403 owner=2xx/403 admin=2xx",
    "DELETE /api/v1/businesses/{business_id}/images/{image_id}": "anon=401 customer=403 owner=2xx/403 admin=2xx",
    "POST /api/v1/businesses/{business_id}/clicks": "all=2xx",
    "GET /api/v1/me/businesses": "anon=401 customer=2xx owner=2xx admin=2xx",
    "GET /api/v1/admin/businesses": "anon=401 customer=403 owner=403 admin=2xx",
    "POST /api/v1/admin/businesses/{business_id}/status": "anon=401 customer=403 owner=403 admin=2xx",
    "POST /api/v1/admin/businesses/{business_id}/verify": "anon=401 customer=403 owner=403 admin=2xx",
    "POST /api/v1/admin/businesses/{business_id}/feature": "anon=401 customer=403 owner=403 admin=2xx",
    # booking
    "POST /api/v1/businesses/{business_id}/services": "anon=401 customer=403 owner=2xx/403|404 admin=2xx",
    "GET /api/v1/businesses/{business_id}/services": "all=2xx",
    "POST /api/v1/businesses/{business_id}/services/reorder": "anon=401 customer=403 owner=2xx/403|404 admin=2xx",
    "GET /api/v1/services/{service_id}": "all=2xx",
    "PATCH /api/v1/services/{service_id}": "anon=401 customer=403 owner=2xx/403|404 admin=2xx",
    "DELETE /api/v1/services/{service_id}": "anon=401 customer=403 owner=2xx/403|404 admin=2xx",
    "GET /api/v1/services/{service_id}/availability": "all=2xx",
    "PUT /api/v1/services/{service_id}/availability": "anon=401 customer=403 owner=2xx/403|404 admin=2xx",
    "GET /api/v1/businesses/{business_id}/closures": "all=2xx",
    "PUT /api/v1/businesses/{business_id}/closures": "anon=401 customer=403 owner=2xx/403|404 admin=2xx",
    "GET /api/v1/services/{service_id}/slots": "all=2xx",
    "POST /api/v1/bookings": "all=2xx",
    "GET /api/v1/bookings/{booking_id}.ics": "anon=404 customer=2xx/404 owner=2xx/404 admin=2xx",
    "GET /api/v1/bookings/{booking_id}/calendar.ics": "anon=404 customer=2xx/404 owner=2xx/404 admin=2xx",
    "GET /api/v1/bookings/{booking_id}": "anon=401 customer=2xx/404 owner=2xx/404 admin=2xx",
    "GET /api/v1/me/bookings": "anon=401 customer=2xx owner=2xx admin=2xx",
    "GET /api/v1/businesses/{business_id}/bookings": "anon=401 customer=403|404 owner=2xx/403|404 admin=2xx",
    "POST /api/v1/bookings/{booking_id}/status": "anon=401 customer=2xx/404 owner=2xx/404 admin=2xx",
    "POST /api/v1/bookings/{booking_id}/reschedule": "anon=401 customer=2xx/404 owner=2xx/404 admin=2xx",
    # reviews and favourites
    "POST /api/v1/businesses/{business_id}/reviews": "anon=401 customer=409/2xx owner=403|409/2xx admin=403",
    "GET /api/v1/businesses/{business_id}/reviews": "all=2xx",
    "GET /api/v1/reviews/{review_id}": "all=2xx",
    "DELETE /api/v1/reviews/{review_id}": "anon=401 customer=2xx/403|404 owner=403|404 admin=2xx",
    "POST /api/v1/reviews/{review_id}/response": "anon=401 customer=403 owner=2xx/403|404 admin=2xx|403",
    "POST /api/v1/reviews/{review_id}/vote": "anon=401 customer=403|409/2xx owner=403|409/2xx admin=2xx",
    "DELETE /api/v1/reviews/{review_id}/vote": "anon=401 customer=403/2xx owner=403/2xx admin=2xx",
    "POST /api/v1/reviews/{review_id}/report": "anon=401 customer=403|409/2xx owner=2xx admin=2xx",
    "POST /api/v1/reviews/{review_id}/images": "anon=401 customer=2xx/403|404 owner=403|404 admin=403|404",
    "GET /api/v1/me/favorites": "anon=401 customer=2xx owner=2xx admin=2xx",
    "PUT /api/v1/me/favorites/{business_id}": "anon=401 customer=2xx owner=2xx admin=2xx",
    "DELETE /api/v1/me/favorites/{business_id}": "anon=401 customer=2xx owner=2xx admin=2xx",
    "GET /api/v1/admin/reviews": "anon=401 customer=403 owner=403 admin=2xx",
    "POST /api/v1/admin/reviews/{review_id}/moderate": "anon=401 customer=403 owner=403 admin=2xx",
    # notifications
    "GET /api/v1/me/notifications": "anon=401 customer=2xx owner=2xx admin=2xx",
    "POST /api/v1/me/notifications/read-all": "anon=401 customer=2xx owner=2xx admin=2xx",
    "POST /api/v1/me/notifications/{notification_id}/read": "anon=401 customer=2xx/404 owner=2xx/404 admin=2xx/404",
    "GET /api/v1/me/notification-preferences": "anon=401 customer=2xx owner=2xx admin=2xx",
    "PUT /api/v1/me/notification-preferences": "anon=401 customer=2xx owner=2xx admin=2xx",
    # payments
    "POST /api/v1/bookings/{booking_id}/payments": "anon=401 customer=2xx|409/404 owner=403|404 admin=403|404",
    "GET /api/v1/bookings/{booking_id}/payments": "anon=401 customer=2xx/404 owner=2xx/404 admin=2xx",
    "POST /api/v1/payments/{payment_id}/mark-received": "anon=401 customer=403 owner=2xx/404 admin=2xx",
    "POST /api/v1/payments/{payment_id}/refund": "anon=401 customer=403 owner=409/404 admin=409",
    "POST /api/v1/payments/webhooks/{provider}": "all=400|404",
    "POST /api/v1/sms/inbound": "all=400|404",
    "PUT /api/v1/services/{service_id}/deposit": "anon=401 customer=403 owner=2xx/403|404 admin=2xx",
    "PUT /api/v1/businesses/{business_id}/bank-details": "anon=401 customer=403 owner=2xx/403|404 admin=2xx",
    "GET /api/v1/businesses/{business_id}/payouts": "anon=401 customer=403 owner=2xx/403|404 admin=2xx",
    "GET /api/v1/businesses/{business_id}/payouts.csv": "anon=401 customer=403 owner=2xx/403|404 admin=2xx",
    "GET /api/v1/admin/payments/reconciliation": "anon=401 customer=403 owner=403 admin=2xx",
    "POST /api/v1/admin/payments/{payment_id}/resync": "anon=401 customer=403 owner=403 admin=409",
    # a made-up payment link opens nothing, for anyone (tests/payments: a real one works)
    "GET /api/v1/guest-payments/{token}": "all=404",
    "POST /api/v1/guest-payments/{token}": "all=404",
    # analytics and admin
    "GET /api/v1/businesses/{business_id}/analytics": "anon=401 customer=403|404 owner=2xx/403|404 admin=2xx",
    "GET /api/v1/businesses/{business_id}/analytics.csv": "anon=401 customer=403|404 owner=2xx/403|404 admin=2xx",
    "GET /api/v1/admin/overview": "anon=401 customer=403 owner=403 admin=2xx",
    "GET /api/v1/admin/audit-logs": "anon=401 customer=403 owner=403 admin=2xx",
    "GET /api/v1/admin/settings": "anon=401 customer=403 owner=403 admin=2xx",
    "PUT /api/v1/admin/settings/{key}": "anon=401 customer=403 owner=403 admin=2xx",
    "GET /api/v1/admin/users": "anon=401 customer=403 owner=403 admin=2xx",
    "GET /api/v1/settings": "all=2xx",
    # search
    "GET /api/v1/search/businesses": "all=2xx",
    "GET /api/v1/search/suggest": "all=2xx",
}

# Routes not exercised: documentation helpers outside the API.
SKIPPED_PATHS = {"/docs/oauth2-redirect"}


def in_scope(path: str) -> bool:
    return path.startswith(API + "/") or path in ("/healthz", "/readyz", "/metrics")


def parse(spec: str) -> dict[str, tuple[str, str]]:
    """'anon=401 customer=2xx/404 ...' -> {role: (own, other)} for the four roles."""
    out: dict[str, tuple[str, str]] = {}
    for part in spec.split():
        role, _, outcome = part.partition("=")
        own, _, other = outcome.partition("/")
        for r in (("anonymous", "customer", "owner", "admin") if role == "all" else
                  ("anonymous",) if role == "anon" else (role,)):
            out[r] = (own, other or own)
    missing = {"anonymous", "customer", "owner", "admin"} - set(out)
    if missing:
        raise ValueError(f"{spec!r} says nothing for {sorted(missing)}")
    return out


def matches(status: int, outcome: str) -> bool:
    for alt in outcome.split("|"):
        if alt == "2xx" and 200 <= status < 300 or alt == str(status):
            return True
    return False


def role_of(actor: str) -> str:
    return actor.removesuffix("_a").removesuffix("_b")


# ---------------------------------------------------------------- path parameters


def path_value(world: World, actor: str, target: str, name: str) -> str:
    """The value of a path parameter for this actor and target ('own' or 'other')."""
    side = world.side(actor, target)
    me = world.person(actor) or world.a.customer
    whose = me if target == "own" else world.counterpart(actor)
    values = {
        "business_id": side.business, "id_or_slug": side.slug, "service_id": side.service,
        "booking_id": side.booking, "review_id": side.review, "image_id": side.image,
        "notification_id": world.notifications[whose.id],
        "user_id": side.customer.id, "payment_id": side.payment, "provider": "mobile_money",
        "token": f"{uuid.UUID(str(side.booking)).hex}.not-a-signature",
        "key": "bookings.pending_expiry_minutes",
    }
    if name not in values:
        raise KeyError(f"no value for path parameter {name!r}: add it to authorization_matrix.path_value")
    return str(values[name])


def fill(world: World, actor: str, target: str, path: str) -> str:
    import re

    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: path_value(world, actor, target, m.group(1)), path)


# ---------------------------------------------------------------- request bodies


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 60)).save(buf, "PNG")
    return buf.getvalue()


def _later(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def request_kwargs(world: World, key: str, actor: str, target: str) -> dict:
    """A valid request for the route (so that an allowed caller gets a 2xx)."""
    side = world.side(actor, target)
    me = world.person(actor)
    day = world.day.isoformat()
    png = {"file": ("shop.png", png_bytes(), "image/png")}
    bodies = {
        "GET /metrics": {"headers": {"X-Forwarded-For": "41.182.10.9"}},
        "POST /api/v1/auth/register": {"json": {"email": f"new-{uuid.uuid4().hex[:8]}@example.na",
                                                "password": PASSWORD, "first_name": "New", "last_name": "Person"}},
        "POST /api/v1/auth/login": {"json": {"email": (me or world.a.customer).email, "password": PASSWORD}
                                    if target == "own" else
                                    {"email": world.counterpart(actor).email, "password": "not-the-password-1"}},
        "POST /api/v1/auth/verify-email": {"json": {"token": "not-a-real-token"}},
        "POST /api/v1/auth/password-reset": {"json": {"email": world.a.customer.email}},
        "POST /api/v1/auth/password-reset/confirm": {"json": {"token": "not-a-real-token", "password": PASSWORD + "x"}},
        "PATCH /api/v1/me": {"json": {"first_name": "Renamed"}},
        "DELETE /api/v1/me": {"json": {"password": PASSWORD}},
        "POST /api/v1/me/password": {"json": {"current_password": PASSWORD, "new_password": PASSWORD + "-new"}},
        "POST /api/v1/me/email": {"json": {"email": f"moved-{uuid.uuid4().hex[:8]}@example.na", "password": PASSWORD}},
        "POST /api/v1/me/phone": {"json": {"phone": "+264812223344", "password": PASSWORD}},
        "POST /api/v1/me/phone/verify": {"json": {"code": "000000"}},
        "POST /api/v1/admin/users/{user_id}/suspend": {"json": {"reason": "Matrix test suspension"}},
        "POST /api/v1/businesses": {"json": {"name": "Fresh Listing", "category_id": str(side.category),
                                             "city": "Windhoek", "region": "Khomas"}},
        "PATCH /api/v1/businesses/{business_id}": {"json": {"description": "Now with longer opening hours."}},
        "PUT /api/v1/businesses/{business_id}/hours": {"json": [{"day_of_week": 1, "open_time": "08:00",
                                                                 "close_time": "17:00"}]},
        "POST /api/v1/businesses/{business_id}/images": {"files": png, "data": {"image_type": "gallery"}},
        "PATCH /api/v1/businesses/{business_id}/images/{image_id}": {"json": {"alt_text": "The shop front"}},
        "PUT /api/v1/businesses/{business_id}/images/order": {"json": [str(side.image)]},
        "POST /api/v1/businesses/{business_id}/clicks": {"params": {"kind": "phone"}},
        "POST /api/v1/admin/businesses/{business_id}/status": {"json": {"status": "suspended", "reason": "Test"}},
        "POST /api/v1/admin/businesses/{business_id}/verify": {"json": {"verified": True}},
        "POST /api/v1/admin/businesses/{business_id}/feature": {"json": {"until": _later(7)}},
        "POST /api/v1/businesses/{business_id}/services": {"json": {"name": "Beard trim", "price": "80.00",
                                                                    "duration_minutes": 30}},
        "POST /api/v1/businesses/{business_id}/services/reorder": {"json": {"service_ids": [str(side.service)]}},
        "PATCH /api/v1/services/{service_id}": {"json": {"description": "Includes a wash."}},
        "PUT /api/v1/services/{service_id}/availability": {"json": [{"day_of_week": 1, "start_time": "08:00",
                                                                     "end_time": "12:00"}]},
        "PUT /api/v1/businesses/{business_id}/closures": {"json": [{"date": (world.day + timedelta(days=20))
                                                                    .isoformat(), "reason": "Holiday"}]},
        "GET /api/v1/services/{service_id}/slots": {"params": {"from": day}},
        "POST /api/v1/bookings": {"json": {"service_id": str(side.service), "booking_date": day,
                                           "booking_time": "14:00"}
                                  | ({"customer_name": "Walk In", "customer_email": "walk.in@example.na"}
                                     if me is None else {})},
        "POST /api/v1/bookings/{booking_id}/status": {"json": {"status": "cancelled", "reason": "Plans changed"}},
        "POST /api/v1/bookings/{booking_id}/reschedule": {"json": {"booking_date": day,
                                                                   "booking_time": time(15).isoformat("minutes")}},
        "POST /api/v1/businesses/{business_id}/reviews": {"json": {"rating": 5, "title": "Great",
                                                                   "content": "Lovely service, we will come back."}},
        "GET /api/v1/businesses/{business_id}/reviews": {"params": {"sort": "newest"}},
        "POST /api/v1/reviews/{review_id}/response": {"json": {"content": "Thank you for visiting!"}},
        "POST /api/v1/reviews/{review_id}/vote": {"json": {"helpful": True}},
        "POST /api/v1/reviews/{review_id}/report": {"json": {"reason": "Looks fake"}},
        "POST /api/v1/reviews/{review_id}/images": {"files": png},
        "POST /api/v1/admin/reviews/{review_id}/moderate": {"json": {"status": "flagged", "notes": "Check"}},
        "PUT /api/v1/me/notification-preferences": {"json": {"items": [{"type": "booking_confirmed",
                                                                        "email": False}]}},
        "POST /api/v1/bookings/{booking_id}/payments": {"json": {"payment_method": "cash"},
                                                         "headers": {"Idempotency-Key": uuid.uuid4().hex}},
        "POST /api/v1/payments/{payment_id}/mark-received": {"json": {"amount_received": "150.00"}},
        "POST /api/v1/payments/{payment_id}/refund": {"json": {"amount": "10.00", "reason": "Late start"}},
        "POST /api/v1/payments/webhooks/{provider}": {"content": b'{"id": "evt_1", "type": "payment.succeeded"}',
                                                      "headers": {"Content-Type": "application/json"}},
        "PUT /api/v1/services/{service_id}/deposit": {"json": {"deposit_type": "none"}},
        "POST /api/v1/guest-payments/{token}": {"json": {"payment_method": "cash"}},
        "PUT /api/v1/businesses/{business_id}/bank-details": {"json": {"account_name": "Side Salon CC",
                                                                       "bank": "Bank Windhoek",
                                                                       "account_number": "8001 2345 67"}},
        "PUT /api/v1/admin/settings/{key}": {"json": {"value": 45}},
        "GET /api/v1/admin/users": {"params": {"q": "pii"}},
        "GET /api/v1/search/businesses": {"params": {"q": "salon"}},
        "GET /api/v1/search/suggest": {"params": {"q": "sal"}},
    }
    return bodies.get(key, {})
