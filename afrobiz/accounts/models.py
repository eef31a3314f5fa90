"""Accounts tables (users, user_sessions, verification_tokens), mapped from migration 0001."""
from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from ipaddress import IPv4Address, IPv6Address
from typing import Any

from sqlalchemy import (
    TIMESTAMP,
    Boolean,
    Date,
    Enum,
    FetchedValue,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    Uuid,
    false,
    func,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import CITEXT, INET, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from afrobiz.db.base import Base


class UserRole(enum.StrEnum):
    CUSTOMER = "customer"
    BUSINESS_OWNER = "business_owner"
    ADMIN = "admin"


user_role = Enum(
    UserRole, name="user_role", create_type=False, values_callable=lambda e: [m.value for m in e]
)


class TokenPurpose(enum.StrEnum):
    """The values the CHECK on verification_tokens.purpose allows (a VARCHAR, not a PG enum)."""

    EMAIL_VERIFICATION = "email_verification"
    PHONE_VERIFICATION = "phone_verification"
    PASSWORD_RESET = "password_reset"


TZ = TIMESTAMP(timezone=True)


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, primary_key=True, default=uuid.uuid4, server_default=func.gen_random_uuid())


def _flag(default: bool) -> Mapped[bool]:
    return mapped_column(Boolean, nullable=False, server_default=true() if default else false())


class User(Base):
    __tablename__ = "users"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = _id()
    email: Mapped[str] = mapped_column(CITEXT, nullable=False)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(100), nullable=False)
    last_name: Mapped[str] = mapped_column(String(100), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(20))
    role: Mapped[UserRole] = mapped_column(user_role, nullable=False, server_default=UserRole.CUSTOMER.value)
    email_verified: Mapped[bool] = _flag(False)
    phone_verified: Mapped[bool] = _flag(False)
    profile_image_url: Mapped[str | None] = mapped_column(Text)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(20))
    preferred_language: Mapped[str] = mapped_column(String(10), nullable=False, server_default="en")
    marketing_consent: Mapped[bool] = _flag(False)
    location_city: Mapped[str | None] = mapped_column(String(100))
    location_region: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        TZ, nullable=False, server_default=func.now(), server_onupdate=FetchedValue()
    )
    last_login_at: Mapped[datetime | None] = mapped_column(TZ)
    is_active: Mapped[bool] = _flag(True)
    is_suspended: Mapped[bool] = _flag(False)
    suspension_reason: Mapped[str | None] = mapped_column(Text)
    metadata_: Mapped[dict[str, Any]] = mapped_column(
        "metadata", JSONB, nullable=False, server_default=text("'{}'::jsonb")
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class UserSession(Base):
    """An opaque session token, stored as its SHA-256 hash (accounts.sessions)."""

    __tablename__ = "user_sessions"

    id: Mapped[uuid.UUID] = _id()
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    token_hash: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())
    last_seen_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(TZ)
    ip_address: Mapped[IPv4Address | IPv6Address | None] = mapped_column(INET)
    user_agent: Mapped[str | None] = mapped_column(Text)


class VerificationToken(Base):
    """A one-time e-mail/phone verification or password-reset token, stored hashed."""

    __tablename__ = "verification_tokens"

    id: Mapped[uuid.UUID] = _id()
    user_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    purpose: Mapped[str] = mapped_column(String(30), nullable=False)  # a TokenPurpose value
    token_hash: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    target: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(TZ, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(TZ)
