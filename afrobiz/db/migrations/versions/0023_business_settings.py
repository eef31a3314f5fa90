"""Repair businesses.settings: keep only the keys and shapes the code reads.

Until now PATCH /businesses/{id} stored any JSON object as settings, and a bad value
({"timezone": "Invalid/Zone"}, {"payments": "x"}) made every page that reads the business
fail. The settings are now typed (afrobiz/directory/business_settings.py) and the readers
tolerate a bad value; this rewrites what is stored with the same rules (a key that does not
fit is dropped, unknown keys too), so the column holds only what the schema allows.

Only rows whose value changes are written. No downgrade: the dropped values were unusable.

Revision ID: 0023
Revises: 0022
"""
import json

import sqlalchemy as sa
from alembic import op

from afrobiz.directory.business_settings import repaired

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    # businesses has FORCE ROW LEVEL SECURITY: act as the system (any migrating user).
    conn.execute(sa.text("SELECT set_config('app.role', 'system', true)"))
    rows = conn.execute(sa.text("SELECT id, settings FROM businesses WHERE settings <> '{}'::jsonb")).all()
    for business_id, settings in rows:
        fixed = repaired(settings)
        if fixed != settings:
            conn.execute(sa.text("UPDATE businesses SET settings = CAST(:s AS jsonb) WHERE id = :id"),
                         {"s": json.dumps(fixed), "id": business_id})


def downgrade() -> None:
    pass
