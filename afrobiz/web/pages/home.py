"""The home page: what the platform is, and the categories to start from."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.db.deps import get_session
from afrobiz.directory import queries
from afrobiz.web.templating import templates

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def home(request: Request, session: AsyncSession = Depends(get_session, scope="function")):
    categories = await queries.category_tree(session)
    return templates.TemplateResponse(request, "home.html", {"categories": categories})
