"""E-mail verification, e-mail change, password reset (links) and phone verification (SMS code).

Every token is single use, expires, and is stored only as a hash: a link's token is 256
random bits (SHA-256 is enough); a 6-digit code is keyed with the secret and the user id
(HMAC), since a plain hash of a million possible codes would be reversed at once.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts import messages, sessions, throttle
from afrobiz.accounts.context import Caller
from afrobiz.accounts.models import TokenPurpose, User, VerificationToken
from afrobiz.accounts.passwords import check_password_rules
from afrobiz.accounts.service import _audit, account_email, confirm_password, get_user_by_email, set_password
from afrobiz.accounts.throttle import email_key, ip_key, ratelimit
from afrobiz.errors import InvalidInput
from afrobiz.kit.phones import mask_phone

EMAIL_LINK_TTL = timedelta(hours=48)
RESET_LINK_TTL = timedelta(hours=1)
PHONE_CODE_TTL = timedelta(minutes=10)


class InvalidToken(InvalidInput):
    def __init__(self, detail: str = "This link is invalid, has expired or was already used.",
                 field: str = "token") -> None:
        super().__init__(detail, field=field)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _code_hash(caller: Caller, user: User, code: str) -> bytes:
    return hmac.new(caller.secret_key.encode(), f"phone-code|{user.id}|{code}".encode(), hashlib.sha256).digest()


async def _issue_link(session: AsyncSession, *, user: User, purpose: TokenPurpose, ttl: timedelta,
                      target: str | None = None) -> str:
    token, now = secrets.token_urlsafe(32), _now()
    session.add(VerificationToken(user_id=user.id, purpose=purpose.value, token_hash=_hash(token), target=target,
                                  created_at=now, expires_at=now + ttl))
    await session.flush()
    return token


async def _consume_link(session: AsyncSession, *, token: str, purpose: TokenPurpose,
                        caller: Caller) -> tuple[VerificationToken, User]:
    """The live token and its user; marks the token used. Guessing is rate limited per IP."""
    await throttle.guard([(f"token:ip:{ip_key(caller.ip)}", throttle.TOKEN_PER_IP)])
    row = (await session.execute(
        select(VerificationToken, User).join(User, User.id == VerificationToken.user_id)
        .where(VerificationToken.token_hash == _hash(token), VerificationToken.purpose == purpose.value,
               VerificationToken.used_at.is_(None), VerificationToken.expires_at > _now())
        .with_for_update(of=VerificationToken))).first()
    if row is None or not row[1].is_active:
        raise InvalidToken()
    row[0].used_at = _now()
    return row[0], row[1]


# ---------------------------------------------------------------- e-mail

async def send_email_verification(session: AsyncSession, *, user: User, caller: Caller,
                                  new_email: str | None = None) -> None:
    """E-mail a verification link to the user's address (or to the new address they asked for)."""
    target = new_email or user.email
    token = await _issue_link(session, user=user, purpose=TokenPurpose.EMAIL_VERIFICATION, ttl=EMAIL_LINK_TTL,
                              target=target)
    link = f"{caller.base_url}/verify-email?token={quote(token)}"
    await messages.queue_email(session, target, "Confirm your e-mail address", (
        f"Hello {user.first_name},\n\nPlease confirm this e-mail address for AfroBiz Connect:\n{link}\n\n"
        f"The link works once, for {int(EMAIL_LINK_TTL.total_seconds() // 3600)} hours."))


async def resend_email_verification(session: AsyncSession, *, user: User, caller: Caller) -> None:
    """Send the verification link again (a few times an hour at most)."""
    await throttle.guard([(f"email-link:user:{user.id}", throttle.CODE_SENDS_PER_USER)])
    if not user.email_verified:
        await send_email_verification(session, user=user, caller=caller)


async def verify_email(session: AsyncSession, *, token: str, caller: Caller) -> User:
    """Confirm the address the link was sent to; for an e-mail change, the address changes now."""
    link, user = await _consume_link(session, token=token, purpose=TokenPurpose.EMAIL_VERIFICATION, caller=caller)
    target = link.target or user.email
    if email_key(target) != email_key(user.email):
        other = await get_user_by_email(session, target)
        if other is not None:
            raise InvalidToken("This e-mail address is already used by another account.")
        old = {"email": user.email}
        user.email = target
        await _audit(session, caller, "user.email_change", actor=user.id, record_id=user.id, old=old,
                     new={"email": target})
    user.email_verified = True
    await session.flush()
    return user


async def change_email(session: AsyncSession, *, user: User, email: str, password: str, caller: Caller) -> None:
    """Ask to move the account to a new address (password required). Nothing changes until the
    link sent there is followed; if the address is taken, its owner is told instead (the reply
    is the same either way)."""
    await confirm_password(user, password)
    email = account_email(email)
    if email_key(email) == email_key(user.email):
        return
    other = await get_user_by_email(session, email)
    if other is not None:
        await messages.queue_email(session, other.email, "Someone tried to use your e-mail address", (
            "Another AfroBiz Connect account asked to change its e-mail address to this one, which is "
            "already yours. Nothing has changed. You can ignore this message."))
        return
    await send_email_verification(session, user=user, caller=caller, new_email=email)


# ---------------------------------------------------------------- password reset

async def request_password_reset(session: AsyncSession, *, email: str, caller: Caller) -> None:
    """E-mail a reset link when an active account has this address; answers alike otherwise."""
    await throttle.guard([(f"reset:ip:{ip_key(caller.ip)}", throttle.RESET_PER_IP),
                          (f"reset:email:{email_key(email)}", throttle.RESET_PER_EMAIL)])
    user = await get_user_by_email(session, email) if email.strip() else None
    if user is None or not user.is_active:
        return
    token = await _issue_link(session, user=user, purpose=TokenPurpose.PASSWORD_RESET, ttl=RESET_LINK_TTL)
    link = f"{caller.base_url}/reset-password?token={quote(token)}"
    await messages.queue_email(session, user.email, "Reset your AfroBiz Connect password", (
        f"Hello {user.first_name},\n\nTo choose a new password, open this link within an hour:\n{link}\n\n"
        "If you did not ask for this, ignore this message: your password stays as it is."))
    await _audit(session, caller, "user.password_reset_request", actor=None, record_id=user.id)


async def reset_password(session: AsyncSession, *, token: str, new_password: str, caller: Caller) -> User:
    """Set a new password from a reset link: the link and any other reset links die, and every
    session ends. Following the link also proves the e-mail address."""
    check_password_rules(new_password, field="password")
    _, user = await _consume_link(session, token=token, purpose=TokenPurpose.PASSWORD_RESET, caller=caller)
    await set_password(session, user=user, new_password=new_password)
    user.email_verified = True
    await session.execute(update(VerificationToken)
                          .where(VerificationToken.user_id == user.id, VerificationToken.used_at.is_(None),
                                 VerificationToken.purpose == TokenPurpose.PASSWORD_RESET.value)
                          .values(used_at=_now()))
    await sessions.end_all_sessions(session, user.id)
    await _audit(session, caller, "user.password_reset", actor=user.id, record_id=user.id)
    return user


# ---------------------------------------------------------------- phone

async def send_phone_code(session: AsyncSession, *, user: User, caller: Caller) -> None:
    """Text a 6-digit code to the user's phone; it lives 10 minutes and replaces earlier codes."""
    if not user.phone:
        raise InvalidInput("Add a phone number first.", field="phone")
    await throttle.guard([(f"phone-code-send:user:{user.id}", throttle.CODE_SENDS_PER_USER)])
    await session.execute(update(VerificationToken)
                          .where(VerificationToken.user_id == user.id, VerificationToken.used_at.is_(None),
                                 VerificationToken.purpose == TokenPurpose.PHONE_VERIFICATION.value)
                          .values(used_at=_now()))
    code, now = f"{secrets.randbelow(10**6):06d}", _now()
    session.add(VerificationToken(user_id=user.id, purpose=TokenPurpose.PHONE_VERIFICATION.value,
                                  token_hash=_code_hash(caller, user, code), target=user.phone,
                                  created_at=now, expires_at=now + PHONE_CODE_TTL))
    await session.flush()
    caller.outbox.sms(user.phone, f"Your AfroBiz Connect code is {code}. It expires in 10 minutes.")


async def verify_phone(session: AsyncSession, *, user: User, code: str, caller: Caller) -> User:
    """Mark the phone verified when the code is right; 5 wrong guesses per 10 minutes at most."""
    key = f"phone-code-fail:user:{user.id}"
    await ratelimit.check(key, throttle.CODE_FAILURES_PER_USER, "Too many wrong codes. Ask for a new one later.")
    link = (await session.scalars(
        select(VerificationToken)
        .where(VerificationToken.user_id == user.id, VerificationToken.used_at.is_(None),
               VerificationToken.purpose == TokenPurpose.PHONE_VERIFICATION.value,
               VerificationToken.expires_at > _now(), VerificationToken.target == user.phone)
        .order_by(VerificationToken.created_at.desc()).limit(1))).first()
    if link is None or not hmac.compare_digest(link.token_hash, _code_hash(caller, user, code.strip())):
        # Counted outside the database: the failed request's transaction rolls back.
        await ratelimit.hit(key, throttle.CODE_FAILURES_PER_USER)
        raise InvalidToken("The code is not right or has expired.", field="code")
    link.used_at = _now()
    user.phone_verified = True
    await session.flush()
    return user


def describe_phone(user: User) -> str:
    return mask_phone(user.phone) if user.phone else ""
