"""Notification types for what they are: booking_requested, booking_rescheduled, payment_refunded.

The seed's notification_type had no member for a new booking, a moved booking or a refund,
so they were sent as booking_confirmed and payment_received (a new booking told the owner
"booking_confirmed" although nothing was confirmed yet). The three are added, and a user's
stored channel choice for the type each one used to travel as is copied to it, so nobody
starts receiving on a channel they turned off.

ALTER TYPE … ADD VALUE commits in its own step: a value added in a transaction cannot be
used before that transaction commits, and the copy below uses them.

Revision ID: 0022
Revises: 0021
"""
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

# new type -> the type such messages were sent as before (and go back to on downgrade)
ADDED = {"booking_requested": "booking_confirmed", "booking_rescheduled": "booking_confirmed",
         "payment_refunded": "payment_received"}
SEED_VALUES = ("booking_confirmed", "booking_cancelled", "booking_reminder", "review_received", "review_response",
               "business_approved", "payment_received", "system_announcement", "marketing")


def upgrade() -> None:
    with op.get_context().autocommit_block():
        for value in ADDED:
            op.execute(f"ALTER TYPE notification_type ADD VALUE IF NOT EXISTS '{value}'")
    for new, old in ADDED.items():
        op.execute(f"""
INSERT INTO notification_preferences (user_id, type, in_app, email, sms, whatsapp)
SELECT user_id, '{new}', in_app, email, sms, whatsapp FROM notification_preferences WHERE type = '{old}'
ON CONFLICT DO NOTHING""")


def downgrade() -> None:
    # PostgreSQL cannot drop an enum value: the type is made again without them, after the
    # rows that use them go back to the type they were sent as before.
    for new, old in ADDED.items():
        op.execute(f"UPDATE notifications SET type = '{old}' WHERE type = '{new}'")
        op.execute(f"DELETE FROM notification_preferences WHERE type = '{new}'")
    values = ", ".join(f"'{v}'" for v in SEED_VALUES)
    op.execute(f"""
ALTER TYPE notification_type RENAME TO notification_type_0022;
CREATE TYPE notification_type AS ENUM ({values});
ALTER TABLE notifications ALTER COLUMN type TYPE notification_type USING type::text::notification_type;
ALTER TABLE notification_preferences ALTER COLUMN type TYPE notification_type USING type::text::notification_type;
DROP TYPE notification_type_0022;
""")
