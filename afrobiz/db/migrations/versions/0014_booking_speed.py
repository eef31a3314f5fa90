"""The booking engine's speed work (issue 6): what the free-slot maths needs in ONE round trip.

booking_busy_ranges() returns the occupied ranges of a service's active bookings as
[start, end] pairs (ISO 8601 in JSON). It runs as 'system' through its SET clause (PostgreSQL restores the caller's
settings when it returns, also on error): every customer's booking blocks a slot, but RLS
shows each caller only their own; only start/end times leave it, and only for a bookable
service of an active business.

An index on (service_id, booking_date) lets that read use leakproof comparisons only, so
PostgreSQL can use it ahead of the bookings policy (see the comment in the function).

booking_slot_inputs() reads, under the CALLER's identity (so RLS decides whether the service
is visible at all), the service's rules and its business's zone, the weekly windows, the
business hours, the closure days and those busy ranges, as one JSON value;
booking_public_slot_inputs() is the same read pinned to the anonymous identity.

Revision ID: 0014
Revises: 0013
"""
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
CREATE INDEX idx_bookings_service_date ON bookings (service_id, booking_date);

CREATE FUNCTION booking_busy_ranges(p_service uuid, p_lo timestamptz, p_hi timestamptz,
                                    p_exclude uuid DEFAULT NULL)
RETURNS json LANGUAGE plpgsql STABLE  -- plpgsql: its plan is cached per connection
SET app.role = 'system' SET app.user_id = ''
AS $$
BEGIN
  RETURN (SELECT coalesce(json_agg(json_build_array(coalesce(lower(bk.time_range), p_lo),
                                            coalesce(upper(bk.time_range), p_hi))), '[]'::json)
  FROM bookings bk
  WHERE bk.service_id = p_service
    AND bk.status IN ('pending', 'confirmed', 'in_progress')
    AND bk.time_range && tstzrange(p_lo, p_hi, '[)')
    -- What an index can serve under RLS: && is not leakproof, so PostgreSQL will not use the
    -- GiST index ahead of the bookings policy and would run the policy on every booking the
    -- service ever had. Date comparisons are leakproof: a booking overlapping [p_lo, p_hi)
    -- starts within 36 h before p_lo or 12 h after p_hi (services' CHECKs: duration <= 24 h,
    -- buffers <= 12 h), and its local date is within -12 h/+14 h of that instant.
    AND bk.booking_date BETWEEN (p_lo AT TIME ZONE 'UTC')::date - 2 AND (p_hi AT TIME ZONE 'UTC')::date + 2
    AND bk.id IS DISTINCT FROM p_exclude
    AND EXISTS (SELECT 1 FROM services s JOIN businesses b ON b.id = s.business_id
                WHERE s.id = p_service AND s.is_active AND s.requires_booking AND b.status = 'active'));
END
$$;

CREATE FUNCTION booking_slot_inputs(p_service uuid, p_from date, p_to date, p_now timestamptz,
                                    p_default_zone text)
RETURNS json LANGUAGE plpgsql STABLE
AS $$
DECLARE
  s record;
  zone_known boolean;
  today date;
  first_day date;
  last_day date;
  lo timestamptz;
  hi timestamptz;
BEGIN
  SELECT sv.id, sv.business_id, sv.is_active, sv.requires_booking, sv.duration_minutes,
         sv.buffer_before_minutes, sv.buffer_after_minutes, sv.capacity, sv.min_advance_booking_hours,
         sv.max_advance_booking_days, sv.slot_interval_minutes,
         b.status::text AS business_status,
         CASE WHEN jsonb_typeof(b.settings->'timezone') = 'string' THEN nullif(b.settings->>'timezone', '') END
           AS timezone
    INTO s
    FROM services sv JOIN businesses b ON b.id = sv.business_id
   WHERE sv.id = p_service;
  IF NOT FOUND THEN
    RETURN NULL;  -- no such service, or RLS hides its business from this caller
  END IF;
  IF NOT (s.is_active AND s.requires_booking AND s.duration_minutes IS NOT NULL AND s.business_status = 'active') THEN
    RETURN json_build_object('service', to_json(s));
  END IF;
  -- The instants slots of local days [first_day, last_day] can touch, buffers included. In
  -- the default zone (nearly every business) from its local midnights, with 3 hours of slack
  -- for how a DST change is resolved; in another zone, whose name PostgreSQL might not know,
  -- from UTC midnights widened by the largest offsets there are (-12 h, +14 h). Days before
  -- today or past the advance limit hold no slot (a day of slack each side: the caller
  -- clips them exactly, in Python's zone data).
  zone_known := s.timezone IS NULL OR s.timezone = p_default_zone;
  today := (p_now AT TIME ZONE CASE WHEN zone_known THEN p_default_zone ELSE 'UTC' END)::date;
  first_day := greatest(p_from, today - 1);
  last_day := least(p_to, today + 1 + s.max_advance_booking_days);
  IF zone_known THEN
    lo := (first_day::timestamp AT TIME ZONE p_default_zone) - interval '3 hours';
    hi := ((last_day + 1)::timestamp AT TIME ZONE p_default_zone) + interval '3 hours';
  ELSE
    lo := (first_day::timestamp AT TIME ZONE 'UTC') - interval '14 hours';
    hi := ((last_day + 1)::timestamp AT TIME ZONE 'UTC') + interval '12 hours';
  END IF;
  lo := lo - make_interval(mins => s.buffer_before_minutes);
  hi := hi + make_interval(mins => s.duration_minutes + s.buffer_after_minutes);
  RETURN json_build_object(
    'service', to_json(s),
    'windows', (SELECT coalesce(json_agg(json_build_array(a.day_of_week, a.start_time, a.end_time)), '[]'::json)
                  FROM service_availability a WHERE a.service_id = p_service AND a.is_available),
    'hours', (SELECT coalesce(json_agg(json_build_array(h.day_of_week, h.open_time, h.close_time, h.is_closed,
                                                        h.is_24_hours)), '[]'::json)
                FROM business_hours h WHERE h.business_id = s.business_id),
    'closures', (SELECT coalesce(json_agg(c.closed_on), '[]'::json) FROM business_closures c
                  WHERE c.business_id = s.business_id AND c.closed_on BETWEEN first_day - 1 AND last_day),
    'busy', CASE WHEN first_day <= last_day THEN booking_busy_ranges(p_service, lo, hi) ELSE '[]'::json END);
END
$$;

-- The same for a caller with no identity, stated by the SET clause in the statement itself:
-- an anonymous read needs no transaction of its own (no BEGIN, set_config, COMMIT), and a
-- pooled connection's leftover session settings cannot change what it sees.
CREATE FUNCTION booking_public_slot_inputs(p_service uuid, p_from date, p_to date, p_now timestamptz,
                                           p_default_zone text)
RETURNS json LANGUAGE plpgsql STABLE
SET app.role = 'anonymous' SET app.user_id = ''
AS $$ BEGIN RETURN booking_slot_inputs(p_service, p_from, p_to, p_now, p_default_zone); END $$;
""")


def downgrade() -> None:
    op.execute("""
DROP FUNCTION IF EXISTS booking_public_slot_inputs(uuid, date, date, timestamptz, text);
DROP FUNCTION IF EXISTS booking_slot_inputs(uuid, date, date, timestamptz, text);
DROP FUNCTION IF EXISTS booking_busy_ranges(uuid, timestamptz, timestamptz, uuid);
DROP INDEX IF EXISTS idx_bookings_service_date;
""")
