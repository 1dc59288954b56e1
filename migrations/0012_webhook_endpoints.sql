-- Signed outbound webhooks (issue 12 point 2): an organisation's endpoints, the events
-- about its bookings, one delivery of each event to each endpoint that wants it, and every
-- attempt made. Events and deliveries are written in the transaction that changed the
-- booking (a transactional outbox); the relay hands deliveries to BullMQ.

CREATE TABLE webhook_endpoints (
  id                     uuid PRIMARY KEY,
  organisation_id        uuid NOT NULL REFERENCES organisations(id),
  url                    text NOT NULL,
  events                 text[] NOT NULL,
  -- Standard Webhooks' whsec_<base64> form. Kept to sign with (an HMAC needs the secret
  -- itself, not a hash); shown to the owner only on creation and on rotation.
  secret                 text NOT NULL,
  -- The secret before the last rotation, which signs beside the new one until previous_secret_until.
  previous_secret        text,
  previous_secret_until  timestamptz,
  status                 text NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
  disabled_reason        text,
  disabled_at            timestamptz,
  -- The first failed attempt since the last success: the disable rule runs from here.
  failing_since          timestamptz,
  created_at             timestamptz NOT NULL,
  updated_at             timestamptz NOT NULL,
  CHECK ((status = 'disabled') = (disabled_reason IS NOT NULL))
);
CREATE INDEX webhook_endpoints_organisation_idx ON webhook_endpoints (organisation_id);

CREATE TABLE webhook_events (
  id               uuid PRIMARY KEY,
  -- Rises with every event recorded; a booking's changes hold its row lock, so its events
  -- rise in the order they happened. Sent as data.sequence.
  seq              bigserial NOT NULL UNIQUE,
  organisation_id  uuid NOT NULL REFERENCES organisations(id),
  booking_id       uuid NOT NULL REFERENCES bookings(id),
  type             text NOT NULL,
  occurred_at      timestamptz NOT NULL,
  data             jsonb NOT NULL
);

CREATE TABLE webhook_deliveries (
  id            uuid PRIMARY KEY,
  event_id      uuid NOT NULL REFERENCES webhook_events(id),
  endpoint_id   uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  -- The event's, copied so that the next delivery of a booking to an endpoint is found by index.
  booking_id    uuid NOT NULL,
  seq           bigint NOT NULL,
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  -- A replay (or re-enabling the endpoint) starts a new round; the relay has handed rounds
  -- up to queued_round to BullMQ, whose job id is <delivery id>.<round>.
  round         integer NOT NULL DEFAULT 1,
  queued_round  integer NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL,
  settled_at    timestamptz,
  UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (endpoint_id, booking_id, seq) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, seq DESC);

CREATE TABLE webhook_attempts (
  id            bigserial PRIMARY KEY,
  delivery_id   uuid NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
  round         integer NOT NULL,
  attempted_at  timestamptz NOT NULL,
  duration_ms   integer NOT NULL,
  -- The receiver's answer, if it gave one; error says why not, or why a status is a failure.
  status_code   integer,
  error         text,
  CHECK (status_code IS NOT NULL OR error IS NOT NULL)
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
