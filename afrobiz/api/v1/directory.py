"""Directory endpoints: categories, businesses (profile, hours, pictures), one's own listings."""
from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, File, Form, Path, Query, Request, Response, UploadFile
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.api.deps import Session, current_user, optional_user, request_agent, request_ip, require_role
from afrobiz.db.deps import ReadSession
from afrobiz.directory import counting, media, present, queries, service
from afrobiz.directory.models import ImageType
from afrobiz.directory.schemas import (
    BusinessCreate,
    BusinessPage,
    BusinessRead,
    BusinessUpdate,
    HoursIn,
    HoursRead,
    ImageRead,
    ImageUpdate,
)
from afrobiz.kit.images import MAX_BYTES, ImageTooLarge
from afrobiz.storage import get_store

router = APIRouter(tags=["directory"])


class CategoryRead(BaseModel):
    id: uuid.UUID
    name: str
    slug: str
    icon: str | None = None
    color: str | None = None
    description: str | None = None
    children: list["CategoryRead"] = []


@router.get("/categories", response_model=list[CategoryRead], summary="The category tree")
async def list_categories(session: AsyncSession = Session):
    return await queries.category_tree(session)


async def _read(session: AsyncSession, business) -> BusinessRead:  # noqa: ANN001
    return present.business_read(await queries.business_detail(session, business))


@router.post("/businesses", status_code=201, response_model=BusinessRead, summary="List a business (pending)")
async def create_business(data: BusinessCreate, request: Request, session: AsyncSession = Session,
                          user: User = Depends(require_role("business_owner"))):
    business = await service.create_business(session, owner=user, data=data, ip=request_ip(request))
    return await _read(session, business)


# One path template with PATCH below (API.md's /businesses/{id_or_slug} and /businesses/{id}
# are the same URLs): OpenAPI forbids two templates that differ only in the variable's name.
@router.get("/businesses/{business_id}", response_model=BusinessRead, summary="A business by id or slug")
async def get_business(business_id: Annotated[str, Path(description="The business's id, or its slug")],
                       user: User | None = Depends(optional_user),
                       session: AsyncSession = ReadSession):   # the replica for anonymous callers
    # Pending and suspended listings are invisible (404) to all but their owner and admins: RLS.
    return await _read(session, await service.require_business(session, business_id))


@router.patch("/businesses/{business_id}", response_model=BusinessRead, summary="Change a business (partial)")
async def update_business(business_id: uuid.UUID, data: BusinessUpdate, request: Request,
                          session: AsyncSession = Session, user: User = Depends(current_user)):
    business = await service.require_editable(session, business_id, user)
    await service.update_business(session, business=business, actor=user,
                                  changes=data.model_dump(exclude_unset=True), ip=request_ip(request))
    return await _read(session, business)


@router.put("/businesses/{business_id}/hours", response_model=list[HoursRead], summary="Set the weekly hours")
async def set_hours(business_id: uuid.UUID, week: Annotated[list[HoursIn], Body(max_length=7)], request: Request,
                    session: AsyncSession = Session, user: User = Depends(current_user)):
    business = await service.require_editable(session, business_id, user)
    await service.set_hours(session, business=business, actor=user, week=week, ip=request_ip(request))
    return (await _read(session, business)).hours


async def _upload_body(request: Request) -> None:
    # Refuse an oversized upload from its declared length before reading it.
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BYTES + 64 * 1024:
        raise ImageTooLarge(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")


@router.post("/businesses/{business_id}/images", status_code=201, response_model=ImageRead,
             dependencies=[Depends(_upload_body)], summary="Upload a picture (JPEG, PNG or WebP)")
async def upload_image(business_id: uuid.UUID, request: Request, file: UploadFile = File(...),
                       image_type: ImageType = Form(ImageType.GALLERY), alt_text: str | None = Form(None),
                       caption: str | None = Form(None), session: AsyncSession = Session,
                       user: User = Depends(current_user)):
    business = await service.require_editable(session, business_id, user)
    data = await file.read(MAX_BYTES + 1)      # never more than the cap (+1 to notice "too big")
    image = await media.add_image(session, business=business, actor=user, store=get_store(request.app.state.settings),
                                  data=data, image_type=image_type, alt_text=alt_text, caption=caption,
                                  ip=request_ip(request))
    return present.image_read(image)


# {image_id:uuid}: "order" (PUT …/images/order) is no picture id, so the routes never overlap.
@router.patch("/businesses/{business_id}/images/{image_id:uuid}", response_model=ImageRead,
              summary="Change a picture's alt text, caption or position")
async def update_image(business_id: uuid.UUID, image_id: uuid.UUID, data: ImageUpdate, request: Request,
                       session: AsyncSession = Session, user: User = Depends(current_user)):
    business = await service.require_editable(session, business_id, user)
    image = await media.update_image(session, business=business, actor=user, image_id=image_id,
                                     changes=data.model_dump(exclude_unset=True), ip=request_ip(request))
    return present.image_read(image)


@router.put("/businesses/{business_id}/images/order", response_model=list[ImageRead],
            summary="Put the pictures in this order")
async def reorder_images(business_id: uuid.UUID, image_ids: Annotated[list[uuid.UUID], Body(max_length=100)],
                         request: Request, session: AsyncSession = Session, user: User = Depends(current_user)):
    business = await service.require_editable(session, business_id, user)
    images = await media.reorder_images(session, business=business, actor=user, image_ids=image_ids,
                                        ip=request_ip(request))
    return [present.image_read(i) for i in images]


@router.delete("/businesses/{business_id}/images/{image_id:uuid}", status_code=204, summary="Delete a picture")
async def delete_image(business_id: uuid.UUID, image_id: uuid.UUID, request: Request,
                       session: AsyncSession = Session, user: User = Depends(current_user)):
    business = await service.require_editable(session, business_id, user)
    await media.delete_image(session, business=business, actor=user, store=get_store(request.app.state.settings),
                             image_id=image_id, ip=request_ip(request))
    return Response(status_code=204)


@router.post("/businesses/{business_id}/clicks", status_code=204,
             summary="Count a click on a contact button (phone, whatsapp, website, directions)")
async def count_click(business_id: uuid.UUID, request: Request, kind: str = Query(...),
                      session: AsyncSession = Session):
    await counting.record_click(session, business_id=business_id, kind=kind, user_agent=request_agent(request))
    return Response(status_code=204)


@router.get("/me/businesses", response_model=BusinessPage, summary="My businesses, whatever their status")
async def my_businesses(session: AsyncSession = Session, user: User = Depends(current_user),
                        limit: int = Query(20, ge=1, le=100), cursor: str | None = None):
    rows, next_cursor = await queries.list_businesses(session, owner_id=user.id, limit=limit, cursor=cursor)
    return BusinessPage(items=[present.business_summary(b) for b in rows], next_cursor=next_cursor)
