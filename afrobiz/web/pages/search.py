"""The /search page: one box, a place (near me or a town), filter chips, result cards, next page."""
from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.db.deps import ReadSession
from afrobiz.db.raw import session_reader
from afrobiz.directory import queries as directory_queries
from afrobiz.errors import InvalidInput
from afrobiz.i18n import gettext
from afrobiz.kit.namibia import REGIONS, towns
from afrobiz.search import queries
from afrobiz.search.params import PRICE_RANGES, SearchParams
from afrobiz.web.deps import page_user
from afrobiz.web.errors import domain_errors
from afrobiz.web.templating import templates

router = APIRouter()
FIELDS = ("q", "near", "lat", "lon", "radius_km", "category", "region", "city", "min_rating", "price_range",
          "open_now", "verified", "bookable", "sort")
TOWN_RADIUS_KM = 15.0


def _number(raw: str | None, name: str, errors: dict) -> float | None:
    if raw is None or not raw.strip():
        return None
    try:
        return float(raw)
    except ValueError:
        errors[name] = gettext("Enter a number.")
        return None


def _params(form: dict[str, str], cursor: str | None, errors: dict) -> dict:
    """The page's fields as search parameters (SearchParams'); a town stands in for lat/lon."""
    lat, lon = _number(form.get("lat"), "lat", errors), _number(form.get("lon"), "lon", errors)
    radius = _number(form.get("radius_km"), "radius_km", errors)
    near = (form.get("near") or "").strip()
    if near and lat is None:
        town = next((t for t in towns() if t.name.lower() == near.lower()), None)
        if town is None:
            errors["near"] = gettext("Choose a town from the list, or use your location.")
        else:
            lat, lon, radius = town.latitude, town.longitude, radius or TOWN_RADIUS_KM
    on = lambda k: form.get(k, "") in ("1", "on", "true")
    return dict(
        q=form.get("q"), category=form.get("category"), region=form.get("region"), city=form.get("city"),
        lat=lat, lon=lon, radius_km=radius, min_rating=_number(form.get("min_rating"), "min_rating", errors),
        price_range=form.get("price_range"), open_now=on("open_now"), verified=on("verified"),
        bookable=on("bookable"), sort=form.get("sort") or "relevance", limit=20, cursor=cursor)


@router.get("/search", response_class=HTMLResponse)
async def search_page(request: Request, user: User | None = Depends(page_user),
                      reads: AsyncSession = ReadSession):   # the replica for anonymous visitors
    qp = request.query_params
    form = {k: qp.get(k, "") for k in FIELDS}
    errors: dict[str, str] = {}
    values = _params(form, qp.get("cursor") or None, errors)
    result = None
    if not errors:
        try:
            result = await queries.search_businesses(await session_reader(reads), params=SearchParams.checked(values),
                                                     secret=request.app.state.settings.secret_key)
            # Analytics: which businesses this page showed (search appearances, click-through rate).
            await request.app.state.impressions.record([item["id"] for item in result.items])
        except InvalidInput as exc:
            errors = domain_errors(exc)
            errors = {"q": errors["form"]} if list(errors) == ["form"] else errors
    kept = {k: v for k, v in form.items() if v}

    def url(**changes) -> str:
        """This search with some fields changed (None removes one); always from page one."""
        merged = {k: v for k, v in (kept | changes).items() if v not in (None, "")}
        return "/search?" + urlencode(merged)

    next_url = url(cursor=result.next_cursor) if result and result.next_cursor else None
    categories = await directory_queries.category_tree(reads)
    status = 422 if errors else 200
    return templates.TemplateResponse(request, "search/index.html", {
        "form": form, "errors": errors, "result": result, "url": url, "next_url": next_url,
        "first_page": not qp.get("cursor"), "categories": categories, "regions": REGIONS,
        "towns": sorted(t.name for t in towns()), "prices": PRICE_RANGES}, status_code=status)
