"""Accounts endpoints: sign-up, log-in/out, profile, verification, reset, privacy, suspension."""
from __future__ import annotations

import json
import uuid

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts import privacy, service, verification
from afrobiz.accounts.context import Caller
from afrobiz.accounts.models import User
from afrobiz.accounts.schemas import (
    Accepted,
    AdminUserRead,
    EmailChange,
    LoginIn,
    LoginOut,
    PasswordChange,
    PasswordConfirm,
    PhoneChange,
    PhoneCode,
    ProfileUpdate,
    RegisterIn,
    ResetConfirm,
    ResetRequest,
    SuspendIn,
    TokenIn,
    UserRead,
)
from afrobiz.api import problems
from afrobiz.api.deps import (
    Session,
    bearer_token,
    caller_for,
    current_user,
    require_role,
)

router = APIRouter(tags=["accounts"])
NO_CONTENT = {"status_code": 204, "response_class": Response}


CallerDep = Depends(caller_for)


@router.post("/auth/register", status_code=201, response_model=UserRead, summary="Sign up")
async def register(body: RegisterIn, session: AsyncSession = Session, caller: Caller = CallerDep):
    return await service.register(session, caller=caller, **body.model_dump())


@router.post("/auth/login", response_model=LoginOut, summary="Log in: a bearer token",
             description="Send the `device_token` of an earlier log-in on this device as `X-Device-Token`: "
                         "it may then log in while failed attempts from elsewhere hold the account locked.",
             responses={401: {"description": "wrong e-mail or password"}, 429: {"description": "throttled"}})
async def login(body: LoginIn, session: AsyncSession = Session, caller: Caller = CallerDep):
    result = await service.log_in(session, email=body.email, password=body.password, caller=caller)
    if result.refusal is not None:
        # Answered, not raised: the failed attempt's audit row must commit.
        exc = result.refusal
        headers = getattr(exc, "headers", None) or ({"WWW-Authenticate": "Bearer"} if exc.status == 401 else None)
        return problems.problem(exc.status, exc.detail, type_=exc.type, title=exc.title, headers=headers)
    return LoginOut(access_token=result.token, user=UserRead.model_validate(result.user),
                    device_token=result.device_token)


@router.post("/auth/logout", **NO_CONTENT, summary="Log out: this token stops working")
async def logout(request: Request, session: AsyncSession = Session, user: User = Depends(current_user)):
    await service.log_out(session, token=bearer_token(request))


@router.post("/auth/logout-all", **NO_CONTENT, summary="Log out everywhere")
async def logout_all(session: AsyncSession = Session, user: User = Depends(current_user),
                     caller: Caller = CallerDep):
    await service.log_out_everywhere(session, user=user, caller=caller)


@router.post("/auth/verify-email", response_model=Accepted, summary="Confirm an e-mail address")
async def verify_email(body: TokenIn, session: AsyncSession = Session, caller: Caller = CallerDep):
    await verification.verify_email(session, token=body.token, caller=caller)
    return Accepted(detail="Your e-mail address is confirmed.")


RESET_SENT = "If an account uses this address, we have sent it a link to choose a new password."


@router.post("/auth/password-reset", status_code=202, response_model=Accepted, summary="E-mail a reset link")
async def password_reset(body: ResetRequest, session: AsyncSession = Session, caller: Caller = CallerDep):
    await verification.request_password_reset(session, email=body.email, caller=caller)
    return Accepted(detail=RESET_SENT)


@router.post("/auth/password-reset/confirm", **NO_CONTENT, summary="Choose a new password from a reset link")
async def password_reset_confirm(body: ResetConfirm, session: AsyncSession = Session, caller: Caller = CallerDep):
    await verification.reset_password(session, token=body.token, new_password=body.password, caller=caller)


@router.get("/me", response_model=UserRead, summary="My profile")
async def me(user: User = Depends(current_user)):
    return user


@router.patch("/me", response_model=UserRead, summary="Change my profile (role, e-mail, flags: ignored)")
async def update_me(body: ProfileUpdate, session: AsyncSession = Session, user: User = Depends(current_user)):
    return await service.update_profile(session, user=user, changes=body.model_dump(exclude_unset=True))


@router.post("/me/password", response_model=LoginOut, summary="Change my password: every other session ends")
async def change_password(body: PasswordChange, session: AsyncSession = Session,
                          user: User = Depends(current_user), caller: Caller = CallerDep):
    token = await service.change_password(session, user=user, current_password=body.current_password,
                                          new_password=body.new_password, caller=caller)
    return LoginOut(access_token=token, user=UserRead.model_validate(user),
                    device_token=service.device_token_for(caller, user))


@router.post("/me/email", status_code=202, response_model=Accepted, summary="Move to a new e-mail address")
async def change_email(body: EmailChange, session: AsyncSession = Session, user: User = Depends(current_user),
                       caller: Caller = CallerDep):
    await verification.change_email(session, user=user, email=body.email, password=body.password, caller=caller)
    return Accepted(detail="We have sent a link to the new address; the change happens when it is followed.")


@router.post("/me/email/verification", status_code=202, response_model=Accepted,
             summary="Send the e-mail verification link again")
async def resend_email_link(session: AsyncSession = Session, user: User = Depends(current_user),
                            caller: Caller = CallerDep):
    await verification.resend_email_verification(session, user=user, caller=caller)
    return Accepted(detail="If your address is not confirmed yet, a new link is on its way.")


@router.post("/me/phone", response_model=UserRead, summary="Change my phone number (an SMS code follows)")
async def change_phone(body: PhoneChange, session: AsyncSession = Session, user: User = Depends(current_user),
                       caller: Caller = CallerDep):
    return await service.change_phone(session, user=user, phone=body.phone, password=body.password, caller=caller)


@router.post("/me/phone/verification", status_code=202, response_model=Accepted, summary="Text me a new code")
async def send_phone_code(session: AsyncSession = Session, user: User = Depends(current_user),
                          caller: Caller = CallerDep):
    await verification.send_phone_code(session, user=user, caller=caller)
    return Accepted(detail="A 6-digit code is on its way; it works for 10 minutes.")


@router.post("/me/phone/verify", response_model=UserRead, summary="Confirm my phone with the SMS code")
async def verify_phone(body: PhoneCode, session: AsyncSession = Session, user: User = Depends(current_user),
                       caller: Caller = CallerDep):
    return await verification.verify_phone(session, user=user, code=body.code, caller=caller)


@router.get("/me/export", summary="Everything the platform holds about me (JSON)")
async def export_me(session: AsyncSession = Session, user: User = Depends(current_user)):
    data = await privacy.export_user_data(session, user=user)
    return Response(content=json.dumps(data, ensure_ascii=False), media_type="application/json",
                    headers={"Content-Disposition": 'attachment; filename="afrobiz-my-data.json"'})


@router.delete("/me", **NO_CONTENT, summary="Delete my account (personal data erased)")
async def delete_me(body: PasswordConfirm, session: AsyncSession = Session, user: User = Depends(current_user),
                    caller: Caller = CallerDep):
    await privacy.delete_account(session, user=user, password=body.password, caller=caller)


@router.post("/admin/users/{user_id}/suspend", response_model=AdminUserRead, summary="Suspend a user")
async def suspend(user_id: uuid.UUID, body: SuspendIn, session: AsyncSession = Session,
                  admin: User = Depends(require_role("admin")), caller: Caller = CallerDep):
    return await service.suspend_user(session, admin=admin, user_id=user_id, reason=body.reason, caller=caller)


@router.post("/admin/users/{user_id}/unsuspend", response_model=AdminUserRead, summary="Lift a suspension")
async def unsuspend(user_id: uuid.UUID, session: AsyncSession = Session,
                    admin: User = Depends(require_role("admin")), caller: Caller = CallerDep):
    return await service.unsuspend_user(session, admin=admin, user_id=user_id, caller=caller)
