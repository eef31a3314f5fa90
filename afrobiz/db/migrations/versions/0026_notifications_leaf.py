"""Issue 22: notifications is a leaf; the sending domain renders what a message carries.

* notifications gains what delivery used to fetch from the booking domain when it sent:
  `link` (where the message leads), `calendar` (the event an e-mail attaches as an .ics,
  kit.icalendar.Event as JSON) and `reply_hint` (the line an owner's SMS ends with when
  texts can be answered). Notifications of the last two days are given their link and
  reply hint here, so those still waiting for (or retrying) a channel go out as before; an
  e-mail queued before this upgrade and sent after it goes without its .ics.
* Queued `notifications.send_guest` jobs named a booking (`booking_id`) for delivery to read;
  they now carry the rendered message (`to`, `name`, `link`). Jobs not yet done are rewritten
  from their booking; one whose booking is gone, has an account or lacks that contact would
  have sent nothing and is removed. Downgrade rewrites them back.

Revision ID: 0026
Revises: 0025
"""
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

# A guest job the worker has not finished: waiting, running, or failed (which an operator may retry).
NOT_DONE = "j.task_name = 'notifications.send_guest' AND j.status IN ('todo', 'doing', 'failed')"
CONTACT = "CASE j.args->>'channel' WHEN 'email' THEN b.customer_email ELSE b.customer_phone END"


def upgrade() -> None:
    op.execute("""
        ALTER TABLE notifications ADD COLUMN link TEXT, ADD COLUMN calendar JSONB,
          ADD COLUMN reply_hint VARCHAR(160);
        UPDATE notifications SET link = '/bookings/' || (data->>'booking_number')
         WHERE created_at > now() - interval '2 days' AND coalesce(data->>'booking_number', '') <> ''
           AND coalesce(data->>'url', '') = '';
        UPDATE notifications
           SET reply_hint = 'Reply YES ' || replace(data->>'booking_number', '-', '') || ' to confirm, NO '
                            || replace(data->>'booking_number', '-', '') || ' to decline'
         WHERE created_at > now() - interval '2 days' AND data->>'event' = 'booking.created'
           AND coalesce(data->>'booking_number', '') <> '';
    """)
    op.execute(f"""
        UPDATE procrastinate.procrastinate_jobs AS j
           SET args = jsonb_strip_nulls(jsonb_build_object(
                 'channel', j.args->>'channel', 'to', {CONTACT}, 'name', b.customer_name,
                 'link', '/bookings/' || b.booking_number,
                 'title', j.args->>'title', 'message', j.args->>'message', 'key', j.args->>'key'))
          FROM bookings b
         WHERE {NOT_DONE} AND j.args ? 'booking_id' AND b.id::text = j.args->>'booking_id'
           AND b.customer_id IS NULL AND {CONTACT} IS NOT NULL;
        DELETE FROM procrastinate.procrastinate_jobs AS j
         WHERE {NOT_DONE} AND j.status <> 'doing' AND j.args ? 'booking_id';
    """)


def downgrade() -> None:
    op.execute(f"""
        UPDATE procrastinate.procrastinate_jobs AS j
           SET args = jsonb_strip_nulls(jsonb_build_object(
                 'booking_id', b.id::text, 'channel', j.args->>'channel',
                 'title', j.args->>'title', 'message', j.args->>'message', 'key', j.args->>'key'))
          FROM bookings b
         WHERE {NOT_DONE} AND j.args ? 'link' AND '/bookings/' || b.booking_number = j.args->>'link';
        ALTER TABLE notifications DROP COLUMN IF EXISTS reply_hint, DROP COLUMN IF EXISTS calendar,
          DROP COLUMN IF EXISTS link;
    """)
