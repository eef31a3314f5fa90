-- Row Level Security, the second wall behind the services' own checks (DESIGN 5, 6.6).
-- The app connects and then `SET ROLE afrobiz_app`, a role that owns nothing, so the
-- policies below apply to every query it runs; each transaction states who is asking
-- with set_config('app.user_id' / 'app.role', ..., true). With nothing set, a query sees
-- only what anonymous visitors may see.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'afrobiz_app') THEN
    -- Roles are cluster-wide: two databases migrating at once (parallel test workers on a
    -- fresh server) can both pass the check above; the loser finds the role made.
    BEGIN
      CREATE ROLE afrobiz_app NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END IF;
END $$;
-- The migrating user must be able to SET ROLE to it (a superuser always can).
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT afrobiz_app TO %I', current_user);
  END IF;
END $$;

GRANT USAGE ON SCHEMA public TO afrobiz_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO afrobiz_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO afrobiz_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO afrobiz_app;
-- Tables created by later migrations are granted the same way.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO afrobiz_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO afrobiz_app;

-- Is the current user the owner of this business? SECURITY DEFINER so the check is not
-- itself filtered (and cannot recurse) through the businesses policy.
CREATE FUNCTION app_owns_business(target uuid) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  RETURN EXISTS (SELECT 1 FROM businesses WHERE id = target AND owner_id = app_user_id());

-- businesses: everyone sees active listings; owners their own; staff all.
ALTER TABLE businesses ENABLE ROW LEVEL SECURITY;
ALTER TABLE businesses FORCE ROW LEVEL SECURITY;
CREATE POLICY businesses_read ON businesses FOR SELECT
  USING (status = 'active' OR owner_id = app_user_id() OR app_is_staff());
CREATE POLICY businesses_insert ON businesses FOR INSERT
  WITH CHECK (owner_id = app_user_id() OR app_is_staff());
CREATE POLICY businesses_update ON businesses FOR UPDATE
  USING (owner_id = app_user_id() OR app_is_staff())
  WITH CHECK (owner_id = app_user_id() OR app_is_staff());
CREATE POLICY businesses_delete ON businesses FOR DELETE
  USING (app_is_staff());

-- bookings: the customer, the business's owner, staff.
ALTER TABLE bookings ENABLE ROW LEVEL SECURITY;
ALTER TABLE bookings FORCE ROW LEVEL SECURITY;
CREATE POLICY bookings_access ON bookings FOR ALL
  USING (customer_id = app_user_id() OR app_owns_business(business_id) OR app_is_staff())
  WITH CHECK (customer_id = app_user_id() OR app_owns_business(business_id) OR app_is_staff());

ALTER TABLE booking_status_history ENABLE ROW LEVEL SECURITY;
ALTER TABLE booking_status_history FORCE ROW LEVEL SECURITY;
CREATE POLICY booking_status_history_access ON booking_status_history FOR ALL
  USING (EXISTS (SELECT 1 FROM bookings b WHERE b.id = booking_id))
  WITH CHECK (EXISTS (SELECT 1 FROM bookings b WHERE b.id = booking_id));

-- payments: the payer, the business's owner, staff.
ALTER TABLE payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE payments FORCE ROW LEVEL SECURITY;
CREATE POLICY payments_access ON payments FOR ALL
  USING (user_id = app_user_id() OR app_owns_business(business_id) OR app_is_staff())
  WITH CHECK (user_id = app_user_id() OR app_owns_business(business_id) OR app_is_staff());

-- notifications and favourites: their user only (and staff).
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications FORCE ROW LEVEL SECURITY;
CREATE POLICY notifications_access ON notifications FOR ALL
  USING (user_id = app_user_id() OR app_is_staff())
  WITH CHECK (user_id = app_user_id() OR app_is_staff());

ALTER TABLE user_favorites ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_favorites FORCE ROW LEVEL SECURITY;
CREATE POLICY user_favorites_access ON user_favorites FOR ALL
  USING (user_id = app_user_id() OR app_is_staff())
  WITH CHECK (user_id = app_user_id() OR app_is_staff());

ALTER TABLE notification_preferences ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_preferences FORCE ROW LEVEL SECURITY;
CREATE POLICY notification_preferences_access ON notification_preferences FOR ALL
  USING (user_id = app_user_id() OR app_is_staff())
  WITH CHECK (user_id = app_user_id() OR app_is_staff());

-- reviews: approved ones are public; authors see their own, owners those of their
-- business (to reply), staff all. Authors write their own; owners may update (reply).
ALTER TABLE reviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE reviews FORCE ROW LEVEL SECURITY;
CREATE POLICY reviews_read ON reviews FOR SELECT
  USING (status = 'approved' OR customer_id = app_user_id()
         OR app_owns_business(business_id) OR app_is_staff());
CREATE POLICY reviews_insert ON reviews FOR INSERT
  WITH CHECK (customer_id = app_user_id() OR app_is_staff());
CREATE POLICY reviews_update ON reviews FOR UPDATE
  USING (customer_id = app_user_id() OR app_owns_business(business_id) OR app_is_staff());
CREATE POLICY reviews_delete ON reviews FOR DELETE
  USING (customer_id = app_user_id() OR app_is_staff());
