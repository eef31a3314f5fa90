"""What the accounts API reads and answers (never a password hash or a token hash)."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, model_validator

from afrobiz.accounts.passwords import MAX_LENGTH
from afrobiz.kit.clean_text import NOT_ALLOWED, clean_str
from afrobiz.kit.dates import BoundedDate
from afrobiz.kit.emails import canonical_email


def _not_a_number(value):
    # Pydantic reads 0 as 1970-01-01 (a Unix time); a birth date is written YYYY-MM-DD (found by fuzzing).
    if isinstance(value, (int, float)):   # bool is an int too
        raise ValueError("Write the date as YYYY-MM-DD.")  # noqa: TRY004 (pydantic reports ValueError as a 422)
    return value


IsoDate = Annotated[BoundedDate, BeforeValidator(_not_a_number)]


def _storable(value):
    # PostgreSQL text cannot hold NUL, and a lone surrogate cannot be encoded at all: refuse
    # them with a 422 instead of failing in the database (found by fuzzing the log-in).
    # (The request gate, kit/request_gate.py, refuses them before any route; this keeps the
    # schema safe wherever else it is used.)
    if isinstance(value, str) and not clean_str(value):
        raise ValueError(NOT_ALLOWED)
    return value


StorableText = Annotated[str, BeforeValidator(_storable)]
# An address an account may have, in its one stored spelling (kit/emails.py).
AccountEmail = Annotated[str, Field(max_length=255, json_schema_extra={"format": "email"}),
                         AfterValidator(canonical_email)]


class Incoming(BaseModel):
    """A request body of the accounts API: no text field may hold what PostgreSQL cannot store."""

    @model_validator(mode="before")
    @classmethod
    def _no_unstorable_text(cls, data):
        if isinstance(data, dict):
            for name, value in data.items():
                try:
                    _storable(value)
                except ValueError as exc:
                    raise ValueError(f"{name}: {exc}") from None
        return data

Password = Field(min_length=1, max_length=MAX_LENGTH + 64)    # the rules give the precise message


class RegisterIn(Incoming):
    email: AccountEmail
    password: str = Password
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(None, max_length=30)
    role: Literal["customer", "business_owner"] = "customer"
    preferred_language: str = Field("en", min_length=2, max_length=10)
    marketing_consent: StrictBool = False  # 0/1 or "yes" are not booleans (found by fuzzing)


class LoginIn(Incoming):
    email: StorableText = Field(max_length=255)
    password: str = Field(max_length=1024)


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    first_name: str
    last_name: str
    phone: str | None = None
    role: str
    email_verified: bool
    phone_verified: bool
    profile_image_url: str | None = None
    date_of_birth: date | None = None
    gender: str | None = None
    preferred_language: str
    marketing_consent: bool
    location_city: str | None = None
    location_region: str | None = None
    created_at: datetime
    last_login_at: datetime | None = None


class AdminUserRead(UserRead):
    is_active: bool
    is_suspended: bool
    suspension_reason: str | None = None


class LoginOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    user: UserRead
    device_token: str | None = Field(None, description=(
        "Keep it and send it as X-Device-Token with later log-ins: this device may still log in "
        "while failed attempts from elsewhere hold the account locked"))


class ProfileUpdate(Incoming):
    """The fields a user may change on themselves. Anything else sent (role, email,
    verification flags, suspension, id) is ignored: mass assignment changes nothing."""

    model_config = ConfigDict(extra="ignore")

    first_name: str | None = Field(None, min_length=1, max_length=100)
    last_name: str | None = Field(None, min_length=1, max_length=100)
    date_of_birth: IsoDate | None = None
    gender: str | None = Field(None, max_length=20)
    preferred_language: str | None = Field(None, min_length=2, max_length=10)
    marketing_consent: StrictBool | None = None
    location_city: str | None = Field(None, max_length=100)
    location_region: str | None = Field(None, max_length=100)


class PasswordChange(Incoming):
    current_password: str = Field(max_length=1024)
    new_password: str = Password


class EmailChange(Incoming):
    email: AccountEmail
    password: str = Field(max_length=1024)


class PhoneChange(Incoming):
    phone: str = Field(min_length=1, max_length=30)
    password: str = Field(max_length=1024)


class PhoneCode(Incoming):
    code: str = Field(pattern=r"^\s*\d{6}\s*$")


class TokenIn(Incoming):
    token: str = Field(min_length=1, max_length=200)


class ResetRequest(Incoming):
    email: str = Field(max_length=255)


class ResetConfirm(Incoming):
    token: str = Field(min_length=1, max_length=200)
    password: str = Password


class PasswordConfirm(Incoming):
    password: str = Field(max_length=1024)


class SuspendIn(Incoming):
    reason: str = Field(min_length=3, max_length=2000)


class Accepted(BaseModel):
    detail: str
