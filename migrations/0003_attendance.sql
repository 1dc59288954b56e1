-- Attendance (issue 7): what happened at each appointment, every booking's history of
-- events, the appointments sites bring from their old diaries, and the show-probability
-- models fitted from all of them.

ALTER TABLE bookings
  -- Recorded by the adviser (or the automatic DNA sweep) once the appointment has started;
  -- a later recording corrects it, and booking_events keeps every version.
  ADD COLUMN outcome            text CHECK (outcome IN ('attended', 'late', 'dna', 'cancelled_late', 'left_unseen')),
  ADD COLUMN outcome_note       text,
  ADD COLUMN outcome_at         timestamptz,
  -- When the customer agreed the present time: the booking, or its latest reschedule.
  -- Lead time runs from here.
  ADD COLUMN arranged_at        timestamptz,
  -- Signals that move the show probability as they arrive.
  ADD COLUMN reminder_state     text NOT NULL DEFAULT 'pending' CHECK (reminder_state IN ('pending', 'delivered', 'failed')),
  ADD COLUMN confirmed_at       timestamptz,
  ADD COLUMN show_probability   real CHECK (show_probability BETWEEN 0 AND 1),
  ADD COLUMN show_factors       jsonb,
  ADD COLUMN show_model_version integer,
  ADD CONSTRAINT bookings_outcome_only_when_booked CHECK (outcome IS NULL OR status = 'booked');
UPDATE bookings SET arranged_at = created_at;
ALTER TABLE bookings ALTER COLUMN arranged_at SET NOT NULL;

-- Past bookings still waiting for an outcome, per site: the adviser's "to record" list and
-- the automatic DNA sweep.
CREATE INDEX bookings_outcome_due_idx ON bookings (site_id, ends_at) WHERE status = 'booked' AND outcome IS NULL;

-- Everything that happened to a booking, written in the same transaction as the change.
-- The audit trail of mandatory referrals, and the show model's signals.
CREATE TABLE booking_events (
  id          bigserial PRIMARY KEY,
  booking_id  uuid NOT NULL REFERENCES bookings(id),
  kind        text NOT NULL CHECK (kind IN ('created', 'held', 'rescheduled', 'cancelled', 'flagged_for_rebooking', 'outcome_recorded', 'outcome_corrected',
                                            'reminder_sent', 'reminder_delivered', 'reminder_failed', 'customer_confirmed')),
  at          timestamptz NOT NULL,
  -- Who caused it: an organisation's key, the admin key, the service itself, or the customer.
  actor_type  text NOT NULL CHECK (actor_type IN ('organisation', 'admin', 'system', 'customer')),
  actor_id    uuid,
  data        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX booking_events_booking_idx ON booking_events (booking_id, id);

-- Per-site attendance options; no row means the defaults (no automatic DNA).
CREATE TABLE attendance_policies (
  site_id              uuid PRIMARY KEY REFERENCES sites(id),
  -- Record 'dna' by itself this many hours after an appointment ends with no outcome.
  auto_dna_after_hours integer CHECK (auto_dna_after_hours BETWEEN 1 AND 336),
  updated_at           timestamptz NOT NULL
);

-- One row per appointment, live or imported, with every dimension DNA patterns are cut by
-- worked out once (local weekday and hour in the site's zone, lead time), so that insights
-- over millions of appointments are one scan of a narrow table. Live bookings' rows are
-- kept in step by their booking events; imported rows are history only and never occupy a
-- slot in today's diaries.
CREATE TABLE attendance_records (
  id                  uuid PRIMARY KEY,
  booking_id          uuid UNIQUE REFERENCES bookings(id),
  legacy_id           text UNIQUE,
  site_id             uuid NOT NULL REFERENCES sites(id),
  adviser_id          uuid NOT NULL REFERENCES advisers(id),
  appointment_type_id uuid NOT NULL REFERENCES appointment_types(id),
  -- The referring organisation (null for the admin key and for imports).
  organisation_id     uuid REFERENCES organisations(id),
  -- The customer as every source names them: the referrer's reference.
  customer_reference  text NOT NULL,
  referral_source     text NOT NULL CHECK (referral_source IN ('jcp', 'partner', 'self')),
  referrer_name       text,
  mandatory           boolean NOT NULL,
  message_variant     text,
  reminder_state      text CHECK (reminder_state IN ('pending', 'delivered', 'failed')),
  arranged_at         timestamptz NOT NULL,
  starts_at           timestamptz NOT NULL,
  local_date          date NOT NULL,
  weekday             smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  hour                smallint NOT NULL CHECK (hour BETWEEN 0 AND 23),
  lead_days           integer NOT NULL CHECK (lead_days >= 0),
  -- A booking cancelled ahead of time stays here (reported apart), never as a DNA.
  cancelled           boolean NOT NULL DEFAULT false,
  outcome             text CHECK (outcome IN ('attended', 'late', 'dna', 'cancelled_late', 'left_unseen')),
  CHECK ((booking_id IS NULL) <> (legacy_id IS NULL)),
  CHECK (legacy_id IS NULL OR outcome IS NOT NULL)
);
CREATE INDEX attendance_records_start_idx ON attendance_records (starts_at);
CREATE INDEX attendance_records_site_start_idx ON attendance_records (site_id, starts_at);
-- A customer's own record, as it stood at a given time.
CREATE INDEX attendance_records_customer_idx ON attendance_records (customer_reference, starts_at) INCLUDE (outcome);

-- Fitted show-probability models, every version kept; one is live.
CREATE TABLE show_models (
  version     serial PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('logistic', 'base_rates')),
  model       jsonb NOT NULL,
  evaluation  jsonb,
  trained_at  timestamptz NOT NULL,
  -- Why the service fell back to smoothed base rates, when it did.
  note        text,
  live        boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX show_models_one_live ON show_models (live) WHERE live;
