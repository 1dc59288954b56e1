-- Waitlist and backfill (issue 9 point 4): customers waiting for a time nearer than any free,
-- and the slots freed by cancellations and moves offered to them by SMS, first reply wins.

CREATE TABLE waitlist_entries (
  id                   uuid PRIMARY KEY,
  -- Whose key put the customer on the list: the booking an offer turns into is theirs.
  client_id            uuid NOT NULL,
  organisation_id      uuid REFERENCES organisations(id),
  customer_reference   text NOT NULL,
  -- The customer and referral as given, for the booking; the mobile (E.164) offers go to.
  customer             jsonb NOT NULL,
  mobile               text NOT NULL,
  referral             jsonb NOT NULL,
  appointment_type_id  uuid NOT NULL REFERENCES appointment_types(id),
  site_ids             uuid[] NOT NULL CHECK (cardinality(site_ids) BETWEEN 1 AND 20),
  earliest             timestamptz NOT NULL,
  latest               timestamptz NOT NULL CHECK (latest > earliest),
  -- waiting until an offer is taken (fulfilled, with the booking) or the adviser takes them off (removed).
  status               text NOT NULL CHECK (status IN ('waiting', 'fulfilled', 'removed')),
  booking_id           uuid REFERENCES bookings(id),
  created_at           timestamptz NOT NULL,
  closed_at            timestamptz,
  CHECK ((status = 'fulfilled') = (booking_id IS NOT NULL)),
  CHECK ((status = 'waiting') = (closed_at IS NULL))
);
-- One place in the queue per customer and type for each client.
CREATE UNIQUE INDEX waitlist_entries_one_waiting ON waitlist_entries (client_id, customer_reference, appointment_type_id) WHERE status = 'waiting';
-- Who a freed slot may go to, longest waiting first.
CREATE INDEX waitlist_entries_waiting_idx ON waitlist_entries (appointment_type_id, created_at) WHERE status = 'waiting';
CREATE INDEX waitlist_entries_organisation_idx ON waitlist_entries (organisation_id, created_at);

-- Every seat a cancellation or a move frees, and its offer. open: texts out and nobody has
-- taken it, or (no text out) waiting for customers busy with other offers; claimed: a reply
-- is booking it; taken: booked (booking_id); lost: the booking was refused (taken by
-- ordinary booking meanwhile); expired: every round lapsed unanswered, nobody it fits was
-- left to ask, or too little time was left to take it.
CREATE TABLE waitlist_offers (
  id                   uuid PRIMARY KEY,
  freed_booking_id     uuid NOT NULL REFERENCES bookings(id),
  appointment_type_id  uuid NOT NULL REFERENCES appointment_types(id),
  site_id              uuid NOT NULL REFERENCES sites(id),
  adviser_id           uuid NOT NULL REFERENCES advisers(id),
  starts_at            timestamptz NOT NULL,
  ends_at              timestamptz NOT NULL,
  created_at           timestamptz NOT NULL,
  -- When the current round lapses (or the wait for busy customers ends); the dispatcher
  -- then asks the next few, or closes it.
  expires_at           timestamptz NOT NULL,
  -- Rounds of texts sent so far.
  round                integer NOT NULL DEFAULT 0,
  status               text NOT NULL CHECK (status IN ('open', 'claimed', 'taken', 'lost', 'expired')),
  -- The entry whose reply claimed it, and the booking made.
  entry_id             uuid REFERENCES waitlist_entries(id),
  booking_id           uuid REFERENCES bookings(id),
  closed_at            timestamptz,
  CHECK ((status IN ('open', 'expired')) = (entry_id IS NULL)),
  CHECK ((status = 'taken') = (booking_id IS NOT NULL))
);
CREATE INDEX waitlist_offers_open_idx ON waitlist_offers (expires_at) WHERE status = 'open';

-- Each text of an offer, one per customer asked: the outbox the dispatcher sends from
-- after the freeing transaction commits, and what became of the customer's answer.
CREATE TABLE waitlist_offer_texts (
  -- Also the message id given to the provider.
  id            uuid PRIMARY KEY,
  offer_id      uuid NOT NULL REFERENCES waitlist_offers(id),
  entry_id      uuid NOT NULL REFERENCES waitlist_entries(id),
  round         integer NOT NULL,
  mobile        text NOT NULL,
  body          text NOT NULL,
  segments      integer NOT NULL,
  created_at    timestamptz NOT NULL,
  -- Not before the site's quiet hours for texts end.
  send_at       timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL CHECK (expires_at > send_at),
  -- queued until a dispatcher claims it (sending) and the provider answers; unknown: the
  -- dispatcher died mid-call, so it is never sent again.
  status        text NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'unknown')),
  provider_id   text,
  error_code    text,
  sent_at       timestamptz,
  updated_at    timestamptz NOT NULL,
  -- What the customer's reply got: the slot (won), too late (gone) or after the offer lapsed (expired).
  answer        text CHECK (answer IN ('won', 'gone', 'expired')),
  answered_at   timestamptz,
  UNIQUE (offer_id, entry_id)
);
CREATE INDEX waitlist_offer_texts_outbox ON waitlist_offer_texts (send_at) WHERE status = 'queued';
-- A reply is matched to the last offer texted to its number.
CREATE INDEX waitlist_offer_texts_mobile_idx ON waitlist_offer_texts (mobile, created_at DESC);
-- An entry is asked about one slot at a time.
CREATE INDEX waitlist_offer_texts_entry_idx ON waitlist_offer_texts (entry_id, expires_at);
