-- Reminders (issue 3): each booking's reminder plan, written in the booking's own
-- transaction so that it is never lost (the plan rows double as the outbox that feeds
-- BullMQ), the messages actually handed to a provider, templates and site policies.

-- What the session is and what to bring: content for confirmations and reminders.
ALTER TABLE appointment_types
  ADD COLUMN description   text,
  ADD COLUMN what_to_bring text;

ALTER TABLE customers
  -- A provider said the number cannot take SMS (not a mobile, no such number).
  ADD COLUMN mobile_invalid_at timestamptz,
  -- The customer texted STOP: no SMS until they text START.
  ADD COLUMN sms_opted_out_at  timestamptz;

ALTER TABLE bookings
  -- Raised by every reschedule and cancellation; a job planned under an older version
  -- finds its reminder superseded and sends nothing.
  ADD COLUMN plan_version    integer NOT NULL DEFAULT 1,
  -- Wording variant, fixed when the booking is made, so DNA rates can be compared per variant.
  ADD COLUMN message_variant text NOT NULL DEFAULT 'standard';

-- Per-site overrides of the default reminder policy (src/reminders/domain/reminder-plan.ts).
CREATE TABLE reminder_policies (
  site_id              uuid PRIMARY KEY REFERENCES sites(id),
  days_before          integer NOT NULL CHECK (days_before BETWEEN 0 AND 14),
  days_before_at       text NOT NULL CHECK (days_before_at ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  hours_before         integer NOT NULL CHECK (hours_before BETWEEN 0 AND 12),
  quiet_from           text NOT NULL CHECK (quiet_from ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  quiet_until          text NOT NULL CHECK (quiet_until ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  minimum_gap_minutes  integer NOT NULL CHECK (minimum_gap_minutes BETWEEN 0 AND 1440),
  updated_at           timestamptz NOT NULL DEFAULT now()
);

-- Templates saved for an appointment type, optionally for one site; built-in wording
-- applies where none is saved.
CREATE TABLE message_templates (
  id                   uuid PRIMARY KEY,
  appointment_type_id  uuid NOT NULL REFERENCES appointment_types(id),
  site_id              uuid REFERENCES sites(id),
  step                 text NOT NULL CHECK (step IN ('confirmation', 'days_before', 'same_day', 'cancellation')),
  channel              text NOT NULL CHECK (channel IN ('sms', 'email')),
  variant              text NOT NULL,
  subject              text,
  body                 text NOT NULL,
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CHECK ((channel = 'email') = (subject IS NOT NULL))
);
CREATE UNIQUE INDEX message_templates_key
  ON message_templates (appointment_type_id, coalesce(site_id, '00000000-0000-0000-0000-000000000000'), step, channel, variant);

-- One row per step of each version of a booking's plan.
CREATE TABLE reminders (
  id           uuid PRIMARY KEY,
  booking_id   uuid NOT NULL REFERENCES bookings(id),
  version      integer NOT NULL,
  step         text NOT NULL CHECK (step IN ('confirmation', 'days_before', 'same_day', 'cancellation')),
  send_at      timestamptz,
  status       text NOT NULL CHECK (status IN ('planned', 'sending', 'sent', 'unconfirmed', 'failed', 'skipped', 'cancelled', 'superseded')),
  -- Why a step was skipped or failed: PASSED, AFTER_APPOINTMENT, TOO_CLOSE, OFF, NO_CHANNEL, ...
  reason       text,
  -- The outbox: 'add' or 'remove' until the relay has told BullMQ, then 'done'.
  relay        text NOT NULL CHECK (relay IN ('add', 'remove', 'done')),
  -- Times the step has been handed to the queue (again after an SMS fails for good and
  -- email is tried); part of the job id, so a finished job never blocks the next one.
  round        integer NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (booking_id, step, version)
);
CREATE INDEX reminders_outbox ON reminders (created_at) WHERE relay <> 'done';

-- Messages handed (or about to be handed) to a provider. The row is inserted before the
-- provider is called, and the unique (reminder, channel) key is what stops a step going
-- twice through one channel, whatever crashes or replays happen.
CREATE TABLE messages (
  id              uuid PRIMARY KEY,
  reminder_id     uuid NOT NULL REFERENCES reminders(id),
  channel         text NOT NULL CHECK (channel IN ('sms', 'email')),
  recipient       text NOT NULL,
  variant         text NOT NULL,
  body            text NOT NULL,
  segments        integer,
  provider_id     text UNIQUE,
  -- 'sending': claimed, provider not yet answered; 'unknown': a worker died mid-call,
  -- so it is never sent again and a status callback may still settle it.
  status          text NOT NULL CHECK (status IN ('sending', 'unknown', 'accepted', 'queued', 'sent', 'delivered', 'read', 'undelivered', 'failed')),
  error_code      text,
  error_message   text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (reminder_id, channel)
);
