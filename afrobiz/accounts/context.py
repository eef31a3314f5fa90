"""Where an account action comes from: for the audit log, rate limits, links and messages."""
from __future__ import annotations

from dataclasses import dataclass, field

from afrobiz.accounts.messages import Outbox


@dataclass
class Caller:
    ip: str | None = None
    user_agent: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = "dev-insecure-change-me"
    outbox: Outbox = field(default_factory=Outbox)    # sent after the request commits
    device_token: str | None = None    # accounts/devices.py: this device logged in before
