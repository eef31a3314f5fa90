"""Schema changes of the booking engine's speed work; empty until that work needs one.

Revision ID: 0014
Revises: 0013
"""
from alembic import op  # noqa: F401

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
