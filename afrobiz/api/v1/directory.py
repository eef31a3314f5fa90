"""Directory endpoints: categories (businesses arrive with the directory issue)."""
from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.db.deps import get_session
from afrobiz.directory import queries

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
async def list_categories(session: AsyncSession = Depends(get_session, scope="function")):
    return await queries.category_tree(session)
