"""The directory's rules for listings: create, edit, hours, and who may do what."""
from __future__ import annotations

import uuid
from datetime import time
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.admin.audit import record
from afrobiz.db.session import acting_as_system
from afrobiz.directory.business_settings import BusinessSettings, merged
from afrobiz.directory import hours as hours_rules
from afrobiz.directory.contact import normalize_phone, normalize_website
from afrobiz.directory.models import Business, BusinessHours, Category
from afrobiz.directory.schemas import BusinessCreate, BusinessUpdate, HoursIn
from afrobiz.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from afrobiz.kit import namibia
from afrobiz.kit.slugs import slugify, with_suffix

# What an owner may change with a profile edit; everything else (status, verification,
# featuring, counters, slug) is set by admins or by the system.
PROFILE_FIELDS = tuple(BusinessUpdate.model_fields)
AUDITED = PROFILE_FIELDS


def is_staff(user: User | None) -> bool:
    return user is not None and str(user.role) == "admin"


def can_edit(user: User | None, business: Business) -> bool:
    return user is not None and (business.owner_id == user.id or is_staff(user))


async def get_business(session: AsyncSession, id_or_slug: str | uuid.UUID) -> Business | None:
    """The business with this id or slug, if the caller may see it (RLS: active ones, one's
    own, or any for staff)."""
    try:
        business_id = id_or_slug if isinstance(id_or_slug, uuid.UUID) else uuid.UUID(str(id_or_slug))
    except ValueError:
        where = Business.slug == str(id_or_slug).lower()
    else:
        where = Business.id == business_id
    # A query, not session.get(): the identity map must not answer past RLS, and the row is
    # read afresh (triggers keep the rating and counters).
    return await session.scalar(select(Business).where(where).execution_options(populate_existing=True))


async def require_business(session: AsyncSession, id_or_slug: str | uuid.UUID) -> Business:
    business = await get_business(session, id_or_slug)
    if business is None:
        raise NotFound("No such business.")
    return business


async def require_editable(session: AsyncSession, id_or_slug: str | uuid.UUID, user: User) -> Business:
    """The business if `user` owns it (or is an admin). Invisible → 404; visible (active)
    but someone else's → 403."""
    business = await require_business(session, id_or_slug)
    if not can_edit(user, business):
        raise PermissionDenied("Only the business's owner may change it.")
    return business


def businesses_editable_by(user: User):
    """The one scoping rule for owner data: a user's own businesses (all, for staff)."""
    query = select(Business)
    return query if is_staff(user) else query.where(Business.owner_id == user.id)


# ---------------------------------------------------------------- profile rules


async def _check_profile(session: AsyncSession, values: dict[str, Any], current: Business | None) -> dict[str, Any]:
    """Normalize and check profile values (the merged result of current + changes).
    Raises InvalidInput listing every bad field."""
    errors: list[dict] = []
    out = dict(values)

    def bad(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    def get(field: str):
        return values[field] if field in values else getattr(current, field, None)

    for field in ("phone", "whatsapp"):
        if field in values and values[field]:
            number = normalize_phone(values[field])
            if number is None:
                bad(field, "Not a valid phone number (e.g. 081 234 5678 or +264 81 234 5678).")
            out[field] = number
    if "website" in values and values["website"]:
        url = normalize_website(values["website"])
        if url is None:
            bad("website", "Use a web address starting with http:// or https://.")
        out["website"] = url
    if "region" in values:
        region = namibia.normalize_region(values["region"] or "")
        if region is None:
            bad("region", "Choose one of Namibia's 14 regions.")
        out["region"] = region
    if "keywords" in values and values["keywords"] is not None:
        keywords = [k.strip()[:50] for k in values["keywords"] if k and k.strip()]
        out["keywords"] = list(dict.fromkeys(keywords))
    if "settings" in values:
        # Checked key by key by BusinessSettings (the API's body already was); a partial change
        # keeps the keys it does not name, a null clears them all.
        sent = values["settings"]
        try:
            out["settings"] = {} if sent is None else merged(
                getattr(current, "settings", None),
                sent if isinstance(sent, BusinessSettings) else BusinessSettings.model_validate(sent))
        except ValidationError as exc:
            for err in exc.errors():
                bad(".".join(["settings", *map(str, err["loc"])]), err["msg"])

    lat, lon = get("latitude"), get("longitude")
    if "latitude" in values or "longitude" in values:
        if (lat is None) != (lon is None):
            bad("longitude" if lon is None else "latitude", "Give both latitude and longitude, or neither.")
        elif lat is not None and not namibia.in_namibia(float(lat), float(lon)):
            bad("latitude", "These coordinates are not in Namibia.")
        for f, v in (("latitude", lat), ("longitude", lon)):
            if f in values and v is not None:
                out[f] = Decimal(v).quantize(Decimal("0.00000001"))

    if "category_id" in values or "subcategory_id" in values:
        category_id, subcategory_id = get("category_id"), get("subcategory_id")
        category = await session.get(Category, category_id) if category_id else None
        if "category_id" in values and (category is None or not category.is_active or category.parent_id is not None):
            bad("category_id", "Choose one of the main categories.")
        if subcategory_id is not None:
            sub = await session.get(Category, subcategory_id)
            if sub is None or not sub.is_active or sub.parent_id != category_id:
                bad("subcategory_id", "This subcategory does not belong to the chosen category.")
    if errors:
        raise InvalidInput("Some fields need attention.", errors=errors)
    return out


async def _free_slug(session: AsyncSession, name: str) -> str:
    base = slugify(name, max_length=80, fallback="business")
    try:
        uuid.UUID(base)
        base += "-biz"          # a slug must never parse as an id (GET /businesses/{id_or_slug})
    except ValueError:
        pass
    # Slugs are unique over all businesses, pending and suspended ones too, which RLS hides
    # from the owner: look past it for this one read.
    async with acting_as_system(session):
        taken = set((await session.scalars(
            select(Business.slug).where(Business.slug.op("~")(f"^{base}(-[0-9]+)?$")))).all())
    return with_suffix(base, taken, max_length=80)


async def create_business(session: AsyncSession, *, owner: User, data: BusinessCreate,
                          ip: str | None = None) -> Business:
    """A business owner lists a business: it starts pending (invisible to others) with a
    unique slug made from its name."""
    if str(owner.role) != "business_owner":
        raise PermissionDenied("Only business owner accounts can list a business.")
    values = await _check_profile(session, data.model_dump(), None)
    values["settings"] = values.get("settings") or {}
    values["keywords"] = values.get("keywords") or None
    for attempt in range(3):
        slug = await _free_slug(session, data.name)
        if attempt:
            slug = f"{slug[:70]}-{uuid.uuid4().hex[:6]}"
        business = Business(owner_id=owner.id, slug=slug, status="pending", currency="NAD", **values)
        try:
            async with session.begin_nested():     # a racing insert of the same slug: retry
                session.add(business)
                await session.flush()
            break
        except IntegrityError:
            continue
    else:
        raise Conflict("Could not find a free address for this business; please try again.")
    await record(session, actor_id=owner.id, action="business.create", table_name="businesses",
                 record_id=business.id, new={"name": business.name, "slug": business.slug}, ip=ip)
    return business


async def update_business(session: AsyncSession, *, business: Business, actor: User, changes: dict[str, Any],
                          ip: str | None = None) -> Business:
    """Change profile fields (partial). The slug stays what it was, so links keep working;
    admin-only fields are not profile fields and are never changed here."""
    changes = {k: v for k, v in changes.items() if k in PROFILE_FIELDS}
    for required in ("name", "category_id", "city", "region"):
        if required in changes and changes[required] is None:
            raise InvalidInput("This field cannot be empty.", field=required)
    values = await _check_profile(session, changes, business)
    old = {k: getattr(business, k) for k in values}
    for k, v in values.items():
        setattr(business, k, v)
    await session.flush()
    changed = {k: v for k, v in values.items() if old[k] != v}
    if changed:
        await record(session, actor_id=actor.id, action="business.update", table_name="businesses",
                     record_id=business.id, old={k: old[k] for k in changed}, new=changed, ip=ip)
    return business


# ---------------------------------------------------------------- hours


async def set_hours(session: AsyncSession, *, business: Business, actor: User, week: list[HoursIn],
                    ip: str | None = None) -> list[BusinessHours]:
    """Replace the weekly hours (days not given are closed: no row). Overnight hours are
    allowed; a closed or 24-hour day carries no times."""
    errors = hours_rules.validate_week(week)
    if errors:
        raise InvalidInput("Some days need attention.", errors=errors)
    old = await session.scalars(select(BusinessHours).where(BusinessHours.business_id == business.id)
                                .order_by(BusinessHours.day_of_week))
    old_view = [_hours_view(h) for h in old]
    await session.execute(delete(BusinessHours).where(BusinessHours.business_id == business.id))
    rows = [BusinessHours(business_id=business.id, day_of_week=d.day_of_week, open_time=d.open_time,
                          close_time=d.close_time, is_closed=d.is_closed, is_24_hours=d.is_24_hours)
            for d in sorted(week, key=lambda d: d.day_of_week)]
    session.add_all(rows)
    await session.flush()
    await record(session, actor_id=actor.id, action="business.hours", table_name="businesses",
                 record_id=business.id, old={"hours": old_view}, new={"hours": [_hours_view(h) for h in rows]}, ip=ip)
    return rows


def _hours_view(h: BusinessHours) -> dict:
    return {"day_of_week": h.day_of_week, "open_time": _t(h.open_time), "close_time": _t(h.close_time),
            "is_closed": h.is_closed, "is_24_hours": h.is_24_hours}


def _t(t: time | None) -> str | None:
    return t.strftime("%H:%M") if t else None

