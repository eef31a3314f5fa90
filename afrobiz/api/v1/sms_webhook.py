"""The inbound-SMS webhook: two-way SMS for owners and customers with basic phones."""
from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from afrobiz.api.deps import Session
from afrobiz.booking import flows

router = APIRouter(tags=["notifications"])


class InboundAccepted(BaseModel):
    status: str     # accepted | duplicate


@router.post(
    "/sms/inbound", response_model=InboundAccepted,
    summary="An inbound text forwarded by the SMS provider (signed)",
    description=(
        "Body: JSON `{id, from, text}` (the provider's message id, the sender's number, the text). "
        "Header `X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"t.\" + raw body>` with the "
        "configured `sms_webhook_secret`; a timestamp more than 5 minutes off is refused. "
        "`YES <booking number>` / `NO <booking number>` from the business owner's verified phone confirm or "
        "decline a pending booking; `C <booking number>` from the customer's phone cancels it within the "
        "cancellation rules. The sender gets a short SMS reply. A replayed message id changes nothing "
        "(`duplicate`)."),
    responses={400: {"description": "Bad signature, stale timestamp or a body that is not an inbound SMS"},
               404: {"description": "Two-way SMS is not configured"}})
async def inbound_sms(request: Request, session: AsyncSession = Session) -> InboundAccepted:
    body = await request.body()
    result = await flows.answer_sms(session, body=body, headers=dict(request.headers),
                                    settings=request.app.state.settings)
    return InboundAccepted(**result)
