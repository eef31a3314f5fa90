"""Mass assignment: privileged fields smuggled into every JSON body the API takes change nothing.

Each route with a JSON object body is called by an actor the matrix allows, with the valid
body plus role, owner/customer ids, status, amounts, verification and featuring flags. The
answer may be 2xx (extra fields ignored) or 422 (extra fields refused); either way no
protected column of the world moves and the response does not echo the smuggled values.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from authorization_matrix import EXPECTED, fill, matches, parse, request_kwargs, role_of
from reliability_helpers import build_world, pretty
from sqlalchemy import text
from test_reliability_matrix import ROUTES

# Protected columns per table: only admins (or the rules themselves) may move them.
PROTECTED = {
    "users": "role, email_verified, phone_verified, is_suspended, is_active",
    "businesses": "owner_id, status, is_verified, is_featured, featured_until",
    "bookings": "customer_id, business_id, service_id, total_amount, service_price, discount_amount",
    "payments": "user_id, business_id, amount, platform_fee, business_amount",
    "reviews": "customer_id, business_id, is_verified",
    "services": "business_id",
}


def smuggled(world) -> dict:
    later = (datetime.now(UTC) + timedelta(days=365)).isoformat()
    return {"role": "admin", "owner_id": str(world.b.owner.id), "customer_id": str(world.b.customer.id),
            "user_id": str(world.b.customer.id), "business_id": str(world.b.business), "status": "active",
            "is_verified": True, "is_featured": True, "featured_until": later, "email_verified": True,
            "phone_verified": True, "is_suspended": False, "total_amount": "0.01", "amount": "0.01",
            "platform_fee": "0.00", "business_amount": "9999.00", "average_rating": "5.00",
            "review_count": 999, "helpful_count": 999, "view_count": 99999, "password_hash": "x"}


# Values that would betray a smuggled field if a response showed them.
TELLTALE = ("role", "owner_id", "customer_id", "user_id", "is_featured", "email_verified", "phone_verified",
            "total_amount", "amount", "business_amount", "review_count", "helpful_count", "view_count",
            "featured_until")


def echoed(node, values: dict, path: str = "") -> list[str]:
    found = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k in TELLTALE and k in values and v == values[k]:
                found.append(f"{path}{k}={v!r}")
            found += echoed(v, values, f"{path}{k}.")
    elif isinstance(node, list):
        for item in node:
            found += echoed(item, values, path)
    return found


def candidates() -> list[str]:
    """Write routes whose valid request carries a JSON object."""
    import uuid
    from types import SimpleNamespace

    # A stand-in world, only to learn the shape of each route's body.
    p = SimpleNamespace(id=uuid.uuid4(), email="x@example.na", headers={})
    side = SimpleNamespace(owner=p, customer=p, business=uuid.uuid4(), slug="s", service=uuid.uuid4(),
                           booking=uuid.uuid4(), review=uuid.uuid4(), image=uuid.uuid4(), category=uuid.uuid4(),
                           payment=uuid.uuid4())
    from reliability_helpers import World
    world = World(a=side, b=side, admin=p)
    world.person = lambda actor: None if actor == "anonymous" else p   # type: ignore[method-assign]
    world.counterpart = lambda actor: p                                # type: ignore[method-assign]
    out = []
    for key in ROUTES:
        if (key.split()[0] in ("POST", "PUT", "PATCH", "DELETE") and key in EXPECTED and allowed_actor(key)
                and isinstance(request_kwargs(world, key, "customer_a", "own").get("json"), dict)):
            out.append(key)
    return out


def allowed_actor(key: str) -> str | None:
    expected = parse(EXPECTED[key])
    for actor in ("customer_a", "owner_a", "admin", "anonymous"):
        if "2xx" in expected[role_of(actor)][0].split("|"):
            return actor
    return None


async def snapshot(db) -> dict:
    out = {}
    for table, cols in PROTECTED.items():
        rows = await db.execute(text(f"SELECT id, {cols} FROM {table}"))
        out[table] = {r[0]: tuple(r[1:]) for r in rows}
    return out


@pytest.mark.parametrize("key", candidates())
async def test_smuggled_fields_change_nothing(db, client, key):
    actor = allowed_actor(key)
    world = await build_world(db)
    method, path = key.split(" ", 1)
    kwargs = request_kwargs(world, key, actor, "own")
    values = smuggled(world)
    kwargs["json"] = values | kwargs["json"]            # the route's own fields win
    person = world.person(actor)
    headers = (person.headers if person else {}) | kwargs.pop("headers", {})
    before = await snapshot(db)
    response = await client.request(method, fill(world, actor, "own", path), headers=headers, **kwargs)
    assert matches(response.status_code, "2xx|422"), f"{key} as {actor}: {response.status_code} {pretty(response.text)}"
    # Admins set these fields by design (feature, verify, status); deleting one's account
    # deactivates it. For those only "no new admin" is checked.
    by_design = "/admin/" in path or key == "DELETE /api/v1/me"
    if response.status_code < 300 and response.content and not by_design:
        body = response.json()
        assert not echoed(body, values), f"{key} took smuggled values: {echoed(body, values)}"
        if key == "POST /api/v1/businesses":
            assert body["status"] == "pending" and body["is_verified"] is False
    after = await snapshot(db)
    changed = {table: [(rid, before[table].get(rid), row) for rid, row in rows.items()
                       if rid in before[table] and before[table][rid] != row]
               for table, rows in after.items()}
    changed = {t: c for t, c in changed.items() if c and not by_design}
    if key == "POST /api/v1/me/phone" and _only_phone_flag(changed.get("users", [])):
        changed.pop("users", None)
    assert not changed, f"{key} as {actor} moved protected columns: {changed}"
    users = await db.execute(text("SELECT count(*) FROM users WHERE role = 'admin' AND id <> :admin"),
                             {"admin": world.admin.id})
    assert users.scalar() == before_admins(before, world), "a new admin appeared"


def _only_phone_flag(rows) -> bool:
    # A new phone number is unverified again: phone_verified may go from true to false, never up.
    return all(old[:2] == new[:2] and old[3:] == new[3:] and new[2] is False for _, old, new in rows)


def before_admins(before: dict, world) -> int:
    return sum(1 for rid, row in before["users"].items() if row[0] == "admin" and rid != world.admin.id)
