"""Account pages: sign-up, log-in/out, forgot/reset password, verify e-mail, my account.

Plain forms that work without JavaScript; a refused form comes back with the values typed
and an error next to each field. Every POST is CSRF-protected.
"""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts import privacy, service, verification
from afrobiz.accounts.context import Caller
from afrobiz.accounts.models import User
from afrobiz.accounts.schemas import RegisterIn
from afrobiz.api.deps import Session, caller_for
from afrobiz.errors import DomainError
from afrobiz.web.deps import (
    clear_session_cookie,
    csrf_protect,
    page_user,
    require_page_user,
    safe_next,
    session_cookie,
    set_device_cookie,
    set_session_cookie,
)
from afrobiz.i18n import gettext, lazy_gettext
from afrobiz.i18n.pages import page_language
from afrobiz.web.errors import domain_errors, message, validation_errors
from afrobiz.web.templating import templates

router = APIRouter(include_in_schema=False)
# Language first: log-in and password forms build their messages before any page_user ran.
CSRF = [Depends(csrf_protect), Depends(page_language)]
RESET_SENT = lazy_gettext("If an account uses this address, we have sent it a link to choose a new password. It works for an hour.")


def _render(request: Request, name: str, status: int = 200, headers: dict | None = None, **context: Any):
    return templates.TemplateResponse(request, f"accounts/{name}", context, status_code=status, headers=headers)


def _field_errors(exc: DomainError | ValidationError) -> dict[str, str]:
    if isinstance(exc, ValidationError):
        return validation_errors(exc, whole_path=False)
    return domain_errors(exc)


async def _attempt(session: AsyncSession, caller: Caller, call: Callable[[], Awaitable[Any]]):
    """Run one service call in a savepoint: on a refusal its writes and messages are dropped,
    and the page shows the form again (the request itself still succeeds)."""
    try:
        async with session.begin_nested():
            return await call(), None
    except DomainError as exc:
        caller.outbox.clear()
        return None, exc


def _status(exc: DomainError) -> tuple[int, dict | None]:
    headers = getattr(exc, "headers", None)
    return exc.status, headers


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


# ---------------------------------------------------------------- sign-up

@router.get("/register", response_class=HTMLResponse)
async def register_page(request: Request, user: User | None = Depends(page_user)):
    return _render(request, "register.html", values={"role": "customer"}, errors={})


@router.post("/register", response_class=HTMLResponse, dependencies=CSRF)
async def register_submit(request: Request, session: AsyncSession = Session, caller: Caller = Depends(caller_for),
                          user: User | None = Depends(page_user)):
    values = await _form(request)
    try:
        data = RegisterIn.model_validate(values | {"marketing_consent": values.get("marketing_consent") == "on",
                                                    "phone": values.get("phone") or None})
    except ValidationError as exc:
        return _render(request, "register.html", 422, values=values, errors=_field_errors(exc))
    _, error = await _attempt(session, caller, lambda: service.register(session, caller=caller, **data.model_dump()))
    if error is not None:
        status, headers = _status(error)
        return _render(request, "register.html", status, headers, values=values, errors=_field_errors(error))
    # The same page whether the address was new or already registered (no enumeration).
    return _render(request, "notice.html", title=gettext("Check your e-mail"), message=gettext(
        "We have sent a message to %(email)s. Follow the link in it to confirm your address, "
        "then log in.") % {"email": data.email}, link=("/login", gettext("Log in")))


# ---------------------------------------------------------------- log-in, log-out

@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: str | None = None, user: User | None = Depends(page_user)):
    return _render(request, "login.html", values={}, errors={}, next=safe_next(next))


@router.post("/login", response_class=HTMLResponse, dependencies=CSRF)
async def login_submit(request: Request, session: AsyncSession = Session, caller: Caller = Depends(caller_for)):
    values = await _form(request)
    next_url = safe_next(values.get("next"))
    result = await service.log_in(session, email=values.get("email", ""), password=values.get("password", ""),
                                  caller=caller)
    if result.refusal is not None:
        status, headers = _status(result.refusal)
        return _render(request, "login.html", status, headers, values={"email": values.get("email", "")},
                       errors={"form": message(result.refusal.detail)}, next=next_url)
    old = session_cookie(request)
    if old:        # a new log-in replaces the session this browser had
        await service.log_out(session, token=old)
    response = RedirectResponse(next_url, status_code=303)
    set_session_cookie(response, request, result.token)
    set_device_cookie(response, request, result.device_token)
    return response


@router.post("/logout", dependencies=CSRF)
async def logout(request: Request, session: AsyncSession = Session):
    token = session_cookie(request)
    if token:
        await service.log_out(session, token=token)
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(response)
    return response


# ---------------------------------------------------------------- forgot / reset / verify

@router.get("/forgot-password", response_class=HTMLResponse)
async def forgot_page(request: Request, user: User | None = Depends(page_user)):
    return _render(request, "forgot.html", values={}, errors={})


@router.post("/forgot-password", response_class=HTMLResponse, dependencies=CSRF)
async def forgot_submit(request: Request, session: AsyncSession = Session, caller: Caller = Depends(caller_for)):
    values = await _form(request)
    email = values.get("email", "").strip()
    if not email:
        return _render(request, "forgot.html", 422, values=values, errors={"email": gettext("Enter your e-mail address.")})
    _, error = await _attempt(session, caller,
                              lambda: verification.request_password_reset(session, email=email, caller=caller))
    if error is not None:
        status, headers = _status(error)
        return _render(request, "forgot.html", status, headers, values=values, errors=_field_errors(error))
    return _render(request, "notice.html", title=gettext("Check your e-mail"), message=RESET_SENT)


@router.get("/reset-password", response_class=HTMLResponse)
async def reset_page(request: Request, token: str = "", user: User | None = Depends(page_user)):
    return _render(request, "reset.html", token=token, errors={})


@router.post("/reset-password", response_class=HTMLResponse, dependencies=CSRF)
async def reset_submit(request: Request, session: AsyncSession = Session, caller: Caller = Depends(caller_for)):
    values = await _form(request)
    token, password = values.get("token", ""), values.get("password", "")
    if password != values.get("password_confirm", ""):
        return _render(request, "reset.html", 422, token=token, errors={"password_confirm": gettext("The passwords differ.")})
    _, error = await _attempt(session, caller, lambda: verification.reset_password(
        session, token=token, new_password=password, caller=caller))
    if error is not None:
        status, headers = _status(error)
        return _render(request, "reset.html", status, headers, token=token, errors=_field_errors(error))
    response = _render(request, "notice.html", title=gettext("Password changed"),
                       message=gettext("Your new password is set and every device was logged out."),
                       link=("/login", gettext("Log in")))
    clear_session_cookie(response)
    return response


@router.get("/verify-email", response_class=HTMLResponse)
async def verify_email(request: Request, token: str = "", session: AsyncSession = Session,
                       caller: Caller = Depends(caller_for), user: User | None = Depends(page_user)):
    _, error = await _attempt(session, caller, lambda: verification.verify_email(session, token=token, caller=caller))
    if error is not None:
        status, headers = _status(error)
        return _render(request, "notice.html", status, headers, title=gettext("This link does not work"),
                       message=message(error.detail))
    return _render(request, "notice.html", title=gettext("E-mail address confirmed"),
                   message=gettext("Thank you: your e-mail address is confirmed."),
                   link=("/account", gettext("My account")) if user else ("/login", gettext("Log in")))


# ---------------------------------------------------------------- my account

def _account(request: Request, user: User, status: int = 200, headers: dict | None = None,
             errors: dict | None = None, section: str | None = None, saved: str | None = None, values=None):
    return _render(request, "account.html", status, headers, user=user, errors=errors or {}, section=section,
                   saved=saved, values=values or {})


@router.get("/account", response_class=HTMLResponse)
async def account(request: Request, saved: str | None = None, user: User = Depends(require_page_user)):
    return _account(request, user, saved=saved)


PROFILE_FORM_FIELDS = ("first_name", "last_name", "date_of_birth", "gender", "preferred_language",
                       "location_city", "location_region")


@router.post("/account/profile", response_class=HTMLResponse, dependencies=CSRF)
async def account_profile(request: Request, session: AsyncSession = Session, caller: Caller = Depends(caller_for),
                          user: User = Depends(require_page_user)):
    from afrobiz.accounts.schemas import ProfileUpdate

    values = await _form(request)
    raw = {k: (values.get(k) or None) for k in PROFILE_FORM_FIELDS if k in values}
    raw["marketing_consent"] = values.get("marketing_consent") == "on"
    try:
        changes = ProfileUpdate.model_validate(raw).model_dump(exclude_unset=True)
    except ValidationError as exc:
        return _account(request, user, 422, errors=_field_errors(exc), section="profile", values=values)
    _, error = await _attempt(session, caller, lambda: service.update_profile(session, user=user, changes=changes))
    if error is not None:
        return _account(request, user, error.status, errors=_field_errors(error), section="profile", values=values)
    return RedirectResponse("/account?saved=profile", status_code=303)


@router.post("/account/password", response_class=HTMLResponse, dependencies=CSRF)
async def account_password(request: Request, session: AsyncSession = Session, caller: Caller = Depends(caller_for),
                           user: User = Depends(require_page_user)):
    values = await _form(request)
    token, error = await _attempt(session, caller, lambda: service.change_password(
        session, user=user, current_password=values.get("current_password", ""),
        new_password=values.get("new_password", ""), caller=caller))
    if error is not None:
        status, headers = _status(error)
        return _account(request, user, status, headers, errors=_field_errors(error), section="password")
    response = RedirectResponse("/account?saved=password", status_code=303)
    set_session_cookie(response, request, token)       # this browser stays logged in; others do not
    set_device_cookie(response, request, service.device_token_for(caller, user))
    return response


@router.post("/account/logout-all", dependencies=CSRF)
async def account_logout_all(request: Request, session: AsyncSession = Session, caller: Caller = Depends(caller_for),
                             user: User = Depends(require_page_user)):
    await service.log_out_everywhere(session, user=user, caller=caller)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response)
    return response


@router.get("/account/export")
async def account_export(session: AsyncSession = Session, user: User = Depends(require_page_user)):
    data = await privacy.export_user_data(session, user=user)
    return Response(json.dumps(data, ensure_ascii=False, indent=2), media_type="application/json",
                    headers={"Content-Disposition": 'attachment; filename="afrobiz-my-data.json"'})


@router.post("/account/delete", response_class=HTMLResponse, dependencies=CSRF)
async def account_delete(request: Request, session: AsyncSession = Session, caller: Caller = Depends(caller_for),
                         user: User = Depends(require_page_user)):
    values = await _form(request)
    if values.get("confirm") != "on":
        return _account(request, user, 422, errors={"confirm": gettext("Tick the box to confirm.")}, section="delete")
    _, error = await _attempt(session, caller, lambda: privacy.delete_account(
        session, user=user, password=values.get("password", ""), caller=caller))
    if error is not None:
        status, headers = _status(error)
        return _account(request, user, status, headers, errors=_field_errors(error), section="delete")
    request.state.user = None
    response = _render(request, "notice.html", title=gettext("Account deleted"),
                       message=gettext("Your personal data has been erased and you have been logged out. Goodbye."))
    clear_session_cookie(response)
    return response
