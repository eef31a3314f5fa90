"""Search endpoints: GET /search/businesses (words, place, filters, facets) and GET /search/suggest.

Both are hot routes: an anonymous GET is answered by the hot lane (api/hot.py) with the
same answer functions below, the rest by these routes."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.db.deps import ReadSession
from afrobiz.db.raw import Reader, session_reader
from afrobiz.search import queries
from afrobiz.search import suggest as suggestions
from afrobiz.search.params import SearchParams, SuggestParams
from afrobiz.search.schemas import SearchPage, Suggestion, page_json, suggestions_json

router = APIRouter(tags=["search"])


def json_response(body: bytes) -> Response:
    return Response(body, media_type="application/json")


async def businesses_answer(db: Reader, params: SearchParams, state) -> Response:  # noqa: ANN001
    result = await queries.search_businesses(db, params=params, secret=state.settings.secret_key)
    # Analytics: which businesses this page showed (search appearances, click-through rate).
    await state.impressions.record([item["id"] for item in result.items])
    return json_response(page_json(result))


async def suggest_answer(db: Reader, params: SuggestParams, state) -> Response:  # noqa: ANN001, ARG001
    return json_response(suggestions_json(await suggestions.suggest(db, q=params.q, limit=params.limit)))


@router.get("/search/businesses", response_model=SearchPage, summary="Search active businesses")
async def search_businesses(request: Request, params: Annotated[SearchParams, Query()],
                            reads: AsyncSession = ReadSession):   # the replica when configured (db/deps.py)
    return await businesses_answer(await session_reader(reads), params, request.app.state)


@router.get("/search/suggest", response_model=list[Suggestion], summary="As-you-type suggestions")
async def suggest(request: Request, params: Annotated[SuggestParams, Query()], reads: AsyncSession = ReadSession):
    return await suggest_answer(await session_reader(reads), params, request.app.state)
