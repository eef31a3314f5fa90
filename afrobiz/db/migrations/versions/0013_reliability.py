"""Schema changes of the reliability hardening (RLS on the remaining private tables); empty until that work needs one.

Revision ID: 0013
Revises: 0012
"""
from alembic import op  # noqa: F401

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
