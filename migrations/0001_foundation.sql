-- Foundation: organisations and their API keys, sites and rooms, appointment types,
-- advisers with weekly diary patterns and exceptions, sessions, holds and bookings.
-- Instants are timestamptz (UTC); local wall-clock values (pattern times, dates) are
-- interpreted in the site's IANA time zone by the application.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE organisations (
  id          uuid PRIMARY KEY,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind        text NOT NULL CHECK (kind IN ('provider', 'jobcentre', 'partner')),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  id               uuid PRIMARY KEY,
  organisation_id  uuid NOT NULL REFERENCES organisations(id),
  -- SHA-256 of the whole key: keys carry 256 random bits, so a slow hash adds nothing.
  key_hash         bytea NOT NULL UNIQUE,
  scopes           text[] NOT NULL CHECK (scopes <@ ARRAY['slots:read', 'bookings:write', 'admin']),
  created_at       timestamptz NOT NULL DEFAULT now(),
  revoked_at       timestamptz
);
CREATE INDEX api_keys_organisation_idx ON api_keys (organisation_id);

CREATE TABLE sites (
  id                  uuid PRIMARY KEY,
  name                text NOT NULL,
  kind                text NOT NULL CHECK (kind IN ('jobcentre', 'college', 'library', 'community', 'probation', 'employer', 'other')),
  address             text NOT NULL,
  postcode            text NOT NULL,
  timezone            text NOT NULL DEFAULT 'Europe/London',
  -- {"MON": {"open": "09:00", "close": "17:00"}, ...}; null means no restriction.
  opening_hours       jsonb,
  min_notice_minutes  integer NOT NULL DEFAULT 0 CHECK (min_notice_minutes >= 0),
  bank_holidays       text NOT NULL DEFAULT 'ENG' CHECK (bank_holidays IN ('ENG', 'WLS', 'SCT', 'NIR', 'NONE')),
  created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE site_closures (
  id          uuid PRIMARY KEY,
  site_id     uuid NOT NULL REFERENCES sites(id),
  date        date NOT NULL,
  reason      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (site_id, date)
);

CREATE TABLE rooms (
  id          uuid PRIMARY KEY,
  site_id     uuid NOT NULL REFERENCES sites(id),
  name        text NOT NULL,
  capacity    integer NOT NULL CHECK (capacity BETWEEN 1 AND 500),
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (site_id, name)
);

CREATE TABLE appointment_types (
  id                uuid PRIMARY KEY,
  code              text NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9_]{1,39}$'),
  name              text NOT NULL,
  duration_minutes  integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
  capacity          integer NOT NULL CHECK (capacity BETWEEN 1 AND 200),
  channel           text NOT NULL CHECK (channel IN ('face_to_face', 'telephone', 'video')),
  buffer_minutes    integer NOT NULL DEFAULT 0 CHECK (buffer_minutes BETWEEN 0 AND 120),
  created_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE advisers (
  id               uuid PRIMARY KEY,
  name             text NOT NULL,
  email            text NOT NULL,
  organisation_id  uuid NOT NULL REFERENCES organisations(id),
  created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE adviser_appointment_types (
  adviser_id           uuid NOT NULL REFERENCES advisers(id),
  appointment_type_id  uuid NOT NULL REFERENCES appointment_types(id),
  PRIMARY KEY (adviser_id, appointment_type_id)
);

CREATE TABLE diary_patterns (
  id                 uuid PRIMARY KEY,
  adviser_id         uuid NOT NULL REFERENCES advisers(id),
  site_id            uuid NOT NULL REFERENCES sites(id),
  room_id            uuid REFERENCES rooms(id),
  -- ISO weekday numbers, Monday = 1.
  weekdays           smallint[] NOT NULL CHECK (cardinality(weekdays) > 0 AND weekdays <@ ARRAY[1,2,3,4,5,6,7]::smallint[]),
  start_time         time NOT NULL,
  end_time           time NOT NULL CHECK (end_time > start_time),
  valid_from         date NOT NULL,
  valid_to           date CHECK (valid_to IS NULL OR valid_to >= valid_from),
  appointment_types  text[] NOT NULL CHECK (cardinality(appointment_types) > 0),
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX diary_patterns_site_idx ON diary_patterns (site_id);
CREATE INDEX diary_patterns_adviser_idx ON diary_patterns (adviser_id);
CREATE INDEX diary_patterns_room_idx ON diary_patterns (room_id) WHERE room_id IS NOT NULL;

CREATE TABLE diary_exceptions (
  id          uuid PRIMARY KEY,
  adviser_id  uuid NOT NULL REFERENCES advisers(id),
  period      tstzrange NOT NULL CHECK (NOT isempty(period)),
  kind        text NOT NULL CHECK (kind IN ('leave', 'sickness', 'training')),
  note        text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX diary_exceptions_adviser_period_idx ON diary_exceptions USING gist (adviser_id, period);

-- A session is one occupied stretch of an adviser's diary: a one-to-one appointment or a
-- group session with several seats. It exists while it has a booking or a hold.
-- "busy" runs from the start to the end of the buffer after the session, and the two
-- exclusion constraints make the database itself refuse an adviser or a room in two
-- places at once, whatever the application does.
CREATE TABLE sessions (
  id                   uuid PRIMARY KEY,
  adviser_id           uuid NOT NULL REFERENCES advisers(id),
  site_id              uuid NOT NULL REFERENCES sites(id),
  room_id              uuid REFERENCES rooms(id),
  appointment_type_id  uuid NOT NULL REFERENCES appointment_types(id),
  starts_at            timestamptz NOT NULL,
  ends_at              timestamptz NOT NULL CHECK (ends_at > starts_at),
  busy                 tstzrange NOT NULL,
  capacity             integer NOT NULL CHECK (capacity >= 1),
  -- Active bookings in the session, kept by the trigger on bookings below, so that slot
  -- search reads one row per session instead of counting bookings.
  booked               integer NOT NULL DEFAULT 0 CHECK (booked >= 0),
  -- A backstop behind the admission decision taken under the adviser's lock.
  CONSTRAINT sessions_booked_within_capacity CHECK (booked <= capacity),
  created_at           timestamptz NOT NULL DEFAULT now(),
  CHECK (lower(busy) = starts_at AND upper(busy) >= ends_at),
  CONSTRAINT sessions_adviser_no_overlap EXCLUDE USING gist (adviser_id WITH =, busy WITH &&),
  CONSTRAINT sessions_room_no_overlap EXCLUDE USING gist (room_id WITH =, busy WITH &&) WHERE (room_id IS NOT NULL)
);
CREATE INDEX sessions_site_start_idx ON sessions (site_id, starts_at);

-- A hold names its slot itself, so that it outlives its session: a lapsed hold's session
-- is cleared away when somebody else needs the time, yet the hold can still be turned
-- into a booking if the slot is free, or refused with a clear reason if it is not.
CREATE TABLE holds (
  id                   uuid PRIMARY KEY,
  session_id           uuid REFERENCES sessions(id) ON DELETE SET NULL,
  organisation_id      uuid REFERENCES organisations(id),
  adviser_id           uuid NOT NULL REFERENCES advisers(id),
  site_id              uuid NOT NULL REFERENCES sites(id),
  appointment_type_id  uuid NOT NULL REFERENCES appointment_types(id),
  starts_at            timestamptz NOT NULL,
  expires_at           timestamptz NOT NULL,
  -- Set when the hold is released or turned into a booking; a hold is live while this
  -- is null and expires_at is in the future.
  released_at          timestamptz,
  consumed_by          uuid,
  created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX holds_session_live_idx ON holds (session_id, expires_at) WHERE released_at IS NULL;

-- A customer is known by the reference of the organisation that referred them; the same
-- reference from two organisations is two records, since neither may see the other's.
CREATE TABLE customers (
  id                 uuid PRIMARY KEY,
  client_id          uuid NOT NULL,
  reference          text NOT NULL,
  name               text NOT NULL,
  mobile             text,
  email              text,
  preferred_channel  text NOT NULL CHECK (preferred_channel IN ('sms', 'email', 'none')),
  consent_to_contact boolean NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (client_id, reference)
);

CREATE TABLE bookings (
  id                 uuid PRIMARY KEY,
  session_id         uuid REFERENCES sessions(id),
  customer_id        uuid NOT NULL REFERENCES customers(id),
  -- The organisation whose key made the booking; null when made with the admin key.
  organisation_id    uuid REFERENCES organisations(id),
  -- Copied from the session so that a cancelled booking keeps its history after the
  -- session row is gone.
  adviser_id         uuid NOT NULL REFERENCES advisers(id),
  site_id            uuid NOT NULL REFERENCES sites(id),
  room_id            uuid REFERENCES rooms(id),
  appointment_type_id uuid NOT NULL REFERENCES appointment_types(id),
  starts_at          timestamptz NOT NULL,
  ends_at            timestamptz NOT NULL,
  status             text NOT NULL CHECK (status IN ('booked', 'cancelled')),
  needs_rebooking    boolean NOT NULL DEFAULT false,
  referral_source    text NOT NULL CHECK (referral_source IN ('jcp', 'partner', 'self')),
  referrer_name      text,
  referral_reason    text,
  referral_mandatory boolean NOT NULL DEFAULT false,
  cancelled_by       text CHECK (cancelled_by IN ('customer', 'service')),
  cancel_reason      text,
  cancelled_at       timestamptz,
  reschedule_count   integer NOT NULL DEFAULT 0,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'booked') = (session_id IS NOT NULL))
);
-- Full, not partial: deleting an emptied session checks the foreign key through it.
CREATE INDEX bookings_session_idx ON bookings (session_id);

CREATE FUNCTION sessions_count_bookings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.session_id IS NOT DISTINCT FROM NEW.session_id THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.session_id IS NOT NULL THEN
    UPDATE sessions SET booked = booked - 1 WHERE id = OLD.session_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.session_id IS NOT NULL THEN
    UPDATE sessions SET booked = booked + 1 WHERE id = NEW.session_id;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER bookings_count_in_sessions AFTER INSERT OR DELETE OR UPDATE OF session_id ON bookings
  FOR EACH ROW EXECUTE FUNCTION sessions_count_bookings();
CREATE INDEX bookings_site_start_idx ON bookings (site_id, starts_at);
CREATE INDEX bookings_adviser_start_idx ON bookings (adviser_id, starts_at);
CREATE INDEX bookings_customer_idx ON bookings (customer_id);
CREATE INDEX bookings_organisation_idx ON bookings (organisation_id);

-- client_id in customers and here is the organisation, or the nil UUID for the admin key.
CREATE TABLE idempotency_keys (
  client_id     uuid NOT NULL,
  key           text NOT NULL,
  request_hash  bytea NOT NULL,
  status_code   integer NOT NULL,
  response      jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_id, key)
);
