-- AfroBiz Connect: the seed schema (docs/seed) with the corrections of DESIGN section 6.
-- Written as plain SQL so it reads like the seed it comes from; 0001_initial.py runs it.

CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;

-- ---------------------------------------------------------------- enums
CREATE TYPE user_role AS ENUM ('customer', 'business_owner', 'admin');
CREATE TYPE business_status AS ENUM ('pending', 'active', 'suspended', 'closed');
CREATE TYPE price_range_enum AS ENUM ('budget', 'moderate', 'expensive', 'luxury');
CREATE TYPE image_type_enum AS ENUM ('logo', 'cover', 'gallery', 'menu', 'certificate');
CREATE TYPE booking_status AS ENUM ('pending', 'confirmed', 'in_progress', 'completed', 'cancelled', 'no_show');
CREATE TYPE review_status AS ENUM ('pending', 'approved', 'rejected', 'flagged');
CREATE TYPE notification_type AS ENUM (
  'booking_confirmed', 'booking_cancelled', 'booking_reminder',
  'review_received', 'review_response', 'business_approved',
  'payment_received', 'system_announcement', 'marketing'
);
CREATE TYPE payment_method_enum AS ENUM ('card', 'mobile_money', 'bank_transfer', 'cash');
CREATE TYPE payment_status AS ENUM ('pending', 'processing', 'completed', 'failed', 'refunded', 'cancelled');

-- ---------------------------------------------------------------- shared functions
CREATE FUNCTION update_updated_at_column() RETURNS trigger AS $$
BEGIN
  NEW.updated_at = NOW();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- unaccent() is only STABLE (it reads a dictionary by name); this wrapper names the
-- dictionary explicitly so it can be used in indexes and stored search documents.
CREATE FUNCTION immutable_unaccent(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN public.unaccent('public.unaccent'::regdictionary, $1);

-- Who is asking: set per transaction by the app with set_config(..., true) (DESIGN 5).
CREATE FUNCTION app_user_id() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE
  RETURN nullif(current_setting('app.user_id', true), '')::uuid;
CREATE FUNCTION app_role() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
  RETURN coalesce(nullif(current_setting('app.role', true), ''), 'anonymous');
-- 'system' is the worker and migrations-time jobs; admins see everything too.
CREATE FUNCTION app_is_staff() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
  RETURN app_role() IN ('admin', 'system');

-- ---------------------------------------------------------------- 1. users
CREATE TABLE users (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  email CITEXT NOT NULL,
  password_hash VARCHAR(255),
  first_name VARCHAR(100) NOT NULL,
  last_name VARCHAR(100) NOT NULL,
  phone VARCHAR(20),
  role user_role NOT NULL DEFAULT 'customer',
  email_verified BOOLEAN NOT NULL DEFAULT FALSE,
  phone_verified BOOLEAN NOT NULL DEFAULT FALSE,
  profile_image_url TEXT,
  date_of_birth DATE,
  gender VARCHAR(20),
  preferred_language VARCHAR(10) NOT NULL DEFAULT 'en',
  marketing_consent BOOLEAN NOT NULL DEFAULT FALSE,
  location_city VARCHAR(100),
  location_region VARCHAR(100),
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  last_login_at TIMESTAMPTZ,
  is_active BOOLEAN NOT NULL DEFAULT TRUE,
  is_suspended BOOLEAN NOT NULL DEFAULT FALSE,
  suspension_reason TEXT,
  metadata JSONB NOT NULL DEFAULT '{}',
  CONSTRAINT uq_users_email UNIQUE (email),
  CONSTRAINT ck_users_email_length CHECK (length(email) <= 255)
);
CREATE INDEX idx_users_email ON users(email);
CREATE INDEX idx_users_role ON users(role);
CREATE INDEX idx_users_location ON users(location_city, location_region);

-- ---------------------------------------------------------------- 2. categories, businesses
CREATE TABLE categories (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name VARCHAR(100) NOT NULL,
  slug VARCHAR(100) UNIQUE NOT NULL,
  description TEXT,
  icon VARCHAR(50),
  color VARCHAR(7) CHECK (color IS NULL OR color ~ '^#[0-9A-Fa-f]{6}$'),
  image_url TEXT,
  parent_id UUID REFERENCES categories(id),
  sort_order INTEGER NOT NULL DEFAULT 0,
  is_active BOOLEAN NOT NULL DEFAULT TRUE,
  seo_title VARCHAR(255),
  seo_description TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  CONSTRAINT ck_categories_not_own_parent CHECK (parent_id IS DISTINCT FROM id)
);
CREATE INDEX idx_categories_parent ON categories(parent_id);
CREATE INDEX idx_categories_active ON categories(is_active);

CREATE TABLE businesses (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id UUID REFERENCES users(id) ON DELETE CASCADE,
  name VARCHAR(255) NOT NULL,
  slug VARCHAR(255) UNIQUE NOT NULL,
  description TEXT,
  category_id UUID REFERENCES categories(id),
  subcategory_id UUID REFERENCES categories(id),
  email VARCHAR(255),
  phone VARCHAR(20),
  website VARCHAR(255),
  whatsapp VARCHAR(20),
  street_address TEXT,
  city VARCHAR(100),
  region VARCHAR(100),
  postal_code VARCHAR(20),
  country VARCHAR(100) NOT NULL DEFAULT 'Namibia',
  latitude DECIMAL(10, 8),
  longitude DECIMAL(11, 8),
  logo_url TEXT,
  cover_image_url TEXT,
  price_range price_range_enum DEFAULT 'moderate',
  currency VARCHAR(3) NOT NULL DEFAULT 'NAD',
  status business_status NOT NULL DEFAULT 'pending',
  is_verified BOOLEAN NOT NULL DEFAULT FALSE,
  verification_date TIMESTAMPTZ,
  is_featured BOOLEAN NOT NULL DEFAULT FALSE,
  featured_until TIMESTAMPTZ,
  meta_title VARCHAR(255),
  meta_description TEXT,
  keywords TEXT[],
  view_count INTEGER NOT NULL DEFAULT 0,
  click_count INTEGER NOT NULL DEFAULT 0,
  booking_count INTEGER NOT NULL DEFAULT 0,
  -- DESIGN 6.2: written by the rating trigger.
  average_rating NUMERIC(3, 2) NOT NULL DEFAULT 0,
  review_count INTEGER NOT NULL DEFAULT 0,
  -- DESIGN 6.5: stored weighted search document, kept by a trigger (never NULL).
  search_document TSVECTOR NOT NULL DEFAULT ''::tsvector,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  published_at TIMESTAMPTZ,
  settings JSONB NOT NULL DEFAULT '{}',
  CONSTRAINT valid_coordinates CHECK (
    (latitude IS NULL AND longitude IS NULL) OR
    (latitude IS NOT NULL AND longitude IS NOT NULL)
  ),
  CONSTRAINT ck_businesses_coordinates_range CHECK (
    latitude IS NULL OR (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180)
  ),
  CONSTRAINT ck_businesses_rating_range CHECK (average_rating BETWEEN 0 AND 5),
  CONSTRAINT ck_businesses_currency CHECK (currency ~ '^[A-Z]{3}$')
);
CREATE INDEX idx_businesses_owner ON businesses(owner_id);
CREATE INDEX idx_businesses_category ON businesses(category_id);
CREATE INDEX idx_businesses_subcategory ON businesses(subcategory_id);
CREATE INDEX idx_businesses_location ON businesses(city, region);
CREATE INDEX idx_businesses_status ON businesses(status);
CREATE INDEX idx_businesses_featured ON businesses(is_featured, featured_until);
CREATE INDEX idx_businesses_coordinates ON businesses USING GIST(point(longitude, latitude));
-- DESIGN 6.5: the seed's to_tsvector(name || ' ' || description) is NULL without a description.
CREATE INDEX idx_businesses_search ON businesses USING GIN(search_document);
CREATE INDEX idx_businesses_name_trgm ON businesses USING GIN(immutable_unaccent(lower(name)) gin_trgm_ops);

-- The search document: name (A) > keywords, category, subcategory (B) > description (C).
-- Service names (D) are added by the search domain when it grows; categories are looked up.
CREATE FUNCTION businesses_search_document() RETURNS trigger AS $$
DECLARE
  category_names text;
BEGIN
  SELECT string_agg(c.name, ' ') INTO category_names
    FROM categories c WHERE c.id IN (NEW.category_id, NEW.subcategory_id);
  NEW.search_document :=
      setweight(to_tsvector('english', immutable_unaccent(coalesce(NEW.name, ''))), 'A')
   || setweight(to_tsvector('english', immutable_unaccent(
        coalesce(array_to_string(NEW.keywords, ' '), '') || ' ' || coalesce(category_names, ''))), 'B')
   || setweight(to_tsvector('english', immutable_unaccent(
        coalesce(NEW.city, '') || ' ' || coalesce(NEW.region, ''))), 'C')
   || setweight(to_tsvector('english', immutable_unaccent(coalesce(NEW.description, ''))), 'C');
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER businesses_search_document_trigger
  BEFORE INSERT OR UPDATE OF name, keywords, description, category_id, subcategory_id, city, region
  ON businesses FOR EACH ROW EXECUTE FUNCTION businesses_search_document();

CREATE TABLE business_hours (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id UUID NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  day_of_week INTEGER NOT NULL CHECK (day_of_week >= 0 AND day_of_week <= 6), -- 0 = Sunday
  open_time TIME,
  close_time TIME,
  is_closed BOOLEAN NOT NULL DEFAULT FALSE,
  is_24_hours BOOLEAN NOT NULL DEFAULT FALSE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  UNIQUE(business_id, day_of_week),
  CONSTRAINT ck_business_hours_times CHECK (
    is_closed OR is_24_hours OR (open_time IS NOT NULL AND close_time IS NOT NULL)
  )
);
CREATE INDEX idx_business_hours_business ON business_hours(business_id);

CREATE TABLE business_images (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id UUID NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  image_url TEXT NOT NULL,
  alt_text VARCHAR(255),
  caption TEXT,
  sort_order INTEGER NOT NULL DEFAULT 0,
  image_type image_type_enum NOT NULL DEFAULT 'gallery',
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_business_images_business ON business_images(business_id);

-- ---------------------------------------------------------------- 3. services
CREATE TABLE services (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id UUID NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  name VARCHAR(255) NOT NULL,
  description TEXT,
  price DECIMAL(10, 2) CHECK (price IS NULL OR price >= 0),
  currency VARCHAR(3) NOT NULL DEFAULT 'NAD',
  duration_minutes INTEGER CHECK (duration_minutes IS NULL OR duration_minutes BETWEEN 5 AND 1440),
  category VARCHAR(100),
  is_active BOOLEAN NOT NULL DEFAULT TRUE,
  requires_booking BOOLEAN NOT NULL DEFAULT TRUE,
  max_advance_booking_days INTEGER NOT NULL DEFAULT 30 CHECK (max_advance_booking_days BETWEEN 0 AND 730),
  min_advance_booking_hours INTEGER NOT NULL DEFAULT 1 CHECK (min_advance_booking_hours BETWEEN 0 AND 8760),
  sort_order INTEGER NOT NULL DEFAULT 0,
  -- What the seed lacks and a scheduler needs (issue 6).
  buffer_before_minutes INTEGER NOT NULL DEFAULT 0 CHECK (buffer_before_minutes BETWEEN 0 AND 720),
  buffer_after_minutes INTEGER NOT NULL DEFAULT 0 CHECK (buffer_after_minutes BETWEEN 0 AND 720),
  capacity INTEGER NOT NULL DEFAULT 1 CHECK (capacity BETWEEN 1 AND 1000),
  cancellation_deadline_hours INTEGER NOT NULL DEFAULT 0 CHECK (cancellation_deadline_hours BETWEEN 0 AND 720),
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_services_business ON services(business_id);
CREATE INDEX idx_services_active ON services(is_active);

CREATE TABLE service_availability (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  service_id UUID NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  day_of_week INTEGER NOT NULL CHECK (day_of_week >= 0 AND day_of_week <= 6),
  start_time TIME NOT NULL,
  end_time TIME NOT NULL,
  is_available BOOLEAN NOT NULL DEFAULT TRUE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  CONSTRAINT ck_service_availability_order CHECK (start_time < end_time)
);
CREATE INDEX idx_service_availability_service ON service_availability(service_id);

-- ---------------------------------------------------------------- 4. bookings
CREATE TABLE bookings (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  booking_number VARCHAR(20) UNIQUE NOT NULL,
  customer_id UUID REFERENCES users(id),
  business_id UUID NOT NULL REFERENCES businesses(id),
  service_id UUID REFERENCES services(id),
  booking_date DATE NOT NULL,
  booking_time TIME NOT NULL,
  duration_minutes INTEGER,
  guest_count INTEGER NOT NULL DEFAULT 1 CHECK (guest_count BETWEEN 1 AND 1000),
  customer_name VARCHAR(255),
  customer_email VARCHAR(255),
  customer_phone VARCHAR(20),
  service_price DECIMAL(10, 2),
  additional_fees DECIMAL(10, 2) NOT NULL DEFAULT 0 CHECK (additional_fees >= 0),
  discount_amount DECIMAL(10, 2) NOT NULL DEFAULT 0 CHECK (discount_amount >= 0),
  total_amount DECIMAL(10, 2) NOT NULL CHECK (total_amount >= 0),
  currency VARCHAR(3) NOT NULL DEFAULT 'NAD',
  status booking_status NOT NULL DEFAULT 'pending',
  notes TEXT,
  internal_notes TEXT,
  cancellation_reason TEXT,
  -- DESIGN 6.7: the occupied time (service time plus buffers) as a range, for the
  -- exclusion constraint; exclusive_slot is false for services of capacity > 1,
  -- which lock the service row and count overlaps instead.
  time_range TSTZRANGE,
  exclusive_slot BOOLEAN NOT NULL DEFAULT TRUE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  confirmed_at TIMESTAMPTZ,
  completed_at TIMESTAMPTZ,
  cancelled_at TIMESTAMPTZ,
  reminder_sent_at TIMESTAMPTZ,
  follow_up_sent_at TIMESTAMPTZ,
  CONSTRAINT ck_bookings_customer_known CHECK (customer_id IS NOT NULL OR customer_name IS NOT NULL),
  CONSTRAINT bookings_no_overlap EXCLUDE USING gist (service_id WITH =, time_range WITH &&)
    WHERE (exclusive_slot AND status IN ('pending', 'confirmed', 'in_progress'))
);
CREATE INDEX idx_bookings_customer ON bookings(customer_id);
CREATE INDEX idx_bookings_business ON bookings(business_id);
CREATE INDEX idx_bookings_service ON bookings(service_id);
CREATE INDEX idx_bookings_date ON bookings(booking_date);
CREATE INDEX idx_bookings_status ON bookings(status);
CREATE INDEX idx_bookings_number ON bookings(booking_number);
CREATE INDEX idx_bookings_service_range ON bookings USING gist (service_id, time_range);

CREATE TABLE booking_status_history (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  booking_id UUID NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
  old_status booking_status,
  new_status booking_status NOT NULL,
  changed_by UUID REFERENCES users(id),
  reason TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_booking_status_history_booking ON booking_status_history(booking_id);

-- ---------------------------------------------------------------- 5. reviews
CREATE TABLE reviews (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id UUID NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  customer_id UUID REFERENCES users(id) ON DELETE SET NULL,
  booking_id UUID REFERENCES bookings(id) ON DELETE SET NULL,
  rating INTEGER NOT NULL CHECK (rating >= 1 AND rating <= 5),
  title VARCHAR(255),
  content TEXT,
  service_rating INTEGER CHECK (service_rating >= 1 AND service_rating <= 5),
  quality_rating INTEGER CHECK (quality_rating >= 1 AND quality_rating <= 5),
  value_rating INTEGER CHECK (value_rating >= 1 AND value_rating <= 5),
  cleanliness_rating INTEGER CHECK (cleanliness_rating >= 1 AND cleanliness_rating <= 5),
  status review_status NOT NULL DEFAULT 'pending',
  is_verified BOOLEAN NOT NULL DEFAULT FALSE,
  is_featured BOOLEAN NOT NULL DEFAULT FALSE,
  moderation_notes TEXT,
  helpful_count INTEGER NOT NULL DEFAULT 0,
  not_helpful_count INTEGER NOT NULL DEFAULT 0,
  business_response TEXT,
  business_response_date TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  published_at TIMESTAMPTZ
);
CREATE INDEX idx_reviews_business ON reviews(business_id);
CREATE INDEX idx_reviews_customer ON reviews(customer_id);
CREATE INDEX idx_reviews_rating ON reviews(rating);
CREATE INDEX idx_reviews_status ON reviews(status);
CREATE INDEX idx_reviews_created ON reviews(created_at);
-- One review per booking.
CREATE UNIQUE INDEX uq_reviews_booking ON reviews(booking_id) WHERE booking_id IS NOT NULL;

CREATE TABLE review_images (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  review_id UUID NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
  image_url TEXT NOT NULL,
  alt_text VARCHAR(255),
  sort_order INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_review_images_review ON review_images(review_id);

-- DESIGN 6.10: one helpful/not-helpful vote per user per review.
CREATE TABLE review_votes (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  review_id UUID NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  is_helpful BOOLEAN NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  UNIQUE (review_id, user_id)
);
CREATE INDEX idx_review_votes_user ON review_votes(user_id);

-- The seed's rating trigger, unchanged in substance; an UPDATE that moves a review
-- to another business refreshes both businesses.
CREATE FUNCTION update_business_rating() RETURNS trigger AS $$
DECLARE
  target uuid;
BEGIN
  FOREACH target IN ARRAY ARRAY[
      CASE WHEN TG_OP <> 'DELETE' THEN NEW.business_id END,
      CASE WHEN TG_OP <> 'INSERT' THEN OLD.business_id END]
  LOOP
    CONTINUE WHEN target IS NULL;
    UPDATE businesses SET
      average_rating = (SELECT COALESCE(ROUND(AVG(rating), 2), 0) FROM reviews
                         WHERE business_id = target AND status = 'approved'),
      review_count = (SELECT COUNT(*) FROM reviews
                       WHERE business_id = target AND status = 'approved')
    WHERE id = target;
  END LOOP;
  RETURN COALESCE(NEW, OLD);
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET app.role = 'system';
-- A customer's review must update the business's totals even though Row Level Security
-- does not let the customer update the business row: the function runs as the owner and,
-- because FORCE ROW LEVEL SECURITY binds a non-superuser owner too, as 'system' (the SET
-- clause restores the caller's app.role when the function returns).
CREATE TRIGGER update_business_rating_trigger
  AFTER INSERT OR UPDATE OR DELETE ON reviews
  FOR EACH ROW EXECUTE FUNCTION update_business_rating();

-- ---------------------------------------------------------------- 6. favourites, views
CREATE TABLE user_favorites (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  business_id UUID NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  UNIQUE(user_id, business_id)
);
CREATE INDEX idx_user_favorites_user ON user_favorites(user_id);
CREATE INDEX idx_user_favorites_business ON user_favorites(business_id);

CREATE TABLE business_views (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  business_id UUID NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  user_id UUID REFERENCES users(id) ON DELETE SET NULL,
  ip_address INET,
  user_agent TEXT,
  referrer TEXT,
  viewed_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_business_views_business ON business_views(business_id);
CREATE INDEX idx_business_views_date ON business_views(viewed_at);

-- ---------------------------------------------------------------- 7. notifications
CREATE TABLE notifications (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type notification_type NOT NULL,
  title VARCHAR(255) NOT NULL,
  message TEXT NOT NULL,
  data JSONB NOT NULL DEFAULT '{}',
  is_read BOOLEAN NOT NULL DEFAULT FALSE,
  is_sent BOOLEAN NOT NULL DEFAULT FALSE,
  email_sent BOOLEAN NOT NULL DEFAULT FALSE,
  sms_sent BOOLEAN NOT NULL DEFAULT FALSE,
  push_sent BOOLEAN NOT NULL DEFAULT FALSE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  read_at TIMESTAMPTZ,
  sent_at TIMESTAMPTZ
);
CREATE INDEX idx_notifications_user ON notifications(user_id);
CREATE INDEX idx_notifications_type ON notifications(type);
CREATE INDEX idx_notifications_unread ON notifications(user_id, is_read);

-- DESIGN 6.10: which channels a user wants for which notification type.
CREATE TABLE notification_preferences (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type notification_type NOT NULL,
  in_app BOOLEAN NOT NULL DEFAULT TRUE,
  email BOOLEAN NOT NULL DEFAULT TRUE,
  sms BOOLEAN NOT NULL DEFAULT FALSE,
  whatsapp BOOLEAN NOT NULL DEFAULT FALSE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  UNIQUE (user_id, type)
);

-- ---------------------------------------------------------------- 8. payments
CREATE TABLE payments (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  booking_id UUID REFERENCES bookings(id),
  user_id UUID REFERENCES users(id),
  business_id UUID REFERENCES businesses(id),
  payment_method payment_method_enum NOT NULL,
  payment_provider VARCHAR(50),
  provider_payment_id VARCHAR(255),
  amount DECIMAL(10, 2) NOT NULL CHECK (amount >= 0),
  currency VARCHAR(3) NOT NULL DEFAULT 'NAD',
  platform_fee DECIMAL(10, 2) NOT NULL DEFAULT 0 CHECK (platform_fee >= 0),
  business_amount DECIMAL(10, 2) NOT NULL,
  status payment_status NOT NULL DEFAULT 'pending',
  failure_reason TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  processed_at TIMESTAMPTZ,
  failed_at TIMESTAMPTZ,
  refunded_at TIMESTAMPTZ,
  metadata JSONB NOT NULL DEFAULT '{}',
  CONSTRAINT ck_payments_split CHECK (platform_fee + business_amount = amount)
);
CREATE INDEX idx_payments_booking ON payments(booking_id);
CREATE INDEX idx_payments_user ON payments(user_id);
CREATE INDEX idx_payments_business ON payments(business_id);
CREATE INDEX idx_payments_status ON payments(status);
CREATE UNIQUE INDEX uq_payments_provider_id ON payments(payment_provider, provider_payment_id)
  WHERE provider_payment_id IS NOT NULL;

-- DESIGN 6.10: every provider webhook event once, so a replay changes nothing.
CREATE TABLE payment_webhook_events (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  provider VARCHAR(50) NOT NULL,
  event_id VARCHAR(255) NOT NULL,
  event_type VARCHAR(100) NOT NULL,
  payload JSONB NOT NULL,
  payment_id UUID REFERENCES payments(id) ON DELETE SET NULL,
  received_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  processed_at TIMESTAMPTZ,
  error TEXT,
  UNIQUE (provider, event_id)
);

-- ---------------------------------------------------------------- accounts support (DESIGN 6.10)
-- Opaque session tokens, stored as SHA-256 hashes; used when Redis is not configured.
CREATE TABLE user_sessions (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash BYTEA NOT NULL UNIQUE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  last_seen_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  expires_at TIMESTAMPTZ NOT NULL,
  revoked_at TIMESTAMPTZ,
  ip_address INET,
  user_agent TEXT
);
CREATE INDEX idx_user_sessions_user ON user_sessions(user_id);
CREATE INDEX idx_user_sessions_expires ON user_sessions(expires_at);

CREATE TABLE verification_tokens (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose VARCHAR(30) NOT NULL CHECK (purpose IN ('email_verification', 'phone_verification', 'password_reset')),
  token_hash BYTEA NOT NULL UNIQUE,
  target VARCHAR(255),
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  expires_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ
);
CREATE INDEX idx_verification_tokens_user ON verification_tokens(user_id, purpose);

-- Idempotency-Key: the first answer to a POST, replayed for 24 hours.
CREATE TABLE idempotency_keys (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  key VARCHAR(255) NOT NULL,
  user_id UUID REFERENCES users(id) ON DELETE CASCADE,
  scope VARCHAR(100) NOT NULL,
  request_hash VARCHAR(64) NOT NULL,
  response_status INTEGER,
  response_body JSONB,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  expires_at TIMESTAMPTZ NOT NULL DEFAULT NOW() + INTERVAL '24 hours'
);
-- user_id may be NULL (guest bookings), so NULLs must collide: NULLS NOT DISTINCT is
-- PostgreSQL 15+, which is the oldest server we support.
CREATE UNIQUE INDEX uq_idempotency_keys ON idempotency_keys(scope, user_id, key) NULLS NOT DISTINCT;
CREATE INDEX idx_idempotency_keys_expires ON idempotency_keys(expires_at);

-- ---------------------------------------------------------------- 9. analytics (partitioned)
-- DESIGN 6.4: partitioned by quarter, the partition key in the primary key, a default partition.
CREATE TABLE business_analytics (
  id UUID NOT NULL DEFAULT gen_random_uuid(),
  business_id UUID NOT NULL REFERENCES businesses(id) ON DELETE CASCADE,
  date DATE NOT NULL,
  profile_views INTEGER NOT NULL DEFAULT 0,
  search_appearances INTEGER NOT NULL DEFAULT 0,
  click_through_rate DECIMAL(5, 4) NOT NULL DEFAULT 0,
  booking_requests INTEGER NOT NULL DEFAULT 0,
  bookings_confirmed INTEGER NOT NULL DEFAULT 0,
  bookings_completed INTEGER NOT NULL DEFAULT 0,
  bookings_cancelled INTEGER NOT NULL DEFAULT 0,
  total_revenue DECIMAL(10, 2) NOT NULL DEFAULT 0,
  average_booking_value DECIMAL(10, 2) NOT NULL DEFAULT 0,
  reviews_received INTEGER NOT NULL DEFAULT 0,
  average_rating DECIMAL(3, 2) NOT NULL DEFAULT 0,
  favorites_added INTEGER NOT NULL DEFAULT 0,
  phone_clicks INTEGER NOT NULL DEFAULT 0,
  website_clicks INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (id, date),
  UNIQUE (business_id, date)
) PARTITION BY RANGE (date);
CREATE TABLE business_analytics_default PARTITION OF business_analytics DEFAULT;
CREATE INDEX idx_business_analytics_business_date ON business_analytics(business_id, date);

-- ---------------------------------------------------------------- 10. settings, audit (partitioned)
CREATE TABLE system_settings (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  key VARCHAR(255) UNIQUE NOT NULL,
  value TEXT,
  data_type VARCHAR(50) NOT NULL DEFAULT 'string'
    CHECK (data_type IN ('string', 'integer', 'decimal', 'boolean', 'json')),
  description TEXT,
  is_public BOOLEAN NOT NULL DEFAULT FALSE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX idx_system_settings_key ON system_settings(key);

-- Partitioned by month (DESIGN 6.4).
CREATE TABLE audit_logs (
  id UUID NOT NULL DEFAULT gen_random_uuid(),
  user_id UUID REFERENCES users(id) ON DELETE SET NULL,
  action VARCHAR(100) NOT NULL,
  table_name VARCHAR(100),
  record_id UUID,
  old_values JSONB,
  new_values JSONB,
  ip_address INET,
  user_agent TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
CREATE TABLE audit_logs_default PARTITION OF audit_logs DEFAULT;
CREATE INDEX idx_audit_logs_user ON audit_logs(user_id);
CREATE INDEX idx_audit_logs_table ON audit_logs(table_name, record_id);
CREATE INDEX idx_audit_logs_created ON audit_logs(created_at);

-- Creates the partitions covering [now - 1 period, now + periods_ahead periods] that do not
-- exist yet; safe to run any number of times (the worker runs it daily). Rows that already
-- sit in the default partition for a new range are moved into the new partition.
CREATE FUNCTION ensure_partitions(periods_ahead integer DEFAULT 3) RETURNS SETOF text AS $$
DECLARE
  spec record;
  start_at date;
  end_at date;
  part text;
  i integer;
  lower_bound text;
  upper_bound text;
BEGIN
  FOR spec IN SELECT * FROM (VALUES
      ('audit_logs', 'created_at', 'month', interval '1 month'),
      ('business_analytics', 'date', 'quarter', interval '3 months')) AS s(tbl, col, unit, step)
  LOOP
    FOR i IN -1 .. periods_ahead LOOP
      start_at := (date_trunc(spec.unit, now() AT TIME ZONE 'UTC') + spec.step * i)::date;
      end_at := (start_at + spec.step)::date;
      part := spec.tbl || '_y' || to_char(start_at, 'YYYY') ||
              CASE spec.unit WHEN 'month' THEN 'm' || to_char(start_at, 'MM')
                             ELSE 'q' || to_char(start_at, 'Q') END;
      CONTINUE WHEN to_regclass(part) IS NOT NULL;
      -- timestamptz bounds are spelled in UTC, so the session's time zone cannot shift them.
      lower_bound := start_at::text || CASE spec.unit WHEN 'month' THEN ' 00:00:00+00' ELSE '' END;
      upper_bound := end_at::text || CASE spec.unit WHEN 'month' THEN ' 00:00:00+00' ELSE '' END;
      -- Move rows out of the default partition first, or attaching the range fails.
      EXECUTE format('CREATE TEMP TABLE _moving ON COMMIT DROP AS SELECT * FROM %I WHERE %I >= %L AND %I < %L',
                     spec.tbl || '_default', spec.col, lower_bound, spec.col, upper_bound);
      EXECUTE format('DELETE FROM %I WHERE %I >= %L AND %I < %L',
                     spec.tbl || '_default', spec.col, lower_bound, spec.col, upper_bound);
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                     part, spec.tbl, lower_bound, upper_bound);
      EXECUTE format('INSERT INTO %I SELECT * FROM _moving', spec.tbl);
      DROP TABLE _moving;
      RETURN NEXT part;
    END LOOP;
  END LOOP;
END;
$$ LANGUAGE plpgsql;

-- ---------------------------------------------------------------- views
-- DESIGN 6.3: aggregate reviews and bookings separately, so neither multiplies the other.
CREATE VIEW business_summary WITH (security_invoker = true) AS
SELECT
  b.id,
  b.name,
  b.slug,
  b.city,
  b.region,
  b.status,
  b.is_verified,
  b.is_featured,
  c.name AS category_name,
  c.slug AS category_slug,
  COALESCE(r.average_rating, 0) AS average_rating,
  COALESCE(r.review_count, 0) AS review_count,
  COALESCE(bk.booking_count, 0) AS booking_count,
  b.view_count,
  b.created_at
FROM businesses b
LEFT JOIN categories c ON b.category_id = c.id
LEFT JOIN (SELECT business_id, AVG(rating) AS average_rating, COUNT(*) AS review_count
             FROM reviews WHERE status = 'approved' GROUP BY business_id) r ON r.business_id = b.id
LEFT JOIN (SELECT business_id, COUNT(*) AS booking_count
             FROM bookings WHERE status IN ('confirmed', 'completed') GROUP BY business_id) bk
       ON bk.business_id = b.id;

CREATE VIEW user_activity WITH (security_invoker = true) AS
SELECT
  u.id,
  u.email,
  u.first_name,
  u.last_name,
  u.role,
  (SELECT COUNT(*) FROM bookings b WHERE b.customer_id = u.id) AS bookings_count,
  (SELECT COUNT(*) FROM reviews r WHERE r.customer_id = u.id) AS reviews_count,
  (SELECT COUNT(*) FROM user_favorites f WHERE f.user_id = u.id) AS favorites_count,
  u.last_login_at,
  u.created_at
FROM users u;

CREATE MATERIALIZED VIEW business_stats_monthly AS
SELECT
  business_id,
  DATE_TRUNC('month', date)::date AS month,
  SUM(profile_views) AS total_views,
  SUM(booking_requests) AS total_booking_requests,
  SUM(bookings_confirmed) AS total_bookings_confirmed,
  SUM(total_revenue) AS total_revenue
FROM business_analytics
GROUP BY business_id, DATE_TRUNC('month', date);
CREATE UNIQUE INDEX business_stats_monthly_business_month ON business_stats_monthly (business_id, month);

CREATE FUNCTION refresh_business_stats() RETURNS void AS $$
BEGIN
  REFRESH MATERIALIZED VIEW CONCURRENTLY business_stats_monthly;
END;
$$ LANGUAGE plpgsql;

-- ---------------------------------------------------------------- updated_at triggers (DESIGN 6.9)
DO $$
DECLARE t text;
BEGIN
  FOR t IN SELECT c.table_name FROM information_schema.columns c
             JOIN pg_class k ON k.relname = c.table_name AND k.relnamespace = 'public'::regnamespace
            WHERE c.table_schema = 'public' AND c.column_name = 'updated_at' AND k.relkind IN ('r', 'p')
  LOOP
    EXECUTE format('CREATE TRIGGER update_%s_updated_at BEFORE UPDATE ON %I
                    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column()', t, t);
  END LOOP;
END $$;

-- The partitions for the months and quarters around now exist from the start.
SELECT ensure_partitions();
