"""The home page: a search box, the categories, featured businesses and those near a town."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.api.deps import Session
from afrobiz.directory import queries
from afrobiz.kit.namibia import towns
from afrobiz.db.raw import session_reader
from afrobiz.search.params import SearchParams
from afrobiz.search.queries import search_businesses
from afrobiz.web.deps import page_user
from afrobiz.web.templating import templates

router = APIRouter()
SHOWN = 6
NEAR_RADIUS_KM = 25.0
# The towns offered as one-tap "near" choices (the largest first); any town works in search.
POPULAR_TOWNS = ("Windhoek", "Walvis Bay", "Swakopmund", "Oshakati", "Rundu", "Katima Mulilo", "Keetmanshoop")


def _place(near: str, lat: str, lon: str) -> tuple[str, float, float] | None:
    """Where "nearby" means: the visitor's coordinates, or a town they chose; None if neither."""
    try:
        if lat and lon:
            la, lo = float(lat), float(lon)
            if -90 <= la <= 90 and -180 <= lo <= 180:
                return "your location", la, lo
    except ValueError:
        pass
    town = next((t for t in towns() if t.name.lower() == near.strip().lower()), None) if near else None
    return (town.name, town.latitude, town.longitude) if town else None


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def home(request: Request, near: str = "", lat: str = "", lon: str = "",
               session: AsyncSession = Session, user: User | None = Depends(page_user)):
    categories = await queries.category_tree(session)
    featured = await queries.featured_businesses(session, limit=SHOWN)
    place, nearby = _place(near, lat, lon), None
    if place:
        result = await search_businesses(await session_reader(session), params=SearchParams(
            lat=place[1], lon=place[2], radius_km=NEAR_RADIUS_KM, sort="distance", limit=SHOWN),
            secret=request.app.state.settings.secret_key)
        nearby = result.items
    return templates.TemplateResponse(request, "home.html", {
        "categories": categories, "featured": featured, "place": place, "nearby": nearby,
        "near": near, "towns": POPULAR_TOWNS})
