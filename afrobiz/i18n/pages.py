"""The footer's language switcher: POST /language (a plain form, CSRF-protected).

It sets the ``lang`` cookie for a year and, for a logged-in visitor, their saved
``preferred_language`` too (else their saved choice would win over the cookie on the next
page), then returns to the page the form was on.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts import service
from afrobiz.accounts.models import User
from afrobiz.api.deps import Session
from afrobiz.i18n import COOKIE_NAME, DEFAULT_LANGUAGE, normalise, request_language
from afrobiz.web.deps import csrf_protect, page_user, safe_next

router = APIRouter(include_in_schema=False)


def page_language(request: Request) -> str:
    """Dependency for a page handler that does not look up the user (log-in, forgot password):
    choose the language before the handler builds messages with gettext. (page_user does it too
    and, running later, puts the user's own choice first.)"""
    return request_language(request)
ONE_YEAR = 365 * 24 * 3600


@router.post("/language", dependencies=[Depends(csrf_protect)])
async def choose_language(request: Request, lang: str = Form("", max_length=10),
                          next: str = Form("/", max_length=2000),
                          session: AsyncSession = Session, user: User | None = Depends(page_user)):
    chosen = normalise(lang) or DEFAULT_LANGUAGE
    if user is not None and user.preferred_language != chosen:
        await service.update_profile(session, user=user, changes={"preferred_language": chosen})
    response = RedirectResponse(safe_next(next, "/"), status_code=303)
    secure = request.app.state.settings.base_url.startswith("https://")
    response.set_cookie(COOKIE_NAME, chosen, max_age=ONE_YEAR, httponly=True, samesite="lax",
                        secure=secure, path="/")
    return response
