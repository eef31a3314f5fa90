"""Schema changes of the notifications domain's second step (two-way SMS); empty until that work needs one.

Revision ID: 0011
Revises: 0010
"""
from alembic import op  # noqa: F401

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
