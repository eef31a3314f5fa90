"""Factories for analytics and admin tests: raw facts at chosen instants, owners with a business."""
from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.analytics.models import SearchImpression
from afrobiz.engagement.models import BusinessView, UserFavorite
from afrobiz.payments.models import Payment
from factories.accounts import create_user
from factories.directory import create_business


async def owner_with_business(session: AsyncSession, **overrides):
    """(owner, business): an active business of a fresh business owner."""
    owner = await create_user(session, role="business_owner")
    return owner, await create_business(session, owner=owner, **overrides)


async def add_view(session: AsyncSession, business, at: datetime) -> None:
    session.add(BusinessView(business_id=business.id, viewed_at=at))
    await session.flush()


async def add_impression(session: AsyncSession, businesses, at: datetime) -> None:
    session.add(SearchImpression(business_ids=[b.id for b in businesses], shown_at=at))
    await session.flush()


async def add_click(session: AsyncSession, business, kind: str, at: datetime) -> None:
    # Clicks are only ever added through record_business_click (at "now"); a click in the past
    # needs the owning role for one statement.
    await session.execute(text("SET LOCAL ROLE postgres"))
    await session.execute(text("INSERT INTO business_clicks (business_id, kind, clicked_at) VALUES (:b, :k, :at)"),
                          {"b": business.id, "k": kind, "at": at})
    await session.execute(text("SET LOCAL ROLE afrobiz_app"))


async def add_favorite(session: AsyncSession, business, at: datetime, user=None) -> None:
    user = user or await create_user(session)
    session.add(UserFavorite(user_id=user.id, business_id=business.id, created_at=at))
    await session.flush()


async def add_payment(session: AsyncSession, business, amount: str, at: datetime, *, booking=None,
                      status: str = "completed") -> Payment:
    payment = Payment(business_id=business.id, booking_id=booking.id if booking else None,
                      payment_method="cash", amount=Decimal(amount), business_amount=Decimal(amount),
                      status=status, processed_at=at, provider_payment_id=uuid.uuid4().hex)
    session.add(payment)
    await session.flush()
    return payment


async def cookie_for(session: AsyncSession, user) -> dict[str, str]:
    """A Cookie header of a fresh page session for this user."""
    from afrobiz.accounts.sessions import start_session
    from afrobiz.web.deps import COOKIE_NAME

    return {"Cookie": f"{COOKIE_NAME}={await start_session(session, user=user)}"}


def csrf_of(html: str) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
