"""Counting interest in a listing: page views and clicks on its contact buttons.

Each is one SQL statement (a SECURITY DEFINER function from migration 0003) that bumps the
counter and appends the detail row, so a page view costs one round trip. Obvious robots are
not counted. The visitor's address is kept only to network precision (/24 for IPv4, /48 for
IPv6): enough for rough place and abuse statistics, not enough to name a household.
"""
from __future__ import annotations

import ipaddress
import re
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.errors import InvalidInput

CLICK_KINDS = ("phone", "whatsapp", "website", "directions")
_BOT = re.compile(r"bot|crawl|spider|slurp|preview|fetch|monitor|scan|curl|wget|python-|httpx|"
                  r"go-http|java/|headless|lighthouse|facebookexternalhit|whatsapp/", re.I)


def is_bot(user_agent: str | None) -> bool:
    """No user agent, or one that says it is a program rather than a person's browser."""
    return not user_agent or bool(_BOT.search(user_agent))


def coarse_ip(ip: str | None) -> str | None:
    """The visitor's network, not their address: 196.44.1.77 -> 196.44.1.0."""
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)


async def record_view(session: AsyncSession, *, business_id: uuid.UUID, user_id: uuid.UUID | None,
                      ip: str | None, user_agent: str | None, referrer: str | None) -> bool:
    """Count a person's view of an active listing (robots and non-active listings: not counted)."""
    if is_bot(user_agent):
        return False
    return bool(await session.scalar(
        text("SELECT record_business_view(:b, :u, CAST(:ip AS inet), :ua, :ref)"),
        {"b": business_id, "u": user_id, "ip": coarse_ip(ip), "ua": (user_agent or "")[:500],
         "ref": (referrer or "")[:500] or None}))


async def record_click(session: AsyncSession, *, business_id: uuid.UUID, kind: str,
                       user_agent: str | None = None) -> bool:
    """Count a click on a contact button of an active listing (robots: not counted)."""
    if kind not in CLICK_KINDS:
        raise InvalidInput("Unknown button.", field="kind")
    if is_bot(user_agent):
        return False
    return bool(await session.scalar(text("SELECT record_business_click(:b, :k)"),
                                     {"b": business_id, "k": kind}))
