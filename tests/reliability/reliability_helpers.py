"""The reliability suite's small world and its leak detector.

The world: two owners (A, B) with an active business, a service with availability and a
picture each; two customers (A, B), each with a booking, an approved review and a favourite
on the business of their side; a notification for every user; an admin. Every user has a
distinctive e-mail, phone and birth date, so a response that leaks them is easy to spot.
"""
from __future__ import annotations

import functools
import itertools
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from factories.booking import create_booking, create_service, set_hours
from factories.directory import create_business, create_category
from factories.reviews import create_review
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.accounts.sessions import start_session
from afrobiz.directory.models import BusinessImage
from afrobiz.engagement.models import UserFavorite
from afrobiz.notifications.models import Notification
from afrobiz.payments.models import Payment

PASSWORD = "kudu-sunset-etosha-42"
ROLES = ("anonymous", "customer", "owner", "admin")
ACTORS = ("anonymous", "customer_a", "customer_b", "owner_a", "owner_b", "admin")


@functools.cache
def password_hash() -> str:
    # argon2 is slow on purpose: hash once per process, not once per user per test.
    from afrobiz.accounts.passwords import hasher

    return hasher.hash(PASSWORD)


def windhoek_today() -> date:
    return datetime.now(UTC).astimezone(ZoneInfo("Africa/Windhoek")).date()


@dataclass
class Person:
    id: uuid.UUID
    email: str
    phone: str
    birth: str
    role: str
    token: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Side:
    """Everything of one side (A or B): the owner's business and the customer's things on it."""
    owner: Person
    customer: Person
    business: uuid.UUID
    slug: str
    service: uuid.UUID
    booking: uuid.UUID
    review: uuid.UUID
    image: uuid.UUID
    category: uuid.UUID
    payment: uuid.UUID


@dataclass
class World:
    a: Side
    b: Side
    admin: Person
    notifications: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)   # user id -> notification id
    day: date = field(default_factory=lambda: windhoek_today() + timedelta(days=5))

    def person(self, actor: str) -> Person | None:
        return {"anonymous": None, "customer_a": self.a.customer, "customer_b": self.b.customer,
                "owner_a": self.a.owner, "owner_b": self.b.owner, "admin": self.admin}[actor]

    def people(self) -> list[Person]:
        return [self.a.owner, self.b.owner, self.a.customer, self.b.customer, self.admin]

    def side(self, actor: str, target: str) -> Side:
        """'own' is the actor's side (A for anonymous and admin), 'other' the opposite one."""
        mine = self.b if actor.endswith("_b") else self.a
        if target == "own":
            return mine
        return self.a if mine is self.b else self.b

    def counterpart(self, actor: str) -> Person:
        """Someone else of the same kind: whose private objects 'other' points at."""
        return {"anonymous": self.b.customer, "customer_a": self.b.customer, "customer_b": self.a.customer,
                "owner_a": self.b.owner, "owner_b": self.a.owner, "admin": self.b.customer}[actor]


_BIRTHS = itertools.count(uuid.uuid4().int % 18000)   # distinct birth dates: a shared one would look like a leak


async def _user(db: AsyncSession, role: str, tag: str) -> tuple[Person, User]:
    n = uuid.uuid4().int
    # Distinctive values: found anywhere in a response, they can only have come from this user.
    person = User(email=f"pii-{tag}-{uuid.uuid4().hex[:10]}@private.example.na", first_name=f"First{tag}",
                  last_name=f"Last{tag}", role=role, phone=f"+26481{n % 10**7:07d}",
                  date_of_birth=date(1940, 1, 1) + timedelta(days=next(_BIRTHS) * 97 % 18000),
                  password_hash=password_hash(),
                  created_at=datetime.now(UTC) - timedelta(days=90))
    db.add(person)
    await db.flush()
    token = await start_session(db, user=person)
    return Person(person.id, person.email, person.phone, person.date_of_birth.isoformat(), role, token), person


async def _side(db: AsyncSession, tag: str, day: date) -> Side:
    owner, owner_row = await _user(db, "business_owner", f"owner{tag}")
    customer, customer_row = await _user(db, "customer", f"cust{tag}")
    category = await create_category(db)
    biz = await create_business(db, owner=owner_row, name=f"Side {tag} Salon", category_id=category.id,
                                email=f"front-desk-{tag.lower()}@salon.example.na", phone="+264 61 000 000")
    await set_hours(db, business=biz)
    service = await create_service(db, business=biz, name=f"Haircut {tag}")
    booking = await create_booking(db, service=service, day=day, at=time(10), customer=customer_row)
    review = await create_review(db, business=biz, customer=customer_row)
    image = BusinessImage(business_id=biz.id, image_url=f"/media/test/{uuid.uuid4().hex}.webp", alt_text="front")
    db.add(image)
    db.add(UserFavorite(user_id=customer.id, business_id=biz.id))
    payment = Payment(booking_id=booking.id, user_id=customer.id, business_id=biz.id, payment_method="cash",
                      amount=booking.total_amount, business_amount=booking.total_amount)
    db.add(payment)
    await db.flush()
    return Side(owner, customer, biz.id, biz.slug, service.id, booking.id, review.id, image.id, category.id,
                payment.id)


async def build_world(db: AsyncSession) -> World:
    day = windhoek_today() + timedelta(days=5)
    world = World(a=await _side(db, "A", day), b=await _side(db, "B", day), admin=(await _user(db, "admin", "Admin"))[0],
                  day=day)
    for person in world.people():
        note = Notification(user_id=person.id, type="booking_confirmed", title="Booked", message="See you soon")
        db.add(note)
        await db.flush()
        world.notifications[person.id] = note.id
    return world


# ---------------------------------------------------------------- leaks

SECRET_KEYS = re.compile(r'"(password_hash|password|token_hash|refresh_token|access_token|token|secret)"\s*:')


def leaks(world: World, actor: str, body: str, *, allow_access_token: bool = False,
          may_see: set[uuid.UUID] = frozenset()) -> list[str]:
    """What this response body shows that the actor must not see: secrets, any session
    token, and other users' e-mail, phone or birth date (unless may_see lets them)."""
    found = []
    for m in SECRET_KEYS.finditer(body):
        if not (allow_access_token and m.group(1) == "access_token"):
            found.append(f"secret field {m.group(1)!r}")
    if "$argon2" in body:
        found.append("a password hash")
    me = world.person(actor)
    for person in world.people():
        if person.token and person.token in body and not allow_access_token:
            found.append(f"the session token of {person.email}")
        if me is not None and person.id == me.id or person.id in may_see:
            continue
        for what, value in (("e-mail", person.email), ("phone", person.phone), ("birth date", person.birth)):
            if value and value in body:
                found.append(f"the {what} of another user ({person.email})")
    return found


def visible_people(world: World, actor: str) -> set[uuid.UUID]:
    """Whose contact details an actor may legitimately see: an owner sees the customers who
    booked with them (to reach them about the booking); an admin sees everyone."""
    if actor == "admin":
        return {p.id for p in world.people()}
    if actor == "owner_a":
        return {world.a.customer.id}
    if actor == "owner_b":
        return {world.b.customer.id}
    return set()


def pretty(body: str, limit: int = 300) -> str:
    try:
        return json.dumps(json.loads(body))[:limit]
    except ValueError:
        return body[:limit]
