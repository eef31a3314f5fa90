"""Accounts rules: sign-up, log-in, log-out, profile, password change, suspension, admins."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts import decoy, devices, messages, sessions, throttle
from afrobiz.accounts.context import Caller
from afrobiz.accounts.models import User, UserRole
from afrobiz.accounts.passwords import CURRENT_PARAMETERS, check_password_rules, hash_password, verify_password
from afrobiz.accounts.throttle import email_key, ip_key, ratelimit
from afrobiz.admin.audit import record
from afrobiz.errors import Conflict, DomainError, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from afrobiz.kit.emails import UnusableEmail, canonical_email
from afrobiz.kit.phones import normalize_phone


class InvalidCredentials(NotAuthenticated):
    def __init__(self) -> None:
        # One message for an unknown e-mail and a wrong password alike.
        super().__init__("The e-mail address or password is not correct.")


class AccountSuspended(PermissionDenied):
    title = "Account suspended"


class AccountInactive(PermissionDenied):
    title = "Account closed"


class WrongPassword(InvalidInput):
    def __init__(self, field: str = "password") -> None:
        super().__init__("The password is not correct.", field=field)


PROFILE_FIELDS = frozenset({"first_name", "last_name", "date_of_birth", "gender", "preferred_language",
                            "marketing_consent", "location_city", "location_region"})


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def _audit(session: AsyncSession, caller: Caller, action: str, *, actor: uuid.UUID | None,
                 record_id: uuid.UUID | None, old: dict | None = None, new: dict | None = None) -> None:
    await record(session, actor_id=actor, action=action, table_name="users", record_id=record_id,
                 old=old, new=new, ip=caller.ip, user_agent=caller.user_agent)


def account_email(email: str, field: str = "email") -> str:
    """The address's stored spelling (kit/emails.py), or a 422 on the field."""
    try:
        return canonical_email(email)
    except UnusableEmail as exc:
        raise InvalidInput(str(exc), field=field) from None


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    """The user with this e-mail in any spelling of it, or None. The look-up compares the
    canonical (ASCII) spelling through citext, where PostgreSQL's case folding is Python's."""
    try:
        canonical = canonical_email(email)
    except UnusableEmail:
        return None                 # no account can have it
    return (await session.scalars(select(User).where(User.email == canonical))).first()


async def require_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


# ---------------------------------------------------------------- sign-up

async def register(session: AsyncSession, *, email: str, password: str, first_name: str, last_name: str,
                   caller: Caller, phone: str | None = None, role: str = "customer",
                   preferred_language: str = "en", marketing_consent: bool = False) -> User:
    """Sign up a customer or business owner. An e-mail already registered gets the same answer
    (a user-shaped reply that is not saved) and its owner is told by e-mail instead."""
    from afrobiz.accounts import verification   # verification imports this module

    if role not in (UserRole.CUSTOMER, UserRole.BUSINESS_OWNER):
        raise InvalidInput("Choose customer or business owner.", field="role")
    email = account_email(email)
    await throttle.guard([(f"register:ip:{ip_key(caller.ip)}", throttle.REGISTER_PER_IP),
                          (f"register:email:{email_key(email)}", throttle.REGISTER_PER_EMAIL)])
    check_password_rules(password, email=email)
    phone = normalize_phone(phone)
    password_hash = await hash_password(password)     # hashed either way: same time for both answers
    values = dict(email=email, first_name=first_name.strip(), last_name=last_name.strip(), phone=phone,
                  role=UserRole(role), preferred_language=preferred_language, marketing_consent=marketing_consent)
    existing = await get_user_by_email(session, email)
    taken = existing is not None
    if not taken:
        user = User(**values, password_hash=password_hash)
        try:
            async with session.begin_nested():
                session.add(user)
                await session.flush()
        except IntegrityError:     # signed up at the same moment by another request
            taken, existing = True, await get_user_by_email(session, email)
    if taken:
        return await _answer_duplicate(session, caller, existing, values)
    await verification.send_email_verification(session, user=user, caller=caller)
    await _audit(session, caller, "user.register", actor=user.id, record_id=user.id,
                 new={"email": user.email, "role": str(user.role)})
    return user


async def _answer_duplicate(session: AsyncSession, caller: Caller, existing: User | None, values: dict) -> User:
    """A sign-up for an address that has an account: the reply looks like a new account (not
    saved) and the account's owner is told by e-mail."""
    if existing is not None:
        await messages.queue_email(session, existing.email, "Someone tried to sign up with your e-mail address", (
            f"Hello {existing.first_name},\n\nSomeone (perhaps you) tried to create an AfroBiz Connect account "
            f"with this e-mail address, which already has an account.\n\nIf it was you, log in at "
            f"{caller.base_url}/login or reset your password at {caller.base_url}/forgot-password.\n"
            "If it was not you, you can ignore this message."))
        await _audit(session, caller, "user.register_existing", actor=None, record_id=existing.id)
    now = _now()
    return User(**values, id=uuid.uuid4(), email_verified=False, phone_verified=False, created_at=now,
                updated_at=now, is_active=True, is_suspended=False, metadata_={})


# ---------------------------------------------------------------- log-in, log-out

@dataclass
class LoginResult:
    user: User | None = None
    token: str | None = None
    refusal: DomainError | None = None
    device_token: str | None = None     # keep it: this device may log in while strangers lock the account


def _login_limits(key: str, user: User | None, caller: Caller) -> list[tuple[str, str]]:
    """The counters a failed log-in adds to. A device this account logged in from before has
    its own (accounts/devices.py); anyone else counts per address, per address + account and
    per account: strangers elsewhere can use up the last, never the owner's own device."""
    if user is not None:
        device = devices.trusted_device(caller.device_token, account_id=user.id, password_hash=user.password_hash,
                                        secret=caller.secret_key)
        if device is not None:
            return [(f"login-fail:device:{user.id.hex}:{device}", throttle.LOGIN_FAILURES_PER_DEVICE)]
    ip = ip_key(caller.ip)
    return [(f"login-fail:ip:{ip}", throttle.LOGIN_FAILURES_PER_IP),
            (f"login-fail:email-ip:{key}|{ip}", throttle.LOGIN_FAILURES_PER_ACCOUNT_AND_IP),
            (f"login-fail:email:{key}", throttle.LOGIN_FAILURES_PER_ACCOUNT)]


async def log_in(session: AsyncSession, *, email: str, password: str, caller: Caller) -> LoginResult:
    """Check the password and open a session. A refusal is returned, not raised, so that its
    audit row commits. Too many failures (throttle.py: per address, per address + account,
    per account; per device for a device the account logged in from) refuse even the right
    password with 429. Every refusal costs one argon2 check, with the parameters the
    account's hash has, or for an address without an account those of accounts/decoy.py."""
    key = email_key(email)
    user = await get_user_by_email(session, email)
    limits = _login_limits(key, user, caller)
    try:
        for limit_key, rate in limits:
            await ratelimit.check(limit_key, rate)
    except ratelimit.Throttled as exc:
        return LoginResult(refusal=exc)
    stored = user.password_hash if user else None
    decoy_with = CURRENT_PARAMETERS if stored else await decoy.decoy_parameters(session, key, caller.secret_key)
    ok, new_hash = await verify_password(password, stored, decoy_parameters=decoy_with)
    if not ok:
        for limit_key, rate in limits:
            await ratelimit.hit(limit_key, rate)
        await _audit(session, caller, "user.login_failed", actor=None, record_id=user.id if user else None)
        return LoginResult(refusal=InvalidCredentials())
    if new_hash:      # made with other argon2 parameters than today's: redone with them now
        user.password_hash = new_hash
    if user.is_suspended:
        await _audit(session, caller, "user.login_refused", actor=user.id, record_id=user.id,
                     new={"reason": "suspended"})
        reason = f" Reason: {user.suspension_reason}" if user.suspension_reason else ""
        return LoginResult(refusal=AccountSuspended(f"This account is suspended.{reason} "
                                                    "Contact support@afrobiz.na if you think this is a mistake."))
    if not user.is_active:
        return LoginResult(refusal=AccountInactive("This account has been closed."))
    user.last_login_at = _now()
    token = await sessions.start_session(session, user=user, ip=caller.ip, user_agent=caller.user_agent)
    await _audit(session, caller, "user.login", actor=user.id, record_id=user.id)
    return LoginResult(user=user, token=token, device_token=device_token_for(caller, user))


def device_token_for(caller: Caller, user: User) -> str:
    """The caller's device token with this account's fresh entry (after a log-in or a new
    password: the entry is bound to the password hash)."""
    return devices.device_token(caller.device_token, account_id=user.id, password_hash=user.password_hash,
                                secret=caller.secret_key)


async def log_out(session: AsyncSession, *, token: str) -> None:
    """End this session: its token stops working at once."""
    await sessions.end_session(session, token)


async def log_out_everywhere(session: AsyncSession, *, user: User, caller: Caller) -> None:
    """End every session of the user, this one included."""
    await sessions.end_all_sessions(session, user.id)
    await _audit(session, caller, "user.logout_all", actor=user.id, record_id=user.id)


# ---------------------------------------------------------------- profile and password

async def update_profile(session: AsyncSession, *, user: User, changes: dict[str, Any]) -> User:
    """Change the user's own profile fields; anything else in `changes` is ignored."""
    for name, value in changes.items():
        if name not in PROFILE_FIELDS:
            continue
        if name in ("first_name", "last_name") and (value is None or not str(value).strip()):
            raise InvalidInput("This field cannot be empty.", field=name)
        if name in ("marketing_consent", "preferred_language") and value is None:
            continue    # NOT NULL columns: null means "no change" (a null here was a 500, found by fuzzing)
        setattr(user, name, value.strip() if isinstance(value, str) else value)
    await session.flush()
    await session.refresh(user)
    return user


async def confirm_password(user: User, password: str, *, field: str = "password") -> None:
    """Ask for the password again before a sensitive change; guesses are rate limited."""
    key = f"password-check:user:{user.id}"
    await ratelimit.check(key, throttle.PASSWORD_CHECKS_PER_USER)
    ok, _ = await verify_password(password, user.password_hash)
    if not ok:
        await ratelimit.hit(key, throttle.PASSWORD_CHECKS_PER_USER)
        raise WrongPassword(field)


async def set_password(session: AsyncSession, *, user: User, new_password: str) -> None:
    check_password_rules(new_password, email=user.email, field="new_password")
    user.password_hash = await hash_password(new_password)
    await session.flush()


async def change_password(session: AsyncSession, *, user: User, current_password: str, new_password: str,
                          caller: Caller) -> str:
    """Change the password (the current one is required); every session ends and a new one
    is returned for the caller, so a thief holding an old token is logged out."""
    await confirm_password(user, current_password, field="current_password")
    await set_password(session, user=user, new_password=new_password)
    await sessions.end_all_sessions(session, user.id)
    token = await sessions.start_session(session, user=user, ip=caller.ip, user_agent=caller.user_agent)
    await _audit(session, caller, "user.password_change", actor=user.id, record_id=user.id)
    await messages.queue_email(session, user.email, "Your password was changed", (
        f"Hello {user.first_name},\n\nThe password of your AfroBiz Connect account was changed and every "
        f"other device was logged out.\nIf this was not you, reset it now: {caller.base_url}/forgot-password"))
    return token


async def change_phone(session: AsyncSession, *, user: User, phone: str, password: str, caller: Caller) -> User:
    """Set a new phone number (password required); it is unverified until the SMS code is entered."""
    from afrobiz.accounts import verification

    await confirm_password(user, password)
    user.phone = normalize_phone(phone)
    user.phone_verified = False
    await session.flush()
    await verification.send_phone_code(session, user=user, caller=caller)
    return user


# ---------------------------------------------------------------- roles and suspension

async def suspend_user(session: AsyncSession, *, admin: User, user_id: uuid.UUID, reason: str,
                       caller: Caller) -> User:
    """Suspend a user: every session ends at once and log-in is refused with the reason."""
    user = await require_user(session, user_id)
    if user.id == admin.id:
        raise Conflict("You cannot suspend your own account.")
    old = {"is_suspended": user.is_suspended, "suspension_reason": user.suspension_reason}
    user.is_suspended, user.suspension_reason = True, reason.strip()
    await session.flush()
    await sessions.end_all_sessions(session, user.id)
    await _audit(session, caller, "user.suspend", actor=admin.id, record_id=user.id, old=old,
                 new={"is_suspended": True, "suspension_reason": user.suspension_reason})
    return user


async def unsuspend_user(session: AsyncSession, *, admin: User, user_id: uuid.UUID, caller: Caller) -> User:
    """Lift a suspension: the user may log in again."""
    user = await require_user(session, user_id)
    old = {"is_suspended": user.is_suspended, "suspension_reason": user.suspension_reason}
    user.is_suspended, user.suspension_reason = False, None
    await session.flush()
    await _audit(session, caller, "user.unsuspend", actor=admin.id, record_id=user.id, old=old,
                 new={"is_suspended": False})
    return user


async def create_admin(session: AsyncSession, *, email: str, password: str, first_name: str = "Admin",
                       last_name: str = "User") -> User:
    """Make an admin (the CLI's `afrobiz admin create`); an existing account is promoted."""
    email = account_email(email)
    check_password_rules(password, email=email)
    user = await get_user_by_email(session, email)
    if user is None:
        user = User(email=email, first_name=first_name, last_name=last_name, role=UserRole.ADMIN,
                    email_verified=True)
        session.add(user)
    user.role = UserRole.ADMIN
    user.password_hash = await hash_password(password)
    await session.flush()
    await record(session, actor_id=None, action="user.admin_create", table_name="users", record_id=user.id,
                 new={"email": user.email, "role": "admin"})
    return user
