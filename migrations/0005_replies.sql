-- Replies (issue 9): customers' SMS replies to their reminders, each kept with the answer
-- it got, and the follow-up lists where the replies a machine should not act on wait for
-- a person at the site.

-- A reply is matched to bookings by the sender's number, as customers.mobile stores it (E.164).
CREATE INDEX customers_mobile_idx ON customers (mobile) WHERE mobile IS NOT NULL;

CREATE TABLE inbound_messages (
  id              uuid PRIMARY KEY,
  -- Twilio's id of the message: a repeat of the webhook finds the row and gets the same answer.
  message_sid     text NOT NULL UNIQUE,
  sender          text NOT NULL,
  body            text NOT NULL CHECK (length(body) <= 1600),
  intent          text NOT NULL CHECK (intent IN ('confirm', 'cancel', 'move', 'pick', 'stop', 'start', 'help', 'unknown')),
  received_at     timestamptz NOT NULL,
  -- When the request now handling the message took it; a repeat long after, with no reply
  -- yet, finds the first attempt died and handles it itself.
  claimed_at      timestamptz NOT NULL,
  -- What happened (confirmed, cancelled, asked, follow_up, unknown_number, ...) and the
  -- answer sent back; both null while the message is being handled.
  outcome         text,
  reply           text,
  reply_segments  integer,
  -- The booking acted on, if one was.
  booking_id      uuid REFERENCES bookings(id),
  -- The bookings a question offered by letter ({"A": id, "B": id}), for the answer to it.
  choices         jsonb,
  -- The times a MOVE offered ({"bookingId", "slots": [{holdId, start, zone, siteName}]}),
  -- numbered as in the reply, and when one was taken: an offer is taken once.
  options         jsonb,
  options_taken_at timestamptz,
  handled_at      timestamptz
);
-- The last question, and the last offer, put to a number.
CREATE INDEX inbound_messages_sender_idx ON inbound_messages (sender, received_at DESC) WHERE choices IS NOT NULL;
CREATE INDEX inbound_messages_offers_idx ON inbound_messages (sender, received_at DESC) WHERE options IS NOT NULL;

-- Replies for a person to handle, on the list of each site they concern.
CREATE TABLE follow_ups (
  id                  uuid PRIMARY KEY,
  inbound_message_id  uuid NOT NULL REFERENCES inbound_messages(id),
  site_id             uuid NOT NULL REFERENCES sites(id),
  booking_id          uuid REFERENCES bookings(id),
  -- not_understood: no intent read; move_requested: a new time wanted and none free to
  -- offer; unanswerable: a question the customer cannot receive (they opted out in the
  -- same message).
  reason              text NOT NULL CHECK (reason IN ('not_understood', 'move_requested', 'unanswerable')),
  created_at          timestamptz NOT NULL,
  -- Set by the person who handled it; the list shows only those still open.
  resolved_at         timestamptz,
  resolved_note       text,
  UNIQUE (inbound_message_id, site_id)
);
CREATE INDEX follow_ups_open_idx ON follow_ups (site_id, created_at) WHERE resolved_at IS NULL;
