"""Issue 21, identity and abuse limits.

* users.email holds only ASCII: accounts/emails.py brings every address to one spelling
  (NFKC, ASCII before the @, IDNA domain), because citext's case folding and Python's differ
  outside ASCII ('İ' is 'i' to PostgreSQL, not to Python). The check makes PostgreSQL refuse
  any other spelling whatever writes it. NOT VALID: rows written before are left as they are
  (they can no longer be reached by log-in with a non-ASCII spelling).
* A guest booking counts the contact's pending guest bookings at the business
  (booking/guest_limits.py): a partial index finds a business's pending guest bookings.
* Messages to guests (unverified contacts) are capped per recipient and hour
  (notifications/delivery.py): each one sent is claimed in idempotency_keys with the
  recipient's digest in request_hash, and this index counts a recipient's recent claims.

Revision ID: 0025
Revises: 0024
"""
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE users ADD CONSTRAINT users_email_ascii "
               "CHECK (email::text ~ '^[!-~]+@[!-~]+$') NOT VALID")
    op.execute("CREATE INDEX idx_bookings_guest_pending ON bookings (business_id) "
               "WHERE customer_id IS NULL AND status = 'pending'")
    op.execute("CREATE INDEX idx_idempotency_keys_guest_recipient ON idempotency_keys (request_hash, created_at) "
               "WHERE scope = 'notifications.guest'")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS idx_idempotency_keys_guest_recipient")
    op.execute("DROP INDEX IF EXISTS idx_bookings_guest_pending")
    op.execute("ALTER TABLE users DROP CONSTRAINT IF EXISTS users_email_ascii")
