"""Public directory pages: category pages, the business page, pictures, sitemap and robots."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.api.deps import Session, request_agent, request_ip
from afrobiz.db.deps import ReadSession
from afrobiz.directory import counting, present, queries, service
from afrobiz.directory.contact import display_phone
from afrobiz.directory.hours import DAY_NAMES, day_of_week, describe
from afrobiz.errors import NotFound
from afrobiz.storage import get_store
from afrobiz.web.deps import page_user
from afrobiz.web.pages.reviews import reviews_context
from afrobiz.web.templating import templates

router = APIRouter()
PAGE_SIZE = 20


@router.get("/media/{key}")
async def media(key: str, request: Request):
    """A stored picture. Its name is the hash of its bytes: cache it for ever."""
    data = await get_store(request.app.state.settings).get(key)
    if data is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    return Response(data, media_type="image/webp",
                    headers={"Cache-Control": "public, max-age=31536000, immutable",
                             "X-Content-Type-Options": "nosniff"})


@router.get("/categories/{slug}", response_class=HTMLResponse)
async def category_page(slug: str, request: Request, page: int = Query(1, ge=1, le=1000),
                        user: User | None = Depends(page_user),
                        session: AsyncSession = ReadSession):   # the replica for anonymous visitors
    category = await queries.category_by_slug(session, slug)
    if category is None:
        raise NotFound("There is no such category.")
    parent = None
    if category.parent_id:
        parent = next((c for c in await queries.category_tree(session) if c.id == category.parent_id), None)
    children = [] if category.parent_id else next(
        (c.children for c in await queries.category_tree(session) if c.id == category.id), [])
    businesses, total = await queries.category_businesses(session, category, limit=PAGE_SIZE,
                                                          offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    return templates.TemplateResponse(request, "directory/category.html", {
        "category": category, "parent": parent, "children": children, "businesses": businesses,
        "total": total, "page": page, "pages": pages,
        "min_reviews": await queries.setting_int(session, "reviews.min_count_for_average", 3)})


def _json_ld(read, base_url: str) -> str:
    """schema.org LocalBusiness for search engines (only what the page shows)."""
    data = {"@context": "https://schema.org", "@type": "LocalBusiness", "name": read.name,
            "url": f"{base_url}/b/{read.slug}", "priceRange": {"budget": "$", "moderate": "$$", "expensive": "$$$",
                                                             "luxury": "$$$$"}.get(read.price_range or "", None),
            "currenciesAccepted": read.currency}
    if read.description:
        data["description"] = read.description[:500]
    if read.phone:
        data["telephone"] = read.phone
    if read.images:
        data["image"] = [base_url + (i.sizes["full"].url if "full" in i.sizes else i.image_url)
                         for i in read.images[:5]]
    data["address"] = {"@type": "PostalAddress", "streetAddress": read.street_address,
                       "addressLocality": read.city, "addressRegion": read.region,
                       "postalCode": read.postal_code, "addressCountry": "NA"}
    data["address"] = {k: v for k, v in data["address"].items() if v}
    if read.latitude is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": read.latitude, "longitude": read.longitude}
    if read.review_count and not read.rating_is_new:
        data["aggregateRating"] = {"@type": "AggregateRating", "ratingValue": read.average_rating,
                                   "reviewCount": read.review_count, "bestRating": 5, "worstRating": 1}
    spec = []
    for h in read.hours:
        if h.is_closed:
            continue
        opens, closes = ("00:00", "23:59") if h.is_24_hours else (h.open_time, h.close_time)
        spec.append({"@type": "OpeningHoursSpecification", "dayOfWeek": f"https://schema.org/{h.day_name}",
                     "opens": opens, "closes": closes})
    if spec:
        data["openingHoursSpecification"] = spec
    data = {k: v for k, v in data.items() if v is not None}
    # </script> inside a string must not end the element: escape "<" in the JSON text.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


@router.get("/b/{slug}", response_class=HTMLResponse)
async def business_page(slug: str, request: Request, session: AsyncSession = Session,
                        user: User | None = Depends(page_user),
                        reads: AsyncSession = ReadSession):   # the replica for anonymous visitors
    business = await service.require_business(reads, slug)      # pending/suspended: 404 to others (RLS)
    detail = await queries.business_detail(reads, business)
    read = present.business_read(detail)
    if business.status == "active" and not service.can_edit(user, business):
        # The owner looking at their own page, and admins, are not interest to count.
        await counting.record_view(session, business_id=business.id, user_id=user.id if user else None,
                                   ip=request_ip(request), user_agent=request_agent(request),
                                   referrer=request.headers.get("referer"))
    settings = request.app.state.settings
    base_url = settings.base_url.rstrip("/")
    today = day_of_week(datetime.now(UTC).astimezone(ZoneInfo(settings.timezone)).date())
    by_day = {h.day_of_week: h for h in detail.hours}
    week = [{"day": d, "name": DAY_NAMES[d], "text": describe(by_day.get(d)), "today": d == today}
            for d in (1, 2, 3, 4, 5, 6, 0)]                      # Monday first, as people read a week
    gallery = [i for i in read.images if "thumb" in i.sizes]
    # The reviews section only exists for public (active) listings.
    reviews = await reviews_context(reads, business_id=business.id, user=user) if business.status == "active" else {}
    return templates.TemplateResponse(request, "directory/business.html", {**reviews,
        "b": read, "business": business, "detail": detail, "week": week, "gallery": gallery,
        "phone_display": display_phone(read.phone), "json_ld": _json_ld(read, base_url),
        "can_edit": service.can_edit(user, business), "base_url": base_url,
        "og_image": base_url + gallery[0].sizes.get("card", gallery[0].sizes["thumb"]).url if gallery else None})


@router.get("/sitemap.xml")
async def sitemap(request: Request, session: AsyncSession = Session):
    base = request.app.state.settings.base_url.rstrip("/")
    businesses, categories = await queries.sitemap_entries(session)
    urls = [f"<url><loc>{escape(base)}/</loc></url>"]
    urls += [f"<url><loc>{escape(base)}/categories/{escape(s)}</loc></url>" for s in categories]
    urls += [f"<url><loc>{escape(base)}/b/{escape(s)}</loc><lastmod>{u:%Y-%m-%d}</lastmod></url>"
             for s, u in businesses]
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(urls) + "</urlset>")
    return Response(body, media_type="application/xml", headers={"Cache-Control": "public, max-age=3600"})


@router.get("/robots.txt")
async def robots(request: Request):
    base = request.app.state.settings.base_url.rstrip("/")
    body = (f"User-agent: *\nDisallow: /api/\nDisallow: /my/\nDisallow: /admin/\nDisallow: /account\n"
            f"Sitemap: {base}/sitemap.xml\n")
    return Response(body, media_type="text/plain", headers={"Cache-Control": "public, max-age=86400"})
