"""Helpful counts stay exact when 20 users vote (and change their votes) at the same moment."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import delete, func, select

from afrobiz.accounts.models import User
from afrobiz.db.session import make_engine, make_sessionmaker, set_identity
from afrobiz.reviews import moderation
from afrobiz.reviews.models import Review, ReviewVote
from factories.accounts import create_user
from factories.directory import create_business
from factories.reviews import create_review


async def test_twenty_concurrent_votes_are_counted_exactly(database_url):
    engine = make_engine(database_url, pool_size=10)      # up to 20 connections: one per voter
    sessions = make_sessionmaker(engine)
    users = []
    try:
        async with sessions() as s, s.begin():          # committed set-up: every voter is its own transaction
            await set_identity(s, None, "system")
            owner = await create_user(s, role="business_owner")
            author = await create_user(s)
            voters = [await create_user(s) for _ in range(20)]
            users = [owner, author, *voters]
            business = await create_business(s, owner=owner)
            review = await create_review(s, business=business, customer=author, published_at=datetime.now(UTC))

        async def vote(voter, helpful):
            async with sessions() as s, s.begin():
                await set_identity(s, voter.id, "customer")
                await moderation.vote(s, user=voter, review_id=review.id, helpful=helpful)

        async def counts():
            async with sessions() as s, s.begin():
                await set_identity(s, None, "system")
                stored = (await s.execute(select(Review.helpful_count, Review.not_helpful_count)
                                          .where(Review.id == review.id))).one()
                fresh = (await s.execute(select(
                    func.count().filter(ReviewVote.is_helpful), func.count().filter(~ReviewVote.is_helpful))
                    .where(ReviewVote.review_id == review.id))).one()
                return tuple(stored), tuple(fresh)

        await asyncio.gather(*(vote(v, i % 4 != 0) for i, v in enumerate(voters)))
        assert await counts() == ((15, 5), (15, 5))
        # Everyone changes their mind at once, and half of them press twice.
        await asyncio.gather(*(vote(v, i % 4 == 0) for i, v in enumerate(voters)),
                             *(vote(v, i % 4 == 0) for i, v in enumerate(voters[:10])))
        assert await counts() == ((5, 15), (5, 15))
    finally:
        async with sessions() as s, s.begin():
            await set_identity(s, None, "system")
            # Voters first: their votes go, and the vote trigger updates the review while its
            # business still exists. In one statement with the owner, the cascade sometimes
            # removed the business first and the trigger's UPDATE of the review then failed
            # its foreign key check, leaving this committed data behind for later tests.
            voter_ids = [u.id for u in users[2:]]
            await s.execute(delete(User).where(User.id.in_(voter_ids)))
            await s.execute(delete(User).where(User.id.in_([u.id for u in users if u.id not in voter_ids])))
        await engine.dispose()
