"""Admin tables (system_settings, audit_logs partitioned by month), mapped from migration 0001."""
from __future__ import annotations

import uuid
from datetime import datetime
from ipaddress import IPv4Address, IPv6Address
from typing import Any

from sqlalchemy import (
    TIMESTAMP,
    Boolean,
    FetchedValue,
    ForeignKey,
    String,
    Text,
    Uuid,
    false,
    func,
)
from sqlalchemy.dialects.postgresql import INET, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from afrobiz.db.base import Base

TZ = TIMESTAMP(timezone=True)


class SystemSetting(Base):
    """A setting; value is text, data_type says how to read it: string/integer/decimal/boolean/json."""

    __tablename__ = "system_settings"
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[uuid.UUID] = mapped_column(
        Uuid, primary_key=True, default=uuid.uuid4, server_default=func.gen_random_uuid()
    )
    key: Mapped[str] = mapped_column(String(255), nullable=False)
    value: Mapped[str | None] = mapped_column(Text)
    data_type: Mapped[str] = mapped_column(String(50), nullable=False, server_default="string")
    description: Mapped[str | None] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(TZ, nullable=False, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        TZ, nullable=False, server_default=func.now(), server_onupdate=FetchedValue()
    )


class AuditLog(Base):
    """Who changed what (DESIGN 4.10). Partitioned by RANGE (created_at), so created_at is part
    of the primary key; it is filled by the server and read back with RETURNING on insert."""

    __tablename__ = "audit_logs"

    id: Mapped[uuid.UUID] = mapped_column(
        Uuid, primary_key=True, default=uuid.uuid4, server_default=func.gen_random_uuid()
    )
    created_at: Mapped[datetime] = mapped_column(TZ, primary_key=True, server_default=func.now())
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(100), nullable=False)
    table_name: Mapped[str | None] = mapped_column(String(100))
    record_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    old_values: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    new_values: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    ip_address: Mapped[IPv4Address | IPv6Address | None] = mapped_column(INET)
    user_agent: Mapped[str | None] = mapped_column(Text)
