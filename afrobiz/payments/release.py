"""The owner's payment settings: deposits, bank details. (Releasing unpaid bookings: flows.py.)"""
from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.accounts.models import User
from afrobiz.admin.audit import record
from afrobiz.booking.catalog import require_editable_business, require_editable_service
from afrobiz.directory.business_settings import BusinessSettings, PaymentSettings, bank_of, merged
from afrobiz.errors import InvalidInput
from afrobiz.payments import money
from afrobiz.payments.models import DepositType, ServiceDeposit


async def set_deposit(session: AsyncSession, *, user: User, service_id: uuid.UUID, deposit_type: DepositType,
                      deposit_value: Decimal | None, ip: str | None = None) -> ServiceDeposit:
    """The owner sets what a service asks up front: none, fixed (> 0), percent (0-100] or full."""
    service = await require_editable_service(session, user=user, service_id=service_id)
    if deposit_type in (DepositType.FIXED, DepositType.PERCENT):
        if deposit_value is None or deposit_value <= 0:
            raise InvalidInput("Give the deposit: an amount or a percentage above zero.", field="deposit_value")
        if deposit_type == DepositType.PERCENT and deposit_value > 100:
            raise InvalidInput("A percentage is at most 100.", field="deposit_value")
        deposit_value = money.cents(deposit_value)
    else:
        deposit_value = None
    row = await session.get(ServiceDeposit, service.id)
    old = {"deposit_type": row.deposit_type, "deposit_value": str(row.deposit_value)} if row else None
    if row is None:
        row = ServiceDeposit(service_id=service.id)
        session.add(row)
    row.deposit_type, row.deposit_value = deposit_type.value, deposit_value
    await session.flush()
    await record(session, actor_id=user.id, action="service.deposit", table_name="service_deposits",
                 record_id=service.id, old=old,
                 new={"deposit_type": deposit_type.value, "deposit_value": str(deposit_value)}, ip=ip)
    return row


async def set_bank_details(session: AsyncSession, *, user: User, business_id: uuid.UUID, details: dict,
                           ip: str | None = None) -> dict:
    """The owner's bank account for transfers, kept in businesses.settings['payments']['bank']."""
    business = await require_editable_business(session, user=user, business_id=business_id)
    old = bank_of(business.settings)
    business.settings = merged(business.settings, BusinessSettings(payments=PaymentSettings(bank=details)))
    await session.flush()
    await record(session, actor_id=user.id, action="business.bank_details", table_name="businesses",
                 record_id=business.id, old={"bank": old}, new={"bank": details}, ip=ip)
    return details

