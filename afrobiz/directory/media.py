"""A listing's pictures: upload (made safe by kit.images), describe, reorder, delete.

Files are written to the store before the row is committed; if the request then fails the
files stay behind unreferenced. They are content-addressed (the same bytes, the same name),
so that costs only space, and it never leaves a row pointing at a missing file.
"""
from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.admin.audit import record
from afrobiz.directory.models import Business, BusinessImage, ImageType
from afrobiz.errors import InvalidInput, NotFound
from afrobiz.kit.images import process_upload
from afrobiz.storage import FileStore, references

MAX_IMAGES_PER_BUSINESS = 30


async def add_image(session: AsyncSession, *, business: Business, actor: User, store: FileStore, data: bytes,
                    image_type: ImageType | str = ImageType.GALLERY, alt_text: str | None = None,
                    caption: str | None = None, ip: str | None = None) -> BusinessImage:
    """Store a checked, re-encoded picture; a logo or cover also becomes the listing's
    logo_url / cover_image_url (the previous one stays in the gallery list until deleted)."""
    try:
        kind = ImageType(image_type)
    except ValueError:
        raise InvalidInput("Choose logo, cover, gallery, menu or certificate.", field="image_type") from None
    if alt_text is not None and len(alt_text) > 255:
        raise InvalidInput("At most 255 characters.", field="alt_text")
    count = await session.scalar(select(func.count()).where(BusinessImage.business_id == business.id))
    if count >= MAX_IMAGES_PER_BUSINESS:
        raise InvalidInput(f"A listing holds at most {MAX_IMAGES_PER_BUSINESS} pictures; delete one first.",
                           field="file")
    processed = await process_upload(data, uploader_id=actor.id)
    await references.hold(session, [v.key for v in processed.variants.values()])
    variants = {}
    for v in processed.variants.values():
        await store.put(v.key, v.data, v.content_type)
        variants[v.name] = {"key": v.key, "url": store.url(v.key), "width": v.width, "height": v.height}
    top = await session.scalar(select(func.max(BusinessImage.sort_order))
                               .where(BusinessImage.business_id == business.id))
    image = BusinessImage(business_id=business.id, image_url=variants["full"]["url"], alt_text=alt_text or None,
                          caption=caption or None, image_type=kind, sort_order=0 if top is None else top + 1,
                          width=processed.width, height=processed.height, variants=variants)
    session.add(image)
    if kind == ImageType.LOGO:
        business.logo_url = variants["card"]["url"]
    elif kind == ImageType.COVER:
        business.cover_image_url = variants["full"]["url"]
    await session.flush()
    await record(session, actor_id=actor.id, action="business.image.add", table_name="business_images",
                 record_id=image.id, new={"business_id": str(business.id), "image_type": kind.value,
                                          "image_url": image.image_url}, ip=ip)
    return image


async def require_image(session: AsyncSession, business: Business, image_id: uuid.UUID) -> BusinessImage:
    image = await session.get(BusinessImage, image_id)
    if image is None or image.business_id != business.id:
        raise NotFound("No such picture.")
    return image


async def update_image(session: AsyncSession, *, business: Business, actor: User, image_id: uuid.UUID,
                       changes: dict, ip: str | None = None) -> BusinessImage:
    """Change a picture's alt text, caption or place in the order."""
    image = await require_image(session, business, image_id)
    changes = {k: v for k, v in changes.items() if k in ("alt_text", "caption", "sort_order")}
    old = {k: getattr(image, k) for k in changes}
    for k, v in changes.items():
        if k == "sort_order" and v is None:
            continue
        setattr(image, k, v)
    await session.flush()
    await record(session, actor_id=actor.id, action="business.image.update", table_name="business_images",
                 record_id=image.id, old=old, new=changes, ip=ip)
    return image


async def reorder_images(session: AsyncSession, *, business: Business, actor: User, image_ids: list[uuid.UUID],
                         ip: str | None = None) -> list[BusinessImage]:
    """Put the listing's pictures in this order (every picture of the listing, once)."""
    images = (await session.scalars(select(BusinessImage).where(BusinessImage.business_id == business.id))).all()
    by_id = {i.id: i for i in images}
    if len(image_ids) != len(set(image_ids)) or set(image_ids) != set(by_id):
        raise InvalidInput("List every picture of this business exactly once.", field="image_ids")
    for position, image_id in enumerate(image_ids):
        by_id[image_id].sort_order = position
    await session.flush()
    await record(session, actor_id=actor.id, action="business.image.reorder", table_name="businesses",
                 record_id=business.id, new={"order": [str(i) for i in image_ids]}, ip=ip)
    return [by_id[i] for i in image_ids]


async def delete_image(session: AsyncSession, *, business: Business, actor: User, store: FileStore,
                       image_id: uuid.UUID, ip: str | None = None) -> None:
    """Delete a picture (and its files, unless any other row uses the same content); a deleted
    logo or cover is removed from the listing too."""
    image = await require_image(session, business, image_id)
    keys = {v["key"] for v in (image.variants or {}).values() if isinstance(v, dict) and "key" in v}
    urls = {v.get("url") for v in (image.variants or {}).values() if isinstance(v, dict)} | {image.image_url}
    if business.logo_url in urls:
        business.logo_url = None
    if business.cover_image_url in urls:
        business.cover_image_url = None
    await session.delete(image)
    await session.flush()
    await record(session, actor_id=actor.id, action="business.image.delete", table_name="business_images",
                 record_id=image_id, old={"business_id": str(business.id), "image_url": image.image_url}, ip=ip)
    # Last: the same content may be another listing's photo or a customer's review photo.
    await references.delete_unreferenced(session, store, keys)

