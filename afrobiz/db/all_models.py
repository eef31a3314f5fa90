"""Imports every domain's models so Base.metadata (and the ORM registry) knows all tables."""
from __future__ import annotations

from afrobiz.accounts.models import TokenPurpose, User, UserRole, UserSession, VerificationToken
from afrobiz.admin.models import AuditLog, SystemSetting
from afrobiz.analytics.models import BusinessAnalytics, BusinessStatsMonthly, business_stats_monthly
from afrobiz.booking.models import (
    Booking,
    BookingStatus,
    BookingStatusHistory,
    BusinessClosure,
    Service,
    ServiceAvailability,
)
from afrobiz.db.base import Base
from afrobiz.directory.models import (
    Business,
    BusinessHours,
    BusinessImage,
    BusinessStatus,
    Category,
    ImageType,
    PriceRange,
)
from afrobiz.engagement.models import BusinessView, UserFavorite
from afrobiz.notifications.models import Notification, NotificationPreference, NotificationType
from afrobiz.payments.models import (
    IdempotencyKey,
    Payment,
    PaymentMethod,
    PaymentStatus,
    PaymentWebhookEvent,
)
from afrobiz.reviews.models import Review, ReviewImage, ReviewStatus, ReviewVote
from afrobiz.search.models import SearchEntry, SearchWord

__all__ = [
    "SearchEntry",
    "SearchWord",
    "AuditLog",
    "Base",
    "Booking",
    "BookingStatus",
    "BookingStatusHistory",
    "BusinessClosure",
    "Business",
    "BusinessAnalytics",
    "BusinessHours",
    "BusinessImage",
    "BusinessStatsMonthly",
    "BusinessStatus",
    "BusinessView",
    "Category",
    "IdempotencyKey",
    "ImageType",
    "Notification",
    "NotificationPreference",
    "NotificationType",
    "Payment",
    "PaymentMethod",
    "PaymentStatus",
    "PaymentWebhookEvent",
    "PriceRange",
    "Review",
    "ReviewImage",
    "ReviewStatus",
    "ReviewVote",
    "Service",
    "ServiceAvailability",
    "SystemSetting",
    "TokenPurpose",
    "User",
    "UserFavorite",
    "UserRole",
    "UserSession",
    "VerificationToken",
    "business_stats_monthly",
]
