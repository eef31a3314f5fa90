"""Directory objects turned into their public shapes (the API's JSON, the pages' context)."""
from __future__ import annotations

from afrobiz.directory.contact import whatsapp_url
from afrobiz.directory.hours import DAY_NAMES
from afrobiz.directory.models import Business, BusinessImage, Category
from afrobiz.directory.queries import BusinessDetail
from afrobiz.directory.schemas import (
    BusinessRead,
    BusinessSummary,
    CategoryRef,
    ClosureRead,
    HoursRead,
    ImageRead,
    ImageSize,
    ServiceRead,
)


def _ref(c: Category | None) -> CategoryRef | None:
    return CategoryRef(id=c.id, name=c.name, slug=c.slug) if c else None


def money(value) -> str | None:  # noqa: ANN001
    return f"{value:.2f}" if value is not None else None


def image_read(i: BusinessImage) -> ImageRead:
    sizes = {name: ImageSize(url=v["url"], width=v["width"], height=v["height"])
             for name, v in (i.variants or {}).items() if isinstance(v, dict) and "url" in v}
    return ImageRead(id=i.id, image_url=i.image_url, image_type=i.image_type, alt_text=i.alt_text,
                     caption=i.caption, sort_order=i.sort_order, width=i.width, height=i.height, sizes=sizes)


def business_read(d: BusinessDetail) -> BusinessRead:
    b = d.business
    return BusinessRead(
        id=b.id, slug=b.slug, name=b.name, description=b.description, status=b.status,
        category=_ref(d.category), subcategory=_ref(d.subcategory), email=b.email, phone=b.phone,
        whatsapp=b.whatsapp, whatsapp_url=whatsapp_url(b.whatsapp), website=b.website,
        street_address=b.street_address, city=b.city, region=b.region, postal_code=b.postal_code,
        country=b.country, latitude=float(b.latitude) if b.latitude is not None else None,
        longitude=float(b.longitude) if b.longitude is not None else None, logo_url=b.logo_url,
        cover_image_url=b.cover_image_url, price_range=b.price_range, currency=b.currency,
        is_verified=b.is_verified, is_featured=b.is_featured, featured_until=b.featured_until,
        published_at=b.published_at, meta_title=b.meta_title, meta_description=b.meta_description,
        keywords=list(b.keywords or []), average_rating=money(b.average_rating) or "0.00",
        review_count=b.review_count, rating_is_new=d.rating_is_new,
        rating_distribution={str(k): v for k, v in d.rating_distribution.items()},
        is_open_now=d.status.is_open, closes_at=d.status.closes_at, opens_at=d.status.opens_at,
        hours=[HoursRead(day_of_week=h.day_of_week, day_name=DAY_NAMES[h.day_of_week],
                         open_time=h.open_time.strftime("%H:%M") if h.open_time else None,
                         close_time=h.close_time.strftime("%H:%M") if h.close_time else None,
                         is_closed=h.is_closed, is_24_hours=h.is_24_hours) for h in d.hours],
        closures=[ClosureRead(id=c.id, closed_on=c.closed_on, reason=c.reason) for c in d.closures],
        images=[image_read(i) for i in d.images],
        services=[ServiceRead(id=s.id, name=s.name, description=s.description, price=money(s.price),
                              currency=s.currency, duration_minutes=s.duration_minutes,
                              requires_booking=s.requires_booking) for s in d.services],
        created_at=b.created_at, updated_at=b.updated_at,
    )


def business_summary(b: Business) -> BusinessSummary:
    return BusinessSummary(id=b.id, slug=b.slug, name=b.name, status=b.status, city=b.city, region=b.region,
                           is_verified=b.is_verified, is_featured=b.is_featured,
                           average_rating=money(b.average_rating) or "0.00", review_count=b.review_count,
                           view_count=b.view_count, click_count=b.click_count, created_at=b.created_at,
                           published_at=b.published_at)
