-- Personal links in reminders (issue 9 point 3): PUBLIC_BASE_URL/b/<token> lets a customer
-- with no mobile credit confirm, cancel or move their booking for free. Only the SHA-256 of
-- each token is kept, so a copy of the database opens no booking. A link is for one booking
-- and its customer, stops opening at the end of the appointment's local day, and is revoked
-- when the booking is cancelled or moved (or by hand).
CREATE TABLE booking_links (
  id              uuid PRIMARY KEY,
  token_hash      bytea NOT NULL CHECK (octet_length(token_hash) = 32),
  booking_id      uuid NOT NULL REFERENCES bookings(id),
  customer_id     uuid NOT NULL REFERENCES customers(id),
  expires_at      timestamptz NOT NULL,
  revoked_at      timestamptz,
  revoked_reason  text CHECK (revoked_reason IN ('cancelled', 'moved', 'revoked')),
  -- The times last offered from this link to move to, each held as an SMS MOVE holds them.
  options         jsonb,
  created_at      timestamptz NOT NULL,
  CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
-- Every open is a look-up by hash.
CREATE UNIQUE INDEX booking_links_token_idx ON booking_links (token_hash);
-- Revoking a booking's links finds the live ones.
CREATE INDEX booking_links_booking_idx ON booking_links (booking_id) WHERE revoked_at IS NULL;
