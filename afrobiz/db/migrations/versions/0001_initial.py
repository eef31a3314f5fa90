"""The whole seed schema with DESIGN section 6's corrections, and Row Level Security.

Revision ID: 0001
Revises:
"""
from pathlib import Path

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

HERE = Path(__file__).parent


def upgrade() -> None:
    op.execute((HERE / "0001_schema.sql").read_text())
    op.execute((HERE / "0001_rls.sql").read_text())


def downgrade() -> None:
    # Extensions and the afrobiz_app role are left in place: other databases in the
    # same cluster may use them.
    op.execute(
        """
        DROP MATERIALIZED VIEW IF EXISTS business_stats_monthly;
        DROP VIEW IF EXISTS business_summary, user_activity;
        DROP TABLE IF EXISTS
          audit_logs, system_settings, business_analytics, idempotency_keys,
          verification_tokens, user_sessions, payment_webhook_events, payments,
          notification_preferences, notifications, business_views, user_favorites,
          review_votes, review_images, reviews, booking_status_history, bookings,
          service_availability, services, business_images, business_hours,
          businesses, categories, users CASCADE;
        DROP FUNCTION IF EXISTS
          ensure_partitions(integer), refresh_business_stats(), update_business_rating(),
          businesses_search_document(), update_updated_at_column(), app_owns_business(uuid),
          app_is_staff(), app_role(), app_user_id(), immutable_unaccent(text);
        DROP TYPE IF EXISTS
          user_role, business_status, price_range_enum, image_type_enum, booking_status,
          review_status, notification_type, payment_method_enum, payment_status;
        """
    )
