"""Everything under a hidden business is hidden with it (Row Level Security).

A pending or suspended business was 404 to the public (its policy shows active listings,
its owner's and, to staff, all), but the rows under it were not: anonymous GET
/businesses/{id}/services and /closures of a suspended listing answered 200, closure reasons
("medical leave") included, and its approved reviews stayed readable one by one.

Now a row of services, service_availability, service_deposits, business_hours,
business_images or business_closures is visible exactly when its business is: the policy
asks for the business through the businesses policy itself (EXISTS on businesses, as the
caller), so the rule stays in one place. Approved reviews are public only while their
business is. Writes to those tables are the business owner's and staff's (the services
checked that already; this is the second wall).

Staff and the system stop at app_is_staff(), a setting compare, before any lookup.

Revision ID: 0024
Revises: 0023
"""
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

VISIBLE = "EXISTS (SELECT 1 FROM businesses vb WHERE vb.id = {col})"
OWNED = "{col} IN (SELECT ob.id FROM businesses ob WHERE ob.owner_id = app_user_id())"
SERVICE_VISIBLE = "EXISTS (SELECT 1 FROM services vs WHERE vs.id = service_id)"
SERVICE_OWNED = ("service_id IN (SELECT os.id FROM services os JOIN businesses ob ON ob.id = os.business_id"
                 " WHERE ob.owner_id = app_user_id())")

# table -> (who may read a row, who may write one)
TABLES = {
    "services": (VISIBLE.format(col="business_id"), OWNED.format(col="business_id")),
    "business_hours": (VISIBLE.format(col="business_id"), OWNED.format(col="business_id")),
    "business_images": (VISIBLE.format(col="business_id"), OWNED.format(col="business_id")),
    "business_closures": (VISIBLE.format(col="business_id"), OWNED.format(col="business_id")),
    # Rows under a service: visible with the service (whose policy asks for its business).
    "service_availability": (SERVICE_VISIBLE, SERVICE_OWNED),
    "service_deposits": (SERVICE_VISIBLE, SERVICE_OWNED),
}

REVIEWS_READ_NEW = ("(status = 'approved' AND " + VISIBLE.format(col="business_id") + ")"
                    " OR app_is_staff() OR customer_id = app_user_id() OR " + OWNED.format(col="business_id"))
REVIEWS_READ_OLD = ("status = 'approved' OR app_is_staff() OR customer_id = app_user_id() OR "
                    + OWNED.format(col="business_id"))


def upgrade() -> None:
    for table, (read, write) in TABLES.items():
        op.execute(f"""
ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
CREATE POLICY {table}_read ON {table} FOR SELECT USING (app_is_staff() OR {read});
CREATE POLICY {table}_write ON {table} FOR ALL
  USING (app_is_staff() OR {write}) WITH CHECK (app_is_staff() OR {write});
""")
    op.execute(f"ALTER POLICY reviews_read ON reviews USING ({REVIEWS_READ_NEW})")


def downgrade() -> None:
    op.execute(f"ALTER POLICY reviews_read ON reviews USING ({REVIEWS_READ_OLD})")
    for table in TABLES:
        op.execute(f"""
DROP POLICY IF EXISTS {table}_write ON {table};
DROP POLICY IF EXISTS {table}_read ON {table};
ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY;
ALTER TABLE {table} DISABLE ROW LEVEL SECURITY;
""")
